import { act, render, renderHook, screen } from '@testing-library/react';
import { delay, http, HttpResponse } from 'msw';
import { StrictMode, useEffect } from 'react';
import { useTaskStatus } from '../../src/react/use-task-status.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODEL } from '../../src/core/constants.js';
import type { ImageGenError } from '../../src/core/errors.js';
import type { GenerateImageInput, ImageFetcher, ImageTask } from '../../src/core/types.js';
import {
  useImageGeneration,
  type ImageGenerationStatus,
  type UseImageGenerationOptions,
  type UseImageGenerationResult,
} from '../../src/react/use-image-generation.js';
import { API, createMockApi } from '../mock-api.js';
import { countAllRequests, server } from '../msw-server.js';
import { createTestProvider, advance, withFakeClock } from '../render.js';

type Outcome = { task?: ImageTask; error?: ImageGenError };

/** Counts every request that reaches the network, whatever its path. */
/** Renders the hook and records every status it renders with (consecutive repeats dropped). */
function renderGeneration(options?: UseImageGenerationOptions, fetcher?: ImageFetcher) {
  const provider = createTestProvider(fetcher);
  const statuses: ImageGenerationStatus[] = [];
  const busy: boolean[] = [];
  const hook = renderHook(
    () => {
      const value = useImageGeneration(options);
      if (statuses.at(-1) !== value.status) {
        statuses.push(value.status);
        busy.push(value.isBusy);
      }
      return value;
    },
    { wrapper: provider.Wrapper },
  );
  return { ...hook, ...provider, statuses, busy };
}

/**
 * Calls generate() inside act. Returns its promise, its outcome (the task, or the error it
 * rejected with) and a flag that says whether it has settled yet.
 *
 * Tests then `await advance(0)` before moving the clock on: the POST is answered at the current
 * fake time, and the mock API dates the task from then.
 */
function generate(result: { current: UseImageGenerationResult }, input: GenerateImageInput) {
  let promise!: Promise<ImageTask>;
  act(() => {
    promise = result.current.generate(input);
  });
  const state = { settled: false };
  const outcome: Promise<Outcome> = promise.then(
    (task) => {
      state.settled = true;
      return { task };
    },
    (error: ImageGenError) => {
      state.settled = true;
      return { error };
    },
  );
  return { promise, outcome, state };
}

const GENERATE_URL = `${API}/api/v2/image/generate`;

withFakeClock();

afterEach(() => {
  server.events.removeAllListeners();
});

