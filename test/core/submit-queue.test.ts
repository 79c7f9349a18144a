import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageGenError } from '../../src/core/errors.js';
import {
  clampConcurrency,
  createSubmitQueue,
  DEFAULT_SUBMIT_CONCURRENCY,
  MAX_RATE_LIMIT_RESENDS,
  rateLimitWait,
  submitFailureAction,
  type SubmitUpdate,
} from '../../src/core/submit-queue.js';
import type { ImageGenErrorKind, ImageTask } from '../../src/core/types.js';

const err = (kind: ImageGenErrorKind, extra: { retryAfterMs?: number; status?: number } = {}) =>
  new ImageGenError({ kind, message: kind, ...extra });

describe('submitFailureAction', () => {
  it('sends a 429 again (it was refused, not billed), up to the limit', () => {
    expect(MAX_RATE_LIMIT_RESENDS).toBe(3);
    expect([0, 1, 2, 3].map((n) => submitFailureAction(err('rate_limited', { status: 429 }), n))).toEqual([
      'requeue',
      'requeue',
      'requeue',
      'fail',
    ]);
  });

  it.each(['network', 'server', 'bad_response', 'validation', 'not_found', 'timeout', 'aborted', 'task_failed'] as const)(
    'never sends a POST that failed with %s again',
    (kind) => {
      expect(submitFailureAction(err(kind), 0)).toBe('fail');
    },
  );

  it.each(['unauthorized', 'insufficient_credits'] as const)('stops the queued items after %s', (kind) => {
    expect(submitFailureAction(err(kind), 0)).toBe('fail-rest');
  });
});

