'use client';
import type { QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import { batchProgress, isSettledItem, type ImageBatchItemStatus, type ImageBatchProgress } from '../core/batch.js';
import type { ImageGenError } from '../core/errors.js';
import {
  entryTask,
  persistableInput,
  type PersistedGeneration,
  type PersistOption,
} from '../core/persist.js';
import { taskFailedError } from '../core/status.js';
import { toTaskView, type TaskView } from '../core/task-view.js';
import { submitGeneration } from '../core/submit.js';
import { clampConcurrency, createSubmitQueue, type SubmitQueue, type SubmitUpdate } from '../core/submit-queue.js';
import type { GenerateImageInput, ImageTask } from '../core/types.js';
import { useImageGenContext } from './provider.js';
import { useStopOnUnmount } from './use-stop-on-unmount.js';
import { usePersistedEntries } from './use-persisted-entries.js';
import { imageGenKeys } from './query-keys.js';
import { TaskObservers, type ObservedTask, type TaskSnapshot } from './task-observers.js';
import { restoreTask, seedTask, taskQueryOptions, type TaskQueryOptions, type UseTaskStatusOptions } from './use-task-status.js';

/** Options of `useImageBatch`. */
export interface UseImageBatchOptions extends Omit<UseTaskStatusOptions, 'enabled'> {
  /** POSTs in flight at once. Default 4: the rest wait their turn, in order. Polls are not capped. */
  concurrency?: number;
  /**
   * Resume after reload: a storage key (in `localStorage`) or `{ key, storage }`. The batch's
   * accepted tasks are stored, running or finished; after a reload the running ones are polled
   * again without a new POST, and the finished ones are shown. Items that were never accepted are
   * not stored. Unreadable content is ignored with a warning.
   */
  persist?: PersistOption;
}

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
}

