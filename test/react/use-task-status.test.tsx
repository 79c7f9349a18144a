import { act, renderHook } from '@testing-library/react';
import { focusManager, onlineManager } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImageFetcher } from '../../src/core/types.js';
import { imageGenKeys } from '../../src/core/query-keys.js';
import { useTaskStatus, type UseTaskStatusOptions } from '../../src/react/use-task-status.js';
import { API } from '../mock-api.js';
import { server } from '../msw-server.js';
import { createTestProvider, advance, withFakeClock } from '../render.js';

const TASK = 'task-1';
const IMAGE = 'https://cdn.example.com/task-1/0.png';

type Reply = () => Response | Promise<Response>;

const processing: Reply = () => HttpResponse.json({ task_id: TASK, status: 'processing', progress: 50 });
const completed: Reply = () => HttpResponse.json({ status: 'completed', capability: 'image', imageUrl: IMAGE });
const serverError: Reply = () =>
  HttpResponse.json({ error: { code: 'internal', type: 'server_error', message: 'Upstream broke' } }, { status: 500 });

/**
 * Serves `GET /api/v2/tasks/:id` from a script: the n-th request gets `replies[n]`, and every
 * request after the script ends gets its last entry. Returns the ids asked for, one per request.
 */
function serveTask(...replies: Reply[]): string[] {
  const seen: string[] = [];
  server.use(
    http.get(`${API}/api/v2/tasks/:taskId`, ({ params }) => {
      seen.push(String(params.taskId));
      const reply = replies[Math.min(seen.length, replies.length) - 1]!;
      return reply();
    }),
  );
  return seen;
}

function renderStatus(taskId: string | null | undefined, options?: UseTaskStatusOptions, fetcher?: ImageFetcher) {
  const provider = createTestProvider(fetcher);
  const hook = renderHook((props: { id: string | null | undefined; options?: UseTaskStatusOptions }) => useTaskStatus(props.id, props.options), {
    wrapper: provider.Wrapper,
    initialProps: { id: taskId, options },
  });
  return { ...hook, ...provider };
}

withFakeClock();

afterEach(() => {
  focusManager.setFocused(undefined);
  onlineManager.setOnline(true);
});

describe('useTaskStatus: no task id', () => {
  it.each([null, undefined, ''])('sends no request for %j', async (taskId) => {
    const getTask = vi.fn<ImageFetcher['getTask']>();
    const generate = vi.fn<ImageFetcher['generate']>();
    const seen = serveTask(processing);
    const { result } = renderStatus(taskId, { intervalMs: 100 }, { generate, getTask });
    await advance(5000);
    expect(getTask).not.toHaveBeenCalled();
    expect(seen).toEqual([]);
    expect(result.current.fetchStatus).toBe('idle');
    expect(result.current.data).toBeUndefined();
    expect(result.current.error).toBeNull();
  });
});