describe('useImageGeneration: the full flow', () => {
  it('goes idle → submitting → pending → processing → completed and resolves with the finished task', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result, statuses, busy } = renderGeneration({ intervalMs: 1000 });
    expect(result.current.status).toBe('idle');
    expect(result.current.isBusy).toBe(false);
    expect(result.current.task).toBeUndefined();

    const { outcome, state } = generate(result, { prompt: 'a lighthouse', size: '9:16' });
    expect(result.current.status).toBe('submitting');
    expect(result.current.isBusy).toBe(true);
    expect(result.current.input).toEqual({ prompt: 'a lighthouse', size: '9:16' });
    expect(result.current.startedAt).toBe(Date.now());

    await advance(0);
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toEqual({ prompt: 'a lighthouse', model: DEFAULT_MODEL, size: '9:16' });
    expect(result.current.status).toBe('pending');
    expect(result.current.task).toMatchObject({ taskId: 'task0001', status: 'pending' });
    expect(result.current.isBusy).toBe(true);
    // Polling starts one interval after the POST, not at once.
    await advance(999);
    expect(api.polls()).toHaveLength(0);

    await advance(1);
    expect(api.polls()).toHaveLength(1);
    expect(api.polls()[0]!.url).toBe(`${API}/api/v2/tasks/task0001`);
    expect(result.current.status).toBe('processing');
    expect(result.current.isBusy).toBe(true);
    expect(result.current.imageUrl).toBeUndefined();
    expect(state.settled).toBe(false);

    await advance(1000);
    expect(api.polls()).toHaveLength(2);
    expect(result.current.status).toBe('processing');
    expect(state.settled).toBe(false);

    await advance(1000);
    expect(api.polls()).toHaveLength(3);
    expect(result.current.status).toBe('completed');
    expect(result.current.isBusy).toBe(false);
    expect(result.current.imageUrl).toBe('https://cdn.example.com/task0001/0.png');
    expect(result.current.error).toBeUndefined();
    expect(result.current.task).toMatchObject({ taskId: 'task0001', status: 'completed' });

    const { task, error } = await outcome;
    expect(error).toBeUndefined();
    expect(task).toMatchObject({ taskId: 'task0001', status: 'completed', imageUrl: 'https://cdn.example.com/task0001/0.png' });

    expect(statuses).toEqual(['idle', 'submitting', 'pending', 'processing', 'completed']);
    expect(busy).toEqual([false, true, true, true, false]);

    await advance(60_000);
    expect(api.posts()).toHaveLength(1);
    expect(api.polls()).toHaveLength(3);
  });

  it('reads no clock while rendering, from idle to a finished result in the history', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const provider = createTestProvider();
    let rendering = false;
    const readsWhileRendering: number[] = [];
    const now = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => {
      const value = now();
      // This library's reads only: TanStack Query reads the clock while rendering a query that
      // has data (to tell whether it is stale); that is not ours to change.
      const caller = new Error().stack?.split('\n').find((line) => !/@vitest\/spy|\.test\.tsx|^Error/.test(line));
      if (rendering && caller?.includes('/src/')) readsWhileRendering.push(value);
      return value;
    });
    const { result } = renderHook(
      () => {
        rendering = true;
        const value = useImageGeneration({ intervalMs: 1000 });
        rendering = false;
        return value;
      },
      { wrapper: provider.Wrapper },
    );
    const start = Date.now();
    generate(result, { prompt: 'a lighthouse' });
    await advance(0);
    await advance(3000);
    expect(result.current.status).toBe('completed');
    // The finished result's time is when its answer arrived, as the cache recorded it.
    expect(result.current.history).toEqual([
      expect.objectContaining({ taskId: 'task0001', startedAt: start, completedAt: start + 3000 }),
    ]);
    expect(readsWhileRendering).toEqual([]);
  });

  it('shares its poll with a useTaskStatus of the same task mounted later: one request per interval', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result, Wrapper } = renderGeneration({ intervalMs: 1000 });
    generate(result, { prompt: 'a cat' });
    await advance(0);
    await advance(1200);
    expect(api.polls()).toHaveLength(1);
    const taskId = result.current.task!.taskId;
    const watcher = renderHook(() => useTaskStatus(taskId, { intervalMs: 1000 }), { wrapper: Wrapper });
    await advance(0);
    expect(api.polls()).toHaveLength(1);
    expect(watcher.result.current.data?.status).toBe('processing');
    await advance(1800);
    expect(api.polls()).toHaveLength(3);
    expect(result.current.status).toBe('completed');
    expect(watcher.result.current.data?.status).toBe('completed');
    await advance(30_000);
    expect(api.polls()).toHaveLength(3);
  });

  it('sends one POST when generate() is called twice in the same tick, and returns the same promise', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result } = renderGeneration();
    let first!: Promise<ImageTask>;
    let second!: Promise<ImageTask>;
    act(() => {
      first = result.current.generate({ prompt: 'first' });
      second = result.current.generate({ prompt: 'second' });
    });
    expect(second).toBe(first);
    await advance(0);
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body?.prompt).toBe('first');
    expect(result.current.input?.prompt).toBe('first');
    await advance(3000);
    expect(result.current.status).toBe('completed');
    await expect(first).resolves.toMatchObject({ status: 'completed' });
    expect(api.posts()).toHaveLength(1);
  });

  it('sends nothing when generate() is called while polling, and returns the promise in flight', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result } = renderGeneration();
    const first = generate(result, { prompt: 'first' });
    await advance(0);
    await advance(1500);
    expect(result.current.status).toBe('processing');
    const again = generate(result, { prompt: 'second' });
    expect(again.promise).toBe(first.promise);
    await advance(0);
    expect(api.posts()).toHaveLength(1);
    expect(result.current.input?.prompt).toBe('first');
    await advance(1500);
    expect(result.current.status).toBe('completed');
    expect((await again.outcome).task?.taskId).toBe('task0001');
    expect(api.posts()).toHaveLength(1);
  });

  it('starts a second generation (a second POST) after the first finished', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result, statuses } = renderGeneration();
    const first = generate(result, { prompt: 'first' });
    await advance(0);
    await advance(3000);
    expect((await first.outcome).task?.taskId).toBe('task0001');

    const second = generate(result, { prompt: 'second' });
    expect(second.promise).not.toBe(first.promise);
    expect(result.current.status).toBe('submitting');
    expect(result.current.imageUrl).toBeUndefined();
    await advance(0);
    expect(api.posts()).toHaveLength(2);
    expect(api.posts()[1]!.body?.prompt).toBe('second');
    expect(result.current.task?.taskId).toBe('task0002');
    await advance(3000);
    expect(result.current.status).toBe('completed');
    expect(result.current.imageUrl).toBe('https://cdn.example.com/task0002/0.png');
    expect((await second.outcome).task?.taskId).toBe('task0002');
    expect(statuses).toEqual(['idle', 'submitting', 'pending', 'processing', 'completed', 'submitting', 'pending', 'processing', 'completed']);
    // Three polls per task, and nothing for the first task after it finished.
    expect(api.polls().map((p) => p.url.split('/').pop())).toEqual(['task0001', 'task0001', 'task0001', 'task0002', 'task0002', 'task0002']);
  });
});

