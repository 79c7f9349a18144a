import type { QueryClient } from './query-core.js';
import { deferred, EngineObserver, type Deferred, type EngineOptions } from './engine-observer.js';
import { ImageGenError, toImageGenError } from './errors.js';
import { GenerationRun } from './generation-run.js';
import { addToHistory, DEFAULT_HISTORY_SIZE, entryTask, persistableInput, removeFromHistory, type PersistedGeneration } from './history.js';
import { rateLimitWait, submitFailureAction } from './submit-queue.js';
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

/** A generation's promise, until it settles. */
interface InFlight extends Deferred<ImageTask> {
  machine: GenerationRun;
}

/** Why a generation stopped by Cancel, reset or unmount rejects. */
const stoppedError = () =>
  new ImageGenError({ kind: 'aborted', message: 'Stopped waiting. A task the server already accepted may still finish and use credits.' });

/**
 * Prompt to finished image, without React: one POST per generation (a mutation under
 * `imageGenKeys.generate`), then its task polled until it completes or fails, with the recent
 * results kept as a history. `useImageGeneration` is a thin adapter over it.
 */
export class GenerationObserver extends EngineObserver<GenerationResult, GenerationObserverOptions> {
  /** The generation on screen (its state machine); undefined when idle. */
  #machine: GenerationRun | undefined;
  /** When the generation on screen was started, and first seen finished. */
  #startedAt = 0;
  #completedAt: number | undefined;
  /** True once the generation on screen is in the history (or was removed from it): it is listed once. */
  #listed = false;
  #history: PersistedGeneration[] = [];
  #inFlight: InFlight | undefined;
  /** Aborts the POST in flight. */
  #controller: AbortController | undefined;
  /** The wait before sending again after a 429. */
  #resend: ReturnType<typeof setTimeout> | undefined;

  constructor(client: QueryClient, options: GenerationObserverOptions) {
    super(client, options);
    this.result = this.buildResult();
  }

