// The engine without React: GenerationObserver on a QueryClient, requests on the wire through msw.
import { defaultScheduler, notifyManager, QueryClient } from '@tanstack/react-query';
import { delay, http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchObserver } from '../../src/core/batch-observer.js';
import { GenerationObserver, type GenerationObserverOptions, type GenerationResult } from '../../src/core/generation-observer.js';
import type { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import { registerPersister } from '../../src/core/persister.js';
import { imageGenKeys } from '../../src/core/query-keys.js';
import type { ImageTask } from '../../src/core/types.js';
import { createGenerationPersister } from '../../src/persist/index.js';
import { memoryStorage } from '../memory-storage.js';
import { API, createMockApi } from '../mock-api.js';
import { countAllRequests, server } from '../msw-server.js';

const GENERATE_URL = `${API}/api/v2/image/generate`;
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
  notifyManager.setScheduler(queueMicrotask);
});
afterEach(() => {
  notifyManager.setScheduler(defaultScheduler);
  registerPersister(createGenerationPersister);
});

/** An observer on a fresh cache with one listener, and every status it reported (repeats dropped). */
function observe(options: Partial<GenerationObserverOptions> = {}) {
  const client = new QueryClient();
  const observer = new GenerationObserver(client, { fetcher: createHttpFetcher(), intervalMs: 1000, ...options });
  observer.setOptions({ fetcher: createHttpFetcher(), intervalMs: 1000, ...options });
  const statuses: string[] = [observer.getCurrentResult().status];
  const unsubscribe = observer.subscribe(() => {
    const { status } = observer.getCurrentResult();
    if (statuses.at(-1) !== status) statuses.push(status);
  });
  const result = (): GenerationResult => observer.getCurrentResult();
  return { client, observer, statuses, unsubscribe, result };
}

function outcomeOf(promise: Promise<ImageTask>) {
  const outcome: { task?: ImageTask; error?: ImageGenError } = {};
  promise.then(
    (task) => (outcome.task = task),
    (error: ImageGenError) => (outcome.error = error),
  );
  return outcome;
}

describe('GenerationObserver', () => {
  it('runs a generation: one POST as a mutation, its task as a query, then the result and the history', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const onComplete = vi.fn();
    const { client, statuses, result } = observe({ onComplete });
    const outcome = outcomeOf(result().generate({ prompt: 'a lighthouse' }));
    expect(result()).toMatchObject({ status: 'submitting', isBusy: true, input: { prompt: 'a lighthouse' } });
    // The POST is a mutation under imageGenKeys.generate: useIsMutating and the devtools see it.
    expect(client.isMutating({ mutationKey: imageGenKeys.generate })).toBe(1);
    await advance(0);
    expect(client.isMutating()).toBe(0);
    const [mutation] = client.getMutationCache().findAll({ mutationKey: imageGenKeys.generate });
    expect(mutation?.state).toMatchObject({ status: 'success', variables: { prompt: 'a lighthouse' }, data: { taskId: 'task0001' } });
    expect(client.getQueryState(imageGenKeys.task('task0001'))).toMatchObject({ status: 'success', dataUpdateCount: 0 });
    await advance(3000);
    expect(api.posts()).toHaveLength(1);
    expect(api.polls()).toHaveLength(3);
    expect(result()).toMatchObject({ status: 'completed', imageUrl: 'https://cdn.example.com/task0001/0.png', isBusy: false });
    expect(result().history).toEqual([expect.objectContaining({ taskId: 'task0001', imageUrl: 'https://cdn.example.com/task0001/0.png' })]);
    expect(statuses).toEqual(['idle', 'submitting', 'pending', 'processing', 'completed']);
    expect(outcome.task).toMatchObject({ taskId: 'task0001', status: 'completed' });
    expect(onComplete).toHaveBeenCalledTimes(1);
    // The poll's bookkeeping is in the cache entry: reads answered, and when polling started.
    expect(client.getQueryState(imageGenKeys.task('task0001'))).toMatchObject({ dataUpdateCount: 3, pollStartedAt: expect.any(Number) });
  });

  it('polls only while something listens; a real unsubscribe stops the generation a tick later', async () => {
    const api = createMockApi({ completeAfterMs: 60_000 });
    server.use(...api.handlers);
    const { result, unsubscribe } = observe();
    const outcome = outcomeOf(result().generate({ prompt: 'a fox' }));
    await advance(2500);
    expect(api.polls()).toHaveLength(2);
    unsubscribe();
    expect(outcome.error).toBeUndefined();
    await advance(0);
    expect(outcome.error).toMatchObject({ kind: 'aborted' });
    await advance(30_000);
    expect(api.polls()).toHaveLength(2);
  });

  it('sends nothing without a listener until asked, and nothing for an invalid input', async () => {
    const all = countAllRequests();
    server.use(...createMockApi().handlers);
    const { result } = observe();
    const outcome = outcomeOf(result().generate({ prompt: '  ' }));
    await advance(0);
    expect(outcome.error).toMatchObject({ kind: 'validation', field: 'prompt', message: 'Enter a prompt.' });
    expect(result().status).toBe('failed');
    await advance(10_000);
    expect(all).toEqual([]);
  });
});