describe('useTaskStatus: polling', () => {
  it('asks at once, then once per intervalMs while the task runs', async () => {
    const seen = serveTask(processing);
    const { result } = renderStatus(TASK, { intervalMs: 500 });
    await advance(0);
    expect(seen).toEqual([TASK]);
    expect(result.current.data).toMatchObject({ taskId: TASK, status: 'processing' });

    await advance(499);
    expect(seen).toHaveLength(1);
    await advance(1);
    expect(seen).toHaveLength(2);
    await advance(500 * 4);
    expect(seen).toHaveLength(6);
    expect(result.current.isFetching).toBe(false);
    expect(result.current.error).toBeNull();
  });

  it('uses the default interval of 1000 ms', async () => {
    const seen = serveTask(processing);
    renderStatus(TASK);
    await advance(0);
    expect(seen).toHaveLength(1);
    await advance(999);
    expect(seen).toHaveLength(1);
    await advance(1);
    expect(seen).toHaveLength(2);
    await advance(3000);
    expect(seen).toHaveLength(5);
  });

  it('URL-encodes the task id into the path', async () => {
    const seen = serveTask(() => HttpResponse.json({ status: 'processing' }));
    const { result } = renderStatus('a/b c?d', { intervalMs: 1000 });
    await advance(0);
    expect(seen).toEqual(['a/b c?d']);
    expect(result.current.data?.taskId).toBe('a/b c?d');
  });

  it('stops for good once the task completes', async () => {
    const seen = serveTask(processing, processing, completed);
    const { result } = renderStatus(TASK, { intervalMs: 1000 });
    await advance(0);
    await advance(1000);
    expect(result.current.data?.status).toBe('processing');
    await advance(1000);
    expect(seen).toHaveLength(3);
    expect(result.current.data).toMatchObject({ taskId: TASK, status: 'completed', imageUrl: IMAGE });

    await advance(60_000);
    expect(seen).toHaveLength(3);
    expect(result.current.data?.status).toBe('completed');
  });

  it('treats a failed task as data, with its message, and stops polling', async () => {
    const seen = serveTask(processing, () =>
      HttpResponse.json({ task_id: TASK, status: 'failed', error: { message: 'The prompt was refused by the safety filter.' } }),
    );
    const { result } = renderStatus(TASK, { intervalMs: 1000 });
    await advance(0);
    await advance(1000);
    expect(seen).toHaveLength(2);
    expect(result.current.status).toBe('success');
    expect(result.current.error).toBeNull();
    expect(result.current.data).toMatchObject({
      taskId: TASK,
      status: 'failed',
      error: 'The prompt was refused by the safety filter.',
    });

    await advance(60_000);
    expect(seen).toHaveLength(2);
  });

  it('treats a cancelled task as failed data', async () => {
    const seen = serveTask(() => HttpResponse.json({ task_id: TASK, status: 'cancelled', message: 'Cancelled by operator' }));
    const { result } = renderStatus(TASK, { intervalMs: 1000 });
    await advance(0);
    expect(result.current.data).toMatchObject({ status: 'failed', error: 'Cancelled by operator' });
    await advance(30_000);
    expect(seen).toHaveLength(1);
  });

  it('stops on unmount', async () => {
    const seen = serveTask(processing);
    const { unmount } = renderStatus(TASK, { intervalMs: 1000 });
    await advance(0);
    await advance(2000);
    expect(seen).toHaveLength(3);
    unmount();
    await advance(60_000);
    expect(seen).toHaveLength(3);
  });

  it('polls the new id when the task id changes, and no longer the old one', async () => {
    const seen = serveTask(processing);
    const { rerender } = renderStatus('old', { intervalMs: 1000 });
    await advance(0);
    await advance(1000);
    expect(seen).toEqual(['old', 'old']);
    rerender({ id: 'new', options: { intervalMs: 1000 } });
    await advance(0);
    await advance(3000);
    expect(seen).toEqual(['old', 'old', 'new', 'new', 'new', 'new']);
  });

  it('holds polling while enabled is false, and resumes when it is true again', async () => {
    const seen = serveTask(processing);
    const { result, rerender } = renderStatus(TASK, { intervalMs: 1000, enabled: false });
    await advance(10_000);
    expect(seen).toHaveLength(0);
    expect(result.current.fetchStatus).toBe('idle');

    rerender({ id: TASK, options: { intervalMs: 1000, enabled: true } });
    await advance(0);
    expect(seen).toHaveLength(1);
    await advance(2000);
    expect(seen).toHaveLength(3);

    rerender({ id: TASK, options: { intervalMs: 1000, enabled: false } });
    await advance(10_000);
    expect(seen).toHaveLength(3);
  });
});

