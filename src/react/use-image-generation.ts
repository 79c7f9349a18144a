'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ImageGenError } from '../core/errors.js';
import { taskFailedError } from '../core/status.js';
import { submitGeneration } from '../core/submit.js';
import type { GenerateImageInput, ImageTask } from '../core/types.js';
import { useImageGenContext } from './provider.js';
import { seedTask, useTaskStatus, type UseTaskStatusOptions } from './use-task-status.js';

/** Options of `useImageGeneration`. */
export type UseImageGenerationOptions = Omit<UseTaskStatusOptions, 'enabled'>;

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
  id: number;
  promise: Promise<ImageTask>;
  resolve(task: ImageTask): void;
  reject(error: ImageGenError): void;
  controller: AbortController;
}

function abortedError(): ImageGenError {
  return new ImageGenError({
    kind: 'aborted',
    message: 'Stopped waiting for the image. If the server had already accepted it, it may still finish and use credits.',
  });
}

/**
 * Prompt to finished image in one hook: one POST per generation, then polling until the task
 * completes or fails. The headless core of `<ImageGenerator>`.
 */
export function useImageGeneration(options: UseImageGenerationOptions = {}): UseImageGenerationResult {
  const { fetcher, queryClient } = useImageGenContext('useImageGeneration');
  const [run, setRun] = useState<Run | null>(null);
  // The gate for generate(): a ref, not state, so two clicks in one tick still see the first.
  const inFlight = useRef<InFlight | null>(null);
  const nextId = useRef(0);

  const query = useTaskStatus(run?.accepted?.taskId, options);
  const task = run?.accepted ? (query.data ?? run.accepted) : undefined;
  const taskError = useMemo(() => (task?.status === 'failed' ? taskFailedError(task) : undefined), [task]);
  const pollError = run?.accepted ? query.error : null;
  const error = run?.error ?? pollError ?? taskError;

  let status: ImageGenerationStatus;
  if (!run) status = 'idle';
  else if (error) status = 'failed';
  else if (!task) status = 'submitting';
  else status = task.status;

  const settle = useCallback((id: number, outcome: { task: ImageTask } | { error: ImageGenError }) => {
    const current = inFlight.current;
    if (!current || current.id !== id) return;
    inFlight.current = null;
    if ('task' in outcome) current.resolve(outcome.task);
    else current.reject(outcome.error);
  }, []);

  useEffect(() => {
    if (!run) return;
    if (error) settle(run.id, { error });
    else if (task?.status === 'completed') settle(run.id, { task });
  }, [run, task, error, settle]);

  const stop = useCallback(() => {
    const current = inFlight.current;
    if (!current) return;
    current.controller.abort();
    settle(current.id, { error: abortedError() });
  }, [settle]);

  // On a real unmount, reject the pending promise so nothing awaits forever. Deferred, because
  // StrictMode unmounts and remounts at once and the generation must survive that untouched.
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      setTimeout(() => {
        if (!mounted.current) stop();
      }, 0);
    };
  }, [stop]);

  const generate = useCallback(
    (input: GenerateImageInput): Promise<ImageTask> => {
      if (inFlight.current) return inFlight.current.promise;
      const id = ++nextId.current;
      const controller = new AbortController();
      let resolve!: (task: ImageTask) => void;
      let reject!: (error: ImageGenError) => void;
      const promise = new Promise<ImageTask>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Marks the promise handled: callers that only read `status` need not catch it.
      promise.catch(() => undefined);
      inFlight.current = { id, promise, resolve, reject, controller };
      setRun({ id, input, startedAt: Date.now() });

      submitGeneration(fetcher, input, controller.signal).then(
        (accepted) => {
          if (inFlight.current?.id !== id) return;
          seedTask(queryClient, accepted);
          setRun((r) => (r?.id === id ? { ...r, accepted } : r));
        },
        (error: ImageGenError) => {
          if (inFlight.current?.id !== id) return;
          setRun((r) => (r?.id === id ? { ...r, error } : r));
        },
      );
      return promise;
    },
    [fetcher, queryClient],
  );

  const cancel = useCallback(() => {
    if (!inFlight.current) return;
    stop();
    setRun(null);
  }, [stop]);

  const reset = useCallback(() => {
    stop();
    setRun(null);
  }, [stop]);

  return {
    status,
    generate,
    task,
    imageUrl: task?.status === 'completed' ? task.imageUrl : undefined,
    error,
    input: run?.input,
    startedAt: run?.startedAt,
    isBusy: status === 'submitting' || status === 'pending' || status === 'processing',
    reset,
    cancel,
  };
}
