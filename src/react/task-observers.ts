'use client';
import { notifyManager, QueryObserver, type QueryClient } from '@tanstack/react-query';
import type { ImageGenError } from '../core/errors.js';
import type { TaskView } from '../core/task-view.js';
import type { ImageTask } from '../core/types.js';
import type { TaskQueryOptions } from './use-task-status.js';

/** What a batch knows of one task: its data (the task, or its view) and the error of its poll. */
export interface TaskSnapshot {
  data: ImageTask | TaskView | undefined;
  error: ImageGenError | null;
}

type Observer = QueryObserver<ImageTask, ImageGenError, ImageTask | TaskView, ImageTask, readonly unknown[]>;

/** A task to observe: its query's options, and the task the batch shows until the observer has a result. */
export interface ObservedTask {
  options: TaskQueryOptions;
  shown: ImageTask;
}

function sameView(a: ImageTask | TaskView | undefined, b: ImageTask): boolean {
  return a !== undefined && a.status === b.status && a.imageUrl === b.imageUrl && a.error === b.error;
}

/**
 * One `QueryObserver` per task, for `useImageBatch`, with a snapshot for `useSyncExternalStore` that
 * changes only when a task's data or error does. Each observer notifies only on `data`/`error`
 * (`notifyOnChangeProps`), so a poll that changes nothing costs the batch nothing.
 *
 * Not `useQueries`: its observer re-applies every query's options after each render and, finding
 * results that moved on (every poll changes `fetchStatus` and `dataUpdatedAt`), notifies again, so
 * a batch of polling tasks re-renders without end, at O(tasks) a render (measured: `npm run bench`).
 */
export class TaskObservers {
  readonly #client: QueryClient;
  readonly #observers = new Map<string, { observer: Observer; unsubscribe?: () => void }>();
  readonly #listeners = new Set<() => void>();
  #snapshot = new Map<string, TaskSnapshot>();

  constructor(client: QueryClient) {
    this.#client = client;
  }

  /** Observes exactly these tasks, each with its options (applied again only when `changed` says so). */
  setTasks(tasks: ReadonlyMap<string, ObservedTask>, changed: boolean): void {
    let dirty = false;
    for (const [taskId, entry] of this.#observers) {
      if (tasks.has(taskId)) continue;
      entry.unsubscribe?.();
      this.#observers.delete(taskId);
      dirty = true;
    }
    for (const [taskId, { options: taskOptions }] of tasks) {
      const known = this.#observers.get(taskId);
      const withNotify = { ...taskOptions, notifyOnChangeProps: ['data', 'error'] } as TaskQueryOptions;
      if (known) {
        if (changed) known.observer.setOptions(withNotify as never);
        continue;
      }
      const observer = new QueryObserver(this.#client, withNotify as never) as Observer;
      const entry: { observer: Observer; unsubscribe?: () => void } = { observer };
      this.#observers.set(taskId, entry);
      if (this.#listeners.size > 0) entry.unsubscribe = this.#watch(taskId, observer);
      dirty = true;
    }
    if (dirty || changed) this.#refresh(tasks);
  }

  /** For `useSyncExternalStore`: observing starts with the first listener and stops with the last. */
  subscribe = (listener: () => void): (() => void) => {
    const batched = notifyManager.batchCalls(listener);
    this.#listeners.add(batched);
    if (this.#listeners.size === 1) {
      for (const [taskId, entry] of this.#observers) entry.unsubscribe ??= this.#watch(taskId, entry.observer);
      this.#refresh();
    }
    return () => {
      this.#listeners.delete(batched);
      if (this.#listeners.size === 0) {
        for (const entry of this.#observers.values()) {
          entry.unsubscribe?.();
          entry.unsubscribe = undefined;
        }
      }
    };
  };

  /** Every task's data and error; the same object until one of them changes. */
  getSnapshot = (): ReadonlyMap<string, TaskSnapshot> => this.#snapshot;

  #shown: ReadonlyMap<string, ObservedTask> = new Map();

  #watch(taskId: string, observer: Observer): () => void {
    return observer.subscribe((result) => {
      const before = this.#snapshot.get(taskId);
      if (before && before.data === result.data && before.error === result.error) return;
      const next = new Map(this.#snapshot);
      next.set(taskId, { data: result.data, error: result.error });
      this.#snapshot = next;
      this.#emit();
    });
  }

  // Re-reads every observer. A task that is new here, whose result shows what the batch already
  // shows, joins the current snapshot in place: announcing it would re-render the batch for nothing.
  #refresh(tasks: ReadonlyMap<string, ObservedTask> = this.#shown): void {
    this.#shown = tasks;
    const next = new Map<string, TaskSnapshot>();
    let changed = false;
    for (const [taskId, { observer }] of this.#observers) {
      const { data, error } = observer.getCurrentResult();
      const before = this.#snapshot.get(taskId);
      if (before && before.data === data && before.error === error) {
        next.set(taskId, before);
        continue;
      }
      next.set(taskId, { data, error });
      const shown = tasks.get(taskId)?.shown;
      if (before || error || !shown || !sameView(data ?? shown, shown)) changed = true;
    }
    if (!changed) {
      // Same views throughout: keep the snapshot's identity (React sees no change) with the new contents.
      this.#snapshot.clear();
      for (const [taskId, entry] of next) this.#snapshot.set(taskId, entry);
      return;
    }
    this.#snapshot = next;
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
