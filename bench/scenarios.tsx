import { focusManager, onlineManager, QueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { PollInterval } from '../src/core/types.js';
import { useImageBatch } from '../src/react/use-image-batch.js';
import { useImageGeneration } from '../src/react/use-image-generation.js';
import { createDouble, seeded, type DoubleOptions } from './double.js';
import { heapMB, mount, now, percentile, sleep, until } from './harness.js';

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

function listeners(manager: object): number {
  return (manager as { listeners: Set<unknown> }).listeners.size;
}

/** Per-row bookkeeping shared by the rendered components and the scenario. */
interface Recorder {
  detectedAt: Float64Array;
  /** Commits of a row while its status stayed pending or processing. */
  wastedCommits: number;
  commits: number;
}

export interface GenerationScenario {
  label: string;
  tasks: number;
  intervalMs: PollInterval;
  /** A short name for the schedule, for the table. */
  schedule: string;
  /** Each task runs a duration drawn evenly from this range, ms. */
  durationMs: [number, number];
  latencyMs: number;
  progress?: boolean;
  /** Runs beside other scenarios: the heap is not measured (it would hold theirs too). */
  concurrent?: boolean;
}

export interface GenerationResult {
  label: string;
  hook: string;
  tasks: number;
  schedule: string;
  posts: number;
  getsPerTask: number;
  /** Mean and worst, over tasks, of reads per interval of polling. */
  readsPerInterval: { mean: number; max: number };
  requestsPerSecond: number;
  detectionMs: { p50: number; p95: number; max: number };
  /** Unchanged answers (same status as the one before). */
  unchangedPolls: number;
  /** Commits of a status-only component while its status stayed the same. */
  wastedCommits: number;
  commitsPerUnchangedPoll: number;
  /** Heap after a full collection, MB; not measured for a scenario run beside others. */
  heapMB?: { before: number; allFinished: number; afterUnmount: number };
  wallMs: number;
}

/** N components, each `useImageGeneration` reading only `status`, each starting one generation on mount. */
export async function runGenerations(s: GenerationScenario): Promise<GenerationResult> {
  const random = seeded(1000 + s.tasks);
  const durations = Array.from({ length: s.tasks }, () => s.durationMs[0] + random() * (s.durationMs[1] - s.durationMs[0]));
  const options: DoubleOptions = { latencyMs: s.latencyMs, durationMs: (n) => durations[n]!, progress: s.progress };
  const double = createDouble(options);
  const queryClient = new QueryClient();
  const rec: Recorder = { detectedAt: new Float64Array(s.tasks).fill(Number.NaN), wastedCommits: 0, commits: 0 };

  function Row({ index }: { index: number }) {
    const { status, generate } = useImageGeneration({ intervalMs: s.intervalMs });
    const last = useRef<string | null>(null);
    useEffect(() => {
      void generate({ prompt: `task ${index}` });
    }, [generate, index]);
    useLayoutEffect(() => {
      rec.commits += 1;
      if (last.current === status && (status === 'pending' || status === 'processing')) rec.wastedCommits += 1;
      if (status === 'completed' && last.current !== 'completed') rec.detectedAt[index] = now();
      last.current = status;
    });
    return <span data-status={status} />;
  }

  const heap = s.concurrent ? () => Number.NaN : heapMB;
  const heapBefore = heap();
  const start = now();
  const unmount = mount(
    Array.from({ length: s.tasks }, (_, i) => <Row key={i} index={i} />),
    queryClient,
    double.fetcher,
  );
  const allTasks = () => [...double.tasks.values()];
  await until(() => double.tasks.size === s.tasks && allTasks().every((t) => t.acceptedAt > 0), 30_000);

  await until(() => rec.detectedAt.every((t) => !Number.isNaN(t)), 120_000, 10);
  const wallMs = now() - start;
  const heapAllFinished = heap();
  unmount();
  queryClient.clear();
  await sleep(10);
  const heapAfterUnmount = heap();

  const tasks = allTasks();
  const detection = tasks.map((t) => rec.detectedAt[t.n]! - t.doneAt);
  const interval = typeof s.intervalMs === 'number' ? s.intervalMs : 1000;
  const perInterval = tasks.map((t) => t.reads / Math.max(1, Math.ceil((t.lastReadAt - t.acceptedAt) / interval)));
  const gets = tasks.reduce((n, t) => n + t.reads, 0);
  const unchangedPolls = tasks.reduce((n, t) => n + t.unchangedReads, 0);
  const pollSeconds = (double.stats.lastGetAt - double.stats.firstGetAt) / 1000;

  return {
    label: s.label,
    hook: 'useImageGeneration',
    tasks: s.tasks,
    schedule: s.schedule,
    posts: double.stats.posts,
    getsPerTask: gets / s.tasks,
    readsPerInterval: { mean: perInterval.reduce((a, b) => a + b, 0) / perInterval.length, max: Math.max(...perInterval) },
    requestsPerSecond: gets / Math.max(pollSeconds, 1e-9),
    detectionMs: { p50: percentile(detection, 50), p95: percentile(detection, 95), max: Math.max(...detection) },
    unchangedPolls,
    wastedCommits: rec.wastedCommits,
    commitsPerUnchangedPoll: unchangedPolls === 0 ? 0 : rec.wastedCommits / unchangedPolls,
    heapMB: s.concurrent ? undefined : { before: heapBefore, allFinished: heapAllFinished, afterUnmount: heapAfterUnmount },
    wallMs,
  };
}

export interface BatchResult {
  label: string;
  hook: string;
  tasks: number;
  posts: number;
  refused: number;
  getsPerTask: number;
  maxSubmitsInFlight: number;
  submitPhaseMs: number;
  unchangedPolls: number;
  wastedCommits: number;
  commitsPerUnchangedPoll: number;
  completed: number;
  wallMs: number;
}

/** One `useImageBatch` of N items, read by a component that shows only the progress counts; one 429 on the way. */
export async function runBatch(tasks: number, intervalMs: number, latencyMs: number): Promise<BatchResult> {
  const random = seeded(77);
  // Long enough that most are polled a few times once all are accepted (about 2.5 s in).
  const durations = Array.from({ length: tasks }, () => 4000 + random() * 3000);
  const double = createDouble({ latencyMs, durationMs: (n) => durations[n]!, rateLimit: (n) => (n === Math.floor(tasks / 2) ? 1000 : undefined) });
  let inFlight = 0;
  let maxInFlight = 0;
  const generate = double.fetcher.generate;
  double.fetcher.generate = async (input, options) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await generate(input, options);
    } finally {
      inFlight -= 1;
    }
  };
  const queryClient = new QueryClient();
  const state = { wasted: 0, completed: 0, lastStatuses: '' };
  // Reads the progress counts; each commit is checked against the items' statuses, so a commit in
  // which no item changed status counts as wasted.
  function Gallery() {
    const { progress, items, generate: start } = useImageBatch({ intervalMs });
    useEffect(() => {
      void start(Array.from({ length: tasks }, (_, i) => ({ prompt: `task ${i}` })));
    }, [start]);
    const statuses = items.map((item) => item.status).join();
    useLayoutEffect(() => {
      if (statuses === state.lastStatuses && progress.running > 0) state.wasted += 1;
      state.lastStatuses = statuses;
      state.completed = progress.completed;
    });
    return <span>{`${progress.done} / ${progress.total}`}</span>;
  }
  const start = now();
  const unmount = mount(<Gallery />, queryClient, double.fetcher);
  await until(() => double.tasks.size === tasks && [...double.tasks.values()].every((t) => t.acceptedAt > 0), 60_000);
  const submitPhaseMs = now() - start;
  await until(() => state.completed === tasks, 60_000, 10);
  const wallMs = now() - start;
  unmount();
  queryClient.clear();
  const all = [...double.tasks.values()];
  const unchangedPolls = all.reduce((n, t) => n + t.unchangedReads, 0);
  return {
    label: `batch of ${tasks}, one 429`,
    hook: 'useImageBatch',
    tasks,
    posts: double.stats.posts,
    refused: double.stats.refused,
    getsPerTask: all.reduce((n, t) => n + t.reads, 0) / tasks,
    maxSubmitsInFlight: maxInFlight,
    submitPhaseMs,
    unchangedPolls,
    wastedCommits: state.wasted,
    commitsPerUnchangedPoll: unchangedPolls === 0 ? 0 : state.wasted / unchangedPolls,
    completed: state.completed,
    wallMs,
  };
}

