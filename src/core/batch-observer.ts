import type { QueryClient } from './query-core.js';
import { batchProgress, isSettledItem, type ImageBatchItem, type ImageBatchProgress } from './batch.js';
import { deferred, EngineObserver, type Deferred, type EngineOptions } from './engine-observer.js';
import { GenerationRun } from './generation-run.js';
import { entryTask, persistableInput, type PersistedGeneration } from './history.js';
import { clampConcurrency, createSubmitQueue, type SubmitQueue } from './submit-queue.js';
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
   * Sends one item again, replacing it: a failed or cancelled item with its own input (Retry), or
   * any finished one with another input, e.g. a new seed (Regenerate this one). One POST, in the
   * batch's queue: it waits out a 429's pause like the rest, and counts against `concurrency`. A
   * cancelled item whose task the server had already accepted (it runs on and is billed) is not
   * sent again: its task is watched again instead, with no POST. The others are untouched. Does
   * nothing for an item still queued or running. Returns the batch's promise, which resolves once
   * no item is busy.
   */
  retry(index: number, input?: GenerateImageInput): Promise<ImageBatchItem[]>;
  /**
   * Stops the batch: nothing more is sent, POSTs in flight are aborted, polling stops, and every
   * unfinished item becomes `cancelled`; finished items stay. Tasks the server already accepted run
   * on and are billed.
   */
  cancel(): void;
  /** Cancels, then clears the batch. */
  reset(): void;
}

type InFlight = Deferred<ImageBatchItem[]>;

/**
 * Many generations at once, without React: one POST per input, at most `concurrency` in flight, a
 * 429 pausing every submit for its `Retry-After` (the refused item is sent again: a 429 is not
 * billed), and each accepted task polled like `useTaskStatus`, on the same cache entries. One item's
 * failure does not stop the others. `useImageBatch` is a thin adapter over it.
 */
export class BatchObserver extends EngineObserver<BatchResult, BatchObserverOptions> {
  #inFlight: InFlight | null = null;
  #runs: GenerationRun[] = [];
  /** The batch's POSTs, Retries included: one pause after a 429, one `concurrency`. */
  #queue: SubmitQueue | undefined;
  #items: readonly ImageBatchItem[] = [];
  /** When each task was first seen finished, so its stored entry never changes. */
  readonly #completedAt = new Map<string, number>();

  constructor(client: QueryClient, options: BatchObserverOptions) {
    super(client, options);
    this.result = this.buildResult();
  }

  generate = (inputs: readonly GenerateImageInput[]): Promise<ImageBatchItem[]> => {
    if (this.#inFlight) return this.#inFlight.promise;
    if (this.restoring) return this.afterRestore(this.restoring, () => this.generate(inputs), () => Promise.resolve([...this.result.items]));
    const pending = inputs.length ? (this.#inFlight = deferred<ImageBatchItem[]>()) : undefined;
    // The last batch's finish times go with it.
    this.#completedAt.clear();
    const runs = this.#adopt(inputs.map((input, index) => new GenerationRun(this.context, input, index)));
    if (!pending) return Promise.resolve([]);
    this.#queue = this.#createQueue(runs.length);
    return pending.promise;
  };

  retry = (index: number, input?: GenerateImageInput): Promise<ImageBatchItem[]> => {
    const before = this.#runs[index];
    if (!before || !isSettledItem(before.item().status)) return this.#inFlight?.promise ?? Promise.resolve([...this.result.items]);
    // Cancelled after the server accepted it: that task runs on and is billed, so it is watched
    // again rather than paid for twice.
    const accepted = !input && before.item().status === 'cancelled' ? before.task() : undefined;
    const run = new GenerationRun(this.context, input ?? before.input, index, accepted && { task: accepted, startedAt: before.startedAt ?? Date.now() });
    before.dispose();
    this.#runs = this.#runs.map((r) => (r === before ? run : r));
    run.listen(this.listening);
    const pending = (this.#inFlight ??= deferred<ImageBatchItem[]>());
    if (!accepted) (this.#queue ??= this.#createQueue(0)).add(index);
    this.update();
    return pending.promise;
  };

  cancel = (): void => this.stop();

  reset = (): void => {
    this.stop();
    this.#adopt([]);
  };

  stop(): void {
    this.stops += 1;
    const pending = this.#inFlight;
    if (!pending) return;
    this.#inFlight = null;
    this.#stopQueues();
    for (const run of this.#runs) run.stop();
    pending.resolve([...this.result.items]);
  }

  protected runs(): readonly GenerationRun[] {
    return this.#runs;
  }

  // The one 429 policy (shared with single generations), applied across the batch: a 429 pauses
  // its every submit, and at most `concurrency` POSTs are in flight. Items are looked up when sent
  // and when told, so a Retry's new run is the one that sends.
  #createQueue(count: number): SubmitQueue {
    return createSubmitQueue({
      count,
      concurrency: clampConcurrency(this.options.concurrency),
      submit: (index, signal) => this.#runs[index]!.submit(signal),
      onUpdate: (index, update) => this.#runs[index]!.apply(update),
    });
  }

  #stopQueues(): void {
    this.#queue?.cancel();
    this.#queue = undefined;
  }

  /** Shows these runs instead of the last batch's, polling their tasks while someone listens. */
  #adopt(runs: GenerationRun[]): GenerationRun[] {
    this.#stopQueues();
    for (const run of this.#runs) run.dispose();
    this.#runs = runs;
    for (const run of runs) run.listen(this.listening);
    this.update();
    return runs;
  }

  protected buildResult(): BatchResult {
    // Items keep their identity while unchanged (see GenerationRun.item), and so does the list.
    const fresh = this.#runs.map((run) => run.item());
    const same = fresh.length === this.#items.length && fresh.every((item, i) => item === this.#items[i]);
    if (!same) this.#items = fresh;
    const items = this.#items;
    if (this.result?.items === items) return this.result;
    const progress = batchProgress(items);
    const { generate, retry, cancel, reset } = this;
    return { items, progress, isBusy: progress.done < progress.total, generate, retry, cancel, reset };
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
    if (entries.some((e) => e.imageUrl === undefined)) this.#inFlight = deferred<ImageBatchItem[]>();
    this.#adopt(entries.map((entry, index) => new GenerationRun(this.context, entry.input, index, { task: entryTask(entry), startedAt: entry.startedAt })));
    return entries;
  }

  protected entries(): readonly PersistedGeneration[] {
    const entries: PersistedGeneration[] = [];
    for (const run of this.#runs) {
      const { taskId, status, imageUrl } = run.item();
      if (!taskId || (status !== 'pending' && status !== 'processing' && status !== 'completed')) continue;
      const entry: PersistedGeneration = { taskId, input: persistableInput(run.input), startedAt: run.startedAt ?? Date.now() };
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
