import { toImageGenError } from './errors.js';
import type { GenerateImageInput, ImageFetcher, ImageTask } from './types.js';
import { validateGenerateInput } from './validation.js';

/**
 * The one way a generation is started: validated first, so no fetcher (HTTP or not) is ever handed
 * bad input, and exactly one call to `fetcher.generate`, never retried.
 */
export async function submitGeneration(
  fetcher: ImageFetcher,
  input: GenerateImageInput,
  signal?: AbortSignal,
): Promise<ImageTask> {
  const valid = validateGenerateInput(input);
  try {
    return await fetcher.generate(valid, { signal });
  } catch (error) {
    throw toImageGenError(error, signal);
  }
}

/** Reads a task through any fetcher, with its errors normalised. */
export async function readTask(fetcher: ImageFetcher, taskId: string, signal?: AbortSignal): Promise<ImageTask> {
  try {
    return await fetcher.getTask(taskId, { signal });
  } catch (error) {
    throw toImageGenError(error, signal);
  }
}
