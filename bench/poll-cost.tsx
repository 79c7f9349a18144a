import { QueryClient, useQuery, type QueryKey, type QueryObserver, type QueryObserverOptions } from '@tanstack/react-query';
import { useEffect, useLayoutEffect } from 'react';
import type { ImageTask, TaskStatus } from '../src/core/types.js';
import { useImageBatch } from '../src/react/use-image-batch.js';
import { useImageGeneration } from '../src/react/use-image-generation.js';
import { useTaskStatus } from '../src/react/use-task-status.js';
import { cpuClockSource, mainThreadCpuMs, mainThreadWaitMs, type CpuClockSource } from './cpu.js';
import { createDouble, seeded } from './double.js';
import { median, minorGc, mount, now, percentile, sleep, until } from './harness.js';

/** What polls 500 tasks in the comparison. */
export type ContenderName = 'useQuery' | 'useTaskStatus' | 'useImageGeneration' | 'useImageBatch' | 'floor';

export const CONTENDERS: readonly ContenderName[] = ['useQuery', 'useTaskStatus', 'useImageGeneration', 'useImageBatch', 'floor'];

/** A paused contender's interval and staleTime: ten minutes, so it never polls during the benchmark. */
const PAUSED_MS = 600_000;
/** Longer than the benchmark, so the hooks' deadline never shortens a paused contender's interval. */
export const TIMEOUT_MS = 3_600_000;
/** Quiet time after a contender's last answer before its window closes: the work it set off is done, and the event loop sleeps. */
const QUIET_MS = 15;
/** How long before its kick a contender is switched back to the measured interval: more than that takes. */
const PREPARE_MS = 60;

export interface Contender {
  /** One of `CONTENDERS`, or the name of an extra contender. */
  name: string;
  double: ReturnType<typeof createDouble>;
  /** React commits of the contender's components so far. */
  commits: { count: number };
  /** Switches back to the measured interval; no poll yet. */
  prepare(): void;
  /** Reads every task at once, then polls every interval from there, as tasks accepted together do. */
  kick(): void;
  /** Stops polling until prepared and kicked again (called with no read in flight). */
  pause(): void;
  dispose(): void;
}

export interface Setup {
  tasks: number;
  intervalMs: number;
  latencyMs: number;
}

export const doubleFor = ({ latencyMs }: Setup) => createDouble({ latencyMs, durationMs: () => 3_600_000 });
export const acceptAll = (double: ReturnType<typeof createDouble>, tasks: number) =>
  Promise.all(Array.from({ length: tasks }, (_, i) => double.fetcher.generate({ prompt: `task ${i}` })));

/**
 * A React contender. Pausing sets `PAUSED_MS` as `refetchInterval` and `staleTime` on every query
 * observer of its cache, as they are (React does not re-render: nothing it shows changes);
 * preparing gives each observer back its own options; a kick reads every task at once
 * (`refetchQueries`), and each query's next poll comes one interval after its answer.
 */
export function reactContender(name: string, double: Contender['double'], client: QueryClient, commits: Contender['commits'], unmount: () => void): Contender {
  const paused = new Map<QueryObserver<ImageTask, Error, unknown, ImageTask, QueryKey>, QueryObserverOptions<ImageTask, Error, unknown, ImageTask, QueryKey>>();
  return {
    name,
    double,
    commits,
    prepare() {
      for (const [observer, options] of paused) observer.setOptions(options);
      paused.clear();
    },
    kick() {
      void client.refetchQueries();
    },
    pause() {
      for (const query of client.getQueryCache().getAll()) {
        for (const observer of query.observers) {
          paused.set(observer, observer.options);
          observer.setOptions({ ...observer.options, refetchInterval: PAUSED_MS, staleTime: PAUSED_MS });
        }
      }
    },
    dispose() {
      unmount();
      client.clear();
    },
  };
}

