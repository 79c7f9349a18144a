import { act, renderHook } from '@testing-library/react';
import {
  QueryClient,
  QueryClientProvider,
  focusManager,
  useQueryClient,
} from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { StrictMode, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { advance, withFakeClock } from '../render.js';
import { DEFAULT_MODEL } from '../../src/core/constants.js';
import { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import type { GenerateImageInput, ImageFetcher, ImageTask, RequestOptions } from '../../src/core/types.js';
import { ImageGenProvider, useImageGenContext } from '../../src/react/provider.js';
import { imageGenKeys } from '../../src/core/query-keys.js';
import { useGenerateImage } from '../../src/react/use-generate-image.js';
import { useImageGeneration } from '../../src/react/use-image-generation.js';
import { useTaskStatus } from '../../src/react/use-task-status.js';
import { API } from '../mock-api.js';
import { server } from '../msw-server.js';

/** Counts every request that reaches the network, whatever its path. */
function countAllRequests(): string[] {
  const seen: string[] = [];
  server.events.on('request:start', ({ request }) => {
    seen.push(`${request.method} ${request.url}`);
  });
  return seen;
}

/**
 * A fetcher that is not HTTP at all (as a server action or tRPC procedure would be): tasks are
 * scripted per id, and each `getTask` call takes the next status of the script (the last repeats).
 */
function createFakeFetcher(script: ImageTask['status'][] = ['processing', 'processing', 'completed']) {
  const reads = new Map<string, number>();
  let created = 0;
  const fetcher = {
    generate: vi.fn(async (input: GenerateImageInput, _options?: RequestOptions): Promise<ImageTask> => {
      created++;
      return { taskId: `fake-${created}`, status: 'pending', raw: { via: 'fake', input } };
    }),
    getTask: vi.fn(async (taskId: string, _options?: RequestOptions): Promise<ImageTask> => {
      const n = (reads.get(taskId) ?? 0) + 1;
      reads.set(taskId, n);
      const status = script[Math.min(n, script.length) - 1]!;
      const task: ImageTask = { taskId, status, raw: { via: 'fake', n } };
      if (status === 'completed') task.imageUrl = `https://files.example.com/${taskId}.png`;
      if (status === 'failed') task.error = 'Fake failure';
      return task;
    }),
  } satisfies ImageFetcher;
  return fetcher;
}

withFakeClock();

afterEach(() => {
  focusManager.setFocused(undefined);
  server.events.removeAllListeners();
});

describe('ImageGenProvider: which QueryClient', () => {
  it('uses its queryClient prop, even inside an app QueryClientProvider', async () => {
    const fetcher = createFakeFetcher(['completed']);
    const appClient = new QueryClient();
    const ownClient = new QueryClient();
    function Wrapper({ children }: { children: ReactNode }) {
      return (
        <QueryClientProvider client={appClient}>
          <ImageGenProvider fetcher={fetcher} queryClient={ownClient}>
            {children}
          </ImageGenProvider>
        </QueryClientProvider>
      );
    }
    const { result } = renderHook(
      () => ({ status: useTaskStatus('t1'), context: useImageGenContext('test'), app: useQueryClient() }),
      { wrapper: Wrapper },
    );
    await advance(0);
    expect(result.current.status.data?.status).toBe('completed');
    expect(result.current.context.queryClient).toBe(ownClient);
    expect(ownClient.getQueryData(imageGenKeys.task('t1'))).toMatchObject({ taskId: 't1', status: 'completed' });
    expect(appClient.getQueryData(imageGenKeys.task('t1'))).toBeUndefined();
    // The app's own queries still see the app's client.
    expect(result.current.app).toBe(appClient);
  });

  it("uses the app's surrounding QueryClientProvider when given no client: the task lands in that cache", async () => {
    const fetcher = createFakeFetcher(['completed']);
    const appClient = new QueryClient();
    function Wrapper({ children }: { children: ReactNode }) {
      return (
        <QueryClientProvider client={appClient}>
          <ImageGenProvider fetcher={fetcher}>{children}</ImageGenProvider>
        </QueryClientProvider>
      );
    }
    const { result } = renderHook(() => ({ status: useTaskStatus('t1'), context: useImageGenContext('test') }), {
      wrapper: Wrapper,
    });
    await advance(0);
    expect(result.current.status.data?.status).toBe('completed');
    expect(result.current.context.queryClient).toBe(appClient);
    expect(appClient.getQueryData(imageGenKeys.task('t1'))).toMatchObject({ taskId: 't1', status: 'completed', imageUrl: 'https://files.example.com/t1.png' });
  });

  it('makes a private client when there is neither, and keeps it across re-renders', async () => {
    const fetcher = createFakeFetcher(['completed']);
    function Wrapper({ children }: { children: ReactNode }) {
      return <ImageGenProvider fetcher={fetcher}>{children}</ImageGenProvider>;
    }
    const { result, rerender } = renderHook(() => ({ status: useTaskStatus('t1'), context: useImageGenContext('test') }), {
      wrapper: Wrapper,
    });
    await advance(0);
    const client = result.current.context.queryClient;
    expect(client).toBeInstanceOf(QueryClient);
    expect(client.getQueryData(imageGenKeys.task('t1'))).toMatchObject({ status: 'completed' });
    expect(result.current.status.data?.status).toBe('completed');

    rerender();
    await advance(10_000);
    expect(result.current.context.queryClient).toBe(client);
    expect(result.current.status.data?.status).toBe('completed');
    expect(fetcher.getTask).toHaveBeenCalledTimes(1);
  });

  it('keeps one private client under StrictMode: one request, and the result arrives', async () => {
    const fetcher = createFakeFetcher(['processing', 'completed']);
    const clients = new Set<QueryClient>();
    function Wrapper({ children }: { children: ReactNode }) {
      return (
        <StrictMode>
          <ImageGenProvider fetcher={fetcher}>{children}</ImageGenProvider>
        </StrictMode>
      );
    }
    const { result } = renderHook(
      () => {
        const context = useImageGenContext('test');
        clients.add(context.queryClient);
        return useTaskStatus('t1', { intervalMs: 1000 });
      },
      { wrapper: Wrapper },
    );
    await advance(0);
    expect(fetcher.getTask).toHaveBeenCalledTimes(1);
    await advance(1000);
    expect(result.current.data?.status).toBe('completed');
    expect(fetcher.getTask).toHaveBeenCalledTimes(2);
    expect(clients.size).toBe(1);
  });

  it('gives each provider without a client its own private cache', async () => {
    const fetcher = createFakeFetcher(['completed']);
    function Wrapper({ children }: { children: ReactNode }) {
      return <ImageGenProvider fetcher={fetcher}>{children}</ImageGenProvider>;
    }
    const a = renderHook(() => ({ status: useTaskStatus('t1'), context: useImageGenContext('test') }), { wrapper: Wrapper });
    await advance(0);
    const b = renderHook(() => ({ status: useTaskStatus('t1'), context: useImageGenContext('test') }), { wrapper: Wrapper });
    await advance(0);
    expect(b.result.current.context.queryClient).not.toBe(a.result.current.context.queryClient);
    expect(fetcher.getTask).toHaveBeenCalledTimes(2);
  });

  it('mounts a private client, so a running task is refetched when the window regains focus', async () => {
    const fetcher = createFakeFetcher(['processing']);
    function Wrapper({ children }: { children: ReactNode }) {
      return <ImageGenProvider fetcher={fetcher}>{children}</ImageGenProvider>;
    }
    renderHook(() => useTaskStatus('t1', { intervalMs: 1000 }), { wrapper: Wrapper });
    await advance(0);
    expect(fetcher.getTask).toHaveBeenCalledTimes(1);
    await act(async () => {
      focusManager.setFocused(false);
    });
    await advance(5000);
    expect(fetcher.getTask).toHaveBeenCalledTimes(1);
    await act(async () => {
      focusManager.setFocused(true);
    });
    await advance(0);
    expect(fetcher.getTask).toHaveBeenCalledTimes(2);
  });
});

describe('hooks outside ImageGenProvider', () => {
  const hooks: [string, () => unknown][] = [
    ['useTaskStatus', () => useTaskStatus('t1')],
    ['useGenerateImage', () => useGenerateImage()],
    ['useImageGeneration', () => useImageGeneration()],
  ];

  it.each(hooks)('%s throws a clear error', (name, hook) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => renderHook(hook)).toThrow(`${name} must be used inside <ImageGenProvider fetcher={…}>.`);
  });

  it.each(hooks)('%s throws it even inside a QueryClientProvider (there is no fetcher)', (name, hook) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const client = new QueryClient();
    function Wrapper({ children }: { children: ReactNode }) {
      return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
    }
    expect(() => renderHook(hook, { wrapper: Wrapper })).toThrow(`${name} must be used inside <ImageGenProvider`);
  });
});

