import { ImageGenError, toImageGenError } from './errors.js';
import type { ImageTask } from './types.js';

/** Submits a batch keeps in flight at once by default. */
export const DEFAULT_SUBMIT_CONCURRENCY = 4;

/** Times one item is sent again after a 429 before its 429 counts as its failure. */
export const MAX_RATE_LIMIT_RESENDS = 3;

/**
 * The longest wait after a 429 that is waited out before sending again. A longer one fails the
 * generation with `rate_limited` and its `retryAfterMs`, so a person sees when to try rather than a
 * spinner that says nothing for minutes.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 10_000;

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * What to do after a submit failed, for a single generation and a batch alike:
 * - `requeue`: the server refused it with 429 (refused, so not billed): send it again after the
 *   wait, when that wait is at most `MAX_RATE_LIMIT_WAIT_MS`;
 * - `fail-rest`: the account cannot generate (401/403, 402): every item still queued would get the
 *   same answer, so none is sent;
 * - `fail`: only this item failed. A network error or 5xx may have reached the server and started a
 *   billed task, so that POST is never sent again.
 */
export type SubmitFailureAction = 'requeue' | 'fail-rest' | 'fail';

/** Decides what a failed submit means for its item and the rest of the batch. */
export function submitFailureAction(error: ImageGenError, resends: number, waitMs = 0): SubmitFailureAction {
  if (error.kind === 'rate_limited' && resends < MAX_RATE_LIMIT_RESENDS && waitMs <= MAX_RATE_LIMIT_WAIT_MS) return 'requeue';
  if (error.kind === 'unauthorized' || error.kind === 'insufficient_credits') return 'fail-rest';
  return 'fail';
}

/**
 * How long every submit waits after a 429: the server's `Retry-After` (at most a minute), else a
 * backoff doubling from 1 s with each 429 in a row (at most 30 s).
 */
export function rateLimitWait(error: ImageGenError, consecutive: number): number {
  if (error.retryAfterMs !== undefined) return Math.min(Math.max(0, error.retryAfterMs), MAX_RETRY_AFTER_MS);
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, consecutive - 1), MAX_BACKOFF_MS);
}

/** The clamp applied to a `concurrency` option: a whole number, at least 1. */
export function clampConcurrency(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return DEFAULT_SUBMIT_CONCURRENCY;
  return Math.max(1, Math.floor(value));
}

/** What happened to one item of a submit queue. */
export type SubmitUpdate =
  | { type: 'submitting' }
  | { type: 'accepted'; task: ImageTask }
  /** Refused with 429: back in the queue, sent again at `retryAt` at the earliest. */
  | { type: 'rate_limited'; error: ImageGenError; retryAt: number }
  | { type: 'failed'; error: ImageGenError };

/** Options of `createSubmitQueue`. */
export interface SubmitQueueOptions {
  /** Items, numbered from 0. */
  count: number;
  /** Submits in flight at once. */
  concurrency: number;
  /** Sends item `index`: one POST. Rejects with an `ImageGenError` (anything else is wrapped). */
  submit(index: number, signal: AbortSignal): Promise<ImageTask>;
  /** Told of every change to an item. */
  onUpdate(index: number, update: SubmitUpdate): void;
  /** Told once, when no item is queued or in flight any more. */
  onIdle?(): void;
}

/** A running submit queue. */
export interface SubmitQueue {
  /** Queues item `index` again (a Retry): sent under the same pause after a 429 and the same concurrency. */
  add(index: number): void;
  /** Stops: aborts submits in flight, sends nothing more, reports nothing more. */
  cancel(): void;
}

function skippedError(cause: ImageGenError): ImageGenError {
  return new ImageGenError({
    kind: cause.kind,
    status: cause.status,
    code: cause.code,
    required: cause.required,
    balance: cause.balance,
    message: `Not sent: an earlier image in this batch was refused (${cause.message})`,
    cause,
  });
}

/**
 * Sends a batch's POSTs in index order, at most `concurrency` at a time. After a 429 no submit
 * starts until the wait is over, for every item, and the refused item is sent again; any other
 * failure is that item's alone (and ends the batch's queue for an account that cannot generate).
 * Starts at once.
 */
export function createSubmitQueue(options: SubmitQueueOptions): SubmitQueue {
  const concurrency = clampConcurrency(options.concurrency);
  const queue: number[] = Array.from({ length: Math.max(0, options.count) }, (_, i) => i);
  const resends = new Map<number, number>();
  const controllers = new Map<number, AbortController>();
  let pausedUntil = 0;
  let consecutive429 = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let idle = false;

  const pump = (): void => {
    if (stopped) return;
    const wait = pausedUntil - Date.now();
    if (wait > 0 && queue.length > 0) {
      if (timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          pump();
        }, wait);
      }
      return;
    }
    while (controllers.size < concurrency && queue.length > 0) send(queue.shift()!);
    if (controllers.size === 0 && queue.length === 0 && !idle) {
      idle = true;
      options.onIdle?.();
    }
  };

  const send = (index: number): void => {
    const controller = new AbortController();
    controllers.set(index, controller);
    options.onUpdate(index, { type: 'submitting' });
    let promise: Promise<ImageTask>;
    try {
      promise = options.submit(index, controller.signal);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (task) => {
        controllers.delete(index);
        if (stopped) return;
        consecutive429 = 0;
        options.onUpdate(index, { type: 'accepted', task });
        pump();
      },
      (reason: unknown) => {
        controllers.delete(index);
        if (stopped) return;
        const error = toImageGenError(reason, controller.signal);
        const count = resends.get(index) ?? 0;
        const wait = rateLimitWait(error, consecutive429 + 1);
        const action = submitFailureAction(error, count, wait);
        if (action === 'requeue') {
          resends.set(index, count + 1);
          consecutive429 += 1;
          pausedUntil = Math.max(pausedUntil, Date.now() + wait);
          // Back in its place, ahead of the items after it: the batch keeps its order.
          queue.push(index);
          queue.sort((a, b) => a - b);
          options.onUpdate(index, { type: 'rate_limited', error, retryAt: pausedUntil });
        } else {
          options.onUpdate(index, { type: 'failed', error });
          if (action === 'fail-rest') {
            const skipped = skippedError(error);
            for (const rest of queue.splice(0)) options.onUpdate(rest, { type: 'failed', error: skipped });
          }
        }
        pump();
      },
    );
  };

  pump();

  return {
    add(index) {
      if (stopped) return;
      resends.delete(index);
      queue.push(index);
      queue.sort((a, b) => a - b);
      idle = false;
      pump();
    },
    cancel() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      queue.length = 0;
      for (const controller of controllers.values()) controller.abort();
      controllers.clear();
    },
  };
}
