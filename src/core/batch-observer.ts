import type { QueryClient } from '@tanstack/query-core';
import { batchProgress, type ImageBatchItem, type ImageBatchProgress } from './batch.js';
import { EngineObserver, type EngineOptions } from './engine-observer.js';
import { entryTask, persistableInput, type PersistedGeneration } from './history.js';
import { restoreTask } from './task-query.js';
import type { GenerateImageInput } from './types.js';

/** Options of `BatchObserver` (and of `useImageBatch`, which adds the fetcher from its provider). */
export type BatchObserverOptions = EngineOptions;

/** A batch's state and actions, as `useImageBatch` returns them. */
export interface BatchResult {
  /** Every item of the current batch, in the order given. Empty before the first batch. */
  items: readonly ImageBatchItem[];
  /** Counts by status, items done and the fraction done. */
  progress: ImageBatchProgress;
  /** True while any item is queued, submitting or polling. */
  isBusy: boolean;
  /**
   * Starts one generation per input (see `seedVariations` for one prompt with N seeds) and resolves
   * with every item once none is queued or running, whatever each outcome; it never rejects. While
   * a batch is busy it sends nothing and returns that batch's promise.
   */
  generate(inputs: readonly GenerateImageInput[]): Promise<ImageBatchItem[]>;
  /**
   * Stops the batch: nothing more is sent, POSTs in flight are aborted, polling stops, and every
   * unfinished item becomes `cancelled`; finished items stay. Tasks the server already accepted run
   * on and are billed.
   */
  cancel(): void;
  /** Cancels, then clears the batch. */
  reset(): void;
}

interface InFlight {
  promise: Promise<ImageBatchItem[]>;
  resolve(items: ImageBatchItem[]): void;
}

function createInFlight(): InFlight {
  let resolve!: (items: ImageBatchItem[]) => void;
  const promise = new Promise<ImageBatchItem[]>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/**
 * Many generations at once, without React: one POST per input, at most `concurrency` in flight, a
 * 429 pausing every submit for its `Retry-After` (the refused item is sent again: a 429 is not
 * billed), and each accepted task polled like `useTaskStatus`, on the same cache entries. One item's
 * failure does not stop the others. `useImageBatch` is a thin adapter over it.
 */
export class BatchObserver extends EngineObserver<BatchResult, BatchObserverOptions> {
  #inFlight: InFlight | null = null;
  /** When each task was first seen finished, so its stored entry never changes. */
  readonly #completedAt = new Map<string, number>();

  constructor(client: QueryClient, options: BatchObserverOptions) {
    super(client, options);
    this.result = this.buildResult();
  }

  generate = (inputs: readonly GenerateImageInput[]): Promise<ImageBatchItem[]> => {
    if (this.#inFlight) return this.#inFlight.promise;
    if (this.restoring) return this.restoring.then(() => this.generate(inputs));
    if (inputs.length === 0) {
      this.runs.clear();
      return Promise.resolve([]);
    }
    const pending = (this.#inFlight = createInFlight());
    this.runs.start(inputs);
    this.update();
    return pending.promise;
  };

  cancel = (): void => this.stop();

  reset = (): void => {
    this.stop();
    this.runs.clear();
  };

  stop(): void {
    const pending = this.#inFlight;
    if (!pending) return;
    this.#inFlight = null;
    this.runs.stop();
    pending.resolve([...this.runs.items]);
  }

  protected buildResult(): BatchResult {
    const { items } = this.runs;
    if (this.result?.items === items) return this.result;
    const progress = batchProgress(items);
    return { items, progress, isBusy: progress.done < progress.total, generate: this.generate, cancel: this.cancel, reset: this.reset };
  }

  protected override update(): void {
    super.update();
    const pending = this.#inFlight;
    if (!pending || this.result.isBusy) return;
    this.#inFlight = null;
    pending.resolve([...this.result.items]);
  }

  protected restoreEntries(entries: PersistedGeneration[]): readonly PersistedGeneration[] {
    // Never over a batch in flight.
    if (this.#inFlight || entries.length === 0) return this.#inFlight ? [] : entries;
    for (const entry of entries) {
      if (entry.completedAt !== undefined) this.#completedAt.set(entry.taskId, entry.completedAt);
      restoreTask(this.client, entryTask(entry));
    }
    if (entries.some((e) => e.imageUrl === undefined)) this.#inFlight = createInFlight();
    this.runs.restore(entries.map((entry) => ({ input: entry.input, task: entryTask(entry), startedAt: entry.startedAt })));
    return entries;
  }

  protected entries(): readonly PersistedGeneration[] {
    const entries: PersistedGeneration[] = [];
    for (const item of this.runs.items) {
      const { taskId, status, imageUrl } = item;
      if (!taskId || (status !== 'pending' && status !== 'processing' && status !== 'completed')) continue;
      const entry: PersistedGeneration = { taskId, input: persistableInput(item.input), startedAt: this.runs.startedAt(item.index) ?? Date.now() };
      if (status === 'completed' && imageUrl) {
        let at = this.#completedAt.get(taskId);
        if (at === undefined) this.#completedAt.set(taskId, (at = Date.now()));
        Object.assign(entry, { imageUrl, completedAt: at });
      }
      entries.push(entry);
    }
    return entries;
  }
}
