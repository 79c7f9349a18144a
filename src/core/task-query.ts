import { skipToken, type DataTag, type Query, type QueryClient, type QueryFunction, type QueryObserverOptions, type QueryState } from './query-core.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS } from './constants.js';
import type { ImageGenError } from './errors.js';
import { nextPollDelay, pollRetryDelay, resolvePollInterval, shouldRetryPoll, timeoutError } from './polling.js';
import { imageGenKeys } from './query-keys.js';
import { isTerminalStatus } from './status.js';
import { readTask } from './submit.js';
import type { ImageFetcher, ImageTask, PollInterval } from './types.js';

/** The key of one task's query: `imageGenKeys.task(taskId)`, tagged with the task's data and error types. */
export type TaskQueryKey = DataTag<ReturnType<typeof imageGenKeys.task>, ImageTask, ImageGenError>;

/** What `taskQueryOptions` needs: the transport, and how to poll. */
export interface TaskQueryConfig {
  /** The transport reads go through, e.g. `createHttpFetcher({ baseUrl: '/api/flash-image' })`. */
  fetcher: ImageFetcher;
  /** Time between polls while the task runs: a number of ms (default 1000) or a schedule `(attempt, task) => ms`. */
  intervalMs?: PollInterval;
  /** Give up (error `kind: 'timeout'`) when the task still runs this long after polling of it started. Default 5 minutes. */
  timeoutMs?: number;
  /** Set to false to hold polling. Default true. */
  enabled?: boolean;
}

/** The options of one task's query, for `useQuery`, `QueryObserver`, `prefetchQuery` and the like. */
export type TaskQueryOptions = QueryObserverOptions<ImageTask, ImageGenError, ImageTask, ImageTask, TaskQueryKey> & {
  queryKey: TaskQueryKey;
};

/**
 * A task query's state, with the time its polling started: kept in the cache entry, beside TanStack
 * Query's own count of reads answered (`dataUpdateCount`, the `attempt` a schedule is given), so
 * every observer of the task shares one clock, the devtools show it, and it goes with the entry.
 */
export interface TaskQueryState extends QueryState<ImageTask, ImageGenError> {
  /** When polling of the task started (ms since the epoch): the POST's answer, else the first read. */
  pollStartedAt?: number;
}

type TaskQuery = Query<ImageTask, ImageGenError, ImageTask, TaskQueryKey>;

function pollStart(query: TaskQuery): number {
  const state = query.state as TaskQueryState;
  // Set in place: nobody needs telling, and every later state is spread from this one.
  return (state.pollStartedAt ??= Date.now());
}

// A task that finished, or whose status could not be learnt, is never fetched again by itself:
// not on mount, focus or reconnect. `refetch()` still works.
function isSettled(query: TaskQuery): boolean {
  return query.state.status === 'error' || isTerminalStatus(query.state.data?.status);
}

const isLive = (query: TaskQuery): boolean => !isSettled(query);

/**
 * Reads in a row that share one AbortController (a new one per read was a tenth of a 500-task poll
 * cycle in Node, `npm run bench`): few enough that a fetcher which never removes its abort listener
 * leaves only a handful on a signal (Node warns past 10).
 */
const READS_PER_CONTROLLER = 8;

/** A read's deadline watch: its controller is aborted at `end`, or one interval after the read began if that is later. */
interface Deadline {
  controller: AbortController;
  end: number;
  interval: number;
  timer?: ReturnType<typeof setTimeout>;
  /** Ends the read at the deadline even if the fetcher ignores its signal (a server action cannot be aborted). */
  reject?(reason: unknown): void;
}

// Set for at most one interval, and again if the read is still out then: a delay that every read
// shares costs Node one list entry, where a delay of its own (each task's time left) costs a new
// timer list and a heap insertion per read. (A delay over 2^31 - 1 ms would fire at once.)
function watchDeadline(deadline: Deadline): Deadline {
  const left = deadline.end - Date.now();
  deadline.timer = setTimeout(checkDeadline, Math.min(left > 0 ? left : deadline.interval, deadline.interval, 2 ** 31 - 1), deadline);
  return deadline;
}

function checkDeadline(deadline: Deadline): void {
  if (Date.now() < deadline.end) return void watchDeadline(deadline);
  deadline.controller.abort();
  deadline.reject!(deadline.controller.signal.reason);
}

/**
 * Puts a task just returned by a POST into the cache and starts its clock, so that polling begins
 * one interval later instead of asking at once for a task the server only just accepted. Not
 * `setQueryData`, which would count the POST's answer as a read (`dataUpdateCount`).
 */
export function seedTask(client: QueryClient, task: ImageTask): void {
  const now = Date.now();
  const state: Partial<TaskQueryState> = { data: task, dataUpdatedAt: now, status: 'success', error: null, pollStartedAt: now };
  // Through the client's defaults, so a `queryKeyHashFn` of the app's puts it in the entry polls read.
  client.getQueryCache().build(client, client.defaultQueryOptions({ queryKey: imageGenKeys.task(task.taskId) })).setState(state);
}

