import { focusManager, onlineManager, QueryClient, useQuery } from '@tanstack/react-query';
import { performance } from 'node:perf_hooks';
import { useEffect, useLayoutEffect, useRef, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import type { ImageTask, PollInterval } from '../src/core/types.js';
import { ImageGenProvider } from '../src/react/provider.js';
import { useImageGeneration } from '../src/react/use-image-generation.js';
import { createDouble, seeded, type DoubleOptions } from './double.js';

const now = () => performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const end = now() + timeoutMs;
  while (!check()) {
    if (now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
}

/** Heap in use after a full collection, MB (only meaningful with --expose-gc). */
export function heapMB(): number {
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

function listeners(manager: object): number {
  return (manager as { listeners: Set<unknown> }).listeners.size;
}

/** Main-thread busy time (event-loop utilisation) per interval, over `count` intervals: the median. */
async function measureCycles(intervalMs: number, count: number): Promise<{ median: number; count: number; all: number[] }> {
  const all: number[] = [];
  for (let i = 0; i < count; i++) {
    const begin = performance.eventLoopUtilization();
    const t0 = now();
    await sleep(intervalMs);
    all.push((performance.eventLoopUtilization(begin).active * intervalMs) / (now() - t0));
  }
  return { median: percentile(all, 50), count, all };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function mount(children: ReactNode, queryClient: QueryClient, fetcher: Parameters<typeof ImageGenProvider>[0]['fetcher']) {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root: Root = createRoot(container);
  root.render(
    <ImageGenProvider fetcher={fetcher} queryClient={queryClient}>
      {children}
    </ImageGenProvider>,
  );
  return () => {
    flushSync(() => root.unmount());
    container.remove();
  };
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
  /** Measure JS per poll cycle over this window after all tasks were accepted: [from, to) ms. */
  steadyWindowMs?: [number, number];
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
  jsMsPerPollCycle: number;
  cyclesMeasured: number;
  heapMB: { before: number; allFinished: number; afterUnmount: number };
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

  const heapBefore = heapMB();
  const start = now();
  const unmount = mount(
    Array.from({ length: s.tasks }, (_, i) => <Row key={i} index={i} />),
    queryClient,
    double.fetcher,
  );
  const allTasks = () => [...double.tasks.values()];
  await until(() => double.tasks.size === s.tasks && allTasks().every((t) => t.acceptedAt > 0), 30_000);
  const acceptedAll = now();

  let jsMsPerPollCycle = Number.NaN;
  let cyclesMeasured = 0;
  if (s.steadyWindowMs && typeof s.intervalMs === 'number') {
    const [from, to] = s.steadyWindowMs;
    await sleep(Math.max(0, acceptedAll + from - now()));
    const cycles = await measureCycles(s.intervalMs, Math.floor((to - from) / s.intervalMs));
    jsMsPerPollCycle = cycles.median;
    cyclesMeasured = cycles.count;
  }

  await until(() => rec.detectedAt.every((t) => !Number.isNaN(t)), 120_000, 10);
  const wallMs = now() - start;
  const heapAllFinished = heapMB();
  unmount();
  queryClient.clear();
  await sleep(10);
  const heapAfterUnmount = heapMB();

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
    jsMsPerPollCycle,
    cyclesMeasured,
    heapMB: { before: heapBefore, allFinished: heapAllFinished, afterUnmount: heapAfterUnmount },
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
  jsMsPerPollCycle: number;
  completed: number;
  wallMs: number;
}

/** One `useImageBatch` of N items, read by a component that shows only the progress counts; one 429 on the way. */
export async function runBatch(tasks: number, intervalMs: number, latencyMs: number): Promise<BatchResult> {
  // Imported here, so that the scenarios also run against a checkout from before the hook existed.
  const { useImageBatch } = await import('../src/react/use-image-batch.js');
  const random = seeded(77);
  // Long enough that none finishes before the steady window (all accepted + 1.5 s, for 3 s) is over.
  const durations = Array.from({ length: tasks }, () => 9000 + random() * 3000);
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
  // Steady polling: every task accepted, none finished (the shortest runs 9 s).
  await sleep(1500);
  const cycles = await measureCycles(intervalMs, 3);
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
    jsMsPerPollCycle: cycles.median,
    completed: state.completed,
    wallMs,
  };
}

/**
 * The harness alone: the test double answering `tasks` reads per interval, driven by plain timers
 * without the library. Subtracted from a scenario's JS per poll cycle, it leaves the library's share.
 */
export async function runHarnessBaseline(tasks: number, intervalMs: number, latencyMs: number, spread = false): Promise<number> {
  const double = createDouble({ latencyMs, durationMs: () => 3_600_000 });
  const ids = await Promise.all(Array.from({ length: tasks }, (_, i) => double.fetcher.generate({ prompt: `task ${i}` }).then((t) => t.taskId)));
  const timers = ids.map((id, i) => {
    let timer: ReturnType<typeof setTimeout>;
    const poll = () => {
      void double.fetcher.getTask(id, { signal: new AbortController().signal }).then(() => {
        timer = setTimeout(poll, intervalMs);
      });
    };
    // All at once, as the polls of tasks accepted together are; or spread over the interval, as a
    // batch's are (its POSTs go a few at a time).
    timer = setTimeout(poll, spread ? (i * intervalMs) / tasks : intervalMs);
    return () => clearTimeout(timer);
  });
  await sleep(intervalMs * 1.2);
  const cycles = await measureCycles(intervalMs, 3);
  timers.forEach((stop) => stop());
  await sleep(latencyMs * 2);
  return cycles.median;
}

/** JS per poll cycle of N tasks polling steadily (all accepted and read at least twice, none finished). */
export interface SteadyResult {
  tasks: number;
  jsMsPerPollCycle: number;
  /** Every measured cycle, ms. */
  cycles: number[];
}

/**
 * N tasks, each polled every interval from its own component, until all poll steadily; then JS per
 * poll cycle. `library`: `useImageGeneration` reading only `status`, as in `runGenerations`.
 * `tanstack`: TanStack Query alone, a plain `useQuery` per task with the same `refetchInterval` and
 * `staleTime` against the same double, the task put in the cache as the POST returned it (as the
 * library does), without this library. The library's own share is the difference.
 */
export async function runSteady(kind: 'library' | 'tanstack', tasks: number, intervalMs: number, latencyMs: number): Promise<SteadyResult> {
  const double = createDouble({ latencyMs, durationMs: () => 600_000 });
  const queryClient = new QueryClient();
  const accepted: ImageTask[] = [];
  if (kind === 'tanstack') {
    accepted.push(...(await Promise.all(Array.from({ length: tasks }, (_, i) => double.fetcher.generate({ prompt: `task ${i}` })))));
  }
  function LibraryRow({ index }: { index: number }) {
    const { status, generate } = useImageGeneration({ intervalMs });
    useEffect(() => {
      void generate({ prompt: `task ${index}` });
    }, [generate, index]);
    return <span data-status={status} />;
  }
  function QueryRow({ index }: { index: number }) {
    const task = accepted[index]!;
    const { data } = useQuery(
      {
        queryKey: ['bench', task.taskId],
        queryFn: ({ signal }) => double.fetcher.getTask(task.taskId, { signal }),
        initialData: task,
        refetchInterval: intervalMs,
        staleTime: intervalMs,
      },
      queryClient,
    );
    return <span data-status={data.status} />;
  }
  const Row = kind === 'library' ? LibraryRow : QueryRow;
  const unmount = mount(
    Array.from({ length: tasks }, (_, i) => <Row key={i} index={i} />),
    queryClient,
    double.fetcher,
  );
  await until(() => double.tasks.size === tasks && [...double.tasks.values()].every((t) => t.reads >= 2), 30_000, 10);
  const cycles = await measureCycles(intervalMs, 3);
  unmount();
  queryClient.clear();
  await sleep(latencyMs * 2);
  return { tasks, jsMsPerPollCycle: cycles.median, cycles: cycles.all };
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
  // during which an unobserved entry and its one gc timer stay, by design.
  const queryClient = new QueryClient({ defaultOptions: { queries: { gcTime: gcTimeMs } } });
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
  let timersRightAfter = 0;
  let observersAfter = 0;
  for (let i = 0; i < cycles; i++) {
    const unmount = mount(<Row index={i} />, queryClient, double.fetcher);
    await sleep(8);
    unmount();
    if ((i + 1) % (cycles / 4) === 0) {
      if (i + 1 === cycles) {
        queriesRightAfter = queryClient.getQueryCache().getAll().length;
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
