import { act, renderHook } from '@testing-library/react';
import { MutationCache, QueryClient, QueryClientProvider, skipToken, useIsMutating, useMutation, useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { Suspense, type ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { generateMutationOptions } from '../../src/core/generate-mutation.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import { imageGenKeys } from '../../src/core/query-keys.js';
import { taskQueryOptions } from '../../src/core/task-query.js';
import { ImageGenProvider } from '../../src/react/provider.js';
import { useImageBatch } from '../../src/react/use-image-batch.js';
import { useImageGeneration } from '../../src/react/use-image-generation.js';
import { useTaskStatus } from '../../src/react/use-task-status.js';
import { API, createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { advance, withFakeClock } from '../render.js';

const fetcher = createHttpFetcher();

/** An app's own QueryClientProvider around ours: the library shares the app's cache and devtools. */
function appWith(queryClient: QueryClient) {
  return function Wrapper({ children }: { children: ReactNode }) {
    return (
      <QueryClientProvider client={queryClient}>
        <ImageGenProvider fetcher={fetcher}>{children}</ImageGenProvider>
      </QueryClientProvider>
    );
  };
}

withFakeClock();

describe('generations are mutations, as TanStack Query apps see them', () => {
  it('useIsMutating and MutationCache callbacks see each POST of useImageGeneration and useImageBatch', async () => {
    server.use(...createMockApi().handlers);
    const onSuccess = vi.fn();
    const queryClient = new QueryClient({ mutationCache: new MutationCache({ onSuccess }) });
    const { result } = renderHook(
      () => ({
        one: useImageGeneration(),
        many: useImageBatch(),
        mutating: useIsMutating({ mutationKey: imageGenKeys.generate }),
      }),
      { wrapper: appWith(queryClient) },
    );
    act(() => {
      void result.current.one.generate({ prompt: 'a fox' });
      void result.current.many.generate([{ prompt: 'a' }, { prompt: 'b' }]);
    });
    await advance(0);
    expect(onSuccess).toHaveBeenCalledTimes(3);
    expect(onSuccess.mock.calls.map(([task, input]) => [task.taskId, input.prompt])).toEqual([
      ['task0001', 'a fox'],
      ['task0002', 'a'],
      ['task0003', 'b'],
    ]);
    const mutations = queryClient.getMutationCache().findAll({ mutationKey: imageGenKeys.generate });
    expect(mutations.map((m) => m.state.status)).toEqual(['success', 'success', 'success']);
    expect(result.current.mutating).toBe(0);
    // Each task is a query in the same cache.
    expect(queryClient.getQueryCache().findAll({ queryKey: imageGenKeys.all }).map((q) => q.queryKey)).toEqual(
      ['task0001', 'task0002', 'task0003'].map(imageGenKeys.task),
    );
  });

  it('useIsMutating counts a POST while it is in flight', async () => {
    server.use(
      http.post(`${API}/api/v2/image/generate`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return HttpResponse.json({ task_id: 't1', status: 'pending' }, { status: 202 });
      }),
    );
    const queryClient = new QueryClient();
    const { result } = renderHook(() => ({ one: useImageGeneration(), mutating: useIsMutating({ mutationKey: imageGenKeys.generate }) }), {
      wrapper: appWith(queryClient),
    });
    act(() => void result.current.one.generate({ prompt: 'a fox' }));
    await advance(100);
    expect(result.current.mutating).toBe(1);
    await advance(400);
    expect(result.current.mutating).toBe(0);
  });
});

describe('taskQueryOptions and generateMutationOptions, for apps that build on TanStack Query', () => {
  it('useMutation(generateMutationOptions(…)) sends one validated POST under imageGenKeys.generate, never retried', async () => {
    let posts = 0;
    server.use(http.post(`${API}/api/v2/image/generate`, () => (posts++, HttpResponse.json({ error: { message: 'down' } }, { status: 503 }))));
    const queryClient = new QueryClient();
    const { result } = renderHook(() => useMutation(generateMutationOptions({ fetcher })), { wrapper: appWith(queryClient) });
    act(() => result.current.mutate({ prompt: ' ' }));
    await advance(0);
    expect(result.current.error).toMatchObject({ kind: 'validation', field: 'prompt' });
    expect(posts).toBe(0);
    act(() => result.current.mutate({ prompt: 'a fox' }));
    await advance(60_000);
    expect(result.current.error).toMatchObject({ kind: 'server', status: 503 });
    expect(posts).toBe(1);
    expect(queryClient.getMutationCache().getAll().every((m) => m.options.mutationKey === imageGenKeys.generate)).toBe(true);
  });

  it('useQuery(taskQueryOptions(…)) polls like useTaskStatus and shares its poll', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const queryClient = new QueryClient();
    const wrapper = appWith(queryClient);
    const post = await fetcher.generate({ prompt: 'a fox' });
    const { result } = renderHook(
      () => ({ own: useQuery(taskQueryOptions(post.taskId, { fetcher, intervalMs: 1000 })), ours: useTaskStatus(post.taskId, { intervalMs: 1000 }) }),
      { wrapper },
    );
    // One read at once (nothing seeded the task), then one per second for both: 0, 1, 2, 3 s.
    await advance(0);
    expect(api.polls()).toHaveLength(1);
    await advance(3000);
    expect(api.polls()).toHaveLength(4);
    expect(result.current.own.data).toMatchObject({ status: 'completed' });
    expect(result.current.ours.data).toBe(result.current.own.data);
    await advance(30_000);
    expect(api.polls()).toHaveLength(4);
  });

  it('prefetchQuery(taskQueryOptions(…)) fills the cache: a component mounted within the interval does not ask again', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const queryClient = new QueryClient();
    const post = await fetcher.generate({ prompt: 'a fox' });
    await queryClient.prefetchQuery(taskQueryOptions(post.taskId, { fetcher }));
    expect(api.polls()).toHaveLength(1);
    // The key carries the data type: no cast needed to read it.
    expect(queryClient.getQueryData(taskQueryOptions(post.taskId, { fetcher }).queryKey)?.taskId).toBe(post.taskId);
    renderHook(() => useTaskStatus(post.taskId), { wrapper: appWith(queryClient) });
    await advance(500);
    expect(api.polls()).toHaveLength(1);
  });

  it('useSuspenseQuery(taskQueryOptions(id, …)) suspends until the first read, then polls until the task completes', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 2500 });
    server.use(...api.handlers);
    const queryClient = new QueryClient();
    const post = await fetcher.generate({ prompt: 'a fox' });
    const App = appWith(queryClient);
    const { result } = renderHook(() => useSuspenseQuery(taskQueryOptions(post.taskId, { fetcher })).data.status, {
      wrapper: ({ children }) => (
        <App>
          <Suspense fallback={null}>{children}</Suspense>
        </App>
      ),
    });
    expect(result.current).toBeNull();
    await advance(100);
    expect(result.current).toBe('processing');
    await advance(3000);
    expect(result.current).toBe('completed');
    const reads = api.polls().length;
    await advance(5000);
    expect(api.polls()).toHaveLength(reads);
  });

  it('no task id is skipToken: no request, and no cache entry for the library to keep', async () => {
    expect(taskQueryOptions(null, { fetcher }).queryFn).toBe(skipToken);
    expect(taskQueryOptions('', { fetcher }).queryFn).toBe(skipToken);
    const queryClient = new QueryClient();
    const { result } = renderHook(() => useImageGeneration(), { wrapper: appWith(queryClient) });
    await advance(10_000);
    expect(result.current.status).toBe('idle');
    expect(queryClient.getQueryCache().getAll()).toHaveLength(0);
  });
});
