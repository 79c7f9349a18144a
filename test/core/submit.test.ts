import { describe, expect, test, vi } from 'vitest';
import { ImageGenError } from '../../src/core/errors.js';
import { readTask, submitGeneration } from '../../src/core/submit.js';
import type { ImageFetcher, ImageTask } from '../../src/core/types.js';

function fetcherReturning(task: ImageTask): ImageFetcher & { generate: ReturnType<typeof vi.fn>; getTask: ReturnType<typeof vi.fn> } {
  return { generate: vi.fn(async () => task), getTask: vi.fn(async () => task) };
}

describe('submitGeneration', () => {
  test('hands the fetcher the validated input, with the default model, once', async () => {
    const fetcher = fetcherReturning({ taskId: 't1', status: 'pending', raw: {} });
    await submitGeneration(fetcher, { prompt: '  a fox ', seed: 3 });
    expect(fetcher.generate).toHaveBeenCalledTimes(1);
    expect(fetcher.generate.mock.calls[0]![0]).toEqual({ prompt: 'a fox', model: 'gemini-3.1-flash-image-preview', seed: 3 });
  });

  test('refuses bad input without calling the fetcher', async () => {
    const fetcher = fetcherReturning({ taskId: 't1', status: 'pending', raw: {} });
    await expect(submitGeneration(fetcher, { prompt: ' ' })).rejects.toMatchObject({ kind: 'validation', field: 'prompt' });
    expect(fetcher.generate).not.toHaveBeenCalled();
  });

  test('wraps whatever a custom fetcher throws', async () => {
    const fetcher: ImageFetcher = {
      generate: async () => {
        throw new Error('server action exploded');
      },
      getTask: async () => {
        throw new Error('unused');
      },
    };
    const error = await submitGeneration(fetcher, { prompt: 'a fox' }).catch((e: unknown) => e);
    expect(ImageGenError.isImageGenError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'network', message: expect.stringContaining('server action exploded') });
  });
});

describe('a custom fetcher’s completed task', () => {
  test.each(['javascript:alert(1)', 'data:image/png;base64,AAAA', '/relative.png', undefined])(
    'with image URL %j is a bad_response, from generate and from getTask',
    async (imageUrl) => {
      const fetcher = fetcherReturning({ taskId: 't1', status: 'completed', imageUrl, raw: {} });
      await expect(submitGeneration(fetcher, { prompt: 'a fox' })).rejects.toMatchObject({ kind: 'bad_response' });
      await expect(readTask(fetcher, 't1')).rejects.toMatchObject({ kind: 'bad_response' });
    },
  );

  test('with an https image URL passes through unchanged', async () => {
    const task: ImageTask = { taskId: 't1', status: 'completed', imageUrl: 'https://cdn.example.com/0.png', raw: {} };
    await expect(readTask(fetcherReturning(task), 't1')).resolves.toBe(task);
  });
});
