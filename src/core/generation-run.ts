import { MutationObserver, notifyManager, QueryObserver, type QueryClient, type QueryObserverOptions } from './query-core.js';
import { isSettledItem, type ImageBatchItem } from './batch.js';
import type { ImageGenError } from './errors.js';
import { generateMutationOptions } from './generate-mutation.js';
import { imageGenKeys } from './query-keys.js';
import { taskFailedError } from './status.js';
import type { SubmitUpdate } from './submit-queue.js';
import { taskQueryOptions, type TaskQueryConfig, type TaskQueryKey } from './task-query.js';
import { toTaskView, type TaskView } from './task-view.js';
import type { GenerateImageInput, ImageTask } from './types.js';

/** How a run sends and polls; shared by the runs of one observer, and changed by its `setOptions`. */
export interface RunSettings extends Omit<TaskQueryConfig, 'enabled'> {
  /** POSTs in flight at once, for a batch. Default 4. */
  concurrency?: number;
}

type TaskObserver = QueryObserver<ImageTask, ImageGenError, ImageTask | TaskView, ImageTask, TaskQueryKey>;
type TaskObserverOptions = QueryObserverOptions<ImageTask, ImageGenError, ImageTask | TaskView, ImageTask, TaskQueryKey>;

/** The runs of one observer: how they poll, whether a whole task was ever read, and whom to tell. */
export interface RunContext {
  client: QueryClient;
  settings: RunSettings;
  /** Once someone read a whole task, every task is observed whole, so changes of its raw body are seen. */
  wholeTasks: boolean;
  /** Called when any run changes what it shows. */
  changed(): void;
  /** Called the first time someone reads a whole task: `wholeTasks` goes on, and every run refreshes. */
  watchWholeTasks(): void;
}


/**
 * One generation's state machine, the one single generations and batches share: queued, submitted
 * as a mutation under `imageGenKeys.generate`, accepted and polled as its task query (a
 * `QueryObserver` on the very cache entry `useTaskStatus` uses), settled, or cancelled. Its `item`
 * says where it stands, and keeps its identity while nothing about it changed.
 *
 * The task's observer notifies only when its data or error changes, and selects a view of the task
 * (status, image, error) until someone reads a whole task, so a poll that changes nothing costs
 * nothing here.
 */
export class GenerationRun {
  readonly input: GenerateImageInput;
  /** Its place in its batch; 0 for a single generation. */
  readonly index: number;
  readonly #context: RunContext;
  #phase: 'queued' | 'submitting' | 'accepted' | 'failed' | 'cancelled' = 'queued';
  #accepted: ImageTask | undefined;
  #error: ImageGenError | undefined;
  #retryAt: number | undefined;
  /** When its POST was sent (or, restored, when it was first sent). */
  startedAt: number | undefined;
  #observer: TaskObserver | undefined;
  #unsubscribe: (() => void) | undefined;
  #seen: { data: ImageTask | TaskView | undefined; error: ImageGenError | null } | undefined;
  #item: ImageBatchItem | undefined;
  #listening = false;
  #disposed = false;

  /** A new generation (queued), or, given its task, one the server accepted before a reload. */
  constructor(context: RunContext, input: GenerateImageInput, index = 0, restored?: { task: ImageTask; startedAt: number }) {
    this.#context = context;
    this.input = input;
    this.index = index;
    if (restored) this.#accept(restored.task, restored.startedAt);
  }

  /** Sends its POST: one mutation, never retried by itself. */
  submit(signal: AbortSignal): Promise<ImageTask> {
    const { client, settings } = this.#context;
    const mutation = new MutationObserver(client, generateMutationOptions({ fetcher: settings.fetcher, signal }));
    // Reset once settled: the mutation stays in the cache (for the devtools, until its gcTime) but no
    // longer holds this observer.
    return mutation.mutate(this.input).finally(() => mutation.reset());
  }