describe('useTaskStatus: errors', () => {
  it('stops on a non-retryable error: a 404 is one request and a not_found error', async () => {
    const seen = serveTask(() =>
      HttpResponse.json({ error: { code: 'task_not_found', type: 'not_found', message: 'Task not found' } }, { status: 404 }),
    );
    const { result } = renderStatus(TASK, { intervalMs: 1000 });
    await advance(0);
    expect(seen).toHaveLength(1);
    expect(result.current.status).toBe('error');
    expect(result.current.error).toMatchObject({ kind: 'not_found', status: 404, retryable: false, message: 'Task not found' });

    await advance(60_000);
    expect(seen).toHaveLength(1);
    expect(result.current.error?.kind).toBe('not_found');
  });

  it('rides out 3 consecutive transient failures (429 with Retry-After, 500, dropped connection), showing each as failureReason', async () => {
    const seen = serveTask(
      () =>
        HttpResponse.json(
          { error: { code: 'rate_limited', message: 'Slow down' } },
          { status: 429, headers: { 'Retry-After': '2' } },
        ),
      serverError,
      () => HttpResponse.error(),
      completed,
    );
    const { result } = renderStatus(TASK, { intervalMs: 1000 });

    // 1st failure: 429, Retry-After 2 s (the backoff alone would say 1 s).
    await advance(0);
    expect(seen).toHaveLength(1);
    expect(result.current.failureReason).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 2000 });
    expect(result.current.failureCount).toBe(1);
    expect(result.current.error).toBeNull();
    expect(result.current.status).toBe('pending');

    await advance(1999);
    expect(seen).toHaveLength(1);
    await advance(1);
    // 2nd failure: 500; backoff 2 s.
    expect(seen).toHaveLength(2);
    expect(result.current.failureReason).toMatchObject({ kind: 'server', status: 500 });
    expect(result.current.failureCount).toBe(2);
    expect(result.current.error).toBeNull();

    await advance(1999);
    expect(seen).toHaveLength(2);
    await advance(1);
    // 3rd failure: the connection dropped; backoff 4 s.
    expect(seen).toHaveLength(3);
    expect(result.current.failureReason?.kind).toBe('network');
    expect(result.current.failureCount).toBe(3);
    expect(result.current.error).toBeNull();
    expect(result.current.status).toBe('pending');

    await advance(3999);
    expect(seen).toHaveLength(3);
    await advance(1);
    expect(seen).toHaveLength(4);
    expect(result.current.status).toBe('success');
    expect(result.current.error).toBeNull();
    expect(result.current.failureReason).toBeNull();
    expect(result.current.data).toMatchObject({ status: 'completed', imageUrl: IMAGE });

    await advance(60_000);
    expect(seen).toHaveLength(4);
  });

  it('goes back to interval polling after a transient failure is ridden out', async () => {
    const seen = serveTask(processing, serverError, processing);
    const { result } = renderStatus(TASK, { intervalMs: 1000 });
    await advance(0);
    await advance(1000); // 500 → retry in 1 s
    expect(seen).toHaveLength(2);
    expect(result.current.failureReason?.kind).toBe('server');
    expect(result.current.data?.status).toBe('processing');
    await advance(1000); // the retry succeeds
    expect(seen).toHaveLength(3);
    expect(result.current.failureReason).toBeNull();
    await advance(3000);
    expect(seen).toHaveLength(6);
    expect(result.current.error).toBeNull();
  });

  it('reports the error after 4 consecutive failures, then stops', async () => {
    const seen = serveTask(serverError);
    const { result } = renderStatus(TASK, { intervalMs: 1000 });
    await advance(0);
    // Retries after 1 s, 2 s and 4 s.
    await advance(1000);
    expect(seen).toHaveLength(2);
    await advance(2000);
    expect(seen).toHaveLength(3);
    await advance(3999);
    expect(seen).toHaveLength(3);
    expect(result.current.error).toBeNull();
    expect(result.current.failureReason?.kind).toBe('server');
    await advance(1);
    expect(seen).toHaveLength(4);
    expect(result.current.status).toBe('error');
    expect(result.current.error).toMatchObject({ kind: 'server', status: 500, message: 'Upstream broke' });

    await advance(120_000);
    expect(seen).toHaveLength(4);
  });

  it('errors with kind timeout at timeoutMs, counted from when polling starts, and stops', async () => {
    const seen = serveTask(processing);
    const { result, rerender } = renderStatus(TASK, { intervalMs: 1000, timeoutMs: 2500, enabled: false });
    // Time while polling is held does not count.
    await advance(60_000);
    rerender({ id: TASK, options: { intervalMs: 1000, timeoutMs: 2500 } });
    await advance(0);
    expect(seen).toHaveLength(1);
    await advance(2000);
    expect(seen).toHaveLength(3);
    await advance(499);
    expect(seen).toHaveLength(3);
    expect(result.current.error).toBeNull();
    expect(result.current.data?.status).toBe('processing');
    // A poll lands on the deadline rather than one interval after it.
    await advance(1);
    expect(seen).toHaveLength(4);
    expect(result.current.status).toBe('error');
    expect(result.current.error).toMatchObject({ kind: 'timeout', retryable: false });
    expect(result.current.error?.task?.status).toBe('processing');

    await advance(60_000);
    expect(seen).toHaveLength(4);
  });

  it('does not time out a task that finishes on the deadline', async () => {
    const seen = serveTask(processing, processing, completed);
    const { result } = renderStatus(TASK, { intervalMs: 1000, timeoutMs: 2000 });
    await advance(0);
    await advance(2000);
    expect(seen).toHaveLength(3);
    expect(result.current.error).toBeNull();
    expect(result.current.data?.status).toBe('completed');
  });
});

