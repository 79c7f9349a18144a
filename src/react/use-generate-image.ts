'use client';
import { useMutation, type UseMutationOptions, type UseMutationResult } from '@tanstack/react-query';
import type { ImageGenError } from '../core/errors.js';
import { submitGeneration } from '../core/submit.js';
import type { GenerateImageInput, ImageTask } from '../core/types.js';
import { useImageGenContext } from './provider.js';

/** Options of `useGenerateImage`: TanStack Query's mutation options, less those that would re-send a billed POST. */
export type UseGenerateImageOptions = Omit<
  UseMutationOptions<ImageTask, ImageGenError, GenerateImageInput>,
  'mutationFn' | 'retry' | 'retryDelay' | 'networkMode'
>;

/**
 * Starts a generation: validates, then sends exactly one POST. Resolves with the new task (usually
 * still pending); poll it with `useTaskStatus`. Never retried: a POST that reached the server may be billed.
 */
export function useGenerateImage(
  options: UseGenerateImageOptions = {},
): UseMutationResult<ImageTask, ImageGenError, GenerateImageInput> {
  const { fetcher, queryClient } = useImageGenContext('useGenerateImage');
  return useMutation<ImageTask, ImageGenError, GenerateImageInput>(
    {
      ...options,
      mutationFn: (input) => submitGeneration(fetcher, input),
      retry: false,
      // Offline, fail at once rather than queue a paid request to fire whenever the network returns.
      networkMode: 'always',
    },
    queryClient,
  );
}