describe('GenerationObserver: the 429 policy it shares with batches', () => {
  it('sends a POST refused with a short Retry-After again after the wait, and stays submitting meanwhile', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 500 });
    server.use(...api.handlers);
    let refused = 0;
    server.use(
      http.post(GENERATE_URL, () => {
        if (refused++ > 0) return undefined;
        return HttpResponse.json({ error: { message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '2' } });
      }),
    );
    const onError = vi.fn();
    const { result, statuses } = observe({ onError });
    const outcome = outcomeOf(result().generate({ prompt: 'a fox' }));
    await advance(1999);
    expect(refused).toBe(1);
    expect(result()).toMatchObject({ status: 'submitting', isBusy: true, error: undefined });
    await advance(1);
    expect(refused).toBe(2);
    expect(api.posts()).toHaveLength(1);
    await advance(1000);
    expect(result().status).toBe('completed');
    expect(outcome.task?.taskId).toBe('task0001');
    expect(statuses).toEqual(['idle', 'submitting', 'pending', 'completed']);
    expect(onError).not.toHaveBeenCalled();
  });

  it('fails at once, with retryAfterMs, when the wait is longer than 10 s: a person decides', async () => {
    let posts = 0;
    server.use(
      http.post(GENERATE_URL, () => {
        posts += 1;
        return HttpResponse.json({ error: { message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '30' } });
      }),
    );
    const { result } = observe();
    const outcome = outcomeOf(result().generate({ prompt: 'a fox' }));
    await advance(0);
    expect(result()).toMatchObject({ status: 'failed', error: { kind: 'rate_limited', retryAfterMs: 30_000 } });
    expect(outcome.error?.kind).toBe('rate_limited');
    await advance(120_000);
    expect(posts).toBe(1);
  });

  it('backs off 1 s, 2 s, 4 s without Retry-After, then fails after the third re-send', async () => {
    const times: number[] = [];
    server.use(
      http.post(GENERATE_URL, () => {
        times.push(Date.now());
        return HttpResponse.json({ error: { message: 'Slow down' } }, { status: 429 });
      }),
    );
    const { result } = observe();
    const outcome = outcomeOf(result().generate({ prompt: 'a fox' }));
    await advance(20_000);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([1000, 2000, 4000]);
    expect(outcome.error).toMatchObject({ kind: 'rate_limited' });
  });

  it.each([
    ['a 500', () => HttpResponse.json({ error: { message: 'broke' } }, { status: 500 }), 'server'],
    ['a dropped connection', () => HttpResponse.error(), 'network'],
  ])('never sends a POST again after %s: it may have started a billed task', async (_name, answer, kind) => {
    let posts = 0;
    server.use(http.post(GENERATE_URL, () => (posts++, answer())));
    const { result } = observe();
    const outcome = outcomeOf(result().generate({ prompt: 'a fox' }));
    await advance(60_000);
    expect(posts).toBe(1);
    expect(outcome.error?.kind).toBe(kind);
  });
});

