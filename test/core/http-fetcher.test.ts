import { delay, http, HttpResponse } from 'msw';
import { describe, expect, test, vi } from 'vitest';
import { DEFAULT_MODEL } from '../../src/core/constants.js';
import { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import { API, createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { recordAllRequests } from './support.js';

const GENERATE_URL = 'https://api.aiclonevoicefree.com/api/v2/image/generate';
const TASKS_URL = 'https://api.aiclonevoicefree.com/api/v2/tasks/';

/** Resolves with whatever the promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<ImageGenError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(ImageGenError.isImageGenError(outcome.error)).toBe(true);
  return outcome.error as ImageGenError;
}

/** A `fetch` that records what it was called with and answers like the vendor. */
function recordingFetch(answer: () => Response = () => Response.json({ task_id: 't1', status: 'pending' }, { status: 202 })) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return answer();
  });
  return { fn: fn as unknown as typeof fetch, calls, mock: fn };
}

describe('generate: the POST', () => {
  const seen = recordAllRequests();

  test('POSTs the vendor body to the vendor URL with JSON and bearer headers', async () => {
    const api = createMockApi();
    server.use(...api.handlers);

    const task = await createHttpFetcher({ apiKey: 'sk_live_123' }).generate({
      prompt: 'a lighthouse at dusk',
      model: 'some-other-model',
      size: '16:9',
      imageUrls: ['https://cdn.example.com/b.png', 'https://cdn.example.com/a.png', 'http://cdn.example.com/c.png'],
      seed: 42,
    });

    expect(seen).toHaveLength(1);
    const [post] = api.posts();
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe(GENERATE_URL);
    expect(post?.headers.get('content-type')).toBe('application/json');
    expect(post?.headers.get('authorization')).toBe('Bearer sk_live_123');
    expect(post?.body).toEqual({
      prompt: 'a lighthouse at dusk',
      model: 'some-other-model',
      size: '16:9',
      image_urls: ['https://cdn.example.com/b.png', 'https://cdn.example.com/a.png', 'http://cdn.example.com/c.png'],
      seed: 42,
    });
    // Key order of the list is what the vendor composites in.
    expect(post?.body?.image_urls).toEqual([
      'https://cdn.example.com/b.png',
      'https://cdn.example.com/a.png',
      'http://cdn.example.com/c.png',
    ]);
    expect(task).toEqual({
      taskId: 'task0001',
      status: 'pending',
      raw: { task_id: 'task0001', status: 'pending', capability: 'image', action: 'generate', model: 'some-other-model' },
    });
  });

  test('always sends the default model, and leaves absent optional fields out', async () => {
    const api = createMockApi();
    server.use(...api.handlers);

    await createHttpFetcher().generate({ prompt: 'a cat' });

    const body = api.posts()[0]?.body;
    expect(body).toEqual({ prompt: 'a cat', model: 'gemini-3.1-flash-image-preview' });
    expect(DEFAULT_MODEL).toBe('gemini-3.1-flash-image-preview');
    expect(Object.keys(body ?? {}).sort()).toEqual(['model', 'prompt']);
  });

  test('sends no Authorization header without an apiKey (a backend adds it)', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    await createHttpFetcher().generate({ prompt: 'a cat' });
    await createHttpFetcher({ apiKey: '' }).generate({ prompt: 'a cat' });
    expect(api.posts()).toHaveLength(2);
    for (const post of api.posts()) expect(post.headers.has('authorization')).toBe(false);
  });

  test('adds extra headers given as an object', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    await createHttpFetcher({ headers: { 'X-Tenant': 'acme', 'X-Trace': 'abc' } }).generate({ prompt: 'a cat' });
    const headers = api.posts()[0]?.headers;
    expect(headers?.get('x-tenant')).toBe('acme');
    expect(headers?.get('x-trace')).toBe('abc');
    expect(headers?.get('content-type')).toBe('application/json');
  });

  test('awaits a headers function before every request', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    let token = 0;
    const headers = vi.fn(async () => {
      await Promise.resolve();
      token += 1;
      return { 'X-Session': `s${token}` };
    });
    const fetcher = createHttpFetcher({ headers, apiKey: 'sk_a' });

    const task = await fetcher.generate({ prompt: 'a cat' });
    await fetcher.getTask(task.taskId);

    expect(headers).toHaveBeenCalledTimes(2);
    expect(api.requests.map((r) => r.headers.get('x-session'))).toEqual(['s1', 's2']);
    expect(api.requests.map((r) => r.headers.get('authorization'))).toEqual(['Bearer sk_a', 'Bearer sk_a']);
  });

  test('uses a custom fetch instead of the global one', async () => {
    const custom = recordingFetch();
    const globalSpy = vi.spyOn(globalThis, 'fetch');

    const task = await createHttpFetcher({ fetch: custom.fn, apiKey: 'sk_x' }).generate({ prompt: 'a cat', size: '1:1' });

    expect(task).toMatchObject({ taskId: 't1', status: 'pending' });
    expect(custom.mock).toHaveBeenCalledTimes(1);
    expect(globalSpy).not.toHaveBeenCalled();
    expect(seen).toHaveLength(0);
    const call = custom.calls[0];
    expect(call?.url).toBe(GENERATE_URL);
    expect(call?.init.method).toBe('POST');
    expect(JSON.parse(String(call?.init.body))).toEqual({ prompt: 'a cat', model: DEFAULT_MODEL, size: '1:1' });
    const headers = new Headers(call?.init.headers);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('authorization')).toBe('Bearer sk_x');
  });

  test('looks the global fetch up at call time, not at creation', async () => {
    const fetcher = createHttpFetcher();
    const later = recordingFetch();
    vi.stubGlobal('fetch', later.fn);
    try {
      await fetcher.generate({ prompt: 'a cat' });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(later.mock).toHaveBeenCalledTimes(1);
  });

  test('a baseUrl with a trailing slash does not double the slash', async () => {
    const api = createMockApi({ baseUrl: 'https://proxy.example.com/v' });
    server.use(...api.handlers);
    await createHttpFetcher({ baseUrl: 'https://proxy.example.com/v/' }).generate({ prompt: 'a cat' });
    expect(api.posts()[0]?.url).toBe('https://proxy.example.com/v/api/v2/image/generate');
  });

  test('a relative baseUrl routes through the app backend', async () => {
    const custom = recordingFetch();
    const fetcher = createHttpFetcher({ baseUrl: '/api/flash-image', fetch: custom.fn });
    await fetcher.generate({ prompt: 'a cat' });
    await fetcher.getTask('t1');
    expect(custom.calls.map((c) => c.url)).toEqual(['/api/flash-image/api/v2/image/generate', '/api/flash-image/api/v2/tasks/t1']);
    expect(new Headers(custom.calls[0]?.init.headers).has('authorization')).toBe(false);
  });

  test('sends exactly one POST per call, even when it fails with a retryable error', async () => {
    let posts = 0;
    server.use(
      http.post(GENERATE_URL, () => {
        posts += 1;
        return HttpResponse.json({ error: { message: 'boom' } }, { status: 503 });
      }),
    );
    const error = await rejectionOf(createHttpFetcher().generate({ prompt: 'a cat' }));
    expect(error.kind).toBe('server');
    expect(error.retryable).toBe(true);
    expect(posts).toBe(1);
    expect(seen).toHaveLength(1);
  });
});

