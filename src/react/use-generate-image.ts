'use client';
import { useMutation, type UseMutationOptions, type UseMutationResult } from '@tanstack/react-query';
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
 * billed. `useMutation(generateMutationOptions(…))` with the provider's fetcher and cache.
 */
export function useGenerateImage(
  options: UseGenerateImageOptions = {},
): UseMutationResult<ImageTask, ImageGenError, GenerateImageInput> {
  const { fetcher, queryClient } = useImageGenContext('useGenerateImage');
  const base = generateMutationOptions({ fetcher });
  return useMutation({ ...options, ...base, mutationKey: options.mutationKey ?? base.mutationKey }, queryClient);
}