  generate = (input: GenerateImageInput): Promise<ImageTask> => {
    if (this.#inFlight) return this.#inFlight.promise;
    // A stored generation may be about to resume: decide once it has.
    if (this.restoring) return this.afterRestore(this.restoring, () => this.generate(input), () => Promise.reject(stoppedError()));
    const machine = new GenerationRun(this.context, input);
    const pending = this.#expect(machine);
    this.#show(machine, Date.now());
    this.#send(machine, 0);
    return pending.promise;
  };

  cancel = (): void => {
    this.stops += 1;
    if (this.#inFlight) this.reset();
  };

  reset = (): void => {
    this.stop();
    this.#show(undefined);
  };

  removeFromHistory = (taskId: string): void => {
    this.#history = removeFromHistory(this.#history, taskId);
    this.update();
  };

  stop(): void {
    this.stops += 1;
    const pending = this.#inFlight;
    if (!pending) return;
    clearTimeout(this.#resend);
    this.#controller?.abort();
    pending.machine.stop();
    this.#settle(pending.machine, { error: stoppedError() });
  }

  protected runs(): readonly GenerationRun[] {
    return this.#machine ? [this.#machine] : [];
  }

  /** Sends the POST; after a 429 it waits and sends again, by the policy batches follow too. */
  #send(machine: GenerationRun, resends: number): void {
    const controller = (this.#controller = new AbortController());
    machine.apply({ type: 'submitting' });
    machine.submit(controller.signal).then(
      (task) => controller.signal.aborted || machine.apply({ type: 'accepted', task }),
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        const error = toImageGenError(reason, controller.signal);
        const wait = rateLimitWait(error, resends + 1);
        if (submitFailureAction(error, resends, wait) !== 'requeue') return machine.apply({ type: 'failed', error });
        machine.apply({ type: 'rate_limited', error, retryAt: Date.now() + wait });
        this.#resend = setTimeout(() => this.#send(machine, resends + 1), wait);
      },
    );
  }

  #expect(machine: GenerationRun): InFlight {
    const pending = deferred<ImageTask>();
    // Marks the promise handled: callers that only read `status` need not catch it.
    pending.promise.catch(() => undefined);
    return (this.#inFlight = { ...pending, machine });
  }

  /** Shows this generation (or none), polling its task while someone listens. */
  #show(machine: GenerationRun | undefined, startedAt = 0, completedAt?: number): void {
    this.#machine?.dispose();
    this.#machine = machine;
    this.#startedAt = startedAt;
    this.#completedAt = completedAt;
    this.#listed = completedAt !== undefined;
    machine?.listen(this.listening);
    this.update();
  }

  protected buildResult(): GenerationResult {
    const machine = this.#machine;
    const item = machine?.item();
    const itemStatus = item?.status;
    const status: ImageGenerationStatus =
      !itemStatus || itemStatus === 'cancelled' ? 'idle'
      : itemStatus === 'queued' || itemStatus === 'submitting' ? 'submitting'
      : itemStatus;
    const result: GenerationResult = {
      status,
      generate: this.generate,
      imageUrl: item?.imageUrl,
      error: status === 'failed' ? item!.error : undefined,
      input: machine?.input,
      startedAt: machine && this.#startedAt,
      isBusy: status === 'submitting' || status === 'pending' || status === 'processing',
      history: this.#history,
      removeFromHistory: this.removeFromHistory,
      reset: this.reset,
      cancel: this.cancel,
    };
    // A getter: only components that read the task re-render for changes of its raw body.
    Object.defineProperty(result, 'task', { enumerable: true, get: () => item?.task });
    return result;
  }

  protected override update(): void {
    const machine = this.#machine;
    const item = machine?.item();
    // Listed in the same update that shows it finished: finishing costs one render.
    if (machine && item?.status === 'completed' && !this.#listed) {
      this.#listed = true;
      this.#completedAt = Date.now();
      const entry = { taskId: item.taskId!, input: persistableInput(machine.input), startedAt: this.#startedAt, imageUrl: item.imageUrl, completedAt: this.#completedAt };
      this.#history = addToHistory(this.#history, entry, this.options.historySize);
    }
    super.update();
    // Settled once the result that shows the outcome is out, so a callback that starts the next
    // generation starts it from there.
    if (!machine || this.#inFlight?.machine !== machine) return;
    const { status, error } = this.result;
    if (error) this.#settle(machine, { error });
    else if (status === 'completed') this.#settle(machine, { task: machine.task()! });
  }

  protected restoreEntries(entries: PersistedGeneration[]): readonly PersistedGeneration[] {
    const done = entries.filter((e) => e.imageUrl);
    const resumable = entries.find((e) => !e.imageUrl);
    this.#history = done.slice(0, Math.max(0, this.options.historySize ?? DEFAULT_HISTORY_SIZE));
    // A running task is resumed, else the latest result is shown; never over a generation in flight.
    const shown = this.#inFlight ? undefined : (resumable ?? done[0]);
    if (shown) {
      const task = entryTask(shown);
      if (shown !== resumable) restoreTask(this.client, task);
      const machine = new GenerationRun(this.context, shown.input, 0, { task, startedAt: shown.startedAt });
      if (shown === resumable) this.#expect(machine);
      this.#show(machine, shown.startedAt, shown.completedAt);
    } else if (!this.#inFlight) {
      // A new key (another user, say) with nothing to show: the previous key's result goes, or it
      // would be listed, and stored, under this one.
      this.#show(undefined);
    }
    return shown === resumable && resumable ? [resumable, ...this.#history] : this.#history;
  }

  protected entries(): readonly PersistedGeneration[] {
    const machine = this.#machine;
    const item = machine?.item();
    if (!machine || !item?.taskId || (item.status !== 'pending' && item.status !== 'processing')) return this.#history;
    return [{ taskId: item.taskId, input: persistableInput(machine.input), startedAt: this.#startedAt }, ...this.#history];
  }

  #settle(machine: GenerationRun, outcome: { task: ImageTask } | { error: ImageGenError }): void {
    const pending = this.#inFlight;
    if (pending?.machine !== machine) return;
    this.#inFlight = undefined;
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
