import { skipToken, type DataTag, type Query, type QueryClient, type QueryKey, type QueryObserverOptions, type QueryState } from './query-core.js';
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

// By hash, not `queryCache.find()`: find() hashes the key once per cache entry, which made every
// poll cost O(tasks) and a poll cycle O(tasks²) (measured with `npm run bench`).
function findTaskQuery(client: QueryClient, queryKey: QueryKey): TaskQuery | undefined {
  return client.getQueryCache().get(client.defaultQueryOptions({ queryKey }).queryHash) as TaskQuery | undefined;
}

/**
 * Puts a task just returned by a POST into the cache and starts its clock, so that polling begins
 * one interval later instead of asking at once for a task the server only just accepted. Not
 * `setQueryData`, which would count the POST's answer as a read (`dataUpdateCount`).
 */
export function seedTask(client: QueryClient, task: ImageTask): void {
  const now = Date.now();
  const state: Partial<TaskQueryState> = { data: task, dataUpdatedAt: now, status: 'success', error: null, pollStartedAt: now };
  client.getQueryCache().build(client, { queryKey: imageGenKeys.task(task.taskId) }).setState(state);
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
 * `useImageGeneration` and `useImageBatch`, and exported for `useQuery`, `prefetchQuery` and the
 * like. No task id gives a query that never runs (`skipToken`). Each read is aborted at the
 * deadline, and a retry never waits past it, so the `timeout` error comes on time whatever the
 * server does.
 */
export function taskQueryOptions(taskId: string | null | undefined, config: TaskQueryConfig): TaskQueryOptions {
  const { fetcher, intervalMs = DEFAULT_INTERVAL_MS, timeoutMs = DEFAULT_TIMEOUT_MS } = config;
  const wait = (query: TaskQuery) => resolvePollInterval(intervalMs, query.state.dataUpdateCount, query.state.data);
  // The latest read's deadline and poll interval, for `retryDelay`, which is not given the query.
  let deadline = Infinity;
  let interval = DEFAULT_INTERVAL_MS;
  // The task's cache entry: looked up once, checked to be still in the cache on each read.
  let known: TaskQuery | undefined;
  return {
    queryKey: imageGenKeys.task(taskId ?? '') as TaskQueryKey,
    queryFn: taskId
      ? async ({ client, queryKey }) => {
          if (!known || client.getQueryCache().get<ImageTask, ImageGenError, ImageTask, TaskQueryKey>(known.queryHash) !== known) {
            known = findTaskQuery(client, queryKey);
          }
          const query = known!;
          deadline = pollStart(query) + timeoutMs;
          interval = wait(query);
          const late = (task = query.state.data) => timeoutError(timeoutMs, task ?? { taskId, status: 'pending', raw: null });
          const left = deadline - Date.now();
          // A retry never reads at or past the deadline; the poll scheduled on it (the last) does.
          if (left < 0 || (left === 0 && query.state.fetchFailureCount > 0)) throw late();
          // Browsers' fetch has no timeout of its own: a read still out at the deadline is aborted
          // then. The read made on the deadline itself gets one interval to answer.
          const controller = new AbortController();
          // (A delay over 2^31 - 1 ms would fire at once.)
          const timer = setTimeout(() => controller.abort(), Math.min(left || interval, 2 ** 31 - 1));
          try {
            const task = await readTask(fetcher, taskId, controller.signal);
            if (!isTerminalStatus(task.status) && Date.now() >= deadline) throw late(task);
            return task;
          } catch (error) {
            throw controller.signal.aborted ? late() : error;
          } finally {
            clearTimeout(timer);
          }
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
