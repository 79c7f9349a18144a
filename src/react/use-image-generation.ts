'use client';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { ImageGenError } from '../core/errors.js';
import {
  addToHistory,
  DEFAULT_HISTORY_SIZE,
  entryTask,
  persistableInput,
  removeFromHistory as withoutTask,
  type PersistedGeneration,
  type PersistOption,
} from '../core/persist.js';
import { taskFailedError } from '../core/status.js';
import { toTaskView, type TaskView } from '../core/task-view.js';
import { submitGeneration } from '../core/submit.js';
import type { GenerateImageInput, ImageTask } from '../core/types.js';
import { useImageGenContext } from './provider.js';
import { useStopOnUnmount } from './use-stop-on-unmount.js';
import { imageGenKeys } from './query-keys.js';
import { usePersistedEntries } from './use-persisted-entries.js';
import { restoreTask, seedTask, taskQueryOptions, type TaskQueryOptions, type UseTaskStatusOptions } from './use-task-status.js';

/** Options of `useImageGeneration`. */
export interface UseImageGenerationOptions extends Omit<UseTaskStatusOptions, 'enabled'> {
  /**
   * Resume after reload: a storage key (in `localStorage`) or `{ key, storage }`. The task in flight
   * and the finished results are stored; after a reload, polling of that task resumes without a new
   * POST, and the last result and the history are shown. Unreadable content is ignored with a warning.
   */
  persist?: PersistOption;
  /** Finished results kept in `history`, newest first. Default 12. */
  historySize?: number;
  /** Called once per generation with the finished task, including one resumed after a reload. */
  onComplete?(task: ImageTask): void;
  /** Called once per failed generation; not when it is cancelled or reset. */
  onError?(error: ImageGenError): void;
}

/** Where a generation stands: `idle`, then `submitting` (the POST), `pending`/`processing` (polling), then `completed` or `failed`. */
export type ImageGenerationStatus = 'idle' | 'submitting' | 'pending' | 'processing' | 'completed' | 'failed';