/** Plain TanStack Query, as an app would write it: `useQuery` + `refetchInterval`, same `staleTime`, same double. */
async function plainQuery(s: Setup): Promise<Contender> {
  const double = doubleFor(s);
  const client = new QueryClient();
  const accepted = await acceptAll(double, s.tasks);
  const acceptedAt = Date.now();
  const commits = { count: 0 };
  function Row({ task }: { task: ImageTask }) {
    const { data } = useQuery(
      {
        queryKey: ['bench', task.taskId],
        queryFn: ({ signal }) => double.fetcher.getTask(task.taskId, { signal }),
        initialData: task,
        initialDataUpdatedAt: acceptedAt,
        refetchInterval: s.intervalMs,
        staleTime: s.intervalMs,
      },
      client,
    );
    useLayoutEffect(() => void (commits.count += 1));
    return <span data-status={data.status} />;
  }
  const unmount = mount(
    accepted.map((task) => <Row key={task.taskId} task={task} />),
    client,
    double.fetcher,
  );
  return reactContender('useQuery', double, client, commits, unmount);
}

/** `useTaskStatus(taskId)` per task, a component reading `data.status`. */
async function taskStatus(s: Setup): Promise<Contender> {
  const double = doubleFor(s);
  const client = new QueryClient();
  const ids = (await acceptAll(double, s.tasks)).map((task) => task.taskId);
  const commits = { count: 0 };
  function Row({ taskId }: { taskId: string }) {
    const { data } = useTaskStatus(taskId, { intervalMs: s.intervalMs, timeoutMs: TIMEOUT_MS });
    useLayoutEffect(() => void (commits.count += 1));
    return <span data-status={data?.status} />;
  }
  const unmount = mount(
    ids.map((id) => <Row key={id} taskId={id} />),
    client,
    double.fetcher,
  );
  return reactContender('useTaskStatus', double, client, commits, unmount);
}

/** `useImageGeneration` per task, each starting its generation on mount, a component reading `status`. */
async function imageGeneration(s: Setup): Promise<Contender> {
  const double = doubleFor(s);
  const client = new QueryClient();
  const commits = { count: 0 };
  function Row({ index }: { index: number }) {
    const { status, generate } = useImageGeneration({ intervalMs: s.intervalMs, timeoutMs: TIMEOUT_MS });
    useEffect(() => {
      void generate({ prompt: `task ${index}` });
    }, [generate, index]);
    useLayoutEffect(() => void (commits.count += 1));
    return <span data-status={status} />;
  }
  const unmount = mount(
    Array.from({ length: s.tasks }, (_, i) => <Row key={i} index={i} />),
    client,
    double.fetcher,
  );
  await until(() => [...double.tasks.values()].filter((t) => t.acceptedAt > 0).length === s.tasks, 60_000);
  return reactContender('useImageGeneration', double, client, commits, unmount);
}

/** One `useImageBatch` of all tasks (default concurrency), a component reading `progress`. */
async function imageBatch(s: Setup): Promise<Contender> {
  const double = doubleFor(s);
  const client = new QueryClient();
  const commits = { count: 0 };
  const inputs = Array.from({ length: s.tasks }, (_, i) => ({ prompt: `task ${i}` }));
  function Gallery() {
    const { progress, generate } = useImageBatch({ intervalMs: s.intervalMs, timeoutMs: TIMEOUT_MS });
    useEffect(() => {
      void generate(inputs);
    }, [generate]);
    useLayoutEffect(() => void (commits.count += 1));
    return <span>{`${progress.done} / ${progress.total}`}</span>;
  }
  const unmount = mount(<Gallery />, client, double.fetcher);
  await until(() => [...double.tasks.values()].filter((t) => t.acceptedAt > 0).length === s.tasks, 60_000);
  return reactContender('useImageBatch', double, client, commits, unmount);
}

/** The least any poller does: one timer, a read of every task through the same double, a comparison with the last status. */
async function floor(s: Setup): Promise<Contender> {
  const double = doubleFor(s);
  const ids = (await acceptAll(double, s.tasks)).map((task) => task.taskId);
  const last: TaskStatus[] = ids.map(() => 'pending');
  let changes = 0;
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    const answers = await Promise.all(ids.map((id) => double.fetcher.getTask(id)));
    answers.forEach((task, i) => {
      if (task.status !== last[i]) {
        last[i] = task.status;
        changes += 1;
      }
    });
    // Like refetchInterval: the next poll one interval after the answers.
    if (running) timer = setTimeout(poll, s.intervalMs);
  };
  const pause = () => {
    running = false;
    clearTimeout(timer);
  };
  return {
    name: 'floor',
    double,
    commits: {
      get count() {
        return changes;
      },
    },
    prepare() {
      running = true;
    },
    kick() {
      void poll();
    },
    pause,
    dispose: pause,
  };
}