describe('useImageGeneration: failures', () => {
  it('a failed task: status failed, a task_failed error with the task message, the promise rejects with it', async () => {
    const api = createMockApi({ failWith: 'The prompt was refused by the safety filter.' });
    server.use(...api.handlers);
    const { result } = renderGeneration();
    const { outcome } = generate(result, { prompt: 'something' });
    await advance(0);
    await advance(3000);
    expect(api.polls()).toHaveLength(3);
    expect(result.current.status).toBe('failed');
    expect(result.current.isBusy).toBe(false);
    expect(result.current.imageUrl).toBeUndefined();
    expect(result.current.task).toMatchObject({ status: 'failed', error: 'The prompt was refused by the safety filter.' });
    expect(result.current.error).toMatchObject({
      kind: 'task_failed',
      message: 'The prompt was refused by the safety filter.',
    });
    expect(result.current.error?.task?.taskId).toBe('task0001');
    const { error } = await outcome;
    expect(error).toBe(result.current.error);

    await advance(60_000);
    expect(api.polls()).toHaveLength(3);
    expect(api.posts()).toHaveLength(1);
  });

  it.each([
    [401, 'unauthorized', { error: { code: 'invalid_api_key', message: 'Invalid API key' } }],
    [402, 'insufficient_credits', { error: { code: 'insufficient_credits', message: 'Not enough credits', required: 3, balance: 0 } }],
    [500, 'server', { error: { code: 'internal_error', message: 'Upstream failure' } }],
  ] as const)('a POST answered %i: status failed, kind %s, exactly one POST', async (status, kind, body) => {
    const all = countAllRequests();
    server.use(http.post(GENERATE_URL, () => HttpResponse.json(body, { status })));
    const { result, statuses } = renderGeneration();
    const { outcome } = generate(result, { prompt: 'a cat' });
    await advance(0);
    expect(result.current.status).toBe('failed');
    expect(result.current.isBusy).toBe(false);
    expect(result.current.error).toMatchObject({ kind, status, message: body.error.message, code: body.error.code });
    expect(result.current.task).toBeUndefined();
    expect((await outcome).error).toBe(result.current.error);
    expect(statuses).toEqual(['idle', 'submitting', 'failed']);

    await advance(120_000);
    expect(all).toEqual([{ method: 'POST', url: GENERATE_URL }]);
  });

  it('a dropped connection on the POST: failed with kind network, one POST', async () => {
    const all = countAllRequests();
    server.use(http.post(GENERATE_URL, () => HttpResponse.error()));
    const { result } = renderGeneration();
    const { outcome } = generate(result, { prompt: 'a cat' });
    await advance(0);
    expect(result.current.status).toBe('failed');
    expect((await outcome).error?.kind).toBe('network');
    await advance(120_000);
    expect(all).toHaveLength(1);
  });

  it('a validation error: failed with kind validation, nothing sent', async () => {
    const all = countAllRequests();
    server.use(...createMockApi().handlers);
    const { result } = renderGeneration();
    const { outcome } = generate(result, { prompt: '   ' });
    await advance(0);
    expect(result.current.status).toBe('failed');
    expect(result.current.error).toMatchObject({ kind: 'validation', field: 'prompt' });
    expect((await outcome).error).toBe(result.current.error);
    await advance(60_000);
    expect(all).toHaveLength(0);
  });

  it('a failed generation can be followed by a new one', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result } = renderGeneration();
    const bad = generate(result, { prompt: '' });
    await advance(0);
    expect((await bad.outcome).error?.kind).toBe('validation');
    const good = generate(result, { prompt: 'a cat' });
    expect(result.current.status).toBe('submitting');
    expect(result.current.error).toBeUndefined();
    await advance(0);
    await advance(3000);
    expect(result.current.status).toBe('completed');
    expect((await good.outcome).task?.status).toBe('completed');
    expect(api.posts()).toHaveLength(1);
  });

  it('times out: failed with kind timeout at timeoutMs after the POST, and polling stops', async () => {
    const api = createMockApi({ processingAfterMs: 500, completeAfterMs: 60_000 });
    server.use(...api.handlers);
    const { result } = renderGeneration({ intervalMs: 1000, timeoutMs: 2500 });
    const { outcome } = generate(result, { prompt: 'a cat' });
    await advance(0);
    await advance(2499);
    expect(api.polls()).toHaveLength(2);
    expect(result.current.status).toBe('processing');
    expect(result.current.isBusy).toBe(true);
    await advance(1);
    expect(api.polls()).toHaveLength(3);
    expect(result.current.status).toBe('failed');
    expect(result.current.isBusy).toBe(false);
    expect(result.current.error).toMatchObject({ kind: 'timeout' });
    expect((await outcome).error).toBe(result.current.error);
    await advance(120_000);
    expect(api.polls()).toHaveLength(3);
    expect(api.posts()).toHaveLength(1);
  });
});

