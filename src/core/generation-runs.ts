import { MutationObserver, notifyManager, QueryObserver, type QueryClient, type QueryObserverOptions } from '@tanstack/query-core';
import type { ImageBatchItem, ImageBatchItemStatus } from './batch.js';
import type { ImageGenError } from './errors.js';
import { generateMutationOptions } from './generate-mutation.js';
import { imageGenKeys } from './query-keys.js';
import { taskFailedError } from './status.js';
import { clampConcurrency, createSubmitQueue, type SubmitQueue, type SubmitUpdate } from './submit-queue.js';
import { seedTask, taskQueryOptions, type TaskQueryConfig, type TaskQueryKey } from './task-query.js';
import { toTaskView, type TaskView } from './task-view.js';
import type { GenerateImageInput, ImageTask } from './types.js';

/** How generations are sent and polled. */
export interface RunSettings extends Omit<TaskQueryConfig, 'enabled'> {
  /** POSTs in flight at once. Default 4. */
  concurrency?: number;
}

/** One generation's own state, before its task's poll is taken into account. */
interface Slot {
  input: GenerateImageInput;
  phase: 'queued' | 'submitting' | 'accepted' | 'failed' | 'cancelled';
  /** The task the POST returned (or storage held): its id is polled. */
  accepted?: ImageTask;
  error?: ImageGenError;
  retryAt?: number;
  /** When its POST was sent (or, restored, when it was first sent). */
  startedAt?: number;
}

/** What a generation's task query last said. */
interface Seen {
  data: ImageTask | TaskView | undefined;
  error: ImageGenError | null;
}

type TaskObserver = QueryObserver<ImageTask, ImageGenError, ImageTask | TaskView, ImageTask, TaskQueryKey>;
type TaskObserverOptions = QueryObserverOptions<ImageTask, ImageGenError, ImageTask | TaskView, ImageTask, TaskQueryKey>;

interface Watch {
  observer: TaskObserver;
  unsubscribe?: () => void;
}

/** An item as last derived, with what it was derived from: kept while neither changed. */
interface Cell {
  slot: Slot;
  seen: Seen | undefined;
  item: ImageBatchItem;
}

const SETTLED: readonly ImageBatchItemStatus[] = ['completed', 'failed', 'cancelled'];

/** A generation restored from storage: accepted, running or finished. */
export interface RestoredRun {
  input: GenerateImageInput;
  task: ImageTask;
  startedAt: number;
}

function applyUpdate(slot: Slot, update: SubmitUpdate): Slot {
  const { input } = slot;
  switch (update.type) {
    case 'submitting':
      return { input, phase: 'submitting', startedAt: Date.now() };
    case 'accepted':
      return { input, phase: 'accepted', accepted: update.task, startedAt: slot.startedAt };
    case 'rate_limited':
      return { input, phase: 'queued', error: update.error, retryAt: update.retryAt };
    case 'failed':
      return { input, phase: 'failed', error: update.error, startedAt: slot.startedAt };
  }
}

/**
 * The state machine every generation goes through, one or many at a time: queued, submitted as a
 * mutation under `imageGenKeys.generate` (at most `concurrency` POSTs in flight, a 429 pausing every
 * submit), accepted and polled as its task query (one `QueryObserver` per task, on the very cache
 * entries `useTaskStatus` uses), settled, cancelled. `GenerationObserver` runs one generation on
 * it and `BatchObserver` many; both derive what they show from `items`.
 *
 * A task's observer notifies only when its data or error changes, and selects a view of the task
 * (status, image, error) until someone reads a whole task, so a poll that changes nothing costs
 * nothing here.
 */
export class GenerationRuns {
  readonly #client: QueryClient;
  readonly #onChange: () => void;
  #settings: RunSettings;
  #slots: Slot[] = [];
  #queue: SubmitQueue | undefined;
  readonly #watches = new Map<string, Watch>();
  /** What each task's query last said; kept when polling stops, so a stopped batch still shows it. */
  readonly #seen = new Map<string, Seen>();
  #listening = false;
  #wholeTasks = false;
  #cells: Cell[] = [];
  /** Every generation, in the order given; the same array (and items) until something changes. */
  items: readonly ImageBatchItem[] = [];