export interface HiddenResult {
  tasks: number;
  hiddenMs: number;
  readsWhileHidden: number;
  catchUpReads: number;
  catchUpMs: number;
  readsPerTaskVisible: number;
}

/** Polls pause while the page is hidden; on return every running task is read once at once. */
export async function runHidden(tasks: number, intervalMs: number, latencyMs: number, hiddenMs: number): Promise<HiddenResult> {
  const double = createDouble({ latencyMs, durationMs: () => 60_000 });
  const queryClient = new QueryClient();
  function Row({ index }: { index: number }) {
    const { status, generate } = useImageGeneration({ intervalMs });
    useEffect(() => {
      void generate({ prompt: `task ${index}` });
    }, [generate, index]);
    return <span>{status}</span>;
  }
  const unmount = mount(
    Array.from({ length: tasks }, (_, i) => <Row key={i} index={i} />),
    queryClient,
    double.fetcher,
  );
  await until(() => double.tasks.size === tasks && [...double.tasks.values()].every((t) => t.acceptedAt > 0), 30_000);
  await sleep(intervalMs * 2 + 100);
  const visibleReads = double.stats.gets;
  focusManager.setFocused(false);
  const hiddenStart = double.stats.gets;
  await sleep(hiddenMs);
  const readsWhileHidden = double.stats.gets - hiddenStart;
  const back = now();
  focusManager.setFocused(true);
  const before = double.stats.gets;
  await until(() => [...double.tasks.values()].every((t) => t.lastReadAt > back), 10_000, 1);
  const catchUpMs = now() - back;
  const catchUpReads = double.stats.gets - before;
  unmount();
  queryClient.clear();
  focusManager.setFocused(undefined);
  return { tasks, hiddenMs, readsWhileHidden, catchUpReads, catchUpMs, readsPerTaskVisible: visibleReads / tasks };
}

