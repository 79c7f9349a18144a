import { act, render, renderHook } from '@testing-library/react';
import { useEffect } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { seedVariations } from '../../src/core/batch.js';
import type { PersistOption } from '../../src/core/persister.js';
import { useImageBatch } from '../../src/react/use-image-batch.js';
import { useImageGeneration, type UseImageGenerationResult } from '../../src/react/use-image-generation.js';
import { delay, http } from 'msw';
import { API, createMockApi } from '../mock-api.js';
import { memoryStorage } from '../memory-storage.js';
import { server } from '../msw-server.js';
import { createTestProvider, advance, withFakeClock } from '../render.js';

const KEY = 'app:generation';
const url = (n: number) => `https://cdn.example.com/task${String(n).padStart(4, '0')}/0.png`;

/**
 * Mounts `hook` in a page of its own: a fresh QueryClient, as after a reload. Storage and the
 * server (the msw mock API) are what survive.
 */
function page<T>(hook: () => T, strict = false) {
  const provider = createTestProvider(undefined, { strict });
  return { ...renderHook(hook, { wrapper: provider.Wrapper }), ...provider };
}

let warn: ReturnType<typeof vi.spyOn>;

withFakeClock();

beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('useImageGeneration with persist: resume after reload', () => {
  it('stores the task in flight, resumes polling it after a reload with no second POST, then keeps the result', async () => {
    const api = createMockApi({ processingAfterMs: 1000, completeAfterMs: 5000 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const persist: PersistOption = { key: KEY, storage: mem.storage };

    const first = page(() => useImageGeneration({ intervalMs: 1000, persist }));
    act(() => {
      void first.result.current.generate({ prompt: 'a lighthouse', size: '16:9', seed: 7, imageUrls: ['https://images.example.com/a.png'] });
    });
    // Nothing is stored before the server accepted the task: there is no id to resume yet.
    expect(mem.data.has(KEY)).toBe(false);
    await advance(0);
    expect(first.result.current.status).toBe('pending');
    const startedAt = first.result.current.startedAt;
    expect(mem.entries(KEY)).toEqual([
      {
        taskId: 'task0001',
        input: { prompt: 'a lighthouse', size: '16:9', seed: 7, imageUrls: ['https://images.example.com/a.png'] },
        startedAt,
      },
    ]);
    await advance(2000);
    expect(first.result.current.status).toBe('processing');
    expect(api.posts()).toHaveLength(1);
    const pollsBefore = api.polls().length;

    // Reload: the page goes away mid-task; a new page with a fresh cache and the same storage.
    first.unmount();
    await advance(500);
    const second = page(() => useImageGeneration({ intervalMs: 1000, persist }));
    await advance(0);
    // It asks at once: the task may have finished while the page was away.
    expect(api.polls()).toHaveLength(pollsBefore + 1);
    expect(second.result.current).toMatchObject({
      status: 'processing',
      isBusy: true,
      input: { prompt: 'a lighthouse', size: '16:9', seed: 7 },
      startedAt,
      task: { taskId: 'task0001' },
    });
    // generate() while the resumed task runs sends nothing.
    act(() => {
      void second.result.current.generate({ prompt: 'something else' });
    });
    await advance(3000);
    expect(second.result.current).toMatchObject({ status: 'completed', imageUrl: url(1), isBusy: false });
    expect(api.posts()).toHaveLength(1);

    expect(mem.entries(KEY)).toEqual([
      expect.objectContaining({ taskId: 'task0001', imageUrl: url(1), completedAt: Date.now(), startedAt }),
    ]);
    expect(second.result.current.history).toEqual([expect.objectContaining({ taskId: 'task0001', imageUrl: url(1) })]);

    // Another reload: the finished result is shown without any request.
    second.unmount();
    const requests = api.requests.length;
    const third = page(() => useImageGeneration({ intervalMs: 1000, persist }));
    await advance(0);
    expect(third.result.current).toMatchObject({ status: 'completed', imageUrl: url(1), input: { prompt: 'a lighthouse' } });
    expect(third.result.current.history).toHaveLength(1);
    await advance(30_000);
    expect(api.requests).toHaveLength(requests);
    expect(warn).not.toHaveBeenCalled();
  });

  it('survives StrictMode double effects on the page that resumes: one poll stream, no POST', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 4000 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const persist = { key: KEY, storage: mem.storage };
    const first = page(() => useImageGeneration({ intervalMs: 1000, persist }));
    act(() => {
      void first.result.current.generate({ prompt: 'a fox' });
    });
    await advance(0);
    first.unmount();

    const second = page(() => useImageGeneration({ intervalMs: 1000, persist }), true);
    await advance(0);
    expect(api.polls()).toHaveLength(1);
    await advance(2000);
    expect(api.polls()).toHaveLength(3);
    await advance(2000);
    expect(second.result.current.status).toBe('completed');
    expect(api.posts()).toHaveLength(1);
  });

  it('forgets a task that failed, was cancelled or was reset; keeps finished results', async () => {
    const api = createMockApi({ completeAfterMs: 2000 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const { result } = page(() => useImageGeneration({ intervalMs: 1000, persist: { key: KEY, storage: mem.storage } }));
    act(() => {
      void result.current.generate({ prompt: 'one' });
    });
    await advance(0);
    await advance(2000);
    expect(result.current.status).toBe('completed');
    act(() => {
      void result.current.generate({ prompt: 'two' });
    });
    await advance(0);
    expect(mem.entries(KEY).map((e) => [e.taskId, e.imageUrl])).toEqual([
      ['task0002', undefined],
      ['task0001', url(1)],
    ]);
    act(() => result.current.cancel());
    expect(mem.entries(KEY).map((e) => e.taskId)).toEqual(['task0001']);
    act(() => result.current.reset());
    expect(mem.entries(KEY).map((e) => e.taskId)).toEqual(['task0001']);
    act(() => result.current.removeFromHistory('task0001'));
    expect(mem.data.has(KEY)).toBe(false);
  });

  it('a result removed and then reset (or regenerated) in the same handler stays removed', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 0 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const { result } = page(() => useImageGeneration({ intervalMs: 100, persist: { key: KEY, storage: mem.storage } }));
    for (const prompt of ['one', 'two']) {
      act(() => {
        void result.current.generate({ prompt });
      });
      await advance(0);
      await advance(100);
    }
    expect(result.current.history.map((h) => h.taskId)).toEqual(['task0002', 'task0001']);
    act(() => {
      result.current.removeFromHistory('task0002');
      result.current.reset();
    });
    expect(result.current.history.map((h) => h.taskId)).toEqual(['task0001']);
    act(() => {
      result.current.removeFromHistory('task0001');
      void result.current.generate({ prompt: 'three' });
    });
    await advance(0);
    expect(result.current.history).toEqual([]);
    expect(mem.entries(KEY).map((e) => e.taskId)).toEqual(['task0003']);
  });

  it('switching the key does not carry the result on screen into the new key', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 0 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const provider = createTestProvider();
    const { result, rerender } = renderHook(
      ({ key }) => useImageGeneration({ intervalMs: 100, persist: { key, storage: mem.storage } }),
      { wrapper: provider.Wrapper, initialProps: { key: 'user-a' } },
    );
    act(() => {
      void result.current.generate({ prompt: 'private to a' });
    });
    await advance(0);
    await advance(100);
    expect(result.current.status).toBe('completed');
    rerender({ key: 'user-b' });
    await advance(0);
    expect(result.current).toMatchObject({ status: 'idle', history: [] });
    expect(mem.data.has('user-b')).toBe(false);
    expect(mem.entries('user-a').map((e) => e.taskId)).toEqual(['task0001']);
  });

  it('a child that generates on mount finds the stored task resumed: no second POST, nothing paid for dropped', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 60_000 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const persist = { key: KEY, storage: mem.storage };
    const first = page(() => useImageGeneration({ intervalMs: 1000, persist }));
    act(() => {
      void first.result.current.generate({ prompt: 'paid' });
    });
    await advance(0);
    first.unmount();

    function Child({ generation }: { generation: UseImageGenerationResult }) {
      useEffect(() => {
        void generation.generate({ prompt: 'on mount' });
      }, []);
      return null;
    }
    function Parent() {
      const generation = useImageGeneration({ intervalMs: 1000, persist });
      return <Child generation={generation} />;
    }
    const reloaded = createTestProvider();
    render(<Parent />, { wrapper: reloaded.Wrapper });
    await advance(0);
    expect(api.posts()).toHaveLength(1);
    expect(mem.entries(KEY).map((e) => e.taskId)).toEqual(['task0001']);
  });

  it('takes a storage written inline in the render (a new object each time): restores once, renders a bounded number of times', async () => {
    const mem = memoryStorage();
    const getItem = vi.spyOn(mem.storage, 'getItem');
    let renders = 0;
    page(() => {
      renders += 1;
      return useImageGeneration({
        persist: { key: KEY, storage: { getItem: (k) => mem.storage.getItem(k), setItem: (k, v) => mem.storage.setItem(k, v), removeItem: (k) => mem.storage.removeItem(k) } },
      });
    });
    await advance(0);
    expect(getItem).toHaveBeenCalledTimes(1);
    expect(renders).toBeLessThan(5);
  });

  it('uses localStorage when given only a key', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    localStorage.removeItem(KEY);
    const { result } = page(() => useImageGeneration({ persist: KEY }));
    act(() => {
      void result.current.generate({ prompt: 'a kite' });
    });
    await advance(0);
    expect(JSON.parse(localStorage.getItem(KEY)!)).toMatchObject({ lib: 'flash-image-react', v: 1, entries: [{ taskId: 'task0001' }] });
    localStorage.removeItem(KEY);
  });

  it('keeps the history to historySize, newest first, in memory and in storage', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 0 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const { result } = page(() => useImageGeneration({ intervalMs: 100, persist: { key: KEY, storage: mem.storage }, historySize: 3 }));
    for (let i = 1; i <= 5; i++) {
      act(() => {
        void result.current.generate({ prompt: `p${i}` });
      });
      await advance(0);
      await advance(100);
      expect(result.current.status).toBe('completed');
    }
    expect(result.current.history.map((h) => h.input.prompt)).toEqual(['p5', 'p4', 'p3']);
    expect(mem.entries(KEY).map((e) => (e.input as { prompt: string }).prompt)).toEqual(['p5', 'p4', 'p3']);
  });
});

