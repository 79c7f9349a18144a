'use client';
import { useQuery, type Query, type QueryClient, type UseQueryOptions, type UseQueryResult } from '@tanstack/react-query';
import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS } from '../core/constants.js';
import type { ImageGenError } from '../core/errors.js';
import { nextPollDelay, pollRetryDelay, resolvePollInterval, shouldRetryPoll, timeoutError } from '../core/polling.js';
import { isTerminalStatus } from '../core/status.js';
import { readTask } from '../core/submit.js';
import type { ImageFetcher, ImageTask, PollInterval } from '../core/types.js';
import { useImageGenContext } from './provider.js';
import { imageGenKeys } from './query-keys.js';

/** Options of `useTaskStatus`. */
export interface UseTaskStatusOptions {
  /**
   * Time between polls while the task runs. Default 1000 ms. A function `(attempt, task) => ms` is a
   * schedule: it is asked before each wait, with the number of reads answered so far and the task as
   * last seen.
   */
  intervalMs?: PollInterval;
  /** Give up (error `kind: 'timeout'`) when the task still runs this long after polling of it started. Default 5 minutes. */
  timeoutMs?: number;
  /** Set to false to hold polling. Default true. */
  enabled?: boolean;
}

type TaskQuery = Query<ImageTask, ImageGenError, ImageTask, readonly unknown[]>;

/** The options of one task's query, shared by `useTaskStatus` and `useImageBatch` so that both poll alike. */
export type TaskQueryOptions = UseQueryOptions<ImageTask, ImageGenError, ImageTask, readonly unknown[]>;

interface PollClock {
  /** When polling of the task started. */
  start: number;
  /** Reads of the task answered so far: the `attempt` a schedule is given. */
  reads: number;
}

// Per cache entry: every observer of a task shares its clock and its count of reads, and both go
// away with the entry.
const clocks = new WeakMap<object, PollClock>();

function clockOf(query: object): PollClock {
  let clock = clocks.get(query);
  if (clock === undefined) {
    clock = { start: Date.now(), reads: 0 };
    clocks.set(query, clock);
  }
  return clock;
}

// A task that finished, or whose status could not be learnt, is never fetched again by itself:
// not on mount, focus or reconnect. `refetch()` still works.
function isSettled(query: TaskQuery): boolean {
  return query.state.status === 'error' || isTerminalStatus(query.state.data?.status);
}

const isLive = (query: TaskQuery): boolean => !isSettled(query);

// By hash, not `queryCache.find()`: find() hashes the key once per cache entry, which made every
// poll cost O(tasks) and a poll cycle O(tasks²) (measured with `npm run bench`).
function findTaskQuery(queryClient: QueryClient, taskId: string): TaskQuery | undefined {
  const { queryHash } = queryClient.defaultQueryOptions({ queryKey: imageGenKeys.task(taskId) });
  return queryClient.getQueryCache().get(queryHash) as TaskQuery | undefined;
}

function currentInterval(interval: PollInterval, query: TaskQuery): number {
  return resolvePollInterval(interval, clocks.get(query)?.reads ?? 0, query.state.data);
}

/**
 * Puts a task just returned by a POST into the cache and starts its clock, so that polling begins
 * one interval later instead of asking at once for a task the server only just accepted.
 */
export function seedTask(queryClient: QueryClient, task: ImageTask): void {
  queryClient.setQueryData(imageGenKeys.task(task.taskId), task);
  const query = findTaskQuery(queryClient, task.taskId);
  if (query) clockOf(query);
}

/**
 * Puts a task restored from storage into the cache unless the cache already knows it, without
 * starting its clock: a finished task is then shown without a request, and a running one is asked
 * about at once (it may well have finished while the page was closed).
 */
export function restoreTask(queryClient: QueryClient, task: ImageTask): void {
  const queryKey = imageGenKeys.task(task.taskId);
  if (queryClient.getQueryData(queryKey) === undefined && isTerminalStatus(task.status)) {
    queryClient.setQueryData(queryKey, task);
  }
}

/** The query that polls one task; no task id (`''`) gives a query that never runs. */
export function taskQueryOptions(
  fetcher: ImageFetcher,
  queryClient: QueryClient,
  taskId: string,
  options: UseTaskStatusOptions = {},
): TaskQueryOptions {
  const interval = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let known: TaskQuery | undefined;
  // The cache entry of this task: looked up once, checked to be still in the cache on each use.
  const entry = () => {
    if (!known || (queryClient.getQueryCache().get(known.queryHash) as TaskQuery | undefined) !== known) {
      known = findTaskQuery(queryClient, taskId);
    }
    return known;
  };
  return {
    queryKey: imageGenKeys.task(taskId),
    queryFn: async ({ signal }) => {
      const query = entry();
      const clock = query ? clockOf(query) : { start: Date.now(), reads: 0 };
      const task = await readTask(fetcher, taskId, signal);
      clock.reads += 1;
      if (!isTerminalStatus(task.status) && Date.now() - clock.start >= timeoutMs) {
        throw timeoutError(timeoutMs, task);
      }
      return task;
    },
    enabled: options.enabled !== false && taskId !== '',
    // Fresh for one interval, so a remount or a focus right after a poll does not poll again.
    staleTime: (query) => (isSettled(query) ? Infinity : currentInterval(interval, query)),
    refetchInterval: (query) => {
      if (isSettled(query)) return false;
      const wait = currentInterval(interval, query);
      const clock = clocks.get(query);
      return clock === undefined ? wait : nextPollDelay(wait, clock.start + timeoutMs, Date.now());
    },
    refetchOnMount: isLive,
    refetchOnWindowFocus: isLive,
    refetchOnReconnect: isLive,
    retryOnMount: false,
    retry: shouldRetryPoll,
    retryDelay: (failureCount, error) => {
      const query = entry();
      const base = query ? currentInterval(interval, query) : resolvePollInterval(interval, 0, undefined);
      return pollRetryDelay(failureCount, error, base);
    },
  };
}

/**
 * Polls one task until it completes or fails. Observers of the same task share one poll (one
 * request per interval); no task id, no request.
 */
export function useTaskStatus(
  taskId: string | null | undefined,
  options: UseTaskStatusOptions = {},
): UseQueryResult<ImageTask, ImageGenError> {
  const { fetcher, queryClient } = useImageGenContext('useTaskStatus');
  return useQuery(taskQueryOptions(fetcher, queryClient, taskId ?? '', options), queryClient);
}