/**
 * Puts a task restored from storage into the cache unless the cache already knows it, without
 * starting its clock: a finished task is then shown without a request, and a running one is asked
 * about at once (it may well have finished while the page was closed).
 */
export function restoreTask(client: QueryClient, task: ImageTask): void {
  const queryKey = imageGenKeys.task(task.taskId);
  if (isTerminalStatus(task.status) && client.getQueryData(queryKey) === undefined) client.setQueryData(queryKey, task);
}

/**
 * The query that polls one task until it completes or fails, shared by `useTaskStatus`,
 * `useImageGeneration` and `useImageBatch`, and exported for `useQuery`, `useSuspenseQuery`,
 * `prefetchQuery` and the like. No task id gives a query that never runs (`skipToken`). Each read
 * is aborted at the deadline, and a retry never waits past it, so the `timeout` error comes on time
 * whatever the server does.
 */
export function taskQueryOptions(taskId: string, config: TaskQueryConfig): TaskQueryOptions & { queryFn: QueryFunction<ImageTask, TaskQueryKey> };
export function taskQueryOptions(taskId: string | null | undefined, config: TaskQueryConfig): TaskQueryOptions;
export function taskQueryOptions(taskId: string | null | undefined, config: TaskQueryConfig): TaskQueryOptions {
  const { fetcher, intervalMs = DEFAULT_INTERVAL_MS, timeoutMs = DEFAULT_TIMEOUT_MS } = config;
  const wait =
    typeof intervalMs === 'number' ? () => intervalMs : (query: TaskQuery) => resolvePollInterval(intervalMs, query.state.dataUpdateCount, query.state.data);
  // The latest read's deadline and poll interval, for `retryDelay`, which is not given the query.
  let deadline = Infinity;
  let interval = DEFAULT_INTERVAL_MS;
  // The query's hash, worked out once per client: hashing the key on every read was a tenth of a
  // 500-task poll cycle (npm run bench).
  let hashed: { client: QueryClient; hash: string } | undefined;
  let controller: AbortController | undefined;
  let reads = 0;
  const late = (task: ImageTask | undefined) => timeoutError(timeoutMs, task ?? { taskId: taskId ?? '', status: 'pending', raw: null });
  return {
    queryKey: imageGenKeys.task(taskId ?? '') as TaskQueryKey,
    queryFn: taskId
      ? ({ client, queryKey }) => {
          if (hashed?.client !== client) hashed = { client, hash: client.defaultQueryOptions({ queryKey }).queryHash! };
          const query = client.getQueryCache().get(hashed.hash) as TaskQuery;
          const end = (deadline = pollStart(query) + timeoutMs);
          interval = wait(query);
          const left = end - Date.now();
          // A retry never reads at or past the deadline; the poll scheduled on it (the last) does.
          if (left < 0 || (left === 0 && query.state.fetchFailureCount > 0)) return Promise.reject(late(query.state.data));
          // Browsers' fetch has no timeout of its own: a read still out at the deadline is aborted
          // then. The read made on the deadline itself gets one interval to answer.
          if (!controller || controller.signal.aborted || reads >= READS_PER_CONTROLLER) {
            controller = new AbortController();
            reads = 0;
          }
          reads += 1;
          const watch: Deadline = { controller, end, interval };
          const signal = controller.signal;
          return new Promise<ImageTask>((resolve, reject) => {
            watch.reject = reject;
            watchDeadline(watch);
            readTask(fetcher, taskId, signal).then(resolve, reject);
          }).then(
            (task) => {
              clearTimeout(watch.timer);
              if (!isTerminalStatus(task.status) && Date.now() >= end) throw late(task);
              return task;
            },
            (error: unknown) => {
              clearTimeout(watch.timer);
              throw watch.controller.signal.aborted ? late(query.state.data) : error;
            },
          );
        }
      : skipToken,
    enabled: config.enabled,
    // Fresh for one interval, so a remount or a focus right after a poll does not poll again.
    staleTime: (query) => (isSettled(query) ? Infinity : wait(query)),
    refetchInterval: (query) => {
      if (isSettled(query)) return false;
      const { pollStartedAt } = query.state as TaskQueryState;
      return pollStartedAt === undefined ? wait(query) : nextPollDelay(wait(query), pollStartedAt + timeoutMs, Date.now());
    },
    refetchOnMount: isLive,
    refetchOnWindowFocus: isLive,
    refetchOnReconnect: isLive,
    retryOnMount: false,
    retry: shouldRetryPoll,
    retryDelay: (failureCount, error) => Math.max(0, Math.min(pollRetryDelay(failureCount, error, interval), deadline - Date.now())),
  };
}