  /** Takes what happened to its POST. */
  apply(update: SubmitUpdate): void {
    if (update.type === 'accepted') {
      // Already seeded by the mutation, so the first read waits one interval.
      this.#accept(update.task, this.startedAt ?? Date.now());
      if (this.#listening) this.listen(true);
    } else {
      this.#phase = update.type === 'rate_limited' ? 'queued' : update.type;
      this.#error = update.type === 'submitting' ? undefined : update.error;
      this.#retryAt = update.type === 'rate_limited' ? update.retryAt : undefined;
      if (update.type === 'submitting') this.startedAt = Date.now();
    }
    this.#changed();
  }

  // Accepted: its task is polled from now on, on the cache entry `useTaskStatus` uses.
  #accept(task: ImageTask, startedAt: number): void {
    this.#phase = 'accepted';
    this.#accepted = task;
    this.#error = this.#retryAt = undefined;
    this.startedAt = startedAt;
    this.#observer = new QueryObserver(this.#context.client, this.#options(task.taskId));
    this.#see(this.#observer.getCurrentResult());
  }

  /** Polls while something listens; `false` stops polling but keeps what was seen. */
  listen(on: boolean): void {
    this.#listening = on;
    if (!on || !this.#observer) {
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
      return;
    }
    this.#unsubscribe ??= this.#observer.subscribe((result) => this.#see(result) && this.#changed());
    // Subscribing may have answered from the cache at once (a finished task, a fresher read).
    if (this.#see(this.#observer.getCurrentResult())) this.#changed();
  }

  /** Applies the context's settings to its task's observer (new transport, polling, or whole tasks). */
  refresh(): void {
    if (this.#accepted) this.#observer?.setOptions(this.#options(this.#accepted.taskId));
  }

  /** Stops polling for good; unless it finished, it is `cancelled`, keeping its task if it had one. */
  stop(): void {
    this.listen(false);
    this.#observer = undefined;
    if (isSettledItem(this.item().status)) return;
    this.#phase = 'cancelled';
    this.#changed();
  }

  /** Forgets it: polling stops, and nothing it does any more is told. */
  dispose(): void {
    this.listen(false);
    this.#observer = undefined;
    this.#disposed = true;
  }

  /** The whole task, as the cache has it now; undefined until the server accepted it. */
  task(): ImageTask | undefined {
    const accepted = this.#accepted;
    return accepted && (this.#context.client.getQueryData<ImageTask>(imageGenKeys.task(accepted.taskId)) ?? accepted);
  }

  /** Where it stands: the same object while nothing about it changed, so memoised cells do not re-render. */
  item(): ImageBatchItem {
    if (this.#item) return this.#item;
    const accepted = this.#accepted;
    const item: ImageBatchItem = { index: this.index, input: this.input, status: 'failed' };
    let error = this.#error;
    if (this.#phase === 'accepted' && accepted) {
      const current = this.#seen?.data ?? accepted;
      error = this.#seen?.error ?? (current.status === 'failed' ? taskFailedError(this.task() ?? accepted) : undefined);
      item.status = error ? 'failed' : current.status;
      if (current.status === 'completed' && !error) item.imageUrl = current.imageUrl;
    } else {
      item.status = this.#phase === 'accepted' ? 'failed' : this.#phase;
      if (this.#retryAt !== undefined) item.retryAt = this.#retryAt;
    }
    if (error) item.error = error;
    if (this.startedAt !== undefined) item.startedAt = this.startedAt;
    if (accepted) {
      item.taskId = accepted.taskId;
      // A getter: reading the task is what opts in to changes of its raw body. It is read while
      // rendering, so the switch waits for the next notification batch.
      Object.defineProperty(item, 'task', {
        enumerable: true,
        get: () => {
          if (!this.#context.wholeTasks) notifyManager.schedule(() => this.#context.watchWholeTasks());
          return this.task();
        },
      });
    }
    return (this.#item = item);
  }

  #options(taskId: string): TaskObserverOptions {
    const options: TaskObserverOptions = { ...taskQueryOptions(taskId, this.#context.settings), notifyOnChangeProps: ['data', 'error'] };
    return this.#context.wholeTasks ? options : { ...options, select: toTaskView };
  }

  /** Records what the task's query says; true when that changed. */
  #see({ data, error }: { data: ImageTask | TaskView | undefined; error: ImageGenError | null }): boolean {
    if (this.#seen && this.#seen.data === data && this.#seen.error === error) return false;
    this.#seen = { data, error };
    this.#item = undefined;
    return true;
  }

  #changed(): void {
    this.#item = undefined;
    if (!this.#disposed) this.#context.changed();
  }
}