describe('rateLimitWait', () => {
  it('waits what Retry-After says, at most a minute', () => {
    expect(rateLimitWait(err('rate_limited', { retryAfterMs: 2500 }), 1)).toBe(2500);
    expect(rateLimitWait(err('rate_limited', { retryAfterMs: 0 }), 3)).toBe(0);
    expect(rateLimitWait(err('rate_limited', { retryAfterMs: 3_600_000 }), 1)).toBe(60_000);
  });

  it('without Retry-After, doubles from 1 s with each 429 in a row, at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => rateLimitWait(err('rate_limited'), n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe('clampConcurrency', () => {
  it('defaults to 4 and keeps a whole number of at least 1', () => {
    expect(DEFAULT_SUBMIT_CONCURRENCY).toBe(4);
    expect([undefined, Number.NaN, Infinity, 0, -3, 2.7, 9].map(clampConcurrency)).toEqual([4, 4, 4, 1, 1, 2, 9]);
  });
});

describe('createSubmitQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A submit whose calls the test answers by hand. */
  function manual() {
    const calls: { index: number; signal: AbortSignal; resolve(task: ImageTask): void; reject(error: unknown): void }[] = [];
    const submit = (index: number, signal: AbortSignal) =>
      new Promise<ImageTask>((resolve, reject) => {
        calls.push({ index, signal, resolve, reject });
      });
    const updates: [number, SubmitUpdate['type']][] = [];
    const onUpdate = (index: number, update: SubmitUpdate) => updates.push([index, update.type]);
    return { calls, submit, updates, onUpdate };
  }
  const task = (id: string): ImageTask => ({ taskId: id, status: 'pending', raw: null });
  const flush = () => vi.advanceTimersByTimeAsync(0);

  it('sends in order, never more than `concurrency` at once, and reports idle once', async () => {
    const m = manual();
    const onIdle = vi.fn();
    createSubmitQueue({ count: 5, concurrency: 2, submit: m.submit, onUpdate: m.onUpdate, onIdle });
    expect(m.calls.map((c) => c.index)).toEqual([0, 1]);
    m.calls[1]!.resolve(task('b'));
    await flush();
    expect(m.calls.map((c) => c.index)).toEqual([0, 1, 2]);
    m.calls[0]!.reject(err('server', { status: 500 }));
    await flush();
    expect(m.calls.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    m.calls[2]!.resolve(task('c'));
    m.calls[3]!.resolve(task('d'));
    await flush();
    expect(onIdle).not.toHaveBeenCalled();
    m.calls[4]!.resolve(task('e'));
    await flush();
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(m.calls).toHaveLength(5);
    expect(m.updates.filter(([, type]) => type !== 'submitting')).toEqual([
      [1, 'accepted'],
      [0, 'failed'],
      [2, 'accepted'],
      [3, 'accepted'],
      [4, 'accepted'],
    ]);
  });

  it('after a 429 starts nothing until the wait is over, then re-sends that item first', async () => {
    const m = manual();
    createSubmitQueue({ count: 4, concurrency: 2, submit: m.submit, onUpdate: m.onUpdate });
    m.calls[0]!.reject(err('rate_limited', { status: 429, retryAfterMs: 3000 }));
    await flush();
    expect(m.updates).toContainEqual([0, 'rate_limited']);
    // Item 1 is still in flight; its success does not lift the pause.
    m.calls[1]!.resolve(task('b'));
    await flush();
    await vi.advanceTimersByTimeAsync(2999);
    expect(m.calls.map((c) => c.index)).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(m.calls.map((c) => c.index)).toEqual([0, 1, 0, 2]);
  });

  it('gives an item up after 3 re-sends, and carries on with the rest', async () => {
    const m = manual();
    createSubmitQueue({ count: 2, concurrency: 1, submit: m.submit, onUpdate: m.onUpdate });
    for (let i = 0; i < 4; i++) {
      m.calls.at(-1)!.reject(err('rate_limited', { status: 429, retryAfterMs: 100 }));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(m.calls.map((c) => c.index)).toEqual([0, 0, 0, 0, 1]);
    expect(m.updates.filter(([i]) => i === 0).at(-1)).toEqual([0, 'failed']);
  });

  it('fails every queued item after a 402, and sends none of them', async () => {
    const m = manual();
    createSubmitQueue({ count: 5, concurrency: 2, submit: m.submit, onUpdate: m.onUpdate });
    m.calls[0]!.reject(err('insufficient_credits', { status: 402 }));
    await flush();
    expect(m.calls).toHaveLength(2);
    expect(m.updates.filter(([, t]) => t === 'failed').map(([i]) => i)).toEqual([0, 2, 3, 4]);
    // The one already in flight still counts.
    m.calls[1]!.resolve(task('b'));
    await flush();
    expect(m.updates.at(-1)).toEqual([1, 'accepted']);
  });

  it('treats a submit that throws synchronously as that item failing', async () => {
    const updates: [number, SubmitUpdate][] = [];
    createSubmitQueue({
      count: 2,
      concurrency: 1,
      submit: (index) => {
        if (index === 0) throw new TypeError('boom');
        return Promise.resolve(task('b'));
      },
      onUpdate: (index, update) => updates.push([index, update]),
    });
    await flush();
    expect(updates.map(([i, u]) => [i, u.type])).toEqual([
      [0, 'submitting'],
      [0, 'failed'],
      [1, 'submitting'],
      [1, 'accepted'],
    ]);
    expect((updates[1]![1] as { error: ImageGenError }).error.kind).toBe('network');
  });

  it('cancel() aborts submits in flight, clears the pause, and reports nothing more', async () => {
    const m = manual();
    const onIdle = vi.fn();
    const queue = createSubmitQueue({ count: 6, concurrency: 2, submit: m.submit, onUpdate: m.onUpdate, onIdle });
    m.calls[0]!.reject(err('rate_limited', { status: 429, retryAfterMs: 5000 }));
    await flush();
    const seen = m.updates.length;
    queue.cancel();
    expect(m.calls[1]!.signal.aborted).toBe(true);
    m.calls[1]!.resolve(task('late'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(m.calls).toHaveLength(2);
    expect(m.updates).toHaveLength(seen);
    expect(onIdle).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