describe('GenerationObserver: timeoutMs holds whatever the server does', () => {
  it('aborts a read that never answers at the deadline, and fails with timeout then', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const signals: AbortSignal[] = [];
    server.use(
      http.get(`${API}/api/v2/tasks/:id`, async ({ request }) => {
        signals.push(request.signal);
        await delay('infinite');
        return undefined;
      }),
    );
    const { result } = observe({ timeoutMs: 1000 });
    const outcome = outcomeOf(result().generate({ prompt: 'a fox' }));
    await advance(0);
    // The first read goes out one interval after the POST, on the deadline: it gets one interval.
    await advance(1000);
    expect(signals).toHaveLength(1);
    expect(result().status).toBe('pending');
    await advance(999);
    expect(signals[0]!.aborted).toBe(false);
    await advance(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(result()).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
    expect(outcome.error?.kind).toBe('timeout');
  });

  it('fails with timeout at the deadline even when the fetcher ignores its signal (a server action cannot be aborted)', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    server.use(
      http.get(`${API}/api/v2/tasks/:id`, async () => {
        await delay('infinite');
        return undefined;
      }),
    );
    const http1 = createHttpFetcher();
    // Reads without the signal: nothing can abort them.
    const deaf = { generate: http1.generate, getTask: (taskId: string) => http1.getTask(taskId) };
    const { result } = observe({ fetcher: deaf, timeoutMs: 1000 });
    const outcome = outcomeOf(result().generate({ prompt: 'a fox' }));
    await advance(1999);
    expect(result().status).toBe('pending');
    await advance(1);
    expect(result()).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
    expect(outcome.error?.kind).toBe('timeout');
  });

  it('cuts a retry wait that would pass the deadline: a 429 with Retry-After 120 on a read', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    let reads = 0;
    server.use(
      http.get(`${API}/api/v2/tasks/:id`, () => {
        reads += 1;
        return HttpResponse.json({ error: { message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '120' } });
      }),
    );
    const { result } = observe({ intervalMs: 500, timeoutMs: 3000 });
    await advance(0);
    void result().generate({ prompt: 'a fox' });
    const start = Date.now();
    await advance(0);
    await advance(2999);
    expect(result().status).toBe('pending');
    await advance(1);
    expect(result()).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
    expect(Date.now() - start).toBe(3000);
    // The read at 500 ms, its retry cut to the deadline, which times out before asking again.
    expect(reads).toBe(1);
  });
});