describe('getTask: the GET', () => {
  const seen = recordAllRequests();

  test('GETs /api/v2/tasks/{id} without a body or Content-Type', async () => {
    const api = createMockApi({ completeAfterMs: 0, processingAfterMs: 0 });
    server.use(...api.handlers);
    const fetcher = createHttpFetcher({ apiKey: 'sk_k' });
    const { taskId } = await fetcher.generate({ prompt: 'a cat' });

    const task = await fetcher.getTask(taskId);

    const [poll] = api.polls();
    expect(poll?.url).toBe(`${TASKS_URL}${taskId}`);
    expect(poll?.headers.get('authorization')).toBe('Bearer sk_k');
    expect(poll?.headers.has('content-type')).toBe(false);
    // The mock's completed body carries no task id: the requested one is used.
    expect(task).toEqual({
      taskId,
      status: 'completed',
      imageUrl: `https://cdn.example.com/${taskId}/0.png`,
      raw: {
        status: 'completed',
        capability: 'image',
        _type: 'image.generate',
        imageUrl: `https://cdn.example.com/${taskId}/0.png`,
      },
    });
  });

  test('URL-encodes the task id', async () => {
    const urls: string[] = [];
    server.use(
      http.get(`${API}/api/v2/tasks/*`, ({ request }) => {
        urls.push(request.url);
        return HttpResponse.json({ status: 'processing' });
      }),
    );
    const task = await createHttpFetcher().getTask('a/b c');
    expect(urls).toEqual([`${TASKS_URL}a%2Fb%20c`]);
    expect(task).toMatchObject({ taskId: 'a/b c', status: 'processing' });
  });

  test('encodes ? and # so they cannot change the path', async () => {
    const custom = recordingFetch(() => Response.json({ status: 'pending' }));
    await createHttpFetcher({ fetch: custom.fn }).getTask('x?y#z');
    expect(custom.calls[0]?.url).toBe(`${TASKS_URL}x%3Fy%23z`);
  });

  test.each(['', '   '])('rejects a blank task id %j without a request', async (taskId) => {
    const custom = recordingFetch();
    const error = await rejectionOf(createHttpFetcher({ fetch: custom.fn }).getTask(taskId));
    expect(error.kind).toBe('validation');
    expect(error.message).toMatch(/task id/i);
    expect(custom.mock).not.toHaveBeenCalled();
    expect(seen).toHaveLength(0);
  });

  test('rejects a non-string task id without a request', async () => {
    const error = await rejectionOf(createHttpFetcher().getTask(undefined as unknown as string));
    expect(error.kind).toBe('validation');
    expect(seen).toHaveLength(0);
  });
});

