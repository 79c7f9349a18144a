import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import type { PollInterval } from '../src/core/types.js';
import { formatReport } from './report.js';
import { heapMB, runBatch, runGenerations, runHarnessBaseline, runHidden, runMountCycles, runSteady, type GenerationResult, type SteadyResult } from './scenarios.js';

const INTERVAL = 1000;
const LATENCY = 20;

/** Skip the first 3 s, in which none of these tasks (4-12 s) can be ready, then poll every second. */
const FIRST_WAIT: PollInterval = (attempt) => (attempt === 0 ? 3000 : 1000);

/**
 * BENCH_BEFORE=1 runs only what the library had before this benchmark existed (no schedules, no
 * batches), for the README's before/after table; results go to bench/results.before.json.
 */
const BEFORE = process.env.BENCH_BEFORE === '1';

const log = (message: string) => process.stdout.write(`[bench] ${message}\n`);

/** What bench/development.tsx measured with React's development build, if it ran just before (as `npm run bench` does). */
function developmentRun(): { library: SteadyResult; tanstack: SteadyResult } | undefined {
  const file = resolve(process.cwd(), 'bench', 'results.development.json');
  if (!existsSync(file)) return undefined;
  const run = JSON.parse(readFileSync(file, 'utf8')) as { generatedAt: string; library: SteadyResult; tanstack: SteadyResult };
  return Date.now() - Date.parse(run.generatedAt) < 10 * 60_000 ? run : undefined;
}

it('polling benchmark', async () => {
  const started = performance.now();
  heapMB();
  const generations: GenerationResult[] = [];
  const harness: Record<number, number> = {};

  // Concurrency: 1, 10, 100, 500 tasks, each running 5.5-8 s on the server; JS per poll cycle is
  // measured over the steady phase (all accepted, none finished).
  for (const tasks of [1, 10, 100, 500]) {
    log(`${tasks} tasks`);
    harness[tasks] = await runHarnessBaseline(tasks, INTERVAL, LATENCY);
    generations.push(
      await runGenerations({
        label: `${tasks} task${tasks === 1 ? '' : 's'}`,
        tasks,
        intervalMs: INTERVAL,
        schedule: '1000 ms',
        durationMs: [5500, 8000],
        latencyMs: LATENCY,
        steadyWindowMs: [1500, 4500],
      }),
    );
  }
  // A vendor body whose `progress` changes on every read.
  log('500 tasks, progress in body');
  generations.push(
    await runGenerations({
      label: '500 tasks, progress in body',
      tasks: 500,
      intervalMs: INTERVAL,
      schedule: '1000 ms',
      durationMs: [5500, 8000],
      latencyMs: LATENCY,
      progress: true,
      steadyWindowMs: [1500, 4500],
    }),
  );

  // Before/after for a schedule: tasks taking 4-12 s, default interval vs. a first wait of 3 s.
  const schedules: GenerationResult[] = [];
  log('schedules');
  const variants: [string, PollInterval][] = [
    ['1000 ms', INTERVAL],
    ['3 s, then 1000 ms', FIRST_WAIT],
  ];
  for (const [schedule, intervalMs] of BEFORE ? [] : variants) {
    schedules.push(
      await runGenerations({
        label: `100 tasks of 4-12 s`,
        tasks: 100,
        intervalMs,
        schedule,
        durationMs: [4000, 12_000],
        latencyMs: LATENCY,
      }),
    );
  }

  // TanStack Query alone, polling 500 tasks the same way: subtracted from the library's figure, it
  // leaves what the library itself adds.
  log('500 tasks, TanStack Query alone');
  const tanstack = await runSteady('tanstack', 500, INTERVAL, LATENCY);

  log('batch');
  const batch = BEFORE ? undefined : await runBatch(500, INTERVAL, LATENCY);
  const batchHarness = BEFORE ? undefined : await runHarnessBaseline(500, INTERVAL, LATENCY, true);
  log('hidden tab');
  const hidden = await runHidden(100, INTERVAL, LATENCY, 5000);
  log('mount cycles');
  const mountCycles = await runMountCycles(1000);

  const g500 = generations.find((g) => g.label === '500 tasks')!;
  const development = developmentRun();
  const targets = [
    {
      target: 'at most 1 GET per task per interval',
      value: Math.max(...generations.map((g) => g.readsPerInterval.max)),
      limit: 1,
    },
    { target: `p95 detection latency ≤ interval + 50 ms (${INTERVAL + 50} ms)`, value: Math.max(...generations.map((g) => g.detectionMs.p95)), limit: INTERVAL + 50 },
    {
      target: 'commits per poll with unchanged status (status-only component) = 0',
      value: Math.max(...generations.map((g) => g.commitsPerUnchangedPoll), batch?.commitsPerUnchangedPoll ?? 0),
      limit: 0,
    },
    { target: '500 tasks: JS per poll cycle < 5 ms (total main-thread time)', value: g500.jsMsPerPollCycle, limit: 5 },
    { target: '500 tasks: JS per poll cycle < 5 ms (harness subtracted)', value: g500.jsMsPerPollCycle - (harness[500] ?? 0), limit: 5 },
    ...(development ? [{ target: '500 tasks, React development build: JS per poll cycle < 5 ms (total main-thread time)', value: development.library.jsMsPerPollCycle, limit: 5 }] : []),
    { target: 'nothing left after 1,000 mount cycles (queries, observers, timers)', value: mountCycles.queriesAfterGc + mountCycles.observersAfter + Math.max(0, mountCycles.timersAfterGc - mountCycles.timersBefore), limit: 0 },
  ].map((t) => ({ ...t, met: t.value <= t.limit }));

  const results = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    settings: { intervalMs: INTERVAL, latencyMs: LATENCY, environment: 'jsdom', react: process.env.NODE_ENV === 'production' ? 'production' : 'development', gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function' },
    generations,
    harnessJsMsPerPollCycle: harness,
    tanstackJsMsPerPollCycle: { 500: tanstack.jsMsPerPollCycle },
    development,
    schedules,
    batch,
    batchHarnessJsMsPerPollCycle: batchHarness,
    hidden,
    mountCycles,
    targets,
    totalSeconds: (performance.now() - started) / 1000,
  };
  writeFileSync(resolve(process.cwd(), 'bench', BEFORE ? 'results.before.json' : 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${formatReport(results)}\n`);

  // What does not depend on the machine's speed fails the run; timings are reported in the table.
  for (const g of generations) {
    expect(g.posts, g.label).toBe(g.tasks);
    expect(g.readsPerInterval.max, g.label).toBeLessThanOrEqual(1);
    expect(g.wastedCommits, g.label).toBe(0);
  }
  if (batch) {
    expect(batch.posts).toBe(batch.tasks + 1);
    expect(batch.maxSubmitsInFlight).toBeLessThanOrEqual(4);
    expect(batch.wastedCommits).toBe(0);
  }
  expect(hidden.readsWhileHidden).toBe(0);
  expect(hidden.catchUpReads).toBe(hidden.tasks);
  expect(mountCycles.queriesAfterGc).toBe(0);
  expect(mountCycles.observersAfter).toBe(0);
  expect(mountCycles.timersAfterGc).toBeLessThanOrEqual(mountCycles.timersBefore);
  expect(mountCycles.focusListeners.after).toBe(mountCycles.focusListeners.before);
});
