import type { MutationObserverOptions } from '@tanstack/query-core';
import type { ImageGenError } from './errors.js';
import { imageGenKeys } from './query-keys.js';
import { submitGeneration } from './submit.js';
import type { GenerateImageInput, ImageFetcher, ImageTask } from './types.js';

/** What `generateMutationOptions` needs. */
export interface GenerateMutationConfig {
  /** The transport the POST goes through. */
  fetcher: ImageFetcher;
  /** Aborts the POST; the mutation then fails with `kind: 'aborted'`. */
  signal?: AbortSignal;
}

/** The options of a generation's POST, for `useMutation`, `MutationObserver` and the like. */
export type GenerateMutationOptions = MutationObserverOptions<ImageTask, ImageGenError, GenerateImageInput>;

/**
 * The mutation that starts a generation: validates, then sends exactly one POST (a billed request),
 * under `imageGenKeys.generate`, so `useIsMutating`, `MutationCache` callbacks and the devtools see
 * every generation. Never retried, and sent at once even offline rather than queued to fire
 * whenever the network returns.
 */
export function generateMutationOptions({ fetcher, signal }: GenerateMutationConfig): GenerateMutationOptions {
  return {
    mutationKey: imageGenKeys.generate,
    mutationFn: (input) => submitGeneration(fetcher, input, signal),
    retry: false,
    networkMode: 'always',
  };
}
