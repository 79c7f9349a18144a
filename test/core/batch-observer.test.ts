// The batch engine without React: BatchObserver on a QueryClient, requests on the wire through msw.
import { defaultScheduler, notifyManager, QueryClient } from '@tanstack/react-query';
import { delay, http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchObserver, type BatchObserverOptions } from '../../src/core/batch-observer.js';
import type { ImageBatchItem } from '../../src/core/batch.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import { imageGenKeys } from '../../src/core/query-keys.js';
import { createGenerationPersister } from '../../src/persist/index.js';
import { memoryStorage } from '../memory-storage.js';
import { API, createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const prompts = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `p${i + 1}` }));

beforeEach(() => {
  vi.useFakeTimers();
  notifyManager.setScheduler(queueMicrotask);
});
afterEach(() => notifyManager.setScheduler(defaultScheduler));

function observe(options: Partial<BatchObserverOptions> = {}) {
  const client = new QueryClient();
  const all: BatchObserverOptions = { fetcher: createHttpFetcher(), intervalMs: 1000, ...options };
  const observer = new BatchObserver(client, all);
  observer.setOptions(all);
  const unsubscribe = observer.subscribe(() => undefined);
  return { client, observer, unsubscribe, result: () => observer.getCurrentResult() };
}

describe('BatchObserver', () => {
  it('sends one POST per input, at most `concurrency` at once, each a mutation, and resolves with every item', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 2000 });
    server.use(...api.handlers);
    let inFlight = 0;
    let most = 0;
    server.use(
      http.post(`${API}/api/v2/image/generate`, async () => {
        most = Math.max(most, ++inFlight);
        await delay(50);
        inFlight -= 1;
        return undefined;
      }),
    );
    const { client, result } = observe({ concurrency: 2 });
    let items: ImageBatchItem[] | undefined;
    void result().generate(prompts(5)).then((done) => (items = done));
    expect(result().progress).toMatchObject({ total: 5, submitting: 2, queued: 3 });
    await advance(10_000);
    expect(most).toBe(2);
    expect(api.posts().map((p) => p.body?.prompt)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(items?.map((i) => i.status)).toEqual(Array(5).fill('completed'));
    expect(result()).toMatchObject({ isBusy: false, progress: { completed: 5, fraction: 1 } });
    expect(client.getMutationCache().findAll({ mutationKey: imageGenKeys.generate })).toHaveLength(5);
  });

  it('pauses every submit after a 429 and sends the refused item again first; stops after a 402', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 500 });
    server.use(...api.handlers);
    const sent: string[] = [];
    server.use(
      http.post(`${API}/api/v2/image/generate`, async ({ request }) => {
        const { prompt } = (await request.clone().json()) as { prompt: string };
        sent.push(`${prompt}@${Date.now()}`);
        if (prompt === 'p2' && sent.filter((s) => s.startsWith('p2@')).length === 1) {
          return HttpResponse.json({ error: { message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '3' } });
        }
        if (prompt === 'p4') return HttpResponse.json({ error: { message: 'Insufficient credits' } }, { status: 402 });
        return undefined;
      }),
    );
    const { result } = observe({ concurrency: 1 });
    const start = Date.now();
    void result().generate(prompts(6));
    await advance(0);
    expect(result().items[1]).toMatchObject({ status: 'queued', error: { kind: 'rate_limited' }, retryAt: start + 3000 });
    await advance(10_000);
    expect(sent).toEqual([`p1@${start}`, `p2@${start}`, `p2@${start + 3000}`, `p3@${start + 3000}`, `p4@${start + 3000}`]);
    expect(result().items.map((i) => i.status)).toEqual(['completed', 'completed', 'completed', 'failed', 'failed', 'failed']);
    expect(result().items[5]?.error).toMatchObject({ kind: 'insufficient_credits', message: expect.stringMatching(/^Not sent/) });
  });

  it('cancel() aborts POSTs in flight, stops polling, keeps finished items and their tasks', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 60_000 });
    server.use(...api.handlers);
    const { result } = observe({ concurrency: 1 });
    let items: ImageBatchItem[] | undefined;
    void result().generate(prompts(3)).then((done) => (items = done));
    await advance(1500);
    result().cancel();
    await advance(0);
    expect(items?.map((i) => i.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(items?.map((i) => i.taskId)).toEqual(['task0001', 'task0002', 'task0003']);
    const polls = api.polls().length;
    await advance(30_000);
    expect(api.polls()).toHaveLength(polls);
    expect(api.posts()).toHaveLength(3);
  });

  it('with a persister: restores running items with no POST and shows finished ones with no request', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 2500 });
    server.use(...api.handlers);
    // The second POST is answered a second later, so its task finishes a second after the first.
    server.use(
      http.post(`${API}/api/v2/image/generate`, async ({ request }) => {
        if (((await request.clone().json()) as { prompt: string }).prompt === 'p2') await delay(1000);
        return undefined;
      }),
    );
    const mem = memoryStorage();
    const first = observe({ persist: createGenerationPersister({ key: 'b', storage: mem.storage }), concurrency: 1 });
    void first.result().generate(prompts(2));
    await advance(3100);
    expect(first.result().items.map((i) => i.status)).toEqual(['completed', 'processing']);
    first.unsubscribe();
    await advance(0);
    expect(mem.entries('b').map((e) => e.taskId)).toEqual(['task0001', 'task0002']);

    const polls = api.polls().length;
    const second = observe({ persist: createGenerationPersister({ key: 'b', storage: mem.storage }) });
    expect(second.result().items.map((i) => i.status)).toEqual(['completed', 'pending']);
    await advance(0);
    expect(api.polls().slice(polls).map((p) => p.url.split('/').pop())).toEqual(['task0002']);
    await advance(3000);
    expect(second.result().items.map((i) => i.status)).toEqual(['completed', 'completed']);
    expect(api.posts()).toHaveLength(2);
  });

  it('gives each item the time its POST was sent (kept across a reload), for an elapsed-time display', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 60_000 });
    server.use(...api.handlers);
    server.use(
      http.post(`${API}/api/v2/image/generate`, async () => {
        await delay(500);
        return undefined;
      }),
    );
    const mem = memoryStorage();
    const first = observe({ persist: createGenerationPersister({ key: 'b', storage: mem.storage }), concurrency: 1 });
    const t0 = Date.now();
    void first.result().generate(prompts(2));
    expect(first.result().items.map((i) => i.startedAt)).toEqual([t0, undefined]);
    await advance(500);
    // The second is sent once the first was answered.
    expect(first.result().items.map((i) => [i.status, i.startedAt])).toEqual([
      ['pending', t0],
      ['submitting', t0 + 500],
    ]);
    await advance(500);
    first.unsubscribe();
    await advance(0);

    const second = observe({ persist: createGenerationPersister({ key: 'b', storage: mem.storage }) });
    expect(second.result().items.map((i) => i.startedAt)).toEqual([t0, t0 + 500]);
    second.unsubscribe();
  });

  it('retry(index) sends that one item again (one POST), and retry(index, input) replaces a finished one; a running one is left alone', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 1500 });
    server.use(...api.handlers);
    let refusals = 0;
    server.use(
      http.post(`${API}/api/v2/image/generate`, async ({ request }) => {
        const { prompt } = (await request.clone().json()) as { prompt: string };
        if (prompt === 'p2' && refusals++ === 0) return HttpResponse.json({ error: { message: 'broke' } }, { status: 500 });
        return undefined;
      }),
    );
    const { result } = observe();
    void result().generate(prompts(3));
    await advance(0);
    expect(result().items.map((i) => i.status)).toEqual(['pending', 'failed', 'pending']);
    // A running item: nothing is sent.
    void result().retry(0);
    await advance(0);
    expect(api.posts()).toHaveLength(2);

    let items: ImageBatchItem[] | undefined;
    void result().retry(1).then((done) => (items = done));
    expect(result().items[1]).toMatchObject({ status: 'submitting', input: { prompt: 'p2' } });
    await advance(3000);
    expect(api.posts().map((p) => p.body?.prompt)).toEqual(['p1', 'p3', 'p2']);
    expect(items?.map((i) => i.status)).toEqual(['completed', 'completed', 'completed']);

    void result().retry(0, { prompt: 'p1', seed: 7 });
    expect(result().isBusy).toBe(true);
    await advance(3000);
    expect(api.posts().at(-1)?.body).toMatchObject({ prompt: 'p1', seed: 7 });
    expect(api.posts()).toHaveLength(4);
    expect(result().items.map((i) => i.taskId)).toEqual(['task0004', 'task0003', 'task0002']);
    expect(result().items.map((i) => i.status)).toEqual(['completed', 'completed', 'completed']);
  });
  it('retry(index) of a cancelled item the server had accepted sends no POST: it watches that task again until it completes', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 5000 });
    server.use(...api.handlers);
    const { result } = observe();
    void result().generate(prompts(2));
    await advance(1500);
    result().cancel();
    await advance(0);
    expect(result().items.map((i) => [i.status, i.taskId])).toEqual([
      ['cancelled', 'task0001'],
      ['cancelled', 'task0002'],
    ]);
    const readsOf = (taskId: string) => api.polls().filter((p) => p.url.endsWith(`/${taskId}`)).length;
    const firstReads = readsOf('task0001');
    let items: ImageBatchItem[] | undefined;
    void result().retry(1).then((done) => (items = done));
    await advance(0);
    expect(result().items[1]).toMatchObject({ taskId: 'task0002' });
    expect(result().items[1]?.status).not.toBe('cancelled');
    await advance(6000);
    expect(api.posts()).toHaveLength(2);
    expect(items?.map((i) => i.status)).toEqual(['cancelled', 'completed']);
    expect(items?.[1]).toMatchObject({ taskId: 'task0002', imageUrl: expect.any(String) });
    expect(readsOf('task0002')).toBeGreaterThan(1);
    // Only that item goes on: the other cancelled task is not read again.
    expect(readsOf('task0001')).toBe(firstReads);
  });

  it("a Retry waits out the batch's 429 pause and counts against its concurrency, like the items still queued", async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 500 });
    server.use(...api.handlers);
    const sent: string[] = [];
    let p2 = 0;
    server.use(
      http.post(`${API}/api/v2/image/generate`, async ({ request }) => {
        const { prompt } = (await request.clone().json()) as { prompt: string };
        sent.push(`${prompt}@${Date.now()}`);
        if (prompt === 'p1' && sent.length === 1) return HttpResponse.json({ error: { message: 'broke' } }, { status: 502 });
        if (prompt === 'p2' && p2++ === 0) {
          return HttpResponse.json({ error: { message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '5' } });
        }
        return undefined;
      }),
    );
    const { result } = observe({ concurrency: 1 });
    const start = Date.now();
    void result().generate(prompts(3));
    await advance(0);
    expect(result().items.map((i) => i.status)).toEqual(['failed', 'queued', 'queued']);
    void result().retry(0);
    await advance(4000);
    // Nothing goes out during the pause, the Retry included.
    expect(sent).toEqual([`p1@${start}`, `p2@${start}`]);
    await advance(10_000);
    // Then in order, one at a time: the Retry (item 1) first.
    expect(sent).toEqual([`p1@${start}`, `p2@${start}`, `p1@${start + 5000}`, `p2@${start + 5000}`, `p3@${start + 5000}`]);
    expect(result().items.map((i) => i.status)).toEqual(['completed', 'completed', 'completed']);
  });
});
