import { act, renderHook } from '@testing-library/react';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { seedVariations } from '../../src/core/batch.js';
import type { GenerateImageInput } from '../../src/core/types.js';
import { useImageBatch, type ImageBatchItem, type UseImageBatchOptions, type UseImageBatchResult } from '../../src/react/use-image-batch.js';
import { useTaskStatus } from '../../src/react/use-task-status.js';
import { API } from '../mock-api.js';
import { server } from '../msw-server.js';
import { createTestProvider, advance, withFakeClock } from '../render.js';

const GENERATE_URL = `${API}/api/v2/image/generate`;
const TASK_URL = `${API}/api/v2/tasks/:taskId`;

interface Post {
  prompt: string;
  at: number;
}

interface BatchApiOptions {
  /** How the POST for a prompt is answered, by how many times that prompt was posted before (0 the first time). */
  answer?(prompt: string, previous: number): Response | undefined;
  /** A prompt whose task fails. */
  failTask?: string;
  /** The server takes this long to answer a POST. Default 50 ms. */
  postLatencyMs?: number;
  /** Task age at which it completes, for all tasks or by task id. Default 3000 ms. */
  completeAfterMs?: number | ((taskId: string) => number);
}

/**
 * A small image API for batches: task ids are `t-<prompt>`, a task completes `completeAfterMs` after
 * its POST was answered. Records every POST (prompt and time received) and the largest number of
 * POSTs it was serving at once.
 */
function batchApi(options: BatchApiOptions = {}) {
  const posts: Post[] = [];
  const gets: string[] = [];
  const created = new Map<string, number>();
  const counts = new Map<string, number>();
  const load = { now: 0, max: 0 };
  server.use(
    http.post(GENERATE_URL, async ({ request }) => {
      const body = (await request.json()) as { prompt: string };
      posts.push({ prompt: body.prompt, at: Date.now() });
      const previous = counts.get(body.prompt) ?? 0;
      counts.set(body.prompt, previous + 1);
      load.now += 1;
      load.max = Math.max(load.max, load.now);
      try {
        await delay(options.postLatencyMs ?? 50);
      } finally {
        load.now -= 1;
      }
      const special = options.answer?.(body.prompt, previous);
      if (special) return special;
      const taskId = `t-${body.prompt}`;
      created.set(taskId, Date.now());
      return HttpResponse.json({ task_id: taskId, status: 'pending' }, { status: 202 });
    }),
    http.get(TASK_URL, ({ params }) => {
      const taskId = String(params.taskId);
      gets.push(taskId);
      const at = created.get(taskId);
      if (at === undefined) return HttpResponse.json({ error: { message: 'Task not found' } }, { status: 404 });
      const { completeAfterMs = 3000 } = options;
      const doneAt = typeof completeAfterMs === 'number' ? completeAfterMs : completeAfterMs(taskId);
      if (Date.now() - at < doneAt) return HttpResponse.json({ task_id: taskId, status: 'processing' });
      if (taskId === `t-${options.failTask}`) {
        return HttpResponse.json({ task_id: taskId, status: 'failed', error: { message: 'Refused by the safety filter' } });
      }
      return HttpResponse.json({ status: 'completed', imageUrl: `https://cdn.example.com/${taskId}.png` });
    }),
  );
  return { posts, gets, load, postsOf: (prompt: string) => posts.filter((p) => p.prompt === prompt) };
}

function renderBatch(options?: UseImageBatchOptions, strict = false) {
  const provider = createTestProvider(undefined, { strict });
  const hook = renderHook(() => useImageBatch(options), { wrapper: provider.Wrapper });
  return { ...hook, ...provider };
}

function start(result: { current: UseImageBatchResult }, inputs: GenerateImageInput[]) {
  let promise!: Promise<ImageBatchItem[]>;
  act(() => {
    promise = result.current.generate(inputs);
  });
  const state: { items?: ImageBatchItem[] } = {};
  void promise.then((items) => {
    state.items = items;
  });
  return { promise, state };
}

const prompts = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `item ${i + 1}` }));

withFakeClock();

