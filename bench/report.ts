import type { BatchResult, GenerationResult, HiddenResult, MountCyclesResult, SteadyResult } from './scenarios.js';

interface Results {
  machine: { cpus: number; cpu?: string; node: string; platform: string };
  settings: { intervalMs: number; latencyMs: number; react: string };
  generations: GenerationResult[];
  harnessJsMsPerPollCycle: Record<number, number>;
  tanstackJsMsPerPollCycle: Record<number, number>;
  development?: { library: SteadyResult; tanstack: SteadyResult };
  schedules: GenerationResult[];
  batch?: BatchResult;
  batchHarnessJsMsPerPollCycle?: number;
  hidden: HiddenResult;
  mountCycles: MountCyclesResult;
  targets: { target: string; value: number; limit: number; met: boolean }[];
  totalSeconds: number;
}

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function jsCell(g: GenerationResult, harness: number | undefined): string {
  if (!Number.isFinite(g.jsMsPerPollCycle)) return '–';
  if (harness === undefined) return f(g.jsMsPerPollCycle, 1);
  return `${f(g.jsMsPerPollCycle, 1)} − ${f(harness, 1)} = ${f(g.jsMsPerPollCycle - harness, 1)}`;
}

/** The benchmark's results as Markdown tables, as pasted into the README. */
export function formatReport(r: Results): string {
  const out: string[] = [];
  out.push(
    `Machine: ${r.machine.cpus} cores (${r.machine.cpu ?? 'unknown'}), Node ${r.machine.node}, ${r.machine.platform}; jsdom; React ${r.settings.react} build. ` +
      `Poll interval ${r.settings.intervalMs} ms, simulated round trip ${r.settings.latencyMs} ms. Total ${f(r.totalSeconds, 0)} s.`,
  );
  out.push('');
  out.push('**Targets**');
  out.push('');
  out.push(table(['target', 'measured', 'met'], r.targets.map((t) => [t.target, f(t.value, t.limit === 0 || t.limit === 1 ? 2 : 1), t.met ? 'yes' : '**no**'])));
  out.push('');
  out.push('**Concurrent generations** (`useImageGeneration` per task, a component reading only `status`; tasks run 5.5–8 s):');
  out.push('');
  out.push(
    table(
      ['scenario', 'POSTs', 'GETs / task', 'GETs / task / interval (mean, max)', 'GETs / s', 'detection p50 / p95 / max (ms)', 'commits per unchanged poll', 'JS per poll cycle, ms (total − harness = library)', 'heap before → all done → unmounted (MB)'],
      r.generations.map((g) => [
        g.label,
        g.posts,
        f(g.getsPerTask),
        `${f(g.readsPerInterval.mean, 2)}, ${f(g.readsPerInterval.max, 2)}`,
        f(g.requestsPerSecond, 0),
        `${f(g.detectionMs.p50, 0)} / ${f(g.detectionMs.p95, 0)} / ${f(g.detectionMs.max, 0)}`,
        `${f(g.commitsPerUnchangedPoll, 2)} (${g.wastedCommits} / ${g.unchangedPolls})`,
        jsCell(g, r.harnessJsMsPerPollCycle[g.tasks]),
        `${f(g.heapMB.before)} → ${f(g.heapMB.allFinished)} → ${f(g.heapMB.afterUnmount)}`,
      ]),
    ),
  );
  out.push('');
  const t500 = r.tanstackJsMsPerPollCycle[500];
  const g500 = r.generations.find((g) => g.tasks === 500 && !g.label.includes('progress'));
  if (t500 !== undefined && g500) {
    out.push(
      `**Where a 500-task poll cycle goes** (React ${r.settings.react} build): ${f(g500.jsMsPerPollCycle)} ms in all; the harness alone ${f(r.harnessJsMsPerPollCycle[500] ?? Number.NaN)} ms; ` +
        `TanStack Query alone (a plain \`useQuery\` per task, same \`refetchInterval\`, same double, harness included) ${f(t500)} ms; so the library's own share is ${f(g500.jsMsPerPollCycle - t500)} ms.`,
    );
    out.push('');
  }
  const d = r.development;
  if (d) {
    out.push(
      `**React development build**, 500 tasks polling steadily: ${f(d.library.jsMsPerPollCycle)} ms per poll cycle (cycles ${d.library.cycles.map((c) => f(c)).join(', ')}); ` +
        `TanStack Query alone ${f(d.tanstack.jsMsPerPollCycle)} ms (${d.tanstack.cycles.map((c) => f(c)).join(', ')}).`,
    );
    out.push('');
  }
  out.push('**Poll schedule, before/after** (100 tasks running 4–12 s):');
  out.push('');
  out.push(
    table(
      ['intervalMs', 'GETs / task', 'GETs / s', 'detection p50 / p95 / max (ms)'],
      r.schedules.map((g) => [
        g.schedule,
        f(g.getsPerTask, 2),
        f(g.requestsPerSecond, 0),
        `${f(g.detectionMs.p50, 0)} / ${f(g.detectionMs.p95, 0)} / ${f(g.detectionMs.max, 0)}`,
      ]),
    ),
  );
  out.push('');
  const b = r.batch;
  if (b) out.push(
    `**useImageBatch**, ${b.tasks} items, default concurrency, one 429 (Retry-After 1 s): ${b.posts} POSTs (${b.refused} refused and re-sent once), ` +
      `at most ${b.maxSubmitsInFlight} in flight, all accepted after ${f(b.submitPhaseMs / 1000)} s; ${f(b.getsPerTask)} GETs per task; ` +
      `a component reading only \`progress\`: ${f(b.commitsPerUnchangedPoll, 2)} commits per unchanged poll (${b.wastedCommits} commits with no status change / ${b.unchangedPolls} unchanged polls); ` +
      `JS per poll cycle ${f(b.jsMsPerPollCycle, 1)} ms − harness ${f(r.batchHarnessJsMsPerPollCycle ?? Number.NaN, 1)} ms (its polls are spread over the interval) = ${f(b.jsMsPerPollCycle - (r.batchHarnessJsMsPerPollCycle ?? Number.NaN), 1)} ms library; ${b.completed} completed.`,
  );
  out.push('');
  const h = r.hidden;
  out.push(
    `**Hidden tab**, ${h.tasks} running tasks: ${h.readsWhileHidden} GETs during ${f(h.hiddenMs / 1000, 0)} s hidden; ` +
      `on return ${h.catchUpReads} catch-up GETs (one per task), all answered within ${f(h.catchUpMs, 0)} ms.`,
  );
  out.push('');
  const m = r.mountCycles;
  out.push(
    `**${m.cycles} mount/unmount cycles** (\`useImageGeneration\`, a new task each, gcTime ${m.gcTimeMs} ms): ` +
      `heap after a full GC at 0/${m.heapMB.checkpoints.slice(1).map((c) => c.cycles).join('/')} cycles: ${m.heapMB.checkpoints.map((c) => f(c.heapMB, 2)).join(' / ')} MB; ` +
      `observers left ${m.observersAfter}; cache entries ${m.queriesRightAfter} right after (unobserved, waiting for gcTime) → ${m.queriesAfterGc}; ` +
      `active timers ${m.timersBefore} before → ${m.timersRightAfter} right after → ${m.timersAfterGc}; ` +
      `focus listeners ${m.focusListeners.before} → ${m.focusListeners.after}, online listeners ${m.onlineListeners.before} → ${m.onlineListeners.after}.`,
  );
  return out.join('\n');
}
