import type { QueryClient } from '@tanstack/query-core';
import { EngineObserver, type EngineOptions } from './engine-observer.js';
import { ImageGenError } from './errors.js';
import { addToHistory, DEFAULT_HISTORY_SIZE, entryTask, persistableInput, removeFromHistory, type PersistedGeneration } from './history.js';
import { restoreTask } from './task-query.js';
import type { GenerateImageInput, ImageTask } from './types.js';

/** Options of `GenerationObserver` (and of `useImageGeneration`, which adds the fetcher from its provider). */
export interface GenerationObserverOptions extends Omit<EngineOptions, 'concurrency'> {
  /** Finished results kept in `history`, newest first. Default 12. */
  historySize?: number;
  /** Called once per generation with the finished task, including one resumed after a reload. */
  onComplete?(task: ImageTask): void;
  /** Called once per failed generation; not when it is cancelled or reset. */
  onError?(error: ImageGenError): void;
}

/** Where a generation stands: `idle`, then `submitting` (the POST), `pending`/`processing` (polling), then `completed` or `failed`. */
export type ImageGenerationStatus = 'idle' | 'submitting' | 'pending' | 'processing' | 'completed' | 'failed';

/** One generation's state and actions, as `useImageGeneration` returns them. */
export interface GenerationResult {
  /** Where the current generation stands. */
  status: ImageGenerationStatus;
  /**
   * Starts a generation and resolves with the finished task, or rejects with an `ImageGenError`.
   * While one is in flight it sends nothing and returns that generation's promise. The promise
   * may be ignored: its outcome is also in `status`, `task` and `error`.
   */
  generate(input: GenerateImageInput): Promise<ImageTask>;
  /** The task as last seen; undefined until the server accepted it. */
  task?: ImageTask;
  /** The finished image's URL. */
  imageUrl?: string;
  /** Why the generation failed: the task's own message for `task_failed`. */
  error?: ImageGenError;
  /** The input of the current or last generation, e.g. for a Retry button or alt text. */
  input?: GenerateImageInput;
  /** When the current or last generation was started (ms since the epoch), for an elapsed-time display. */
  startedAt?: number;
  /** True while submitting or polling. */
  isBusy: boolean;
  /**
   * Recent finished results, newest first, at most `historySize`; with `persist` they survive a
   * reload. Each has the input (prompt, size, seed, references), the image URL and the times.
   */
  history: readonly PersistedGeneration[];
  /** Forgets one result of `history` (and in storage, with `persist`). */
  removeFromHistory(taskId: string): void;
  /** Clears the result and error, cancelling a generation in flight. */
  reset(): void;
  /**
   * Stops waiting: aborts a POST still in flight, stops polling, returns to `idle` and rejects the
   * pending promise with `kind: 'aborted'`. A task the server already accepted runs on and is billed.
   */
  cancel(): void;
}

/** The generation on screen. */
interface Run {
  id: number;
  input: GenerateImageInput;
  startedAt: number;
  /** When it was first seen finished, so its history entry never changes. */
  completedAt?: number;
}

interface InFlight {
  id: number;
  promise: Promise<ImageTask>;
  resolve(task: ImageTask): void;
  reject(error: ImageGenError): void;
}

function createInFlight(id: number): InFlight {
  let resolve!: (task: ImageTask) => void;
  let reject!: (error: ImageGenError) => void;
  const promise = new Promise<ImageTask>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Marks the promise handled: callers that only read `status` need not catch it.
  promise.catch(() => undefined);
  return { id, promise, resolve, reject };
}

/**
 * Prompt to finished image, without React: one POST per generation (a mutation under
 * `imageGenKeys.generate`), then its task polled until it completes or fails, with the recent
 * results kept as a history. `useImageGeneration` is a thin adapter over it.
 */
export class GenerationObserver extends EngineObserver<GenerationResult, GenerationObserverOptions> {
  #run: Run | null = null;
  #inFlight: InFlight | null = null;
  #nextId = 0;
  /** The results before the current generation's, which is added once it finishes. */
  #earlier: PersistedGeneration[] = [];
  /** A generation whose result is not added to the history: restored (already there) or removed. */
  #unlisted: number | undefined;
  #historyBasis: unknown[] = [];
  #historyValue: PersistedGeneration[] = [];

  constructor(client: QueryClient, options: GenerationObserverOptions) {
    super(client, options);
    this.result = this.buildResult();
  }