describe('useImageGeneration: cancel and reset', () => {
  it('cancel() during the submit aborts the POST, goes idle, rejects with aborted, and ignores a late answer', async () => {
    const all = countAllRequests();
    const received: Request[] = [];
    server.use(
      http.post(GENERATE_URL, async ({ request }) => {
        received.push(request);
        await delay(5000);
        return HttpResponse.json({ task_id: 'late', status: 'pending' }, { status: 202 });
      }),
      http.get(`${API}/api/v2/tasks/:taskId`, () => HttpResponse.json({ status: 'processing' })),
    );
    const { result } = renderGeneration();
    const { outcome } = generate(result, { prompt: 'a cat' });
    await advance(0);
    await advance(100);
    expect(result.current.status).toBe('submitting');
    expect(received).toHaveLength(1);
    expect(received[0]!.signal.aborted).toBe(false);

    act(() => result.current.cancel());
    expect(result.current.status).toBe('idle');
    expect(result.current.isBusy).toBe(false);
    expect(received[0]!.signal.aborted).toBe(true);
    const { error, task } = await outcome;
    expect(task).toBeUndefined();
    expect(error).toMatchObject({ kind: 'aborted' });
    // The hook only stops waiting; the state shows no error for a cancel.
    expect(result.current.error).toBeUndefined();

    await advance(60_000);
    expect(result.current.status).toBe('idle');
    expect(result.current.task).toBeUndefined();
    expect(all).toEqual([{ method: 'POST', url: GENERATE_URL }]);
  });

  it('cancel() during the submit ignores an answer from a fetcher that does not honour the signal', async () => {
    let answer!: (task: ImageTask) => void;
    const fetcher: ImageFetcher = {
      generate: vi.fn(() => new Promise<ImageTask>((resolve) => (answer = resolve))),
      getTask: vi.fn(async (taskId: string) => ({ taskId, status: 'processing' as const, raw: {} })),
    };
    const { result, queryClient } = renderGeneration({}, fetcher);
    const { outcome } = generate(result, { prompt: 'a cat' });
    await advance(0);
    act(() => result.current.cancel());
    expect((await outcome).error?.kind).toBe('aborted');

    await act(async () => answer({ taskId: 'late', status: 'pending', raw: {} }));
    await advance(60_000);
    expect(result.current.status).toBe('idle');
    expect(result.current.task).toBeUndefined();
    expect(fetcher.getTask).not.toHaveBeenCalled();
    expect(queryClient.getQueryData(['flash-image-react', 'task', 'late'])).toBeUndefined();
    expect(fetcher.generate).toHaveBeenCalledTimes(1);
  });

  it('cancel() while polling stops polling, goes idle and rejects with aborted', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result } = renderGeneration();
    const { outcome } = generate(result, { prompt: 'a cat' });
    await advance(0);
    await advance(1500);
    expect(result.current.status).toBe('processing');
    expect(api.polls()).toHaveLength(1);

    act(() => result.current.cancel());
    expect(result.current.status).toBe('idle');
    expect(result.current.task).toBeUndefined();
    expect(result.current.isBusy).toBe(false);
    expect((await outcome).error).toMatchObject({ kind: 'aborted' });

    await advance(60_000);
    expect(api.polls()).toHaveLength(1);
    expect(result.current.status).toBe('idle');
  });

  it('a new generate() after cancel() sends a new POST and completes', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result } = renderGeneration();
    const first = generate(result, { prompt: 'first' });
    await advance(0);
    await advance(1500);
    act(() => result.current.cancel());
    const second = generate(result, { prompt: 'second' });
    expect(second.promise).not.toBe(first.promise);
    expect(result.current.status).toBe('submitting');
    await advance(0);
    expect(api.posts()).toHaveLength(2);
    await advance(3000);
    expect(result.current.status).toBe('completed');
    expect(result.current.task?.taskId).toBe('task0002');
    expect((await second.outcome).task?.taskId).toBe('task0002');
    expect((await first.outcome).error?.kind).toBe('aborted');
    // task0001 was polled once before the cancel and never again.
    expect(api.polls().filter((p) => p.url.endsWith('/task0001'))).toHaveLength(1);
  });

  it('cancel() when nothing is in flight leaves a finished result alone', async () => {
    server.use(...createMockApi().handlers);
    const { result } = renderGeneration();
    generate(result, { prompt: 'a cat' });
    await advance(0);
    await advance(3000);
    act(() => result.current.cancel());
    expect(result.current.status).toBe('completed');
    expect(result.current.imageUrl).toBe('https://cdn.example.com/task0001/0.png');
  });

  it('reset() clears a completed result', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result } = renderGeneration();
    generate(result, { prompt: 'a cat' });
    await advance(0);
    await advance(3000);
    expect(result.current.status).toBe('completed');
    act(() => result.current.reset());
    expect(result.current.status).toBe('idle');
    expect(result.current.task).toBeUndefined();
    expect(result.current.imageUrl).toBeUndefined();
    expect(result.current.error).toBeUndefined();
    expect(result.current.input).toBeUndefined();
    expect(result.current.isBusy).toBe(false);
    await advance(60_000);
    expect(api.requests).toHaveLength(4);
  });

  it('reset() clears a failed result', async () => {
    server.use(http.post(GENERATE_URL, () => HttpResponse.json({ error: { message: 'no' } }, { status: 500 })));
    const { result } = renderGeneration();
    generate(result, { prompt: 'a cat' });
    await advance(0);
    expect(result.current.status).toBe('failed');
    act(() => result.current.reset());
    expect(result.current.status).toBe('idle');
    expect(result.current.error).toBeUndefined();
  });
});

