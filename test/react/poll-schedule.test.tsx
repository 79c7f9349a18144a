import { act, renderHook } from '@testing-library/react';
import { focusManager } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolvePollInterval } from '../../src/core/polling.js';
import type { ImageFetcher, ImageTask, PollInterval } from '../../src/core/types.js';
import { useImageBatch } from '../../src/react/use-image-batch.js';
import { useImageGeneration } from '../../src/react/use-image-generation.js';
import { useTaskStatus } from '../../src/react/use-task-status.js';
import { createTestProvider, advance, withFakeClock } from '../render.js';

/** A fetcher recording when each task is read (ms after the test began); tasks finish at `doneAfterMs`. */
function timedFetcher(doneAfterMs = Infinity) {
  const begin = Date.now();
  const reads: { taskId: string; at: number }[] = [];
  let tasks = 0;
  const fetcher: ImageFetcher = {
    generate: async () => ({ taskId: `t${++tasks}`, status: 'pending', raw: null }),
    getTask: async (taskId) => {
      const at = Date.now() - begin;
      reads.push({ taskId, at });
      const task: ImageTask = { taskId, status: at >= doneAfterMs ? 'completed' : 'processing', raw: null };
      if (task.status === 'completed') task.imageUrl = `https://cdn.example.com/${taskId}.png`;
      return task;
    },
  };
  return { fetcher, reads, times: () => reads.map((r) => r.at) };
}

withFakeClock();

afterEach(() => {
  focusManager.setFocused(undefined);
});

describe('resolvePollInterval', () => {
  it('uses a number as is', () => {
    expect(resolvePollInterval(1000, 5, undefined)).toBe(1000);
    expect(resolvePollInterval(250, 0, undefined)).toBe(250);
  });

  it('asks a schedule with the attempt and the task', () => {
    const schedule = vi.fn((attempt: number) => 100 * (attempt + 1));
    const task: ImageTask = { taskId: 'x', status: 'processing', raw: null };
    expect(resolvePollInterval(schedule, 2, task)).toBe(300);
    expect(schedule).toHaveBeenCalledWith(2, task);
  });

  it.each([0, -5, Number.NaN, Infinity, '1000' as unknown as number])('falls back to 1000 ms when a schedule returns %j', (value) => {
    expect(resolvePollInterval(() => value, 0, undefined)).toBe(1000);
  });
});

describe('intervalMs as a schedule', () => {
  it('useTaskStatus: asks at once, then waits what the schedule says for each attempt', async () => {
    const api = timedFetcher();
    const calls: [number, string | undefined][] = [];
    const schedule: PollInterval = (attempt, task) => {
      calls.push([attempt, task?.status]);
      return [0, 2000, 500, 500][attempt] ?? 3000;
    };
    const { Wrapper } = createTestProvider(api.fetcher);
    renderHook(() => useTaskStatus('t1', { intervalMs: schedule }), { wrapper: Wrapper });
    await advance(12_000);
    expect(api.times()).toEqual([0, 2000, 2500, 3000, 6000, 9000, 12_000]);
    expect(calls).toContainEqual([1, 'processing']);
    expect(calls.every(([attempt]) => attempt <= 7)).toBe(true);
  });

  it('useImageGeneration: attempt 0 is the wait after the POST, e.g. skip the first seconds in which no image is ready', async () => {
    const api = timedFetcher(6500);
    const { Wrapper } = createTestProvider(api.fetcher);
    const { result } = renderHook(() => useImageGeneration({ intervalMs: (attempt) => (attempt === 0 ? 4000 : 1000) }), { wrapper: Wrapper });
    act(() => {
      void result.current.generate({ prompt: 'a fox' });
    });
    await advance(0);
    await advance(10_000);
    expect(api.times()).toEqual([4000, 5000, 6000, 7000]);
    expect(result.current.status).toBe('completed');
  });

  it('sets how long data stays fresh: a remount within the current wait does not ask again', async () => {
    const api = timedFetcher();
    const { Wrapper } = createTestProvider(api.fetcher);
    const first = renderHook(() => useTaskStatus('t1', { intervalMs: () => 5000 }), { wrapper: Wrapper });
    await advance(0);
    first.unmount();
    await advance(4000);
    renderHook(() => useTaskStatus('t1', { intervalMs: () => 5000 }), { wrapper: Wrapper });
    await advance(0);
    expect(api.times()).toEqual([0]);
  });
});

describe('hidden tabs', () => {
  it('no poll while the page is hidden; one catch-up poll per running task when it shows again, then the interval', async () => {
    const api = timedFetcher();
    const { Wrapper } = createTestProvider(api.fetcher);
    const { result } = renderHook(() => useImageBatch({ intervalMs: 1000 }), { wrapper: Wrapper });
    act(() => {
      void result.current.generate([{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }]);
    });
    await advance(0);
    await advance(2000);
    expect(api.reads).toHaveLength(6);
    act(() => focusManager.setFocused(false));
    await advance(30_000);
    expect(api.reads).toHaveLength(6);
    act(() => focusManager.setFocused(true));
    await advance(0);
    expect(api.reads).toHaveLength(9);
    expect(api.reads.slice(6).map((r) => r.taskId).sort()).toEqual(['t1', 't2', 't3']);
    await advance(999);
    expect(api.reads).toHaveLength(9);
    await advance(1);
    expect(api.reads).toHaveLength(12);
  });
});