export interface MountCyclesResult {
  cycles: number;
  heapMB: { before: number; after: number; growth: number; checkpoints: { cycles: number; heapMB: number }[] };
  queriesRightAfter: number;
  queriesAfterGc: number;
  /** Each generation's POST is a mutation, kept in the MutationCache for its gcTime like a query. */
  mutationsRightAfter: number;
  mutationsAfterGc: number;
  observersAfter: number;
  timersBefore: number;
  timersRightAfter: number;
  timersAfterGc: number;
  focusListeners: { before: number; after: number };
  onlineListeners: { before: number; after: number };
  gcTimeMs: number;
  posts: number;
}

/** Mounts a component that starts a generation, lets it poll once, unmounts; 1,000 times, each a new task. */
export async function runMountCycles(cycles: number): Promise<MountCyclesResult> {
  const gcTimeMs = 1000;
  const double = createDouble({ latencyMs: 1, durationMs: () => 60_000 });
  // A short gcTime so that "nothing left" can be checked in seconds; the default is 5 minutes,
  // during which an unobserved entry and its one gc timer stay, by design. The same for the POSTs'
  // mutations, which the MutationCache keeps (for the devtools) for their gcTime.
  const queryClient = new QueryClient({ defaultOptions: { queries: { gcTime: gcTimeMs }, mutations: { gcTime: gcTimeMs } } });
  function Row({ index }: { index: number }) {
    const { status, generate } = useImageGeneration({ intervalMs: 5 });
    useEffect(() => {
      void generate({ prompt: `task ${index}` });
    }, [generate, index]);
    return <span>{status}</span>;
  }
  // Warm up once so that module-level caches do not count as growth.
  for (let i = 0; i < 20; i++) {
    const unmount = mount(<Row index={100_000 + i} />, queryClient, double.fetcher);
    await sleep(8);
    unmount();
  }
  await sleep(gcTimeMs + 200);
  const focusBefore = listeners(focusManager);
  const onlineBefore = listeners(onlineManager);
  const timersBefore = activeTimers();
  const before = heapMB();
  const checkpoints: { cycles: number; heapMB: number }[] = [{ cycles: 0, heapMB: before }];
  let queriesRightAfter = 0;
  let mutationsRightAfter = 0;
  let timersRightAfter = 0;
  let observersAfter = 0;
  for (let i = 0; i < cycles; i++) {
    const unmount = mount(<Row index={i} />, queryClient, double.fetcher);
    await sleep(8);
    unmount();
    if ((i + 1) % (cycles / 4) === 0) {
      if (i + 1 === cycles) {
        queriesRightAfter = queryClient.getQueryCache().getAll().length;
        mutationsRightAfter = queryClient.getMutationCache().getAll().length;
        timersRightAfter = activeTimers();
        observersAfter = queryClient
          .getQueryCache()
          .getAll()
          .reduce((n, q) => n + q.getObserversCount(), 0);
      }
      await sleep(gcTimeMs + 200);
      checkpoints.push({ cycles: i + 1, heapMB: heapMB() });
    }
  }
  const after = checkpoints.at(-1)!.heapMB;
  return {
    cycles,
    heapMB: { before, after, growth: after - before, checkpoints },
    queriesRightAfter,
    queriesAfterGc: queryClient.getQueryCache().getAll().length,
    mutationsRightAfter,
    mutationsAfterGc: queryClient.getMutationCache().getAll().length,
    observersAfter,
    timersBefore,
    timersRightAfter,
    timersAfterGc: activeTimers(),
    focusListeners: { before: focusBefore, after: listeners(focusManager) },
    onlineListeners: { before: onlineBefore, after: listeners(onlineManager) },
    gcTimeMs,
    posts: double.stats.posts,
  };
}