describe('useImageBatch: a batch of 20 with one failing POST, one failing task and one 429', () => {
  it('sends each POST once (the 429 once more, after Retry-After), caps submits at 4, and finishes the others', async () => {
    const api = batchApi({
      failTask: 'item 12',
      answer: (prompt, previous) => {
        if (prompt === 'item 5') {
          return HttpResponse.json({ error: { code: 'internal', message: 'Upstream broke' } }, { status: 500 });
        }
        if (prompt === 'item 9' && previous === 0) {
          return HttpResponse.json({ error: { code: 'rate_limited', message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '2' } });
        }
        return undefined;
      },
    });
    const { result } = renderBatch({ intervalMs: 1000 });
    const { state } = start(result, prompts(20));
    expect(result.current.items).toHaveLength(20);
    expect(result.current.isBusy).toBe(true);
    // The first four are sent at once, the rest wait their turn.
    expect(result.current.progress).toMatchObject({ total: 20, submitting: 4, queued: 16, done: 0, fraction: 0 });
    await advance(0);
    expect(api.posts.map((p) => p.prompt)).toEqual(['item 1', 'item 2', 'item 3', 'item 4']);

    // Each POST takes 50 ms and the next starts as one ends: item 5 (a 500) is answered at 100 ms,
    // item 9 (a 429 with Retry-After: 2) at 150 ms.
    await advance(100);
    expect(result.current.items[4]).toMatchObject({ status: 'failed', error: { kind: 'server', status: 500 } });
    expect(result.current.items[8]!.status).toBe('submitting');
    await advance(50);
    const refusedAt = Date.now();
    expect(result.current.items[8]).toMatchObject({ status: 'queued', error: { kind: 'rate_limited' }, retryAt: refusedAt + 2000 });

    // Nothing is sent, for any item, until Retry-After is over; then item 9 goes first.
    const before = api.posts.length;
    expect(before).toBe(12);
    await advance(1999);
    expect(api.posts).toHaveLength(before);
    await advance(1);
    expect(api.posts.slice(before).map((p) => p.prompt)).toEqual(['item 9', 'item 13', 'item 14', 'item 15']);
    expect(api.posts[before]!.at).toBe(refusedAt + 2000);

    await advance(20_000);
    expect(state.items).toHaveLength(20);
    expect(api.load.max).toBe(4);
    expect(api.posts).toHaveLength(21);
    expect(api.postsOf('item 5')).toHaveLength(1);
    expect(api.postsOf('item 9')).toHaveLength(2);
    for (let i = 1; i <= 20; i++) if (i !== 9) expect(api.postsOf(`item ${i}`)).toHaveLength(1);

    const items = result.current.items;
    expect(items[4]).toMatchObject({ status: 'failed', error: { kind: 'server' } });
    expect(items[4]!.task).toBeUndefined();
    expect(items[4]!.taskId).toBeUndefined();
    expect(items[11]).toMatchObject({ status: 'failed', error: { kind: 'task_failed', message: 'Refused by the safety filter' } });
    expect(items[8]).toMatchObject({ status: 'completed', taskId: 't-item 9', imageUrl: 'https://cdn.example.com/t-item 9.png' });
    expect(items[8]!.error).toBeUndefined();
    const completed = items.filter((i) => i.status === 'completed');
    expect(completed).toHaveLength(18);
    for (const item of completed) expect(item.imageUrl).toBe(`https://cdn.example.com/t-${item.input.prompt}.png`);
    expect(result.current.progress).toEqual({
      total: 20,
      queued: 0,
      submitting: 0,
      running: 0,
      completed: 18,
      failed: 2,
      cancelled: 0,
      done: 20,
      fraction: 1,
    });
    expect(result.current.isBusy).toBe(false);
    expect(state.items!.map((i) => i.status)).toEqual(items.map((i) => i.status));

    // Finished tasks are never read again.
    const reads = api.gets.length;
    await advance(60_000);
    expect(api.gets).toHaveLength(reads);
    expect(api.posts).toHaveLength(21);
  });

  it('never re-sends a POST that failed with a dropped connection', async () => {
    const api = batchApi({ answer: (prompt) => (prompt === 'item 2' ? HttpResponse.error() : undefined) });
    const { result } = renderBatch();
    const { state } = start(result, prompts(3));
    await advance(10_000);
    expect(state.items?.map((i) => i.status)).toEqual(['completed', 'failed', 'completed']);
    expect(result.current.items[1]!.error?.kind).toBe('network');
    expect(api.postsOf('item 2')).toHaveLength(1);
  });

  it('backs off without Retry-After (1 s, then 2 s), and gives an item up after 3 re-sends', async () => {
    const api = batchApi({
      answer: (prompt) => (prompt === 'item 1' ? HttpResponse.json({ error: { message: 'Slow down' } }, { status: 429 }) : undefined),
    });
    const { result } = renderBatch({ concurrency: 1 });
    const { state } = start(result, prompts(2));
    await advance(60_000);
    const times = api.postsOf('item 1').map((p) => p.at);
    expect(times).toHaveLength(4);
    // Each 429 answers 50 ms after the POST; the waits double: 1 s, 2 s, 4 s.
    expect(times.slice(1).map((t, i) => t - times[i]! - 50)).toEqual([1000, 2000, 4000]);
    expect(state.items?.[0]).toMatchObject({ status: 'failed', error: { kind: 'rate_limited' } });
    expect(state.items?.[1]?.status).toBe('completed');
    // Item 2 waited behind every pause.
    expect(api.postsOf('item 2')[0]!.at).toBeGreaterThanOrEqual(times[3]! + 50);
  });

  it('stops sending after a 402: the items still queued would be refused too', async () => {
    const api = batchApi({
      answer: (prompt) =>
        prompt === 'item 2' ? HttpResponse.json({ error: { message: 'Insufficient credits' } }, { status: 402 }) : undefined,
    });
    const { result } = renderBatch({ concurrency: 1 });
    const { state } = start(result, prompts(4));
    await advance(10_000);
    expect(api.posts.map((p) => p.prompt)).toEqual(['item 1', 'item 2']);
    expect(state.items?.map((i) => i.status)).toEqual(['completed', 'failed', 'failed', 'failed']);
    expect(state.items?.[3]?.error).toMatchObject({ kind: 'insufficient_credits' });
  });

  it('fails an invalid input without sending it, and sends the others', async () => {
    const api = batchApi();
    const { result } = renderBatch();
    const { state } = start(result, [{ prompt: 'ok 1' }, { prompt: '  ' }, { prompt: 'ok 2', seed: 1.5 }, { prompt: 'ok 3' }]);
    await advance(10_000);
    expect(api.posts.map((p) => p.prompt)).toEqual(['ok 1', 'ok 3']);
    expect(state.items?.map((i) => i.status)).toEqual(['completed', 'failed', 'failed', 'completed']);
    expect(state.items?.[1]?.error).toMatchObject({ kind: 'validation', field: 'prompt' });
    expect(state.items?.[2]?.error).toMatchObject({ kind: 'validation', field: 'seed' });
  });
});

