'use client';
import { BatchObserver, type BatchObserverOptions, type BatchResult } from '../core/batch-observer.js';
import { useImageGenContext } from './provider.js';
import { useEngineObserver } from './use-engine-observer.js';

export type { ImageBatchItem } from '../core/batch.js';

/** Options of `useImageBatch`. */
export type UseImageBatchOptions = Omit<BatchObserverOptions, 'fetcher'>;

/** What `useImageBatch` returns. */
export type UseImageBatchResult = BatchResult;

const create = (...args: ConstructorParameters<typeof BatchObserver>) => new BatchObserver(...args);

/**
 * Many generations at once: one POST per input, at most `concurrency` in flight, a 429 pausing
 * every submit for its `Retry-After`, and each accepted task polled like `useTaskStatus` (the same
 * cache entries, so a gallery cell that calls `useTaskStatus(id)` shares the poll). Over `BatchObserver`.
 */
export function useImageBatch(options: UseImageBatchOptions = {}): UseImageBatchResult {
  const { fetcher, queryClient } = useImageGenContext('useImageBatch');
  return useEngineObserver(create, queryClient, { ...options, fetcher });
}
