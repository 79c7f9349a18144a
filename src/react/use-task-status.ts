'use client';
import { useQuery, type Query, type QueryClient, type UseQueryResult } from '@tanstack/react-query';
import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS } from '../core/constants.js';
import type { ImageGenError } from '../core/errors.js';
import { nextPollDelay, pollRetryDelay, shouldRetryPoll, timeoutError } from '../core/polling.js';
import { isTerminalStatus } from '../core/status.js';
import { readTask } from '../core/submit.js';
import type { ImageTask } from '../core/types.js';
import { useImageGenContext } from './provider.js';
import { imageGenKeys } from './query-keys.js';

/** Options of `useTaskStatus`. */
export interface UseTaskStatusOptions {
  /** Time between polls while the task runs. Default 1000 ms. */
  intervalMs?: number;
  /** Give up (error `kind: 'timeout'`) when the task still runs this long after polling of it started. Default 5 minutes. */
  timeoutMs?: number;
  /** Set to false to hold polling. Default true. */
  enabled?: boolean;
}

type TaskQuery = Query<ImageTask, ImageGenError, ImageTask, readonly unknown[]>;

// When polling of each task started, per cache entry: every observer of a task shares its clock,
// and it goes away with the entry.
const pollStarts = new WeakMap<object, number>();

function pollStart(query: object): number {
  let start = pollStarts.get(query);
  if (start === undefined) {
    start = Date.now();
    pollStarts.set(query, start);
  }
  return start;
}

// A task that finished, or whose status could not be learnt, is never fetched again by itself:
// not on mount, focus or reconnect. `refetch()` still works.
function isSettled(query: TaskQuery): boolean {
  return query.state.status === 'error' || isTerminalStatus(query.state.data?.status);
}

/**
 * Puts a task just returned by a POST into the cache and starts its clock, so that polling begins
 * one interval later instead of asking at once for a task the server only just accepted.
 */
export function seedTask(queryClient: QueryClient, task: ImageTask): void {
  const queryKey = imageGenKeys.task(task.taskId);
  queryClient.setQueryData(queryKey, task);
  const query = queryClient.getQueryCache().find({ queryKey, exact: true });
  if (query) pollStart(query);
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
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const id = taskId ?? '';

  return useQuery<ImageTask, ImageGenError, ImageTask, readonly unknown[]>(
    {
      queryKey: imageGenKeys.task(id),
      queryFn: async ({ signal, queryKey }) => {
        const query = queryClient.getQueryCache().find({ queryKey, exact: true });
        const start = query ? pollStart(query) : Date.now();
        const task = await readTask(fetcher, id, signal);
        if (!isTerminalStatus(task.status) && Date.now() - start >= timeoutMs) {
          throw timeoutError(timeoutMs, task);
        }
        return task;
      },
      enabled: options.enabled !== false && id !== '',
      // Fresh for one interval, so a remount or a focus right after a poll does not poll again.
      staleTime: (query) => (isSettled(query) ? Infinity : intervalMs),
      refetchInterval: (query) => {
        if (isSettled(query)) return false;
        const start = pollStarts.get(query);
        return start === undefined ? intervalMs : nextPollDelay(intervalMs, start + timeoutMs, Date.now());
      },
      refetchOnMount: (query) => !isSettled(query),
      refetchOnWindowFocus: (query) => !isSettled(query),
      refetchOnReconnect: (query) => !isSettled(query),
      retryOnMount: false,
      retry: shouldRetryPoll,
      retryDelay: (failureCount, error) => pollRetryDelay(failureCount, error, intervalMs),
    },
    queryClient,
  );
}
