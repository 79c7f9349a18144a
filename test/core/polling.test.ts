import { describe, expect, test } from 'vitest';
import { ImageGenError } from '../../src/core/errors.js';
import { MAX_POLL_RETRIES, nextPollDelay, pollRetryDelay, shouldRetryPoll, timeoutError } from '../../src/core/polling.js';
import type { ImageGenErrorKind, ImageTask } from '../../src/core/types.js';

const err = (kind: ImageGenErrorKind, extra: { retryAfterMs?: number } = {}) => new ImageGenError({ kind, message: kind, ...extra });

describe('shouldRetryPoll', () => {
  test('rides out 3 consecutive transient failures, then stops', () => {
    expect(MAX_POLL_RETRIES).toBe(3);
    for (const kind of ['server', 'network', 'rate_limited'] as const) {
      // TanStack Query passes the failures before this one: 0, 1, 2 retry; 3 gives up.
      expect([0, 1, 2, 3, 4].map((n) => shouldRetryPoll(n, err(kind)))).toEqual([true, true, true, false, false]);
    }
  });

  test.each([
    'validation',
    'unauthorized',
    'insufficient_credits',
    'not_found',
    'bad_response',
    'task_failed',
    'timeout',
    'aborted',
  ] as const)('never retries %s', (kind) => {
    expect(shouldRetryPoll(0, err(kind))).toBe(false);
  });

  test.each([
    ['a plain Error', new Error('boom')],
    ['a look-alike object', { kind: 'server', retryable: true }],
    ['a string', 'server'],
    ['undefined', undefined],
  ])('never retries %s', (_name, error) => {
    expect(shouldRetryPoll(0, error)).toBe(false);
  });
});

describe('pollRetryDelay', () => {
  test('doubles from the poll interval', () => {
    expect([0, 1, 2, 3].map((n) => pollRetryDelay(n, err('server'), 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect([0, 1, 2].map((n) => pollRetryDelay(n, err('network'), 250))).toEqual([250, 500, 1000]);
  });

  test('is capped at 30 seconds', () => {
    expect(pollRetryDelay(5, err('server'), 1000)).toBe(30_000);
    expect(pollRetryDelay(0, err('server'), 60_000)).toBe(30_000);
  });

  test('honours the server’s Retry-After over the backoff', () => {
    expect(pollRetryDelay(0, err('rate_limited', { retryAfterMs: 7000 }), 1000)).toBe(7000);
    expect(pollRetryDelay(2, err('rate_limited', { retryAfterMs: 500 }), 1000)).toBe(500);
    expect(pollRetryDelay(0, err('server', { retryAfterMs: 0 }), 1000)).toBe(0);
  });

  test('waits at most a minute, whatever Retry-After says', () => {
    expect(pollRetryDelay(0, err('rate_limited', { retryAfterMs: 3_600_000 }), 1000)).toBe(60_000);
  });

  test('a non-ImageGenError with retryAfterMs is not trusted', () => {
    expect(pollRetryDelay(1, { retryAfterMs: 99_999 }, 1000)).toBe(2000);
  });
});

describe('nextPollDelay', () => {
  test('is the interval while the deadline is far', () => {
    expect(nextPollDelay(1000, 10_000, 0)).toBe(1000);
  });

  test('is cut short so a poll lands on the deadline', () => {
    expect(nextPollDelay(1000, 10_000, 9_600)).toBe(400);
    expect(nextPollDelay(1000, 10_000, 9_000)).toBe(1000);
  });

  test('is at least 1 ms at or past the deadline', () => {
    expect(nextPollDelay(1000, 10_000, 10_000)).toBe(1);
    expect(nextPollDelay(1000, 10_000, 15_000)).toBe(1);
    expect(nextPollDelay(0, 10_000, 0)).toBe(1);
  });
});

describe('timeoutError', () => {
  test('is a non-retryable timeout with the seconds, the billing warning and the task', () => {
    const task: ImageTask = { taskId: 't9', status: 'processing', raw: { status: 'processing' } };
    const error = timeoutError(300_000, task);
    expect(ImageGenError.isImageGenError(error)).toBe(true);
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(false);
    expect(error.task).toBe(task);
    expect(error.message).toBe('The image was not ready after 300 seconds. The task may still finish and use credits.');
  });

  test('rounds to whole seconds', () => {
    const task: ImageTask = { taskId: 't', status: 'pending', raw: {} };
    expect(timeoutError(2_600, task).message).toContain('after 3 seconds');
  });

  test('says milliseconds under a second rather than "0 seconds"', () => {
    const task: ImageTask = { taskId: 't9', status: 'pending', raw: {} };
    expect(timeoutError(400, task).message).toContain('after 400 ms');
  });
});