describe('GenerationObserver: persist', () => {
  it('restores a running task from a persister and resumes polling it with no POST', async () => {
    const api = createMockApi({ completeAfterMs: 3000 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const persist = createGenerationPersister({ key: 'k', storage: mem.storage });
    const first = observe({ persist });
    void first.result().generate({ prompt: 'paid for' });
    await advance(0);
    expect(mem.entries('k')).toEqual([expect.objectContaining({ taskId: 'task0001', input: { prompt: 'paid for' } })]);
    // The page goes away: storage keeps the task in flight.
    first.unsubscribe();
    await advance(0);

    const second = observe({ persist: createGenerationPersister({ key: 'k', storage: mem.storage }) });
    expect(second.result()).toMatchObject({ status: 'pending', input: { prompt: 'paid for' } });
    await advance(0);
    expect(api.polls()).toHaveLength(1);
    await advance(3000);
    expect(second.result().status).toBe('completed');
    expect(api.posts()).toHaveLength(1);
    expect(mem.entries('k')).toEqual([expect.objectContaining({ taskId: 'task0001', imageUrl: 'https://cdn.example.com/task0001/0.png' })]);
  });

  it('loads the persistence code on first use of a key, and a generate() meanwhile waits for the restore', async () => {
    const api = createMockApi({ completeAfterMs: 60_000 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const first = observe({ persist: { key: 'k', storage: mem.storage } });
    void first.result().generate({ prompt: 'paid for' });
    await advance(0);
    first.unsubscribe();
    await advance(0);

    // As in an app that never imported flash-image-react/persist.
    registerPersister(undefined);
    const second = observe({ persist: { key: 'k', storage: mem.storage } });
    expect(second.result().status).toBe('idle');
    const again = second.result().generate({ prompt: 'on mount' });
    await vi.waitFor(() => expect(second.result().status).toBe('pending'));
    expect(second.result().input).toEqual({ prompt: 'paid for' });
    await advance(0);
    expect(api.posts()).toHaveLength(1);
    expect(mem.entries('k').map((e) => e.taskId)).toEqual(['task0001']);
    // The generate() that waited got the resumed generation's promise.
    void again.catch(() => undefined);
    second.observer.stop();
    await expect(again).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe('GenerationObserver and BatchObserver: a stop before the persistence code has loaded', () => {
  // As in an app that never imported flash-image-react/persist: a `persist` key loads it on first use.
  beforeEach(() => registerPersister(undefined));

  it('Cancel while generate() waits for it sends nothing, and generate() rejects with aborted', async () => {
    const seen = countAllRequests();
    const { result } = observe({ persist: { key: 'k', storage: memoryStorage().storage } });
    const rejected = expect(result().generate({ prompt: 'cancelled at once' })).rejects.toMatchObject({ kind: 'aborted' });
    result().cancel();
    await rejected;
    await advance(5000);
    expect(seen).toHaveLength(0);
    expect(result().status).toBe('idle');
  });

  it('an unmount while generate() waits for it sends nothing', async () => {
    const seen = countAllRequests();
    const { result, unsubscribe } = observe({ persist: { key: 'k', storage: memoryStorage().storage } });
    const rejected = expect(result().generate({ prompt: 'left the page' })).rejects.toMatchObject({ kind: 'aborted' });
    unsubscribe();
    await advance(0);
    await rejected;
    await advance(5000);
    expect(seen).toHaveLength(0);
  });

  it('a batch cancelled while generate() waits for it sends nothing', async () => {
    const seen = countAllRequests();
    const client = new QueryClient();
    const batch = new BatchObserver(client, { fetcher: createHttpFetcher(), persist: { key: 'b', storage: memoryStorage().storage } });
    const unsubscribe = batch.subscribe(() => undefined);
    const pending = batch.getCurrentResult().generate([{ prompt: 'one' }, { prompt: 'two' }]);
    batch.getCurrentResult().cancel();
    await expect(pending).resolves.toEqual([]);
    await advance(5000);
    expect(seen).toHaveLength(0);
    unsubscribe();
  });
});

describe('GenerationObserver: options given only to the constructor', () => {
  it('restores `persist` when first subscribed to', async () => {
    const mem = memoryStorage();
    const finished = { taskId: 'stored1', input: { prompt: 'kept' }, startedAt: 1_000, imageUrl: 'https://cdn.example.com/stored1/0.png', completedAt: 2_000 };
    createGenerationPersister({ key: 'k', storage: mem.storage }).save([finished]);
    const observer = new GenerationObserver(new QueryClient(), { fetcher: createHttpFetcher(), persist: { key: 'k', storage: mem.storage } });
    expect(observer.getCurrentResult().history).toEqual([]);
    const unsubscribe = observer.subscribe(() => undefined);
    expect(observer.getCurrentResult().history.map((e) => e.taskId)).toEqual(['stored1']);
    unsubscribe();
  });
});

