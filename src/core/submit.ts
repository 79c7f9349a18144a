import { ImageGenError, toImageGenError } from './errors.js';
import type { GenerateImageInput, ImageFetcher, ImageTask } from './types.js';
import { isHttpUrl, validateGenerateInput } from './validation.js';

// The HTTP fetcher already refuses these, but a custom fetcher hands its task over as is: a
// "completed" task must carry an image URL that is safe to show and to send back as a reference.
function checkTask(task: ImageTask): ImageTask {
  if (task.status === 'completed' && !isHttpUrl(task.imageUrl)) {
    throw new ImageGenError({
      kind: 'bad_response',
      message: 'The image service reported the task complete but sent no usable image URL.',
      task,
      body: task.raw,
    });
  }
  return task;
}

// Every fetcher call goes through here: whatever it throws becomes an ImageGenError, and what it
// returns is checked.
function call(request: () => Promise<ImageTask>, signal: AbortSignal | undefined): Promise<ImageTask> {
  let pending: Promise<ImageTask>;
  try {
    pending = Promise.resolve(request());
  } catch (error) {
    return Promise.reject(toImageGenError(error, signal));
  }
  // A promise chain, not an async function: this runs on every poll of every task.
  return pending.then(checkTask, (error: unknown) => {
    throw toImageGenError(error, signal);
  });
}

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
  return call(() => fetcher.generate(valid, { signal }), signal);
}

/** Reads a task through any fetcher, with its errors normalised. */
export function readTask(fetcher: ImageFetcher, taskId: string, signal?: AbortSignal): Promise<ImageTask> {
  return call(() => fetcher.getTask(taskId, { signal }), signal);
}
