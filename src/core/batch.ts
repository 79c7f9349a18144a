import type { ImageGenError } from './errors.js';
import { randomSeed } from './references.js';
import type { GenerateImageInput, ImageTask } from './types.js';

/**
 * Where one item of a batch stands: `queued` (not sent yet, or waiting after a 429), `submitting`
 * (its POST is in flight), `pending`/`processing` (polling), then `completed`, `failed` or
 * `cancelled` (the batch was cancelled before the item finished).
 */
export type ImageBatchItemStatus = 'queued' | 'submitting' | 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';

/** One generation of a batch. */
export interface ImageBatchItem {
  /** Its place in the batch, from 0; a stable React key. */
  index: number;
  /** What it asks for. */
  input: GenerateImageInput;
  /** Where it stands. */
  status: ImageBatchItemStatus;
  /** The server's task id, once it accepted the item; e.g. for `useTaskStatus` in a cell (shares the poll). */
  taskId?: string;
  /**
   * The task as last seen; undefined until the server accepted it. Reading it makes the batch
   * re-render for every change of the raw body too; `status`, `imageUrl` and `error` do not.
   */
  task?: ImageTask;
  /** The finished image's URL. */
  imageUrl?: string;
  /**
   * Why it failed (`task_failed` carries the task's own message). While it waits after a 429 this
   * holds that `rate_limited` error and `status` is `queued`.
   */
  error?: ImageGenError;
  /** While it waits after a 429: the earliest time (ms since the epoch) its POST is sent again. */
  retryAt?: number;
  /** When its latest POST was sent (ms since the epoch; after a reload, when it was first sent), for an elapsed-time display. */
  startedAt?: number;
}

/** How far a batch has got. */
export interface ImageBatchProgress {
  /** Items in the batch. */
  total: number;
  /** Items not sent yet (including those waiting after a 429). */
  queued: number;
  /** Items whose POST is in flight. */
  submitting: number;
  /** Items accepted by the server and still running (`pending` or `processing`). */
  running: number;
  /** Items with a finished image. */
  completed: number;
  /** Items that failed: refused, lost, or the task itself failed. */
  failed: number;
  /** Items stopped by `cancel()`. */
  cancelled: number;
  /** Items that will not change any more: completed, failed or cancelled. */
  done: number;
  /** `done / total`, from 0 to 1; 0 for an empty batch. */
  fraction: number;
}

/** True once an item will not change any more. */
export function isSettledItem(status: ImageBatchItemStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** Counts a batch's items by status. */
export function batchProgress(items: readonly { status: ImageBatchItemStatus }[]): ImageBatchProgress {
  const progress: ImageBatchProgress = {
    total: items.length,
    queued: 0,
    submitting: 0,
    running: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    done: 0,
    fraction: 0,
  };
  for (const { status } of items) {
    if (status === 'pending' || status === 'processing') progress.running += 1;
    else progress[status] += 1;
  }
  progress.done = progress.completed + progress.failed + progress.cancelled;
  progress.fraction = progress.total === 0 ? 0 : progress.done / progress.total;
  return progress;
}

/**
 * One prompt, several variations: copies of `input` that differ only in their seed. Pass the seeds,
 * or a count for that many random ones. Each task returns one image, so this is how to get N.
 */
export function seedVariations(input: GenerateImageInput, seeds: number | readonly number[]): GenerateImageInput[] {
  const list = typeof seeds === 'number' ? Array.from({ length: Math.max(0, Math.floor(seeds)) }, () => randomSeed()) : seeds;
  return list.map((seed) => ({ ...input, seed }));
}