  constructor(client: QueryClient, settings: RunSettings, onChange: () => void) {
    this.#client = client;
    this.#settings = settings;
    this.#onChange = onChange;
  }

  /** True while any generation is queued, submitting or polling. */
  get busy(): boolean {
    return this.items.some((item) => !SETTLED.includes(item.status));
  }

  /** Applies new settings; the task observers take them when the transport or the polling changed. */
  setSettings(settings: RunSettings): void {
    const before = this.#settings;
    this.#settings = settings;
    if (settings.fetcher !== before.fetcher || settings.intervalMs !== before.intervalMs || settings.timeoutMs !== before.timeoutMs) {
      this.#applyOptions();
    }
  }

  /** From now on every task is observed whole, so changes of its raw body are seen too. */
  watchWholeTasks(): void {
    if (this.#wholeTasks) return;
    this.#wholeTasks = true;
    this.#applyOptions();
  }

  /** Starts one generation per input, replacing whatever ran before (which must be stopped first). */
  start(inputs: readonly GenerateImageInput[]): void {
    this.#reset(inputs.map((input) => ({ input, phase: 'queued' })));
    const { fetcher, concurrency } = this.#settings;
    const slots = this.#slots;
    this.#queue = createSubmitQueue({
      count: slots.length,
      concurrency: clampConcurrency(concurrency),
      submit: (index, signal) => {
        const mutation = new MutationObserver(this.#client, generateMutationOptions({ fetcher, signal }));
        // Reset once settled: the mutation stays in the cache (for the devtools, until its gcTime),
        // but no longer holds this observer.
        return mutation.mutate(slots[index]!.input).finally(() => mutation.reset());
      },
      onUpdate: (index, update) => {
        if (update.type === 'accepted') seedTask(this.#client, update.task);
        this.#setSlot(index, applyUpdate(slots[index]!, update));
      },
    });
  }

  /** Shows generations accepted before a reload: finished ones as they were, running ones polled again. */
  restore(runs: readonly RestoredRun[]): void {
    this.#reset(runs.map(({ input, task, startedAt }) => ({ input, phase: 'accepted', accepted: task, startedAt })));
    this.#slots.forEach((slot) => this.#watch(slot));
    this.#derive();
  }

  /**
   * Stops: nothing more is sent, POSTs in flight are aborted, polling stops, and every unfinished
   * generation becomes `cancelled` (keeping its task, if it had one). Finished ones stay.
   */
  stop(): void {
    this.#queue?.cancel();
    this.#queue = undefined;
    this.#unwatchAll();
    const stopped = this.items.some((item) => !SETTLED.includes(item.status));
    if (!stopped) return;
    this.#slots = this.#slots.map((slot, index) => (SETTLED.includes(this.items[index]!.status) ? slot : { ...slot, phase: 'cancelled' }));
    this.#derive();
  }

  /** Stops and forgets every generation. */
  clear(): void {
    this.#reset([]);
    this.#derive();
  }

  /** Polls while something listens; `false` stops every poll but keeps what was seen. */
  listen(on: boolean): void {
    this.#listening = on;
    for (const [taskId, watch] of this.#watches) {
      if (on) watch.unsubscribe ??= this.#subscribe(taskId, watch);
      else {
        watch.unsubscribe?.();
        watch.unsubscribe = undefined;
      }
    }
    if (on) this.#derive();
  }

  /** When a generation's POST was sent (or, restored, first sent). */
  startedAt(index: number): number | undefined {
    return this.#slots[index]?.startedAt;
  }

  /** The whole task of an accepted generation, as the cache has it now. */
  task(index: number): ImageTask | undefined {
    const accepted = this.#slots[index]?.accepted;
    if (!accepted) return undefined;
    return this.#client.getQueryData<ImageTask>(imageGenKeys.task(accepted.taskId)) ?? accepted;
  }

  #reset(slots: Slot[]): void {
    this.#queue?.cancel();
    this.#queue = undefined;
    this.#unwatchAll();
    this.#seen.clear();
    this.#slots = slots;
  }

