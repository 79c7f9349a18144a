import { DEFAULT_INTERVAL_MS } from './constants.js';
import { ImageGenError } from './errors.js';
import type { ImageTask, PollInterval } from './types.js';

/** Consecutive transient failures a poll rides out before it reports the error. */
export const MAX_POLL_RETRIES = 3;

const MAX_BACKOFF_MS = 30_000;

// A Retry-After of an hour would hold a poll far past any sensible timeout; a minute is the most we wait.
const MAX_RETRY_AFTER_MS = 60_000;

/** Whether a failed read of a task should be tried again. Only reads are ever retried; a POST never is. */
export function shouldRetryPoll(failureCount: number, error: unknown): boolean {
  return ImageGenError.isImageGenError(error) && error.retryable && failureCount < MAX_POLL_RETRIES;
}

/** How long to wait before retrying a read: what the server asked for, else doubling from the poll interval. */
export function pollRetryDelay(failureCount: number, error: unknown, intervalMs: number): number {
  if (ImageGenError.isImageGenError(error) && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS);
  }
  return Math.min(intervalMs * 2 ** failureCount, MAX_BACKOFF_MS);
}

/**
 * The wait before the next read of a running task. A number is used as is (the behaviour of
 * `intervalMs: number` is unchanged); a schedule is called with the reads answered so far and the
 * task as last seen. A schedule that returns something unusable (not a positive finite number)
 * falls back to the default interval rather than polling in a tight loop or stopping unseen.
 */
export function resolvePollInterval(interval: PollInterval, attempt: number, task: ImageTask | undefined): number {
  if (typeof interval === 'number') return interval;
  const ms = interval(attempt, task);
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_INTERVAL_MS;
}

/**
 * Time until the next poll of a running task: the interval, cut short so that a poll lands on the
 * deadline and the timeout is reported on time rather than up to one interval late.
 */
export function nextPollDelay(intervalMs: number, deadline: number, now: number): number {
  return Math.max(1, Math.min(intervalMs, deadline - now));
}

/** The error for a task still running when its time is up. */
export function timeoutError(timeoutMs: number, task: ImageTask): ImageGenError {
  const after = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} seconds`;
  return new ImageGenError({
    kind: 'timeout',
    message: `The image was not ready after ${after}. The task may still finish and use credits.`,
    task,
  });
}
