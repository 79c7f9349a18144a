import type { PollCostResult } from './poll-cost.js';
import type { BatchResult, GenerationResult, HiddenResult, MountCyclesResult } from './scenarios.js';

interface Results {
  machine: { cpus: number; cpu?: string; node: string; platform: string; loadAverage: number[] };
  settings: { intervalMs: number; latencyMs: number; react: string };
  pollCost: PollCostResult;
  development?: PollCostResult;
  generations: GenerationResult[];
  schedules: GenerationResult[];
  batch: BatchResult;
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

const CONTENDER_LABEL: Record<string, string> = {
  useQuery: 'plain `useQuery` + `refetchInterval`, one component per task',
  useTaskStatus: '`useTaskStatus`, one component per task',
  useImageGeneration: '`useImageGeneration`, one component per task',
  useImageBatch: '`useImageBatch`, one batch of all tasks',
  floor: 'floor: one timer, a read of every task, a comparison',
};

/** The poll-cost comparison as a table: CPU ms per cycle and ratio to plain useQuery, median (min–max) over rounds. */
export function pollCostTable(p: PollCostResult): string {
  return table(
    ['contender', 'main-thread CPU per poll cycle, ms: median (quartiles; min–max)', 'ratio to plain useQuery (of the medians)', 'ratio per round: median (quartiles; min–max)', 'waiting for a CPU, ms per cycle (median)', 'commits', 'cycles kept'],
    p.contenders.map((c) => [
      CONTENDER_LABEL[c.name] ?? c.name,
      `${f(c.cpuMs.median)} (${f(c.cpuMs.p25)}–${f(c.cpuMs.p75)}; ${f(c.cpuMs.min)}–${f(c.cpuMs.max)})`,
      c.name === 'useQuery' ? '1' : `**${f(c.ratio, 2)}**`,
      c.name === 'useQuery' ? '1' : `${f(c.roundRatios.median, 2)} (${f(c.roundRatios.p25, 2)}–${f(c.roundRatios.p75, 2)}; ${f(c.roundRatios.min, 2)}–${f(c.roundRatios.max, 2)})`,
      c.waitMs === undefined ? '–' : f(c.waitMs),
      c.commits,
      `${c.cleanCycles} / ${c.cycles}`,
    ]),
  );
}

const pollCostSetting = (p: PollCostResult) =>
  `${p.tasks} tasks whose polls change nothing, interval ${p.intervalMs} ms; all in one process, polling one after another within each interval, ` +
  `${p.rounds} rounds of ${p.cyclesPerRound} cycles, the order shuffled every round; main-thread CPU time from ${p.clock}; ${f(p.wallSeconds, 0)} s`;

/** The benchmark's results as Markdown tables, as pasted into the README. */
export function formatReport(r: Results): string {
  const out: string[] = [];
  out.push(
    `Machine: ${r.machine.cpus} cores (${r.machine.cpu ?? 'unknown'}), Node ${r.machine.node}, ${r.machine.platform}; jsdom; React ${r.settings.react} build. ` +
      `Poll interval ${r.settings.intervalMs} ms, simulated round trip ${r.settings.latencyMs} ms. Load average at the end ${r.machine.loadAverage.map((l) => f(l, 1)).join(' ')}. Total ${f(r.totalSeconds, 0)} s.`,
  );
  out.push('');
  out.push('**Targets**');
  out.push('');
  out.push(table(['target', 'measured', 'met'], r.targets.map((t) => [t.target, f(t.value, t.limit <= 2 ? 2 : 0), t.met ? 'yes' : '**no**'])));
  out.push('');
  out.push(`**JS per poll cycle** (${pollCostSetting(r.pollCost)}):`);
  out.push('');
  out.push(pollCostTable(r.pollCost));
  out.push('');
  if (r.development) {
    out.push(`**The same, React development build** (${pollCostSetting(r.development)}):`);
    out.push('');
    out.push(pollCostTable(r.development));
    out.push('');
  }
  out.push('**Concurrent generations** (`useImageGeneration` per task, a component reading only `status`; tasks run 3–5 s):');
  out.push('');
  out.push(
    table(
      ['scenario', 'POSTs', 'GETs / task', 'GETs / task / interval (mean, max)', 'GETs / s', 'detection p50 / p95 / max (ms)', 'commits per unchanged poll', 'heap before → all done → unmounted (MB)'],
      r.generations.map((g) => [
        g.label,
        g.posts,
        f(g.getsPerTask),
        `${f(g.readsPerInterval.mean, 2)}, ${f(g.readsPerInterval.max, 2)}`,
        f(g.requestsPerSecond, 0),
        `${f(g.detectionMs.p50, 0)} / ${f(g.detectionMs.p95, 0)} / ${f(g.detectionMs.max, 0)}`,
        `${f(g.commitsPerUnchangedPoll, 2)} (${g.wastedCommits} / ${g.unchangedPolls})`,
        g.heapMB ? `${f(g.heapMB.before)} → ${f(g.heapMB.allFinished)} → ${f(g.heapMB.afterUnmount)}` : '– (run beside others)',
      ]),
    ),
  );
  out.push('');
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
  out.push(
    `**useImageBatch**, ${b.tasks} items, default concurrency, one 429 (Retry-After 1 s): ${b.posts} POSTs (${b.refused} refused and re-sent once), ` +
      `at most ${b.maxSubmitsInFlight} in flight, all accepted after ${f(b.submitPhaseMs / 1000)} s; ${f(b.getsPerTask)} GETs per task; ` +
      `a component reading only \`progress\`: ${f(b.commitsPerUnchangedPoll, 2)} commits per unchanged poll (${b.wastedCommits} commits with no status change / ${b.unchangedPolls} unchanged polls); ` +
      `${b.completed} completed.`,
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
      `mutations ${m.mutationsRightAfter} right after → ${m.mutationsAfterGc}; ` +
      `active timers ${m.timersBefore} before → ${m.timersRightAfter} right after → ${m.timersAfterGc}; ` +
      `focus listeners ${m.focusListeners.before} → ${m.focusListeners.after}, online listeners ${m.onlineListeners.before} → ${m.onlineListeners.after}.`,
  );
  return out.join('\n');
}