describe('useImageBatch: one prompt, N seeds', () => {
  it('sends one POST per seed, with that seed', async () => {
    const bodies: unknown[] = [];
    batchApi();
    server.use(
      http.post(GENERATE_URL, async ({ request }) => {
        bodies.push(await request.clone().json());
        return undefined;
      }),
    );
    const { result } = renderBatch();
    start(result, seedVariations({ prompt: 'a fox', size: '16:9' }, [1, 2, 3]));
    await advance(0);
    await advance(100);
    expect(bodies).toEqual([1, 2, 3].map((seed) => ({ prompt: 'a fox', model: 'gemini-3.1-flash-image-preview', size: '16:9', seed })));
  });
});

describe('useImageBatch: while busy, cancel and reset', () => {
  it('sends nothing for a second generate() while busy, and returns the same promise', async () => {
    const api = batchApi();
    const { result } = renderBatch();
    const first = start(result, prompts(2));
    const second = start(result, prompts(5));
    expect(second.promise).toBe(first.promise);
    await advance(10_000);
    expect(api.posts).toHaveLength(2);
    expect(first.state.items).toHaveLength(2);
  });

  it('cancel() stops polling and keeps finished items; the cancelled keep their task', async () => {
    const api = batchApi({ completeAfterMs: (id) => (id === 't-item 1' || id === 't-item 2' ? 400 : 10_000) });
    const { result } = renderBatch({ concurrency: 2, intervalMs: 500 });
    const { state } = start(result, prompts(6));
    // All six are accepted by 150 ms; items 1 and 2 are seen completed at 550 ms.
    await advance(1200);
    expect(result.current.items.map((i) => i.status)).toEqual(['completed', 'completed', 'processing', 'processing', 'processing', 'processing']);
    act(() => result.current.cancel());
    await advance(0);
    expect(result.current.isBusy).toBe(false);
    expect(state.items?.map((i) => i.status)).toEqual(['completed', 'completed', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(result.current.items.map((i) => i.status)).toEqual(state.items?.map((i) => i.status));
    expect(result.current.items[2]!.task?.taskId).toBe('t-item 3');
    expect(result.current.items[0]!.imageUrl).toBe('https://cdn.example.com/t-item 1.png');
    expect(result.current.progress).toMatchObject({ completed: 2, cancelled: 4, done: 6, fraction: 1 });
    const reads = api.gets.length;
    await advance(30_000);
    expect(api.gets).toHaveLength(reads);
    expect(api.posts).toHaveLength(6);
  });

  it('cancel() aborts a POST in flight and marks every unfinished item cancelled', async () => {
    const signals: AbortSignal[] = [];
    server.use(
      http.post(GENERATE_URL, async ({ request }) => {
        signals.push(request.signal);
        await delay(5000);
        return HttpResponse.json({ task_id: 'x', status: 'pending' }, { status: 202 });
      }),
    );
    const { result } = renderBatch({ concurrency: 2 });
    const { state } = start(result, prompts(5));
    await advance(10);
    expect(signals).toHaveLength(2);
    act(() => {
      result.current.cancel();
    });
    await advance(0);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(state.items?.map((i) => i.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(result.current.progress).toMatchObject({ cancelled: 5, done: 5, fraction: 1 });
    await advance(30_000);
    expect(signals).toHaveLength(2);
  });

  it('reset() clears the batch; a new batch can start', async () => {
    const api = batchApi();
    const { result } = renderBatch();
    start(result, prompts(2));
    await advance(10);
    act(() => result.current.reset());
    expect(result.current.items).toEqual([]);
    expect(result.current.isBusy).toBe(false);
    const next = start(result, [{ prompt: 'again' }]);
    await advance(10_000);
    expect(next.state.items?.map((i) => i.status)).toEqual(['completed']);
    expect(api.postsOf('again')).toHaveLength(1);
  });

  it('StrictMode does not double any POST', async () => {
    const api = batchApi();
    const { result } = renderBatch({}, true);
    const { state } = start(result, prompts(6));
    await advance(10_000);
    expect(api.posts).toHaveLength(6);
    expect(state.items?.every((i) => i.status === 'completed')).toBe(true);
  });
});

describe('useImageBatch: polling', () => {
  it('shares its polls with useTaskStatus observers of the same tasks', async () => {
    const api = batchApi({ completeAfterMs: 5000 });
    const provider = createTestProvider();
    const batch = renderHook(() => useImageBatch({ intervalMs: 1000 }), { wrapper: provider.Wrapper });
    start(batch.result, prompts(3));
    await advance(100);
    const cells = ['t-item 1', 't-item 2', 't-item 3'].map((id) =>
      renderHook(() => useTaskStatus(id, { intervalMs: 1000 }), { wrapper: provider.Wrapper }),
    );
    await advance(3000);
    // One read per task per second, however many components watch it.
    expect(api.gets.length).toBeLessThanOrEqual(3 * 3);
    expect(cells[0]!.result.current.data?.status).toBe('processing');
    await advance(3000);
    expect(cells.every((c) => c.result.current.data?.status === 'completed')).toBe(true);
    expect(batch.result.current.progress.completed).toBe(3);
  });

  it('keeps item objects that did not change, so memoised cells do not re-render', async () => {
    const api = batchApi({ completeAfterMs: 5000 });
    const { result } = renderBatch({ intervalMs: 500 });
    start(result, prompts(2));
    // Accepted at 50 ms; the first poll at 550 ms says processing.
    await advance(700);
    expect(result.current.items.map((i) => i.status)).toEqual(['processing', 'processing']);
    const before = result.current.items;
    const reads = api.gets.length;
    await advance(1500);
    expect(api.gets.length - reads).toBe(6);
    expect(result.current.items[0]).toBe(before[0]);
    expect(result.current.items).toBe(before);
  });
});