describe('useTaskStatus: shared and settled tasks', () => {
  it('shares one poll between observers mounted at different times', async () => {
    const seen = serveTask(processing);
    const provider = createTestProvider();
    const first = renderHook(() => useTaskStatus(TASK, { intervalMs: 1000 }), { wrapper: provider.Wrapper });
    await advance(0);
    expect(seen).toHaveLength(1);
    await advance(400);
    const second = renderHook(() => useTaskStatus(TASK, { intervalMs: 1000 }), { wrapper: provider.Wrapper });
    await advance(0);
    // The second observer reads the fresh cache entry instead of asking again.
    expect(seen).toHaveLength(1);
    expect(second.result.current.data?.status).toBe('processing');

    await advance(600);
    expect(seen).toHaveLength(2);
    await advance(5000);
    expect(seen).toHaveLength(7);
    expect(first.result.current.data).toEqual(second.result.current.data);

    // The poll goes on for the one still watching.
    first.unmount();
    await advance(2000);
    expect(seen).toHaveLength(9);
    second.unmount();
    await advance(5000);
    expect(seen).toHaveLength(9);
  });

  it('never fetches a completed task again by itself (remount, focus, reconnect), but refetch() does', async () => {
    const seen = serveTask(completed);
    const provider = createTestProvider();
    const first = renderHook(() => useTaskStatus(TASK, { intervalMs: 1000 }), { wrapper: provider.Wrapper });
    await advance(0);
    expect(seen).toHaveLength(1);
    expect(first.result.current.data?.status).toBe('completed');
    first.unmount();

    await advance(60_000);
    const again = renderHook(() => useTaskStatus(TASK, { intervalMs: 1000 }), { wrapper: provider.Wrapper });
    await advance(0);
    expect(again.result.current.data?.status).toBe('completed');
    expect(seen).toHaveLength(1);

    await advance(60_000);
    await act(async () => {
      focusManager.setFocused(false);
      focusManager.setFocused(true);
    });
    await advance(0);
    expect(seen).toHaveLength(1);

    await advance(60_000);
    await act(async () => {
      onlineManager.setOnline(false);
      onlineManager.setOnline(true);
    });
    await advance(0);
    expect(seen).toHaveLength(1);

    await act(async () => {
      await again.result.current.refetch();
    });
    expect(seen).toHaveLength(2);
    await advance(60_000);
    expect(seen).toHaveLength(2);
  });

  it('never fetches an errored task again by itself (remount, focus, reconnect), but refetch() does', async () => {
    const seen = serveTask(() => HttpResponse.json({ error: { message: 'Task not found' } }, { status: 404 }));
    const provider = createTestProvider();
    const first = renderHook(() => useTaskStatus(TASK, { intervalMs: 1000 }), { wrapper: provider.Wrapper });
    await advance(0);
    expect(first.result.current.error?.kind).toBe('not_found');
    first.unmount();

    await advance(60_000);
    const again = renderHook(() => useTaskStatus(TASK, { intervalMs: 1000 }), { wrapper: provider.Wrapper });
    await advance(0);
    expect(again.result.current.error?.kind).toBe('not_found');
    expect(seen).toHaveLength(1);

    await act(async () => {
      focusManager.setFocused(false);
      focusManager.setFocused(true);
    });
    await advance(0);
    await act(async () => {
      onlineManager.setOnline(false);
      onlineManager.setOnline(true);
    });
    await advance(60_000);
    expect(seen).toHaveLength(1);

    await act(async () => {
      await again.result.current.refetch();
    });
    expect(seen).toHaveLength(2);
    expect(again.result.current.error?.kind).toBe('not_found');
    await advance(60_000);
    expect(seen).toHaveLength(2);
  });

  it('does refetch a running task on focus once its data is stale', async () => {
    // The counterpart of the tests above: focus does reach these queries when they may still change.
    const seen = serveTask(processing);
    const { result } = renderStatus(TASK, { intervalMs: 1000 });
    await advance(0);
    expect(seen).toHaveLength(1);
    // Hidden: the interval does not fire in the background, so the data goes stale without a poll.
    await act(async () => {
      focusManager.setFocused(false);
    });
    await advance(5000);
    expect(seen).toHaveLength(1);
    expect(result.current.isStale).toBe(true);
    await act(async () => {
      focusManager.setFocused(true);
    });
    await advance(0);
    expect(seen).toHaveLength(2);
  });

  it('puts the task in the provider cache under imageGenKeys.task(id)', async () => {
    serveTask(completed);
    const { queryClient } = renderStatus(TASK);
    await advance(0);
    expect(queryClient.getQueryData(imageGenKeys.task(TASK))).toMatchObject({ taskId: TASK, status: 'completed' });
  });
});