  generate = (input: GenerateImageInput): Promise<ImageTask> => {
    if (this.#inFlight) return this.#inFlight.promise;
    // A stored generation may be about to resume: decide once it has.
    if (this.restoring) return this.restoring.then(() => this.generate(input));
    const id = ++this.#nextId;
    // The last result stays in the history while the next one runs.
    this.#earlier = this.#history();
    this.#run = { id, input, startedAt: Date.now() };
    const pending = (this.#inFlight = createInFlight(id));
    this.runs.start([input]);
    this.update();
    return pending.promise;
  };

  cancel = (): void => {
    if (this.#inFlight) this.reset();
  };

  reset = (): void => {
    this.stop();
    this.#earlier = this.#history();
    this.#run = null;
    this.runs.clear();
    this.update();
  };

  removeFromHistory = (taskId: string): void => {
    this.#earlier = removeFromHistory(this.#earlier, taskId);
    if (this.#run && this.runs.items[0]?.taskId === taskId) this.#unlisted = this.#run.id;
    this.update();
  };

  stop(): void {
    const pending = this.#inFlight;
    if (!pending) return;
    this.runs.stop();
    this.#settle(pending.id, {
      error: new ImageGenError({
        kind: 'aborted',
        message: 'Stopped waiting for the image. If the server had already accepted it, it may still finish and use credits.',
      }),
    });
  }

  protected buildResult(): GenerationResult {
    const run = this.#run;
    const item = this.runs.items[0];
    const itemStatus = item?.status;
    const status: ImageGenerationStatus =
      !run || itemStatus === 'cancelled' ? 'idle'
      : !itemStatus || itemStatus === 'queued' || itemStatus === 'submitting' ? 'submitting'
      : itemStatus;
    const error = status === 'failed' ? item!.error : undefined;
    if (run && status === 'completed') run.completedAt ??= Date.now();
    const result: GenerationResult = {
      status,
      generate: this.generate,
      imageUrl: item?.imageUrl,
      error,
      input: run?.input,
      startedAt: run?.startedAt,
      isBusy: status === 'submitting' || status === 'pending' || status === 'processing',
      history: this.#history(),
      removeFromHistory: this.removeFromHistory,
      reset: this.reset,
      cancel: this.cancel,
    };
    // A getter: only components that read the task re-render for changes of its raw body.
    Object.defineProperty(result, 'task', { enumerable: true, get: () => (item && run ? item.task : undefined) });
    return result;
  }

  // Settled once the result that shows the outcome is out, so a callback that starts the next
  // generation starts it from there.
  protected override update(): void {
    super.update();
    const run = this.#run;
    if (!run || this.#inFlight?.id !== run.id) return;
    const { status, error } = this.result;
    if (error) this.#settle(run.id, { error });
    else if (status === 'completed') this.#settle(run.id, { task: this.runs.task(0)! });
  }

  protected restoreEntries(entries: PersistedGeneration[]): readonly PersistedGeneration[] {
    const done = entries.filter((e) => e.imageUrl);
    const resumable = entries.find((e) => !e.imageUrl);
    this.#earlier = done.slice(0, Math.max(0, this.options.historySize ?? DEFAULT_HISTORY_SIZE));
    // A running task is resumed, else the latest result is shown; never over a generation in flight.
    const shown = this.#inFlight ? undefined : (resumable ?? done[0]);
    if (shown) {
      const id = ++this.#nextId;
      const task = entryTask(shown);
      this.#run = { id, input: shown.input, startedAt: shown.startedAt, completedAt: shown.completedAt };
      if (shown === resumable) this.#inFlight = createInFlight(id);
      else {
        this.#unlisted = id;
        restoreTask(this.client, task);
      }
      this.runs.restore([{ input: shown.input, task, startedAt: shown.startedAt }]);
    } else if (!this.#inFlight) {
      // A new key (another user, say) with nothing to show: the previous key's result goes, or it
      // would be listed, and stored, under this one.
      this.#run = null;
      this.runs.clear();
    }
    return shown && shown === resumable ? [resumable, ...this.#earlier] : this.#earlier;
  }

  protected entries(): readonly PersistedGeneration[] {
    const history = this.#history();
    const item = this.runs.items[0];
    const run = this.#run;
    if (!run || !item?.taskId || (item.status !== 'pending' && item.status !== 'processing')) return history;
    return [{ taskId: item.taskId, input: persistableInput(run.input), startedAt: run.startedAt }, ...history];
  }

  // The same array while nothing it depends on changed, so a memoised list does not re-render.
  #history(): PersistedGeneration[] {
    const run = this.#run;
    const item = this.runs.items[0];
    const listed = run && run.id !== this.#unlisted && item?.status === 'completed' && item.imageUrl ? item : undefined;
    const basis = [this.#earlier, listed, this.options.historySize];
    if (basis.every((value, i) => value === this.#historyBasis[i])) return this.#historyValue;
    this.#historyBasis = basis;
    this.#historyValue = !listed
      ? this.#earlier
      : addToHistory(
          this.#earlier,
          {
            taskId: listed.taskId!,
            input: persistableInput(run!.input),
            startedAt: run!.startedAt,
            imageUrl: listed.imageUrl,
            completedAt: run!.completedAt!,
          },
          this.options.historySize,
        );
    return this.#historyValue;
  }

  #settle(id: number, outcome: { task: ImageTask } | { error: ImageGenError }): void {
    const pending = this.#inFlight;
    if (pending?.id !== id) return;
    this.#inFlight = null;
    const { onComplete, onError } = this.options;
    if ('task' in outcome) {
      pending.resolve(outcome.task);
      onComplete?.(outcome.task);
    } else {
      pending.reject(outcome.error);
      if (outcome.error.kind !== 'aborted') onError?.(outcome.error);
    }
  }
}
