import { render } from '@testing-library/react';
import { focusManager, onlineManager, type QueryClient } from '@tanstack/react-query';
import { useEffect, type ComponentType, type ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { ImageFetcher } from '../../src/core/types.js';
import { useImageBatch } from '../../src/react/use-image-batch.js';
import { useImageGeneration } from '../../src/react/use-image-generation.js';
import { useTaskStatus } from '../../src/react/use-task-status.js';
import { memoryStorage } from '../memory-storage.js';
import { createTestProvider, advance, withFakeClock } from '../render.js';

const CYCLES = 1000;
/** A thousand renders take seconds in jsdom. */
const SLOW = { timeout: 60_000 };
/** TanStack Query's default gcTime: how long an unobserved entry stays cached. */
const GC_TIME = 5 * 60 * 1000;

/** A fetcher that answers at once: tasks are created pending and stay processing. */
function runningFetcher() {
  let tasks = 0;
  const fetcher: ImageFetcher = {
    generate: async () => ({ taskId: `t${++tasks}`, status: 'pending', raw: null }),
    getTask: async (taskId) => ({ taskId, status: 'processing', raw: { status: 'processing' } }),
  };
  return fetcher;
}

function listenerCount(manager: object): number {
  return (manager as { listeners: Set<unknown> }).listeners.size;
}

function observerCount(queryClient: QueryClient): number {
  return queryClient
    .getQueryCache()
    .getAll()
    .reduce((n, q) => n + q.getObserversCount(), 0);
}

/**
 * The POSTs in the mutation cache: how many, and how many not settled. (One that an observer still
 * held would never be garbage-collected: the counts after gcTime prove none is.)
 */
function mutations(queryClient: QueryClient) {
  const all = queryClient.getMutationCache().getAll();
  return { count: all.length, pending: all.filter((m) => m.state.status === 'pending').length };
}

/** Mounts and unmounts `Component` `CYCLES` times, letting `wait(i)` ms of fake time pass while mounted. */
async function mountCycles(Wrapper: ComponentType<{ children: ReactNode }>, Component: ComponentType, wait: (i: number) => number) {
  for (let i = 0; i < CYCLES; i++) {
    const view = render(
      <Wrapper>
        <Component />
      </Wrapper>,
    );
    await advance(wait(i));
    view.unmount();
  }
  await advance(0);
}

withFakeClock();

describe(`nothing is left behind after ${CYCLES} mount/unmount cycles`, SLOW, () => {
  it('useTaskStatus on one running task: one cache entry, no observers, no timers, no listeners', async () => {
    const { Wrapper, queryClient } = createTestProvider(runningFetcher());
    const focus = listenerCount(focusManager);
    const online = listenerCount(onlineManager);
    function Cell() {
      useTaskStatus('t1', { intervalMs: 1000 });
      return null;
    }
    await mountCycles(Wrapper, Cell, (i) => (i % 50 === 0 ? 1000 : 1));
    expect(queryClient.getQueryCache().getAll()).toHaveLength(1);
    expect(observerCount(queryClient)).toBe(0);
    expect(listenerCount(focusManager)).toBe(focus);
    expect(listenerCount(onlineManager)).toBe(online);
    // Only TanStack Query's garbage-collection timer for the one entry is pending.
    expect(vi.getTimerCount()).toBe(1);
    await advance(GC_TIME);
    expect(queryClient.getQueryCache().getAll()).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('useImageGeneration, a new task each cycle: no observers, and nothing at all once gcTime has passed', async () => {
    const { Wrapper, queryClient } = createTestProvider(runningFetcher());
    const focus = listenerCount(focusManager);
    function Generate() {
      const { generate } = useImageGeneration({ intervalMs: 1000 });
      useEffect(() => {
        void generate({ prompt: 'a fox' });
      }, [generate]);
      return null;
    }
    await mountCycles(Wrapper, Generate, (i) => (i % 100 === 0 ? 1000 : 1));
    expect(observerCount(queryClient)).toBe(0);
    expect(listenerCount(focusManager)).toBe(focus);
    // One entry per task ("no task yet" has none: skipToken), and each POST as a finished mutation.
    expect(queryClient.getQueryCache().getAll()).toHaveLength(CYCLES);
    expect(mutations(queryClient)).toEqual({ count: CYCLES, pending: 0 });
    // One gc timer per cache entry at most; no poll or deferred-unmount timer survives.
    expect(vi.getTimerCount()).toBeLessThanOrEqual(2 * CYCLES);
    await advance(GC_TIME);
    expect(queryClient.getQueryCache().getAll()).toHaveLength(0);
    expect(mutations(queryClient).count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('useImageGeneration with persist: each mount resumes the stored task instead of sending a new POST', async () => {
    let posts = 0;
    const base = runningFetcher();
    const fetcher: ImageFetcher = { ...base, generate: (input, options) => (posts++, base.generate(input, options)) };
    const { Wrapper, queryClient } = createTestProvider(fetcher);
    const mem = memoryStorage();
    function Generate() {
      const { generate } = useImageGeneration({ intervalMs: 1000, persist: { key: 'k', storage: mem.storage } });
      useEffect(() => {
        void generate({ prompt: 'a fox' });
      }, [generate]);
      return null;
    }
    await mountCycles(Wrapper, Generate, () => 1);
    expect(posts).toBe(1);
    expect(mem.entries('k')).toEqual([expect.objectContaining({ taskId: 't1' })]);
    expect(observerCount(queryClient)).toBe(0);
    // The task's entry and its one POST, each with its gc timer, and nothing else.
    expect(queryClient.getQueryCache().getAll()).toHaveLength(1);
    expect(mutations(queryClient)).toEqual({ count: 1, pending: 0 });
    expect(vi.getTimerCount()).toBe(2);
    await advance(GC_TIME);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('useImageBatch, two new tasks each cycle: no observers, and nothing at all once gcTime has passed', async () => {
    const { Wrapper, queryClient } = createTestProvider(runningFetcher());
    function Batch() {
      const { generate } = useImageBatch({ intervalMs: 1000 });
      useEffect(() => {
        void generate([{ prompt: 'a' }, { prompt: 'b' }]);
      }, [generate]);
      return null;
    }
    await mountCycles(Wrapper, Batch, (i) => (i % 100 === 0 ? 1000 : 1));
    expect(observerCount(queryClient)).toBe(0);
    expect(queryClient.getQueryCache().getAll().length).toBe(2 * CYCLES);
    expect(mutations(queryClient)).toEqual({ count: 2 * CYCLES, pending: 0 });
    expect(vi.getTimerCount()).toBeLessThanOrEqual(4 * CYCLES);
    await advance(GC_TIME);
    expect(queryClient.getQueryCache().getAll()).toHaveLength(0);
    expect(mutations(queryClient).count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