describe('a non-HTTP ImageFetcher', () => {
  function renderWith<T>(fetcher: ImageFetcher, hook: () => T) {
    const queryClient = new QueryClient();
    function Wrapper({ children }: { children: ReactNode }) {
      return (
        <ImageGenProvider fetcher={fetcher} queryClient={queryClient}>
          {children}
        </ImageGenProvider>
      );
    }
    return { ...renderHook(hook, { wrapper: Wrapper }), queryClient };
  }

  it('works with useGenerateImage: one validated call, no HTTP', async () => {
    const all = countAllRequests();
    const fetcher = createFakeFetcher();
    const { result } = renderWith(fetcher, () => useGenerateImage());
    let task!: ImageTask;
    await act(async () => {
      task = await result.current.mutateAsync({ prompt: '  a cat  ', seed: 7 });
    });
    expect(task).toMatchObject({ taskId: 'fake-1', status: 'pending' });
    expect(fetcher.generate).toHaveBeenCalledTimes(1);
    expect(fetcher.generate.mock.calls[0]![0]).toEqual({ prompt: 'a cat', model: DEFAULT_MODEL, seed: 7 });
    expect(result.current.data).toEqual(task);
    expect(all).toEqual([]);
  });

  it('is never handed invalid input by useGenerateImage', async () => {
    const fetcher = createFakeFetcher();
    const { result } = renderWith(fetcher, () => useGenerateImage());
    let error: unknown;
    await act(async () => {
      await result.current.mutateAsync({ prompt: ' ' }).catch((e: unknown) => (error = e));
    });
    expect(error).toMatchObject({ kind: 'validation', field: 'prompt' });
    expect(fetcher.generate).not.toHaveBeenCalled();
  });

  it('works with useTaskStatus: polls through getTask with an abort signal until done, no HTTP', async () => {
    const all = countAllRequests();
    const fetcher = createFakeFetcher(['pending', 'processing', 'completed']);
    const { result } = renderWith(fetcher, () => useTaskStatus('job/1', { intervalMs: 500 }));
    await advance(0);
    expect(fetcher.getTask).toHaveBeenCalledTimes(1);
    expect(fetcher.getTask.mock.calls[0]![0]).toBe('job/1');
    expect(fetcher.getTask.mock.calls[0]![1]?.signal).toBeInstanceOf(AbortSignal);
    expect(result.current.data?.status).toBe('pending');
    await advance(500);
    expect(result.current.data?.status).toBe('processing');
    await advance(500);
    expect(result.current.data).toMatchObject({ status: 'completed', imageUrl: 'https://files.example.com/job/1.png' });
    await advance(10_000);
    expect(fetcher.getTask).toHaveBeenCalledTimes(3);
    expect(all).toEqual([]);
  });

  it('maps whatever a fetcher throws: an ImageGenError keeps its kind, anything else is network', async () => {
    const notFound: ImageFetcher = {
      generate: vi.fn(),
      getTask: vi.fn(async () => {
        throw new ImageGenError({ kind: 'not_found', message: 'No such job' });
      }),
    };
    const a = renderWith(notFound, () => useTaskStatus('x'));
    await advance(0);
    expect(a.result.current.error).toMatchObject({ kind: 'not_found', message: 'No such job' });
    await advance(30_000);
    expect(notFound.getTask).toHaveBeenCalledTimes(1);

    const broken: ImageFetcher = {
      generate: vi.fn(async () => {
        throw new Error('socket hang up');
      }),
      getTask: vi.fn(),
    };
    const b = renderWith(broken, () => useImageGeneration());
    act(() => {
      b.result.current.generate({ prompt: 'a cat' }).catch(() => undefined);
    });
    await advance(0);
    expect(b.result.current.status).toBe('failed');
    expect(b.result.current.error).toMatchObject({ kind: 'network' });
    expect(ImageGenError.isImageGenError(b.result.current.error)).toBe(true);
    await advance(30_000);
    expect(broken.generate).toHaveBeenCalledTimes(1);
    expect(broken.getTask).not.toHaveBeenCalled();
  });

  it('works with useImageGeneration: the whole flow from prompt to image, no HTTP', async () => {
    const all = countAllRequests();
    const fetcher = createFakeFetcher(['processing', 'completed']);
    const { result } = renderWith(fetcher, () => useImageGeneration({ intervalMs: 1000 }));
    let promise!: Promise<ImageTask>;
    act(() => {
      promise = result.current.generate({ prompt: 'a cat', size: '1:1' });
    });
    expect(result.current.status).toBe('submitting');
    await advance(0);
    expect(result.current.status).toBe('pending');
    expect(fetcher.generate).toHaveBeenCalledTimes(1);
    expect(fetcher.generate.mock.calls[0]![1]?.signal).toBeInstanceOf(AbortSignal);
    await advance(1000);
    expect(result.current.status).toBe('processing');
    await advance(1000);
    expect(result.current.status).toBe('completed');
    expect(result.current.imageUrl).toBe('https://files.example.com/fake-1.png');
    await expect(promise).resolves.toMatchObject({ taskId: 'fake-1', status: 'completed' });
    await advance(10_000);
    expect(fetcher.getTask).toHaveBeenCalledTimes(2);
    expect(all).toEqual([]);
  });

  it('is what the provider uses instead of the default HTTP fetcher', async () => {
    // The control: the same hook with the HTTP fetcher does reach the network.
    const all = countAllRequests();
    server.use(http.get(`${API}/api/v2/tasks/:id`, () => HttpResponse.json({ status: 'processing' })));
    const { result } = renderWith(createHttpFetcher(), () => useTaskStatus('t1'));
    await advance(0);
    expect(result.current.data?.status).toBe('processing');
    expect(all).toEqual([`GET ${API}/api/v2/tasks/t1`]);
  });
});
