import type { MutationObserverOptions } from './query-core.js';
import type { ImageGenError } from './errors.js';
import { toImageGenError } from './errors.js';
import { imageGenKeys } from './query-keys.js';
import { submitGeneration } from './submit.js';
import { seedTask } from './task-query.js';
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
 * every generation. The task it returns is put in the cache, so its query (`taskQueryOptions`)
 * first asks one interval later rather than at once. Never retried, and sent at once even offline
 * rather than queued to fire whenever the network returns.
 */
export function generateMutationOptions({ fetcher, signal }: GenerateMutationConfig): GenerateMutationOptions {
  return {
    mutationKey: imageGenKeys.generate,
    mutationFn: async (input, context) => {
      const task = await submitGeneration(fetcher, input, signal);
      // Cancelled while a fetcher that ignores the signal was answering: nobody waits for this task.
      if (signal?.aborted) throw toImageGenError(signal.reason, signal);
      // (The context, with its client, came with TanStack Query 5.8x; without it, polling asks at once.)
      if (context?.client) seedTask(context.client, task);
      return task;
    },
    retry: false,
    networkMode: 'always',
  };
}