describe('useImageGeneration: lifecycle', () => {
  it('React StrictMode: generate() in a mount effect sends exactly one POST and completes', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { Wrapper } = createTestProvider();
    const settled: Outcome[] = [];
    let effects = 0;
    function AutoGenerate() {
      const { generate: start, status, imageUrl } = useImageGeneration();
      useEffect(() => {
        effects++;
        start({ prompt: 'a cat' }).then(
          (task) => settled.push({ task }),
          (error: ImageGenError) => settled.push({ error }),
        );
        // eslint-disable-next-line react-hooks/exhaustive-deps
      }, []);
      return (
        <p>
          <span data-testid="status">{status}</span>
          {imageUrl && <img alt="result" src={imageUrl} />}
        </p>
      );
    }
    render(
      <StrictMode>
        <Wrapper>
          <AutoGenerate />
        </Wrapper>
      </StrictMode>,
    );
    // StrictMode really did run the effect twice.
    expect(effects).toBe(2);
    await advance(0);
    expect(api.posts()).toHaveLength(1);
    expect(screen.getByTestId('status')).toHaveTextContent('pending');

    await advance(3000);
    expect(screen.getByTestId('status')).toHaveTextContent('completed');
    expect(screen.getByRole('img', { name: 'result' })).toHaveAttribute('src', 'https://cdn.example.com/task0001/0.png');
    expect(api.posts()).toHaveLength(1);
    expect(api.polls()).toHaveLength(3);
    // Both effect runs got the one generation's result.
    expect(settled).toHaveLength(2);
    expect(settled.every((s) => s.task?.taskId === 'task0001')).toBe(true);
  });

  it('unmounting while polling rejects the promise with aborted and leaves no polling behind', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const { result, unmount } = renderGeneration();
    const { outcome, state } = generate(result, { prompt: 'a cat' });
    await advance(0);
    await advance(1500);
    expect(api.polls()).toHaveLength(1);
    unmount();
    // The promise is rejected once the unmount proves real (a StrictMode remount would come at once).
    expect(state.settled).toBe(false);
    await advance(0);
    expect(state.settled).toBe(true);
    expect((await outcome).error).toMatchObject({ kind: 'aborted' });
    await advance(60_000);
    expect(api.polls()).toHaveLength(1);
    expect(api.posts()).toHaveLength(1);
  });

  it('unmounting while submitting aborts the POST, rejects with aborted, and never polls', async () => {
    const all = countAllRequests();
    const received: Request[] = [];
    server.use(
      http.post(GENERATE_URL, async ({ request }) => {
        received.push(request);
        await delay(2000);
        return HttpResponse.json({ task_id: 'late', status: 'pending' }, { status: 202 });
      }),
    );
    const { result, unmount } = renderGeneration();
    const { outcome } = generate(result, { prompt: 'a cat' });
    await advance(0);
    await advance(100);
    unmount();
    await advance(0);
    expect((await outcome).error).toMatchObject({ kind: 'aborted' });
    expect(received[0]!.signal.aborted).toBe(true);
    await advance(60_000);
    expect(all).toHaveLength(1);
  });
});
