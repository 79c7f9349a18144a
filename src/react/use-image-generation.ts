'use client';
import { GenerationObserver, type GenerationObserverOptions, type GenerationResult } from '../core/generation-observer.js';
import { useImageGenContext } from './provider.js';
import { useEngineObserver } from './use-engine-observer.js';

export type { ImageGenerationStatus } from '../core/generation-observer.js';

/** Options of `useImageGeneration`. */
export type UseImageGenerationOptions = Omit<GenerationObserverOptions, 'fetcher'>;

/** What `useImageGeneration` returns. */
export type UseImageGenerationResult = GenerationResult;

const create = (...args: ConstructorParameters<typeof GenerationObserver>) => new GenerationObserver(...args);

/**
 * Prompt to finished image in one hook: one POST per generation, then polling until the task
 * completes or fails. The headless core of `<ImageGenerator>`, over `GenerationObserver`.
 */
export function useImageGeneration(options: UseImageGenerationOptions = {}): UseImageGenerationResult {
  const { fetcher, queryClient } = useImageGenContext('useImageGeneration');
  return useEngineObserver(create, queryClient, { ...options, fetcher });
}