/** What `useImageBatch` returns. */
export interface UseImageBatchResult {
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

interface Slot {
  input: GenerateImageInput;
  phase: 'queued' | 'submitting' | 'accepted' | 'failed' | 'cancelled';
  /** The task the POST returned (or storage held); its id is polled. */
  accepted?: ImageTask;
  error?: ImageGenError;
  retryAt?: number;
  /** When its POST was sent (or, restored, when it was first sent). */
  startedAt?: number;
}

interface Batch {
  id: number;
  slots: readonly Slot[];
}

interface InFlight {
  id: number;
  promise: Promise<ImageBatchItem[]>;
  resolve(items: ImageBatchItem[]): void;
  queue?: SubmitQueue;
}

/** One item as last derived, with what it was derived from. */
interface Cell {
  slot: Slot;
  snapshot: TaskSnapshot | undefined;
  item: ImageBatchItem;
}

function createInFlight(id: number): InFlight {
  let resolve!: (items: ImageBatchItem[]) => void;
  const promise = new Promise<ImageBatchItem[]>((res) => {
    resolve = res;
  });
  return { id, promise, resolve };
}

function applyUpdate(slot: Slot, update: SubmitUpdate): Slot {
  switch (update.type) {
    case 'submitting':
      return { input: slot.input, phase: 'submitting', startedAt: Date.now() };
    case 'accepted':
      return { ...slot, phase: 'accepted', accepted: update.task, error: undefined, retryAt: undefined };
    case 'rate_limited':
      return { input: slot.input, phase: 'queued', error: update.error, retryAt: update.retryAt };
    case 'failed':
      return { input: slot.input, phase: 'failed', error: update.error, startedAt: slot.startedAt };
  }
}

/** The whole task as the cache has it now, else as the POST (or storage) gave it. */
function fullTask(queryClient: QueryClient, slot: Slot): ImageTask | undefined {
  if (!slot.accepted) return undefined;
  return queryClient.getQueryData<ImageTask>(imageGenKeys.task(slot.accepted.taskId)) ?? slot.accepted;
}

/**
 * An item from its slot and its task's snapshot. `task` is a getter: reading it tells the hook that
 * the raw body matters (so polls that change only the body re-render from then on); it returns the
 * task as the cache has it at that moment.
 */
function deriveItem(index: number, slot: Slot, snapshot: TaskSnapshot | undefined, task: () => ImageTask | undefined): ImageBatchItem {
  const item: ImageBatchItem = { index, input: slot.input, status: 'failed' };
  if (slot.phase !== 'accepted' || !slot.accepted) {
    item.status = slot.phase === 'accepted' ? 'failed' : slot.phase;
    if (slot.error) item.error = slot.error;
    if (slot.retryAt !== undefined) item.retryAt = slot.retryAt;
  } else {
    const current: ImageTask | TaskView = snapshot?.data ?? slot.accepted;
    const error = snapshot?.error ?? (current.status === 'failed' ? taskFailedError(task() ?? slot.accepted) : undefined);
    item.status = error ? 'failed' : current.status;
    if (error) item.error = error;
    else if (current.status === 'completed') item.imageUrl = current.imageUrl;
  }
  if (slot.accepted) {
    item.taskId = slot.accepted.taskId;
    Object.defineProperty(item, 'task', { enumerable: true, get: task });
  }
  return item;
}

function cancelledItem(item: ImageBatchItem, task: ImageTask | undefined): ImageBatchItem {
  if (isSettledItem(item.status)) return item;
  const { index, input } = item;
  return task ? { index, input, status: 'cancelled', taskId: task.taskId, task } : { index, input, status: 'cancelled' };
}

const EMPTY: readonly ImageBatchItem[] = [];

/**
 * Many generations at once: one POST per input, at most `concurrency` in flight, a 429 pausing
 * every submit for its `Retry-After` (the refused item is sent again: a 429 is not billed), and each
 * accepted task polled like `useTaskStatus` (the same cache entries, so a gallery cell that calls
 * `useTaskStatus(id)` shares the poll). One item's failure does not stop the others.
 */
export function useImageBatch(options: UseImageBatchOptions = {}): UseImageBatchResult {
  const { fetcher, queryClient } = useImageGenContext('useImageBatch');
  const [batch, setBatch] = useState<Batch | null>(null);
  const inFlight = useRef<InFlight | null>(null);
  const nextId = useRef(0);
  const concurrency = options.concurrency;
  const { intervalMs, timeoutMs } = options;

  // Until something reads an item's `task`, the observers select a view of each task (status,
  // image, error), so polls that change only the raw body notify nobody.
  const readsTask = useRef(false);
  const wholeTasks = readsTask.current;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (readsTask.current && !wholeTasks) rerender();
  });

  // One QueryObserver per accepted task (see TaskObservers for why not useQueries); the cache
  // entries are the very ones `useTaskStatus` uses, so other components watching a task share its poll.
  const observers = useMemo(() => new TaskObservers(queryClient), [queryClient]);
  const slots = batch?.slots;
  const acceptedIds = useMemo(() => {
    const ids: string[] = [];
    for (const slot of slots ?? []) if (slot.phase === 'accepted' && slot.accepted) ids.push(slot.accepted.taskId);
    return ids;
  }, [slots]);
  // The ids' content, not the array's identity: a slot changing phase elsewhere changes nothing here.
  const idsKey = acceptedIds.join('\u0000');
  const latestSlots = useRef(slots);
  latestSlots.current = slots;
  const taskOptions = useMemo(() => {
    const shown = new Map<string, ImageTask>();
    for (const slot of latestSlots.current ?? []) if (slot.accepted) shown.set(slot.accepted.taskId, slot.accepted);
    const map = new Map<string, ObservedTask>();
    for (const id of idsKey === '' ? [] : idsKey.split('\u0000')) {
      const base = taskQueryOptions(fetcher, queryClient, id, { intervalMs, timeoutMs });
      const options = wholeTasks ? base : ({ ...base, select: toTaskView } as unknown as TaskQueryOptions);
      map.set(id, { options, shown: shown.get(id)! });
    }
    return map;
  }, [idsKey, fetcher, queryClient, intervalMs, timeoutMs, wholeTasks]);
  const applied = useRef<unknown[]>([]);
  useEffect(() => {
    const settings = [fetcher, intervalMs, timeoutMs, wholeTasks];
    const changed = settings.some((value, i) => !Object.is(value, applied.current[i]));
    applied.current = settings;
    observers.setTasks(taskOptions, changed);
  }, [observers, taskOptions, fetcher, intervalMs, timeoutMs, wholeTasks]);
  const snapshots = useSyncExternalStore(observers.subscribe, observers.getSnapshot, observers.getSnapshot);

  // Items keep their identity while nothing about them changed, so memoised cells do not re-render.
  const previous = useRef<{ cells: Cell[]; items: readonly ImageBatchItem[] }>({ cells: [], items: EMPTY });
  const items = useMemo(() => {
    if (!slots) return EMPTY;
    const before = previous.current.cells;
    let changed = slots.length !== before.length;
    const cells = slots.map((slot, index): Cell => {
      const snapshot = slot.phase === 'accepted' && slot.accepted ? snapshots.get(slot.accepted.taskId) : undefined;
      const cached = before[index];
      if (cached && cached.slot === slot && cached.snapshot === snapshot) return cached;
      changed = true;
      const task = () => {
        readsTask.current = true;
        return fullTask(queryClient, slot);
      };
      return { slot, snapshot, item: deriveItem(index, slot, snapshot, task) };
    });
    if (changed) previous.current = { cells, items: cells.map((c) => c.item) };
    return previous.current.items;
  }, [slots, snapshots, queryClient]);
  const latestItems = useRef(items);
  latestItems.current = items;

  const progress = useMemo(() => batchProgress(items), [items]);
  const isBusy = progress.done < progress.total;

  useEffect(() => {
    const current = inFlight.current;
    if (!batch || !current || current.id !== batch.id || isBusy) return;
    inFlight.current = null;
    current.resolve([...items]);
  }, [batch, items, isBusy]);

  const update = useCallback((id: number, index: number, change: (slot: Slot) => Slot) => {
    setBatch((b) => {
      if (!b || b.id !== id) return b;
      const slot = b.slots[index];
      if (!slot) return b;
      const next = [...b.slots];
      next[index] = change(slot);
      return { id, slots: next };
    });
  }, []);

  const generate = useCallback(
    (inputs: readonly GenerateImageInput[]): Promise<ImageBatchItem[]> => {
      if (inFlight.current) return inFlight.current.promise;
      const id = ++nextId.current;
      const list = [...inputs];
      setBatch({ id, slots: list.map((input) => ({ input, phase: 'queued' })) });
      if (list.length === 0) return Promise.resolve([]);
      const current = createInFlight(id);
      inFlight.current = current;
      current.queue = createSubmitQueue({
        count: list.length,
        concurrency: clampConcurrency(concurrency),
        submit: (index, signal) => submitGeneration(fetcher, list[index]!, signal),
        onUpdate: (index, change) => {
          if (change.type === 'accepted') seedTask(queryClient, change.task);
          update(id, index, (slot) => applyUpdate(slot, change));
        },
      });
      return current.promise;
    },
    [fetcher, queryClient, concurrency, update],
  );

  const stop = useCallback(() => {
    const current = inFlight.current;
    if (!current) return;
    inFlight.current = null;
    current.queue?.cancel();
    const stopped = latestItems.current.map((item, index) => {
      const slot = previous.current.cells[index]?.slot;
      return cancelledItem(item, slot ? fullTask(queryClient, slot) : undefined);
    });
    setBatch((b) => {
      if (!b || b.id !== current.id) return b;
      return {
        id: b.id,
        slots: b.slots.map((slot, index) =>
          stopped[index]?.status === 'cancelled' && slot.phase !== 'cancelled' ? { ...slot, phase: 'cancelled' } : slot,
        ),
      };
    });
    current.resolve(stopped);
  }, [queryClient]);

  const cancel = useCallback(() => stop(), [stop]);
  const reset = useCallback(() => {
    stop();
    setBatch(null);
  }, [stop]);

  useStopOnUnmount(stop);

  // Resume after reload: the stored tasks come back (running ones polled again), then storage
  // follows the accepted tasks.
  const completedAt = useRef(new Map<string, number>());
  usePersistedEntries(
    options.persist,
    (read) => {
      // Never over a batch in flight.
      const entries = inFlight.current ? [] : read();
      if (entries.length > 0) {
        const id = ++nextId.current;
        const slots: Slot[] = entries.map((entry) => {
          const task = entryTask(entry);
          if (entry.completedAt !== undefined) completedAt.current.set(entry.taskId, entry.completedAt);
          restoreTask(queryClient, task);
          return { input: entry.input, phase: 'accepted', accepted: task, startedAt: entry.startedAt };
        });
        if (entries.some((e) => e.imageUrl === undefined)) inFlight.current = createInFlight(id);
        setBatch({ id, slots });
      }
      return entries;
    },
    () => {
      const entries: PersistedGeneration[] = [];
      items.forEach((item, index) => {
        const slot = slots?.[index];
        if (!slot?.accepted || !item.task || (item.status !== 'pending' && item.status !== 'processing' && item.status !== 'completed')) return;
        const entry: PersistedGeneration = { taskId: item.task.taskId, input: persistableInput(item.input), startedAt: slot.startedAt ?? Date.now() };
        if (item.status === 'completed' && item.imageUrl) {
          // The time it was first seen finished, kept so the entry does not change.
          let at = completedAt.current.get(entry.taskId);
          if (at === undefined) {
            at = Date.now();
            completedAt.current.set(entry.taskId, at);
          }
          entry.imageUrl = item.imageUrl;
          entry.completedAt = at;
        }
        entries.push(entry);
      });
      return entries;
    },
    [slots, items],
  );

  return { items, progress, isBusy, generate, cancel, reset };
}