describe('persist: corrupt or foreign content', () => {
  it.each([
    ['text that is not JSON', '{"lib": "flash-image-react", "v": 1, "entries": [', /not a version 1 flash-image-react record/],
    ['another app’s data', JSON.stringify({ theme: 'dark', items: [1, 2] }), /not a version 1 flash-image-react record/],
    ['a future version', JSON.stringify({ lib: 'flash-image-react', v: 2, entries: [] }), /not a version 1 flash-image-react record/],
    ['a JSON string', JSON.stringify('hello'), /not a version 1 flash-image-react record/],
  ])('ignores %s with a warning, resumes nothing, and replaces it only when there is something to store', async (_name, text, reason) => {
    const api = createMockApi();
    server.use(...api.handlers);
    const mem = memoryStorage({ [KEY]: text });
    const { result } = page(() => useImageGeneration({ persist: { key: KEY, storage: mem.storage } }));
    await advance(0);
    expect(result.current.status).toBe('idle');
    expect(result.current.history).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(reason);
    expect(String(warn.mock.calls[0]![0])).toContain(KEY);
    expect(api.requests).toHaveLength(0);
    expect(mem.data.get(KEY)).toBe(text);

    act(() => {
      void result.current.generate({ prompt: 'fresh' });
    });
    await advance(0);
    expect(mem.entries(KEY)).toEqual([expect.objectContaining({ taskId: 'task0001' })]);
  });

  it('drops bad entries one by one (a javascript: URL, a bad seed, no task id) and keeps the good ones', async () => {
    const good = { taskId: 'ok', input: { prompt: 'fine' }, startedAt: 1, imageUrl: 'https://cdn.example.com/ok.png', completedAt: 2 };
    const mem = memoryStorage({
      [KEY]: JSON.stringify({
        lib: 'flash-image-react',
        v: 1,
        entries: [
          { ...good, taskId: 'evil', imageUrl: 'javascript:alert(1)' },
          { ...good, taskId: 'seed', input: { prompt: 'x', seed: -1 } },
          { ...good, taskId: '' },
          'nonsense',
          good,
        ],
      }),
    });
    const { result } = page(() => useImageGeneration({ persist: { key: KEY, storage: mem.storage } }));
    await advance(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/4 of its entries are not valid/);
    expect(result.current).toMatchObject({ status: 'completed', imageUrl: 'https://cdn.example.com/ok.png' });
    expect(result.current.history.map((h) => h.taskId)).toEqual(['ok']);
  });

  it('warns and carries on when the storage itself throws (blocked cookies, a full quota)', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const storage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const { result } = page(() => useImageGeneration({ intervalMs: 1000, persist: { key: KEY, storage } }));
    await advance(0);
    expect(warn).toHaveBeenCalledTimes(1);
    act(() => {
      void result.current.generate({ prompt: 'still works' });
    });
    await advance(0);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[1]![0])).toMatch(/could not save/);
    await advance(3000);
    expect(result.current.status).toBe('completed');
  });
});