  #setSlot(index: number, slot: Slot): void {
    this.#slots = this.#slots.map((s, i) => (i === index ? slot : s));
    if (slot.phase === 'accepted') this.#watch(slot);
    this.#derive();
  }

  #options(taskId: string): TaskObserverOptions {
    const options: TaskObserverOptions = { ...taskQueryOptions(taskId, this.#settings), notifyOnChangeProps: ['data', 'error'] };
    return this.#wholeTasks ? options : { ...options, select: toTaskView };
  }

  #watch(slot: Slot): void {
    const taskId = slot.accepted!.taskId;
    if (this.#watches.has(taskId)) return;
    const observer: TaskObserver = new QueryObserver(this.#client, this.#options(taskId));
    const watch: Watch = { observer };
    this.#watches.set(taskId, watch);
    this.#see(taskId, observer.getCurrentResult());
    if (this.#listening) watch.unsubscribe = this.#subscribe(taskId, watch);
  }

  /** Records what a task's query says; true when that changed. */
  #see(taskId: string, { data, error }: Seen): boolean {
    const before = this.#seen.get(taskId);
    if (before && before.data === data && before.error === error) return false;
    this.#seen.set(taskId, { data, error });
    return true;
  }

  #subscribe(taskId: string, watch: Watch): () => void {
    const unsubscribe = watch.observer.subscribe((result) => {
      if (this.#see(taskId, result)) this.#derive();
    });
    // Subscribing may have answered from the cache at once (a finished task, a fresher read).
    this.#see(taskId, watch.observer.getCurrentResult());
    return unsubscribe;
  }

  #unwatchAll(): void {
    for (const watch of this.#watches.values()) watch.unsubscribe?.();
    this.#watches.clear();
  }

  #applyOptions(): void {
    for (const [taskId, watch] of this.#watches) watch.observer.setOptions(this.#options(taskId));
  }

  // Items keep their identity while nothing about them changed, so memoised cells do not re-render.
  #derive(): void {
    const before = this.#cells;
    let changed = this.#slots.length !== before.length;
    this.#cells = this.#slots.map((slot, index): Cell => {
      const seen = slot.accepted ? this.#seen.get(slot.accepted.taskId) : undefined;
      const cached = before[index];
      if (cached && cached.slot === slot && cached.seen === seen) return cached;
      changed = true;
      return { slot, seen, item: this.#item(index, slot, seen) };
    });
    if (!changed) return;
    this.items = this.#cells.map((cell) => cell.item);
    this.#onChange();
  }

  #item(index: number, slot: Slot, seen: Seen | undefined): ImageBatchItem {
    const { input, phase, accepted } = slot;
    const item: ImageBatchItem = { index, input, status: 'failed' };
    let { error } = slot;
    if (phase === 'accepted' && accepted) {
      const current = seen?.data ?? accepted;
      error = seen?.error ?? (current.status === 'failed' ? taskFailedError(this.task(index) ?? accepted) : undefined);
      item.status = error ? 'failed' : current.status;
      if (current.status === 'completed' && !error) item.imageUrl = current.imageUrl;
    } else {
      item.status = phase === 'accepted' ? 'failed' : phase;
      if (slot.retryAt !== undefined) item.retryAt = slot.retryAt;
    }
    if (error) item.error = error;
    if (accepted) {
      item.taskId = accepted.taskId;
      // A getter: reading the task is what opts in to changes of its raw body. It is read while
      // rendering, so the switch waits for the next notification batch.
      Object.defineProperty(item, 'task', {
        enumerable: true,
        get: () => {
          if (!this.#wholeTasks) notifyManager.schedule(() => this.watchWholeTasks());
          return this.task(index);
        },
      });
    }
    return item;
  }
}