describe('transport and body failures', () => {
  const seen = recordAllRequests();

  test('a 200 whose body is not JSON is a bad_response', async () => {
    server.use(http.get(`${TASKS_URL}t1`, () => HttpResponse.text('<html>gateway</html>', { status: 200 })));
    const error = await rejectionOf(createHttpFetcher().getTask('t1'));
    expect(error).toMatchObject({ kind: 'bad_response', status: 200, retryable: false, body: '<html>gateway</html>' });
    expect(error.message).toMatch(/not JSON/i);
  });

  test('an empty 202 is a bad_response', async () => {
    server.use(http.post(GENERATE_URL, () => new HttpResponse(null, { status: 202 })));
    const error = await rejectionOf(createHttpFetcher().generate({ prompt: 'a cat' }));
    expect(error.kind).toBe('bad_response');
  });

  test('JSON that is not an object is a bad_response', async () => {
    server.use(http.post(GENERATE_URL, () => HttpResponse.json(['task1'], { status: 202 })));
    const error = await rejectionOf(createHttpFetcher().generate({ prompt: 'a cat' }));
    expect(error.kind).toBe('bad_response');
    expect(error.body).toEqual(['task1']);
  });

  test('a POST answer without a task id is a bad_response', async () => {
    server.use(http.post(GENERATE_URL, () => HttpResponse.json({ status: 'pending' }, { status: 202 })));
    const error = await rejectionOf(createHttpFetcher().generate({ prompt: 'a cat' }));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toMatch(/task id/i);
  });

  test('a fetch that throws is a retryable network error with the cause kept', async () => {
    server.use(http.post(GENERATE_URL, () => HttpResponse.error()));
    const error = await rejectionOf(createHttpFetcher().generate({ prompt: 'a cat' }));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/could not reach/i);
    expect(seen).toHaveLength(1);
  });

  test('a custom fetch that throws a non-Error is a network error', async () => {
    const fetcher = createHttpFetcher({
      fetch: (() => Promise.reject('offline')) as unknown as typeof fetch,
    });
    const error = await rejectionOf(fetcher.getTask('t1'));
    expect(error).toMatchObject({ kind: 'network', retryable: true, cause: 'offline' });
  });

  test('an already-aborted signal gives aborted and sends nothing', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const controller = new AbortController();
    controller.abort();

    const post = await rejectionOf(createHttpFetcher().generate({ prompt: 'a cat' }, { signal: controller.signal }));
    const get = await rejectionOf(createHttpFetcher().getTask('t1', { signal: controller.signal }));

    expect(post.kind).toBe('aborted');
    expect(post.retryable).toBe(false);
    expect(get.kind).toBe('aborted');
    expect(api.requests).toHaveLength(0);
  });

  test('aborting mid-request gives aborted', async () => {
    let reached = 0;
    server.use(
      http.get(`${TASKS_URL}slow`, async () => {
        reached += 1;
        await delay('infinite');
        return HttpResponse.json({ status: 'completed', imageUrl: 'https://cdn.example.com/x.png' });
      }),
    );
    const controller = new AbortController();
    const pending = rejectionOf(createHttpFetcher().getTask('slow', { signal: controller.signal }));
    await vi.waitFor(() => expect(reached).toBe(1));

    controller.abort();

    const error = await pending;
    expect(error.kind).toBe('aborted');
    expect(error.retryable).toBe(false);
  });

  test('aborting a POST mid-request gives aborted', async () => {
    let reached = 0;
    server.use(
      http.post(GENERATE_URL, async () => {
        reached += 1;
        await delay(5_000);
        return HttpResponse.json({ task_id: 'late', status: 'pending' }, { status: 202 });
      }),
    );
    const controller = new AbortController();
    const pending = rejectionOf(createHttpFetcher().generate({ prompt: 'a cat' }, { signal: controller.signal }));
    await vi.waitFor(() => expect(reached).toBe(1));

    controller.abort();

    expect((await pending).kind).toBe('aborted');
    expect(reached).toBe(1);
  });
});
