import { act, renderHook } from '@testing-library/react';
import { onlineManager } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODEL } from '../../src/core/constants.js';
import type { ImageGenError } from '../../src/core/errors.js';
import type { GenerateImageInput, ImageTask } from '../../src/core/types.js';
import { useGenerateImage, type UseGenerateImageOptions } from '../../src/react/use-generate-image.js';
import { API, createMockApi } from '../mock-api.js';
import { countAllRequests, server } from '../msw-server.js';
import { createTestProvider, advance, withFakeClock } from '../render.js';

/** Counts every request that reaches the network, whatever its path. */
function renderGenerate(options?: UseGenerateImageOptions) {
  const provider = createTestProvider();
  const hook = renderHook(() => useGenerateImage(options), { wrapper: provider.Wrapper });
  return { ...hook, ...provider };
}

/** Starts a mutation and returns its outcome: the task, or the error it rejected with. */
function start(
  mutateAsync: (input: GenerateImageInput) => Promise<ImageTask>,
  input: GenerateImageInput,
): Promise<{ task?: ImageTask; error?: ImageGenError }> {
  let outcome!: Promise<{ task?: ImageTask; error?: ImageGenError }>;
  act(() => {
    outcome = mutateAsync(input).then(
      (task) => ({ task }),
      (error: ImageGenError) => ({ error }),
    );
  });
  return outcome;
}

withFakeClock();

afterEach(() => {
  onlineManager.setOnline(true);
  server.events.removeAllListeners();
});

describe('useGenerateImage: the POST', () => {
  it('sends one POST with the vendor body, the model defaulted, and resolves with the pending task', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const all = countAllRequests();
    const { result } = renderGenerate();
    const outcome = start(result.current.mutateAsync, {
      prompt: '  a lighthouse at dusk  ',
      size: '16:9',
      imageUrls: ['https://example.com/a.png', 'http://example.com/b.jpg'],
      seed: 42,
    });
    await advance(0);

    const { task, error } = await outcome;
    expect(error).toBeUndefined();
    expect(task).toMatchObject({ taskId: 'task0001', status: 'pending' });
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toEqual({
      prompt: 'a lighthouse at dusk',
      model: DEFAULT_MODEL,
      size: '16:9',
      image_urls: ['https://example.com/a.png', 'http://example.com/b.jpg'],
      seed: 42,
    });
    expect(api.posts()[0]!.headers.get('content-type')).toBe('application/json');
    expect(api.polls()).toHaveLength(0);
    expect(all).toHaveLength(1);
    expect(result.current.status).toBe('success');
    expect(result.current.data).toEqual(task);

    await advance(60_000);
    expect(all).toHaveLength(1);
  });

  it('sends only prompt and model when nothing else is given, and a model the caller names', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result } = renderGenerate();
    const first = start(result.current.mutateAsync, { prompt: 'a cat' });
    await advance(0);
    await first;
    const second = start(result.current.mutateAsync, { prompt: 'a dog', model: 'other-model' });
    await advance(0);
    await second;
    expect(api.posts().map((p) => p.body)).toEqual([
      { prompt: 'a cat', model: DEFAULT_MODEL },
      { prompt: 'a dog', model: 'other-model' },
    ]);
  });

  it('passes mutation options through (onSuccess)', async () => {
    server.use(...createMockApi().handlers);
    const onSuccess = vi.fn();
    const { result } = renderGenerate({ onSuccess });
    const outcome = start(result.current.mutateAsync, { prompt: 'a cat' });
    await advance(0);
    await outcome;
    expect(onSuccess).toHaveBeenCalledTimes(1);
    expect(onSuccess.mock.calls[0]![0]).toMatchObject({ taskId: 'task0001', status: 'pending' });
  });

  it('sends the POST at once even when the browser reports offline (never queued to fire later)', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    onlineManager.setOnline(false);
    const { result } = renderGenerate();
    const outcome = start(result.current.mutateAsync, { prompt: 'a cat' });
    await advance(0);
    expect((await outcome).task?.status).toBe('pending');
    expect(api.posts()).toHaveLength(1);
    expect(result.current.isPaused).toBe(false);
  });
});