/** What `useImageGeneration` returns. */
export interface UseImageGenerationResult {
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

interface Run {
  id: number;
  input: GenerateImageInput;
  startedAt: number;
  /** The task the POST returned: its id is polled, and it is shown until the first poll answers. */
  accepted?: ImageTask;
  /** A failure before polling began (validation, the POST itself). */
  error?: ImageGenError;
}

interface InFlight {
  run: Run;
  promise: Promise<ImageTask>;
  resolve(task: ImageTask): void;
  reject(error: ImageGenError): void;
  controller: AbortController;
}

function createInFlight(run: Run): InFlight {
  let resolve!: (task: ImageTask) => void;
  let reject!: (error: ImageGenError) => void;
  const promise = new Promise<ImageTask>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Marks the promise handled: callers that only read `status` need not catch it.
  promise.catch(() => undefined);
  return { run, promise, resolve, reject, controller: new AbortController() };
}

/**
 * Prompt to finished image in one hook: one POST per generation, then polling until the task
 * completes or fails. The headless core of `<ImageGenerator>`.
 */
export function useImageGeneration(options: UseImageGenerationOptions = {}): UseImageGenerationResult {
  const { fetcher, queryClient } = useImageGenContext('useImageGeneration');
  const [run, setRun] = useState<Run | null>(null);
  // The results before the current generation's. The current one is added while rendering (below),
  // not by a state update from an effect: such updates, in 500 components finishing together,
  // overflowed React's nested-update limit (`npm run bench`).
  const [earlier, setEarlier] = useState<PersistedGeneration[]>([]);
  // A generation whose result is not added to the history: restored (already there) or removed.
  const [unlisted, setUnlisted] = useState<number>();
  // The history as last rendered, for the actions that fold it into `earlier`.
  const latestHistory = useRef<PersistedGeneration[]>([]);
  // The gate for generate(): a ref, not state, so two clicks in one tick still see the first.
  const inFlight = useRef<InFlight | null>(null);
  const nextId = useRef(0);
  const latest = useRef(options);
  latest.current = options;

  // Until something reads `task`, the query selects a view of the task (status, image, error), so
  // polls that change only the raw body (a `progress` field, say) do not re-render the component.
  const readsTask = useRef(false);
  const wholeTask = readsTask.current;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (readsTask.current && !wholeTask) rerender();
  });

  const accepted = run?.accepted;
  const base = taskQueryOptions(fetcher, queryClient, accepted?.taskId ?? '', options);
  const query = useQuery<ImageTask, ImageGenError, ImageTask | TaskView, readonly unknown[]>(
    (wholeTask ? base : { ...base, select: toTaskView }) as TaskQueryOptions,
    queryClient,
  );
  const current: ImageTask | TaskView | undefined = accepted ? (query.data ?? accepted) : undefined;
  // The whole task: this render's, or with a view, the cache's at the moment of asking.
  const wholeOf = (): ImageTask | undefined => {
    if (!accepted) return undefined;
    if (wholeTask && query.data) return query.data as ImageTask;
    return queryClient.getQueryData<ImageTask>(imageGenKeys.task(accepted.taskId)) ?? accepted;
  };
  const taskError = useMemo(
    () => (current?.status === 'failed' ? taskFailedError(wholeOf() ?? (current as ImageTask)) : undefined),
    // Rebuilt when the view changes; the body at that moment is the one the error carries.
    [current],
  );
  const error = run?.error ?? (accepted ? query.error : null) ?? taskError;

  let status: ImageGenerationStatus;
  if (!run) status = 'idle';
  else if (error) status = 'failed';
  else if (!current) status = 'submitting';
  else status = current.status;

  const settle = useCallback((id: number, outcome: { task: ImageTask } | { error: ImageGenError }) => {
    const pending = inFlight.current;
    if (pending?.run.id !== id) return;
    inFlight.current = null;
    const { onComplete, onError } = latest.current;
    if ('task' in outcome) {
      pending.resolve(outcome.task);
      onComplete?.(outcome.task);
    } else {
      pending.reject(outcome.error);
      if (outcome.error.kind !== 'aborted') onError?.(outcome.error);
    }
  }, []);

  useEffect(() => {
    if (!run) return;
    if (error) settle(run.id, { error });
    else if (current?.status === 'completed') settle(run.id, { task: wholeOf() ?? (current as ImageTask) });
    // wholeOf reads this render's data or the cache; `current` stands for both.
  }, [run, current, error, settle]);

  const stop = useCallback(() => {
    const pending = inFlight.current;
    if (!pending) return;
    pending.controller.abort();
    settle(pending.run.id, {
      error: new ImageGenError({
        kind: 'aborted',
        message: 'Stopped waiting for the image. If the server had already accepted it, it may still finish and use credits.',
      }),
    });
  }, [settle]);

  useStopOnUnmount(stop);

  const generate = useCallback(
    (input: GenerateImageInput): Promise<ImageTask> => {
      if (inFlight.current) return inFlight.current.promise;
      const id = ++nextId.current;
      const pending = createInFlight({ id, input, startedAt: Date.now() });
      inFlight.current = pending;
      // The last result stays in the history while the next one runs.
      setEarlier(latestHistory.current);
      setRun(pending.run);
      const update = (change: Partial<Run>) => {
        if (inFlight.current === pending) setRun((r) => (r?.id === id ? { ...r, ...change } : r));
      };
      submitGeneration(fetcher, input, pending.controller.signal).then(
        (task) => {
          if (inFlight.current === pending) seedTask(queryClient, task);
          update({ accepted: task });
        },
        (error: ImageGenError) => update({ error }),
      );
      return pending.promise;
    },
    [fetcher, queryClient],
  );

  const reset = useCallback(() => {
    stop();
    setEarlier(latestHistory.current);
    setRun(null);
  }, [stop]);

  const cancel = useCallback(() => {
    if (inFlight.current) reset();
  }, [reset]);

  const finished = status === 'completed' && run?.id !== unlisted ? current : undefined;
  const history = useMemo(() => {
    if (!run || !finished?.imageUrl) return earlier;
    // When the cache received the finished task: recorded by TanStack Query when the answer came,
    // so rendering reads no clock (server and client renders stay the same).
    const completedAt = queryClient.getQueryState(imageGenKeys.task(finished.taskId))?.dataUpdatedAt || run.startedAt;
    const entry: PersistedGeneration = {
      taskId: finished.taskId,
      input: persistableInput(run.input),
      startedAt: run.startedAt,
      imageUrl: finished.imageUrl,
      completedAt,
    };
    return addToHistory(earlier, entry, options.historySize);
  }, [earlier, run, finished, options.historySize, queryClient]);
  latestHistory.current = history;

  const removeFromHistory = useCallback(
    (taskId: string) => {
      // At once, not at the next render: a reset() or generate() in the same handler folds this
      // history into `earlier` and must not bring the entry back.
      latestHistory.current = withoutTask(latestHistory.current, taskId);
      setEarlier((h) => withoutTask(h, taskId));
      if (run?.accepted?.taskId === taskId) setUnlisted(run.id);
    },
    [run],
  );

  const running = status === 'pending' || status === 'processing';

  // Resume after reload: the stored task in flight is polled again, and the stored results return.
  usePersistedEntries(
    options.persist,
    (read) => {
      const entries = read();
      const done = entries.filter((e) => e.imageUrl);
      const resumable = entries.find((e) => !e.imageUrl);
      const kept = done.slice(0, Math.max(0, latest.current.historySize ?? DEFAULT_HISTORY_SIZE));
      setEarlier(kept);
      // A running task is resumed, else the latest result is shown; never over a generation in flight.
      const shown = inFlight.current ? undefined : (resumable ?? done[0]);
      const resumed = shown === resumable ? resumable : undefined;
      if (shown) {
        const restored: Run = { id: ++nextId.current, input: shown.input, startedAt: shown.startedAt, accepted: entryTask(shown) };
        if (resumed) {
          inFlight.current = createInFlight(restored);
        } else {
          setUnlisted(restored.id);
          restoreTask(queryClient, restored.accepted!);
        }
        setRun(restored);
      } else if (!inFlight.current) {
        // A new key (another user, say) with nothing to show: the previous key's result goes, or it
        // would be listed, and stored, under this one.
        setRun(null);
      }
      return resumed ? [resumed, ...kept] : kept;
    },
    () => {
      if (!running || !run?.accepted) return history;
      const inProgress = { taskId: run.accepted.taskId, input: persistableInput(run.input), startedAt: run.startedAt };
      return [inProgress, ...history];
    },
    [running, run, history],
  );

  const result: UseImageGenerationResult = {
    status,
    generate,
    imageUrl: current?.status === 'completed' ? current.imageUrl : undefined,
    error,
    input: run?.input,
    startedAt: run?.startedAt,
    isBusy: status === 'submitting' || running,
    history,
    removeFromHistory,
    reset,
    cancel,
  };
  // A getter, so that only components that read the task re-render for changes of its raw body.
  Object.defineProperty(result, 'task', {
    enumerable: true,
    get: () => {
      readsTask.current = true;
      return wholeOf();
    },
  });
  return result;
}
