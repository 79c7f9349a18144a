'use client';
import { useMutation, type UseMutationOptions, type UseMutationResult } from '@tanstack/react-query';
import { useCallback, useRef } from 'react';
import type { ImageGenError } from '../core/errors.js';
import { generateMutationOptions } from '../core/generate-mutation.js';
import type { GenerateImageInput, ImageTask } from '../core/types.js';
import { useImageGenContext } from './provider.js';

/** Options of `useGenerateImage`: TanStack Query's mutation options, less those that would re-send a billed POST. */
export type UseGenerateImageOptions = Omit<
  UseMutationOptions<ImageTask, ImageGenError, GenerateImageInput>,
  'mutationFn' | 'retry' | 'retryDelay' | 'networkMode'
>;

/**
 * Starts a generation: validates, then sends exactly one POST. Resolves with the new task (usually
 * still pending); poll it with `useTaskStatus`. Never retried: a POST that reached the server may be
 * billed. `useMutation(generateMutationOptions(…))` with the provider's fetcher and cache, and one
 * guard: while a POST is in flight, `mutate`/`mutateAsync` send nothing (`mutateAsync` returns the
 * POST in flight), so a double click is one POST even before `isPending` has re-rendered a button.
 */
export function useGenerateImage(
  options: UseGenerateImageOptions = {},
): UseMutationResult<ImageTask, ImageGenError, GenerateImageInput> {
  const { fetcher, queryClient } = useImageGenContext('useGenerateImage');
  const base = generateMutationOptions({ fetcher });
  const mutation = useMutation({ ...options, ...base, mutationKey: options.mutationKey ?? base.mutationKey }, queryClient);
  const inFlight = useRef<Promise<ImageTask>>(undefined);
  const send = mutation.mutateAsync;
  const mutateAsync = useCallback<typeof send>(
    (input, callbacks) => (inFlight.current ??= send(input, callbacks).finally(() => (inFlight.current = undefined))),
    [send],
  );
  const mutate = useCallback<UseMutationResult<ImageTask, ImageGenError, GenerateImageInput>['mutate']>(
    (input, callbacks) => void mutateAsync(input, callbacks).catch(() => undefined),
    [mutateAsync],
  );
  return { ...mutation, mutate, mutateAsync };
}