describe('useGenerateImage: errors are never retried', () => {
  it('a 500 is one POST and a server error', async () => {
    const all = countAllRequests();
    server.use(
      http.post(`${API}/api/v2/image/generate`, () =>
        HttpResponse.json({ error: { code: 'internal_error', message: 'Something broke' } }, { status: 500 }),
      ),
    );
    const { result } = renderGenerate();
    const outcome = start(result.current.mutateAsync, { prompt: 'a cat' });
    await advance(0);
    const { error } = await outcome;
    expect(error).toMatchObject({ kind: 'server', status: 500, retryable: true, code: 'internal_error', message: 'Something broke' });
    expect(result.current.status).toBe('error');
    expect(result.current.error?.kind).toBe('server');

    await advance(120_000);
    expect(all).toEqual([{ method: 'POST', url: `${API}/api/v2/image/generate` }]);
    expect(result.current.failureCount).toBe(1);
  });

  it('a dropped connection is one POST and a network error', async () => {
    const all = countAllRequests();
    server.use(http.post(`${API}/api/v2/image/generate`, () => HttpResponse.error()));
    const { result } = renderGenerate();
    const outcome = start(result.current.mutateAsync, { prompt: 'a cat' });
    await advance(0);
    const { error } = await outcome;
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    await advance(120_000);
    expect(all).toHaveLength(1);
    expect(result.current.error?.kind).toBe('network');
  });

  it('a 429 with Retry-After is one POST and a rate_limited error', async () => {
    const all = countAllRequests();
    server.use(
      http.post(`${API}/api/v2/image/generate`, () =>
        HttpResponse.json({ error: { message: 'Too many requests' } }, { status: 429, headers: { 'Retry-After': '1' } }),
      ),
    );
    const { result } = renderGenerate();
    const outcome = start(result.current.mutateAsync, { prompt: 'a cat' });
    await advance(0);
    expect((await outcome).error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 1000 });
    await advance(120_000);
    expect(all).toHaveLength(1);
  });

  it.each([
    [401, 'unauthorized', { error: { code: 'invalid_api_key', type: 'auth', message: 'Invalid API key' } }],
    [402, 'insufficient_credits', { error: { code: 'insufficient_credits', message: 'Not enough credits', required: 3, balance: 1 } }],
  ] as const)('a %i is one POST and a %s error', async (status, kind, body) => {
    const all = countAllRequests();
    server.use(http.post(`${API}/api/v2/image/generate`, () => HttpResponse.json(body, { status })));
    const { result } = renderGenerate();
    const outcome = start(result.current.mutateAsync, { prompt: 'a cat' });
    await advance(0);
    const { error } = await outcome;
    expect(error).toMatchObject({ kind, status, retryable: false, code: body.error.code, message: body.error.message });
    if (status === 402) expect(error).toMatchObject({ required: 3, balance: 1 });
    await advance(60_000);
    expect(all).toHaveLength(1);
  });
});

describe('useGenerateImage: validation sends nothing', () => {
  const cases: [string, GenerateImageInput, string][] = [
    ['an empty prompt', { prompt: '' }, 'prompt'],
    ['a blank prompt', { prompt: '   \n ' }, 'prompt'],
    ['15 reference images', { prompt: 'x', imageUrls: Array.from({ length: 15 }, (_, i) => `https://example.com/${i}.png`) }, 'imageUrls'],
    ['a relative reference', { prompt: 'x', imageUrls: ['/images/a.png'] }, 'imageUrls'],
    ['a data: reference', { prompt: 'x', imageUrls: ['data:image/png;base64,AAAA'] }, 'imageUrls'],
    ['a non-integer seed', { prompt: 'x', seed: 1.5 }, 'seed'],
    ['a size outside the three', { prompt: 'x', size: '4:3' as never }, 'size'],
  ];

  it.each(cases)('%s', async (_name, input, field) => {
    const all = countAllRequests();
    server.use(...createMockApi().handlers);
    const { result } = renderGenerate();
    const outcome = start(result.current.mutateAsync, input);
    await advance(0);
    const { error, task } = await outcome;
    expect(task).toBeUndefined();
    expect(error).toMatchObject({ kind: 'validation', field, retryable: false });
    expect(error?.message.length).toBeGreaterThan(10);
    expect(result.current.status).toBe('error');
    await advance(60_000);
    expect(all).toHaveLength(0);
  });

  it('accepts 14 reference images (the limit) and sends them in order', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const urls = Array.from({ length: 14 }, (_, i) => `https://example.com/${i}.png`);
    const { result } = renderGenerate();
    const outcome = start(result.current.mutateAsync, { prompt: 'x', imageUrls: urls });
    await advance(0);
    expect((await outcome).error).toBeUndefined();
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body?.image_urls).toEqual(urls);
  });
});

describe('useGenerateImage: one POST per user action', () => {
  it('sends nothing for a second mutate() while the first POST is in flight, and hands back its promise', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    server.use(
      http.post(`${API}/api/v2/image/generate`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return undefined;
      }),
    );
    const { result } = renderGenerate();
    let first!: Promise<ImageTask>;
    let second!: Promise<ImageTask>;
    act(() => {
      // A double click: the second comes before `isPending` could disable anything.
      first = result.current.mutateAsync({ prompt: 'one' });
      second = result.current.mutateAsync({ prompt: 'two' });
      result.current.mutate({ prompt: 'three' });
    });
    expect(second).toBe(first);
    await advance(300);
    await expect(first).resolves.toMatchObject({ taskId: 'task0001' });
    expect(api.posts().map((p) => p.body?.prompt)).toEqual(['one']);
    // Once it is answered, the next action sends its own POST.
    const next = start(result.current.mutateAsync, { prompt: 'four' });
    await advance(300);
    expect((await next).task).toMatchObject({ taskId: 'task0002' });
    expect(api.posts().map((p) => p.body?.prompt)).toEqual(['one', 'four']);
  });

  it('puts the new task in the cache, so useTaskStatus of it first asks one interval later', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result, queryClient } = renderGenerate();
    const outcome = start(result.current.mutateAsync, { prompt: 'a fox' });
    await advance(0);
    const { task } = await outcome;
    expect(queryClient.getQueryData(['flash-image-react', 'task', task!.taskId])).toMatchObject({ status: 'pending' });
    expect(queryClient.getQueryState(['flash-image-react', 'task', task!.taskId])).toMatchObject({ dataUpdateCount: 0 });
  });
});