const FACTORIES: Record<ContenderName, (s: Setup) => Promise<Contender>> = {
  useQuery: plainQuery,
  useTaskStatus: taskStatus,
  useImageGeneration: imageGeneration,
  useImageBatch: imageBatch,
  floor,
};

/** Resolves once the contender's double has answered `count` reads in all; fails after a minute instead of hanging. */
async function answered(c: Contender, count: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${c.name} stopped polling: ${c.double.stats.answered} of ${count} reads answered`)), 60_000);
  });
  try {
    await Promise.race([c.double.whenAnswered(count), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

/** A new order every round, so that no contender always follows the same one (and inherits, say, its garbage). */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One poll cycle of one contender, measured. */
export interface Sample {
  round: number;
  cycle: number;
  /** Main-thread CPU time from the end of the previous contender's poll cycle to the end of this one's, ms. */
  cpuMs: number;
  /** Time the main thread waited for a CPU in the same window, ms: how busy the machine was. */
  waitMs?: number;
  /** Commits (the floor: status changes) in the window. */
  commits: number;
  /** The window held exactly one poll of each of this contender's tasks and no read of any other contender. */
  clean: boolean;
}

/** Spread of a figure: the median, quartiles and extremes. */
export interface Spread {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, p25: Number.NaN, p75: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(values), p25: percentile(values, 25), p75: percentile(values, 75), min: Math.min(...values), max: Math.max(...values) };
}

export interface PollCostResult {
  tasks: number;
  intervalMs: number;
  latencyMs: number;
  rounds: number;
  cyclesPerRound: number;
  clock: CpuClockSource;
  /** Per contender: main-thread CPU ms per poll cycle, and how it compares with plain `useQuery`. */
  contenders: {
    name: string;
    /** Over every clean cycle measured. */
    cpuMs: Spread;
    /** The contender's median over plain `useQuery`'s median. */
    ratio: number;
    /** Per round: the mean of the contender's clean cycles over the mean of plain `useQuery`'s in that round. */
    roundRatios: Spread;
    /** Median wait for a CPU per cycle, ms. */
    waitMs?: number;
    commits: number;
    /** Cycles measured, and how many of them were clean (the others are left out). */
    cycles: number;
    cleanCycles: number;
    samples: Sample[];
  }[];
  wallSeconds: number;
}

/**
 * JS per poll cycle, measured soundly on a busy machine. Every contender polls `tasks` tasks whose
 * polls change nothing, all mounted side by side in this one process, each with its own cache and
 * double. A round starts them one after another, the interval shared out between them, so that
 * within each poll interval their polls come one contender at a time, then measures `cycles`
 * intervals and pauses them all again. The main thread's CPU time is read where the event loop sleeps between two
 * contenders' polls, so each window holds one contender's poll cycle and the work it set off; a
 * window in which another contender read anything is left out. Every contender is measured within
 * the same second as the others, and the order is shuffled every round, so a slow spell of the
 * machine touches every side alike. `factories` adds contenders, e.g. a modified copy of `src/`
 * to compare with the library in one process.
 */
export async function runPollCost(options: {
  tasks: number;
  intervalMs: number;
  latencyMs: number;
  rounds: number;
  cycles: number;
  contenders?: readonly string[];
  factories?: Record<string, (s: Setup) => Promise<Contender>>;
}): Promise<PollCostResult> {
  const started = now();
  const s: Setup = { tasks: options.tasks, intervalMs: options.intervalMs, latencyMs: options.latencyMs };
  const names = options.contenders ?? CONTENDERS;
  // Time from a contender's kick to the next one's, counted from when the kick happened (a busy
  // machine delays timers): nine tenths of the interval in all, so that the delays fit before the
  // first contender polls again. The floor's polls take a few ms: it gets less than the others.
  const floorShare = names.includes('floor') && names.length > 1 ? 0.08 : 0;
  const others = names.length - (floorShare > 0 ? 1 : 0);
  const slotMs = (name: string) => (name === 'floor' ? s.intervalMs * floorShare : (s.intervalMs * (0.9 - floorShare)) / others);
  const contenders: Contender[] = [];
  for (const name of names) {
    const c = await (options.factories?.[name] ?? FACTORIES[name as ContenderName])(s);
    contenders.push(c);
    // Every task read once, then paused: set up, and quiet for the others.
    const target = c.double.stats.answered + s.tasks;
    c.prepare();
    c.kick();
    await answered(c, target);
    c.pause();
  }
  const samples = new Map<Contender, Sample[]>(contenders.map((c) => [c, []]));
  const random = seeded(15);
  const gets = () => contenders.map((c) => c.double.stats.gets);
  // Round 0 warms up (compiles the hot paths) and is not recorded.
  for (let round = 0; round <= options.rounds; round++) {
    const order = shuffle(contenders, random);
    minorGc();
    const base = new Map<Contender, number>();
    // Kicks a slot apart, each contender switched to the interval shortly before its kick (not
    // earlier: its own timers would then poll before the kick).
    let kickAt = now() + PREPARE_MS;
    for (const c of order) {
      await sleep(kickAt - PREPARE_MS - now());
      c.prepare();
      await sleep(kickAt - now());
      kickAt = now() + slotMs(c.name);
      base.set(c, c.double.stats.answered);
      c.kick();
    }
    // The kicks' cycle is left out: the last kicks may run into the first contender's next polls.
    for (const c of order) await answered(c, base.get(c)! + s.tasks);
    await sleep(QUIET_MS);
    let cpu = mainThreadCpuMs();
    let wait = mainThreadWaitMs();
    let before = gets();
    for (let cycle = 2; cycle <= options.cycles + 1; cycle++) {
      for (const c of order) {
        const commits = c.commits.count;
        // Resolved by the double with the contender's last answer; the read comes once the work
        // that answer set off is done and the loop sleeps again, before the next contender polls.
        await answered(c, base.get(c)! + cycle * s.tasks);
        await sleep(QUIET_MS);
        const cpuNow = mainThreadCpuMs();
        const waitNow = mainThreadWaitMs();
        const after = gets();
        const clean = contenders.every((o, i) => after[i]! - before[i]! === (o === c ? s.tasks : 0));
        if (round > 0) {
          samples.get(c)!.push({ round, cycle, cpuMs: cpuNow - cpu, waitMs: wait === undefined || waitNow === undefined ? undefined : waitNow - wait, commits: c.commits.count - commits, clean });
        }
        cpu = cpuNow;
        wait = waitNow;
        before = after;
      }
    }
    for (const c of order) c.pause();
    // Reads already sent finish before the next round.
    await sleep(s.latencyMs * 3);
  }
  contenders.forEach((c) => c.dispose());
  const roundMeans = (c: Contender) => {
    const byRound = new Map<number, number[]>();
    for (const x of samples.get(c)!) if (x.clean) byRound.set(x.round, [...(byRound.get(x.round) ?? []), x.cpuMs]);
    return new Map([...byRound].map(([round, list]) => [round, list.reduce((a, b) => a + b, 0) / list.length]));
  };
  const base = contenders.find((c) => c.name === 'useQuery');
  const baseMeans = base ? roundMeans(base) : new Map<number, number>();
  const baseMedian = base ? median(samples.get(base)!.filter((x) => x.clean).map((x) => x.cpuMs)) : Number.NaN;
  return {
    tasks: s.tasks,
    intervalMs: s.intervalMs,
    latencyMs: s.latencyMs,
    rounds: options.rounds,
    cyclesPerRound: options.cycles,
    clock: cpuClockSource,
    contenders: contenders.map((c) => {
      const list = samples.get(c)!;
      const clean = list.filter((x) => x.clean);
      const waits = clean.map((x) => x.waitMs).filter((w): w is number => w !== undefined);
      const ratios = [...roundMeans(c)].filter(([round]) => baseMeans.has(round)).map(([round, mean]) => mean / baseMeans.get(round)!);
      const cpuMs = spread(clean.map((x) => x.cpuMs));
      return {
        name: c.name,
        cpuMs,
        ratio: cpuMs.median / baseMedian,
        roundRatios: spread(ratios),
        waitMs: waits.length > 0 ? median(waits) : undefined,
        commits: list.reduce((n, x) => n + x.commits, 0),
        cycles: list.length,
        cleanCycles: clean.length,
        samples: list,
      };
    }),
    wallSeconds: (now() - started) / 1000,
  };
}