describe('useImageBatch with persist: resume after reload', () => {
  it('resumes the running items with no POST, shows the finished ones without a request', async () => {
    const api = createMockApi({ processingAfterMs: 0, completeAfterMs: 3000 });
    server.use(...api.handlers);
    const mem = memoryStorage();
    const persist = { key: 'app:batch', storage: mem.storage };
    // Each POST takes a second, and they go one at a time: tasks are created at 1, 2 and 3 s.
    server.use(
      http.post(`${API}/api/v2/image/generate`, async () => {
        await delay(1000);
        return undefined;
      }),
    );
    const first = page(() => useImageBatch({ intervalMs: 1000, persist, concurrency: 1 }));
    act(() => {
      void first.result.current.generate(seedVariations({ prompt: 'a fox' }, [1, 2, 3]));
    });
    await advance(4000);
    expect(first.result.current.items.map((i) => i.status)).toEqual(['completed', 'processing', 'processing']);
    expect(mem.entries('app:batch').map((e) => [e.taskId, e.imageUrl ?? null])).toEqual([
      ['task0001', url(1)],
      ['task0002', null],
      ['task0003', null],
    ]);
    first.unmount();

    const pollsBefore = api.polls().length;
    const second = page(() => useImageBatch({ intervalMs: 1000, persist }));
    await advance(0);
    // Only the two running tasks are asked about, at once; task 1 is shown from storage.
    expect(api.polls().slice(pollsBefore).map((p) => p.url.split('/').pop()).sort()).toEqual(['task0002', 'task0003']);
    expect(second.result.current.items.map((i) => [i.status, i.input.seed])).toEqual([
      ['completed', 1],
      ['processing', 2],
      ['processing', 3],
    ]);
    expect(second.result.current.items[0]!.imageUrl).toBe(url(1));
    expect(second.result.current.isBusy).toBe(true);
    await advance(3000);
    expect(second.result.current.items.map((i) => i.status)).toEqual(['completed', 'completed', 'completed']);
    expect(second.result.current.isBusy).toBe(false);
    expect(api.posts()).toHaveLength(3);
    expect(mem.entries('app:batch').every((e) => typeof e.imageUrl === 'string')).toBe(true);

    // Reset clears what is stored.
    act(() => second.result.current.reset());
    expect(mem.data.has('app:batch')).toBe(false);
  });
});
