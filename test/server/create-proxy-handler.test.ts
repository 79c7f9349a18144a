// @vitest-environment node
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODEL } from '../../src/core/constants.js';
import { ImageGenError } from '../../src/core/errors.js';
import { createProxyHandler, type ProxyHandlerOptions } from '../../src/server/index.js';
import { API, createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { APP, BASE_PATH, KEY, UPSTREAM, read, recordUpstream } from './helpers.js';

const GENERATE = `${APP}${BASE_PATH}/api/v2/image/generate`;
const TASKS = `${APP}${BASE_PATH}/api/v2/tasks/`;

/** A handler in front of a recording mock of the vendor API. */
function setup(options: Partial<ProxyHandlerOptions> = {}) {
  const api = createMockApi({ baseUrl: UPSTREAM, processingAfterMs: 0, completeAfterMs: 0 });
  server.use(...api.handlers);
  const upstream = recordUpstream();
  const handler = createProxyHandler({ apiKey: KEY, upstream: UPSTREAM, basePath: BASE_PATH, ...options });
  return { api, upstream, handler };
}

function postJson(body: unknown, init: RequestInit = {}, url = GENERATE): Request {
  const headers = new Headers(init.headers);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return new Request(url, {
    method: 'POST',
    ...init,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * A request body that hands out `chunkBytes` per pull, counting pulls: proof of how much of an
 * upload the handler read. highWaterMark 0 so nothing is pulled until the handler reads.
 */
function countingBody(chunkBytes: number, maxChunks: number) {
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls += 1;
        if (state.pulls > maxChunks) controller.close();
        else controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

function streamedPost(stream: ReadableStream<Uint8Array>, headers: HeadersInit = {}): Request {
  return new Request(GENERATE, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: stream,
    duplex: 'half',
  } as RequestInit);
}

describe('creation', () => {
  it('throws without options at all', () => {
    expect(() => createProxyHandler(undefined as unknown as ProxyHandlerOptions)).toThrow(/options are required/);
  });

  it('refuses an upstream that is not an http(s) URL and a limit that is not a positive whole number', () => {
    expect(() => createProxyHandler({ apiKey: KEY, upstream: 'file:///etc' })).toThrow(/upstream/);
    expect(() => createProxyHandler({ apiKey: KEY, upstream: 'api.example.com' })).toThrow(/upstream/);
    for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createProxyHandler({ apiKey: KEY, maxBodyBytes: value })).toThrow(/maxBodyBytes/);
      expect(() => createProxyHandler({ apiKey: KEY, maxResponseBytes: value })).toThrow(/maxResponseBytes/);
      expect(() => createProxyHandler({ apiKey: KEY, upstreamTimeoutMs: value })).toThrow(/upstreamTimeoutMs/);
    }
  });

  it('refuses budgets it would not enforce: a misspelt name, a limiter without consume or reward, no identify', () => {
    const limiter = { consume: async () => ({}), reward: async () => ({}) };
    const identify = () => 'user';
    const misspelt = { perUser: limiter } as unknown as ProxyHandlerOptions['budgets'];
    expect(() => createProxyHandler({ apiKey: KEY, identify, budgets: misspelt })).toThrow(/budgets\.perUser/);
    const noReward = { consume: limiter.consume } as unknown as typeof limiter;
    expect(() => createProxyHandler({ apiKey: KEY, identify, budgets: { account: noReward } })).toThrow(/budgets\.account/);
    expect(() => createProxyHandler({ apiKey: KEY, budgets: { generations: limiter } })).toThrow(/identify/);
    expect(() => createProxyHandler({ apiKey: KEY, budgets: { reads: limiter } })).toThrow(/identify/);
    // The account budget needs no identity; a budget left undefined is no budget.
    expect(() => createProxyHandler({ apiKey: KEY, budgets: { account: limiter, generations: undefined } })).not.toThrow();
  });

  it('refuses an owner secret without an owner function', () => {
    expect(() => createProxyHandler({ apiKey: KEY, ownerSecret: 'x'.repeat(32) })).toThrow(/ownerSecret.*owner/);
  });
});

describe('the API key, read per request', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   \t'],
    ['not a string', 42],
    ['a function returning nothing', () => undefined],
    ['an async function returning blank', async () => ' '],
  ])('without a key (%s), creating the handler works and every request is a 500 that sends nothing', async (_name, apiKey) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { upstream, handler } = setup({ apiKey } as unknown as ProxyHandlerOptions);
    for (const request of [postJson({ prompt: 'a fox' }), new Request(`${TASKS}task0001`)]) {
      const res = await read(await handler(request));
      expect(res.status).toBe(500);
      expect(res.json.error).toEqual({
        code: 'missing_api_key',
        type: 'server_error',
        message: 'The image proxy has no usable API key configured.',
      });
    }
    expect(upstream).toHaveLength(0);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/no API key is set/));
  });

  it('refuses a key that cannot be a header value, without quoting it anywhere', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const apiKey of [`sk_a b${KEY}`, `${KEY}\nX-Evil: 1`]) {
      const { upstream, handler } = setup({ apiKey });
      const res = await read(await handler(postJson({ prompt: 'a fox' })));
      expect(res.status).toBe(500);
      expect(res.json.error?.code).toBe('missing_api_key');
      expect(upstream).toHaveLength(0);
    }
    const logged = errors.mock.calls.flat().join(' ');
    expect(logged).toMatch(/spaces or control characters/);
    expect(logged).not.toContain(KEY);
  });

  it('calls a key function for each request, so a key set after start-up is used', async () => {
    const env: { key?: string } = {};
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { api, handler } = setup({ apiKey: () => env.key });
    expect((await handler(postJson({ prompt: 'a fox' }))).status).toBe(500);
    env.key = KEY;
    expect((await read(await handler(postJson({ prompt: 'a fox' })))).status).toBe(202);
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });
});

describe('forwarding', () => {
  it('forwards a generate with our key and passes the 202 back', async () => {
    const { api, handler } = setup();
    const res = await read(await handler(postJson({ prompt: 'a red fox', size: '16:9', seed: 7 })));
    expect(res.status).toBe(202);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toMatchObject({ task_id: 'task0001', status: 'pending', model: DEFAULT_MODEL });
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.url).toBe(`${UPSTREAM}/api/v2/image/generate`);
    expect(api.posts()[0]!.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(api.posts()[0]!.body).toEqual({ prompt: 'a red fox', model: DEFAULT_MODEL, size: '16:9', seed: 7 });
  });

  it('forwards a task read to the upstream task path and passes the body back', async () => {
    const { api, handler } = setup();
    await handler(postJson({ prompt: 'a red fox' }));
    const res = await read(await handler(new Request(`${TASKS}task0001`)));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'completed', imageUrl: 'https://cdn.example.com/task0001/0.png' });
    expect(api.polls()).toHaveLength(1);
    expect(api.polls()[0]!.url).toBe(`${UPSTREAM}/api/v2/tasks/task0001`);
    expect(api.polls()[0]!.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('accepts ids with letters, digits, dashes and underscores, and percent-encoded letters', async () => {
    const { upstream, handler } = setup();
    server.use(http.get(`${UPSTREAM}/api/v2/tasks/:id`, ({ params }) => HttpResponse.json({ id: params.id, status: 'pending' })));
    const plain = await read(await handler(new Request(`${TASKS}Ab_9-z`)));
    const encoded = await read(await handler(new Request(`${TASKS}%41bc`)));
    expect([plain.status, encoded.status]).toEqual([200, 200]);
    expect(upstream.map((r) => r.url)).toEqual([`${UPSTREAM}/api/v2/tasks/Ab_9-z`, `${UPSTREAM}/api/v2/tasks/Abc`]);
  });

  it('uses the vendor host when no upstream is given', async () => {
    const api = createMockApi({ baseUrl: API });
    server.use(...api.handlers);
    const handler = createProxyHandler({ apiKey: KEY, basePath: BASE_PATH });
    expect((await handler(postJson({ prompt: 'a fox' }))).status).toBe(202);
    expect(api.posts()[0]!.url).toBe(`${API}/api/v2/image/generate`);
  });

  it('goes through the fetch it is given', async () => {
    const fetchSpy = vi.fn(async () => HttpResponse.json({ task_id: 't1', status: 'pending' }, { status: 202 }));
    const upstream = recordUpstream();
    const handler = createProxyHandler({ apiKey: KEY, upstream: UPSTREAM, basePath: BASE_PATH, fetch: fetchSpy });
    expect((await handler(postJson({ prompt: 'a fox' }))).status).toBe(202);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(upstream).toHaveLength(0);
  });

  it.each([
    ['no base path', '', `${APP}/api/v2/image/generate`],
    ['a base path without its leading slash and with a trailing one', 'api/flash-image/', GENERATE],
  ])('mounts at %s', async (_name, basePath, url) => {
    const { api, handler } = setup({ basePath });
    const res = await handler(new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"x"}' }));
    expect(res.status).toBe(202);
    expect(api.posts()).toHaveLength(1);
  });
});

describe('routing refusals', () => {
  it.each([
    `${APP}/`,
    `${APP}/api/v2/image/generate`,
    `${APP}${BASE_PATH}`,
    `${APP}${BASE_PATH}/`,
    `${APP}${BASE_PATH}/api/v2/image/generate/`,
    `${APP}${BASE_PATH}/api/v2/image/edit`,
    `${APP}${BASE_PATH}/api/v2/tasks`,
    `${APP}${BASE_PATH}/api/v2/tasks/`,
    `${APP}${BASE_PATH}/api/v1/credits`,
    `${APP}${BASE_PATH}/API/V2/IMAGE/GENERATE`,
  ])('answers 404 for %s, whatever the method', async (url) => {
    const { upstream, handler } = setup();
    for (const method of ['GET', 'POST']) {
      const res = await read(await handler(new Request(url, { method, ...(method === 'POST' ? { body: '{"prompt":"x"}' } : {}) })));
      expect(res.status).toBe(404);
      expect(res.json.error).toEqual({ code: 'route_not_found', type: 'not_found', message: expect.any(String) });
    }
    expect(upstream).toHaveLength(0);
  });

  it.each([
    ['GET', GENERATE, 'POST'],
    ['PUT', GENERATE, 'POST'],
    ['DELETE', GENERATE, 'POST'],
    ['OPTIONS', GENERATE, 'POST'],
    ['POST', `${TASKS}task0001`, 'GET'],
    ['DELETE', `${TASKS}task0001`, 'GET'],
    ['PATCH', `${TASKS}task0001`, 'GET'],
    ['HEAD', `${TASKS}task0001`, 'GET'],
  ])('answers 405 to %s %s with Allow: %s', async (method, url, allow) => {
    const { upstream, handler } = setup();
    const res = await read(await handler(new Request(url, { method })));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    if (method !== 'HEAD') expect(res.json.error?.code).toBe('method_not_allowed');
    expect(upstream).toHaveLength(0);
  });

  it.each([
    // The URL parser resolves plain and %2e dot segments itself; what is left is no route at all.
    ['..', 404],
    ['%2e%2e', 404],
    ['.%2E', 404],
    // What survives the parser is an id, and the pattern refuses it.
    ['..%2F..%2Fv1%2Fadmin', 400],
    ['%2e%2e%2fsecret', 400],
    ['a%2Fb', 400],
    ['a%2fb', 400],
    ['a/b', 400],
    ['task0001/', 400],
    ['%252e%252e%252f', 400],
    ['task.0001', 400],
    ['a%00b', 400],
    ['a%0d%0aX-Injected:%201', 400],
    ['a%20b', 400],
    ['%E0%A4%A', 400],
    ['x'.repeat(129), 400],
    ['t%C3%A4sk', 400],
  ])('refuses the task id %s (%i) without calling the upstream', async (id, status) => {
    const { upstream, handler } = setup();
    const res = await read(await handler(new Request(`${TASKS}${id}`)));
    expect(res.status).toBe(status);
    if (status === 400) expect(res.json.error?.code).toBe('invalid_task_id');
    expect(upstream).toHaveLength(0);
  });

  it.each([
    `${BASE_PATH}/api/v2/tasks/%2e%2e/image/generate`,
    `${BASE_PATH}/api/v2/tasks/%2E%2e/image/generate`,
    `${BASE_PATH}/api/v2/tasks/.%2E/image/generate`,
    `${BASE_PATH}/api/v2/tasks/../image/generate`,
    `${BASE_PATH}/api/v2/./image/generate`,
    `${BASE_PATH}/api/v2/image/generate/..`,
    `${BASE_PATH}/api\\v2\\image\\generate`,
    `${BASE_PATH}/api%5cv2%5Cimage%5cgenerate`,
  ])('refuses %s with 400 invalid_path when the runtime hands over the raw target', async (path) => {
    const { upstream, handler } = setup();
    // What a runtime that keeps the raw target in `request.url` passes (Node's own `Request`
    // resolves dot segments when it is built: `toNodeHandler` checks the raw target itself).
    const request = postJson({ prompt: 'a fox' });
    Object.defineProperty(request, 'url', { value: `${APP}${path}` });
    const res = await read(await handler(request));
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({ code: 'invalid_path', type: 'invalid_request', message: expect.stringMatching(/dot segment or a backslash/) });
    expect(upstream).toHaveLength(0);
  });

  it.each([`${TASKS}a%5cb`, `${TASKS}a%5Cb`, `${APP}${BASE_PATH}%5C/api/v2/image/generate`])(
    'refuses an encoded backslash, which survives URL parsing: %s',
    async (url) => {
      const { upstream, handler } = setup();
      const res = await read(await handler(new Request(url)));
      expect(res.status).toBe(400);
      expect(res.json.error?.code).toBe('invalid_path');
      expect(upstream).toHaveLength(0);
    },
  );

  it('leaves dots that are not a segment, and dots in the query, alone', async () => {
    const { api, handler } = setup();
    expect((await handler(postJson({ prompt: 'a fox' }, {}, `${GENERATE}?next=../../x&y=%2e%2e`))).status).toBe(202);
    expect((await read(await handler(new Request(`${TASKS}task.0001`)))).json.error?.code).toBe('invalid_task_id');
    expect(api.posts()).toHaveLength(1);
  });

  it('accepts a 128-character id, the longest the pattern allows', async () => {
    const { upstream, handler } = setup();
    server.use(http.get(`${UPSTREAM}/api/v2/tasks/:id`, () => HttpResponse.json({ status: 'pending' })));
    expect((await handler(new Request(`${TASKS}${'x'.repeat(128)}`))).status).toBe(200);
    expect(upstream).toHaveLength(1);
  });
});

describe('body refusals', () => {
  it.each([
    ['text', 'not json'],
    ['empty', ''],
    ['truncated', '{"prompt": "a fox"'],
    ['single quotes', "{'prompt': 'a fox'}"],
  ])('answers 400 to a %s body', async (_name, body) => {
    const { upstream, handler } = setup();
    const res = await read(await handler(postJson(body)));
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({ code: 'invalid_json', type: 'invalid_request', message: 'The body is not valid JSON.' });
    expect(upstream).toHaveLength(0);
  });

  it('answers 400 to bytes that are not UTF-8', async () => {
    const { upstream, handler } = setup();
    const bytes = new Uint8Array([0x7b, 0x22, 0x70, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const res = await read(
      await handler(new Request(GENERATE, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes })),
    );
    expect(res.status).toBe(400);
    expect(res.json.error?.code).toBe('invalid_json');
    expect(upstream).toHaveLength(0);
  });

  it.each([
    ['an array', []],
    ['a string', 'a fox'],
    ['null', null],
    ['a number', 3],
  ])('answers 400 to JSON that is %s, not an object', async (_name, body) => {
    const { upstream, handler } = setup();
    const res = await read(await handler(postJson(JSON.stringify(body))));
    expect(res.status).toBe(400);
    expect(res.json.error?.message).toMatch(/JSON object/);
    expect(upstream).toHaveLength(0);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['none', null],
  ])('answers 415 to a JSON body sent as %s (what a cross-site form could send)', async (_name, type) => {
    const { upstream, handler } = setup();
    const headers = new Headers();
    if (type) headers.set('content-type', type);
    const request = new Request(GENERATE, { method: 'POST', headers, body: new Blob(['{"prompt":"a fox"}']) });
    const res = await read(await handler(request));
    expect(res.status).toBe(415);
    expect(res.json.error?.code).toBe('unsupported_media_type');
    expect(upstream).toHaveLength(0);
  });

  it('accepts application/json with a charset', async () => {
    const { api, handler } = setup();
    const res = await handler(postJson({ prompt: 'a fox' }, { headers: { 'content-type': 'Application/JSON; charset=utf-8' } }));
    expect(res.status).toBe(202);
    expect(api.posts()).toHaveLength(1);
  });

  it('answers 413 to a declared Content-Length over the limit without reading a byte', async () => {
    const { upstream, handler } = setup();
    const { stream, state } = countingBody(64 * 1024, 64);
    const res = await read(await handler(streamedPost(stream, { 'content-length': String(1024 * 1024 + 1) })));
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe('body_too_large');
    expect(state.pulls).toBe(0);
    expect(state.cancelled).toBe(true);
    expect(upstream).toHaveLength(0);
  });

  it('answers 413 to an undeclared streamed body as soon as it passes 1 MiB, leaving the rest unread', async () => {
    const { upstream, handler } = setup();
    const chunk = 64 * 1024;
    const { stream, state } = countingBody(chunk, 64);
    const res = await read(await handler(streamedPost(stream)));
    expect(res.status).toBe(413);
    expect(res.json.error?.message).toContain(String(1024 * 1024));
    // 16 chunks are exactly 1 MiB; the 17th passes the limit and is the last one read.
    expect(state.pulls).toBe(17);
    expect(state.cancelled).toBe(true);
    expect(upstream).toHaveLength(0);
  });

  it('counts the limit in bytes: a body of exactly maxBodyBytes passes, one byte more does not', async () => {
    const { api, upstream, handler } = setup({ maxBodyBytes: 40 });
    const fits = JSON.stringify({ prompt: `${'ä'.repeat(13)}y` }); // 40 bytes, 27 characters
    expect(new TextEncoder().encode(fits).byteLength).toBe(40);
    expect((await handler(postJson(fits))).status).toBe(202);
    const over = JSON.stringify({ prompt: `${'ä'.repeat(13)}yz` });
    expect((await read(await handler(postJson(over)))).status).toBe(413);
    expect(api.posts()).toHaveLength(1);
    expect(upstream).toHaveLength(1);
  });

  it.each([
    ['a blank prompt', { prompt: '   ' }, 'invalid_prompt', /prompt/i],
    ['no prompt', { size: '1:1' }, 'invalid_prompt', /prompt/i],
    ['a prompt that is not text', { prompt: ['a fox'] }, 'invalid_prompt', /prompt/i],
    [
      '15 references',
      { prompt: 'a fox', image_urls: Array.from({ length: 15 }, (_, i) => `https://img.example.com/${i}.png`) },
      'invalid_image_urls',
      /up to 14/,
    ],
    ['a javascript: reference', { prompt: 'a fox', image_urls: ['javascript:alert(1)'] }, 'invalid_image_urls', /http/],
    ['a data: reference', { prompt: 'a fox', image_urls: ['data:image/png;base64,AAAA'] }, 'invalid_image_urls', /http/],
    ['a relative reference', { prompt: 'a fox', image_urls: ['/uploads/a.png'] }, 'invalid_image_urls', /http/],
    ['references that are not a list', { prompt: 'a fox', image_urls: 'https://img.example.com/a.png' }, 'invalid_image_urls', /list/],
    ['a bad size', { prompt: 'a fox', size: '4:3' }, 'invalid_size', /1:1, 16:9, 9:16/],
    ['seed 1.5', { prompt: 'a fox', seed: 1.5 }, 'invalid_seed', /whole number/],
    ['a negative seed', { prompt: 'a fox', seed: -1 }, 'invalid_seed', /whole number/],
    ['a seed as text', { prompt: 'a fox', seed: '42' }, 'invalid_seed', /whole number/],
    ['a blank model', { prompt: 'a fox', model: ' ' }, 'invalid_model', /model/],
  ])('answers 400 to %s', async (_name, body, code, message) => {
    const { upstream, handler } = setup();
    const res = await read(await handler(postJson(body)));
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({ code, type: 'invalid_request', message: expect.stringMatching(message) });
    expect(upstream).toHaveLength(0);
  });

  it('drops unknown fields and sends only the vendor fields, with the model filled in', async () => {
    const { api, handler } = setup();
    const body = {
      prompt: '  a fox  ',
      size: '9:16',
      image_urls: ['https://img.example.com/a.png'],
      seed: 0,
      n: 4,
      callback_url: 'https://evil.example.com/hook',
      api_key: 'sk_client_supplied',
      imageUrls: ['https://evil.example.com/ignored.png'],
      constructor: { prototype: { polluted: true } },
    };
    expect((await handler(postJson(body))).status).toBe(202);
    expect(api.posts()[0]!.body).toEqual({
      prompt: 'a fox',
      model: DEFAULT_MODEL,
      size: '9:16',
      image_urls: ['https://img.example.com/a.png'],
      seed: 0,
    });
  });
});

describe('authorize', () => {
  it('answers 401 when authorize says false, before reading the body', async () => {
    const authorize = vi.fn(() => false);
    const { upstream, handler } = setup({ authorize });
    const { stream, state } = countingBody(16, 4);
    const res = await read(await handler(streamedPost(stream)));
    expect(res.status).toBe(401);
    expect(res.json.error).toEqual({ code: 'unauthorized', type: 'authentication_error', message: expect.any(String) });
    expect(state.pulls).toBe(0);
    const poll = await read(await handler(new Request(`${TASKS}task0001`)));
    expect(poll.status).toBe(401);
    expect(authorize).toHaveBeenCalledTimes(2);
    expect(upstream).toHaveLength(0);
  });

  it('fails closed when authorize returns something other than true', async () => {
    const authorize = vi.fn(async () => undefined as unknown as boolean);
    const { upstream, handler } = setup({ authorize });
    expect((await handler(postJson({ prompt: 'a fox' }))).status).toBe(401);
    expect(upstream).toHaveLength(0);
  });

  it('answers 500 without the reason when authorize throws, and logs it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { upstream, handler } = setup({
      authorize: () => {
        throw new Error('session store down at redis://secret-host');
      },
    });
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('secret-host');
    expect(log).toHaveBeenCalledTimes(1);
    expect(upstream).toHaveLength(0);
  });

  it('lets the request through when authorize (async) says true, and sees the client request', async () => {
    const authorize = vi.fn(async (request: Request) => request.headers.get('cookie') === 'session=ok');
    const { api, handler } = setup({ authorize });
    expect((await handler(postJson({ prompt: 'a fox' }, { headers: { cookie: 'session=ok' } }))).status).toBe(202);
    expect((await handler(postJson({ prompt: 'a fox' }, { headers: { cookie: 'session=bad' } }))).status).toBe(401);
    expect(api.posts()).toHaveLength(1);
  });
});

describe('allowedModels', () => {
  it('by default refuses any model but the default, sending nothing', async () => {
    const { upstream, handler } = setup();
    const res = await read(await handler(postJson({ prompt: 'a fox', model: 'some-pricier-model' })));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_model', message: expect.stringContaining('some-pricier-model') });
    expect(upstream).toHaveLength(0);
  });

  it('lets through the models the app lists', async () => {
    const { api, handler } = setup({ allowedModels: [DEFAULT_MODEL, 'other-model'] });
    expect((await handler(postJson({ prompt: 'a fox', model: 'other-model' }))).status).toBe(202);
    expect((await handler(postJson({ prompt: 'a fox', model: 'third-model' }))).status).toBe(400);
    expect(api.posts().map((p) => p.body!.model)).toEqual(['other-model']);
  });
});

describe('transformInput', () => {
  it('pins the model whatever the client asked for, and is given the request', async () => {
    const transformInput = vi.fn((input, request: Request) => {
      expect(request.url).toBe(GENERATE);
      return { ...input, model: DEFAULT_MODEL };
    });
    const { api, handler } = setup({ transformInput, allowedModels: [DEFAULT_MODEL, 'some-pricier-model'] });
    const res = await handler(postJson({ prompt: 'a fox', model: 'some-pricier-model' }));
    expect(res.status).toBe(202);
    expect(transformInput).toHaveBeenCalledWith(
      { prompt: 'a fox', model: 'some-pricier-model' },
      expect.any(Request),
    );
    expect(api.posts()[0]!.body).toEqual({ prompt: 'a fox', model: DEFAULT_MODEL });
  });

  it('can remove a field', async () => {
    const { api, handler } = setup({ transformInput: ({ seed: _seed, ...rest }) => rest });
    await handler(postJson({ prompt: 'a fox', seed: 5 }));
    expect(api.posts()[0]!.body).toEqual({ prompt: 'a fox', model: DEFAULT_MODEL });
  });

  it('runs only after validation passed', async () => {
    const transformInput = vi.fn((input) => input);
    const { handler } = setup({ transformInput });
    expect((await handler(postJson({ prompt: ' ' }))).status).toBe(400);
    expect(transformInput).not.toHaveBeenCalled();
  });

  it('refuses with the message of an ImageGenError it throws (a moderation step)', async () => {
    const { upstream, handler } = setup({
      transformInput: () => {
        throw new ImageGenError({ kind: 'validation', field: 'prompt', message: 'This prompt is not allowed here.' });
      },
    });
    const res = await read(await handler(postJson({ prompt: 'something forbidden' })));
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({ code: 'invalid_prompt', type: 'invalid_request', message: 'This prompt is not allowed here.' });
    expect(upstream).toHaveLength(0);
  });

  it('maps other ImageGenError kinds to their status (a per-user quota)', async () => {
    const { upstream, handler } = setup({
      transformInput: () => {
        throw new ImageGenError({ kind: 'rate_limited', code: 'daily_quota', message: 'You have used today’s images.' });
      },
    });
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(429);
    expect(res.json.error).toEqual({ code: 'daily_quota', type: 'rate_limited', message: 'You have used today’s images.' });
    expect(upstream).toHaveLength(0);
  });

  it('answers 500 when it returns an input that fails validation', async () => {
    const { upstream, handler } = setup({
      transformInput: (input) => ({ ...input, imageUrls: Array.from({ length: 15 }, (_, i) => `https://a.example/${i}`) }),
    });
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(500);
    expect(res.json.error?.code).toBe('invalid_transform');
    expect(upstream).toHaveLength(0);
  });

  it('answers 500 without the reason when it throws anything else', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { upstream, handler } = setup({
      transformInput: () => {
        throw new Error('moderation service token tok_123 rejected');
      },
    });
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(500);
    expect(res.json.error?.code).toBe('internal_error');
    expect(res.text).not.toContain('tok_123');
    expect(log).toHaveBeenCalled();
    expect(upstream).toHaveLength(0);
  });
});

describe('headers sent upstream', () => {
  const clientHeaders = {
    authorization: 'Bearer sk_client_own_key',
    cookie: 'session=abc; other=1',
    'x-api-key': 'sk_client_other',
    'x-forwarded-for': '10.0.0.1',
    'x-custom': 'yes',
    origin: 'https://app.example.com',
    referer: 'https://app.example.com/page',
    accept: 'text/html',
  };
  // What fetch itself may add to any request; nothing the client sent.
  const TRANSPORT = new Set(['user-agent', 'accept-encoding', 'accept-language', 'sec-fetch-mode', 'content-length', 'host', 'connection']);

  it.each([
    ['a generate', () => postJson({ prompt: 'a fox' }, { headers: clientHeaders }), ['accept', 'authorization', 'content-type']],
    ['a task read', () => new Request(`${TASKS}task0001`, { headers: clientHeaders }), ['accept', 'authorization']],
  ])('replaces the key and drops every client header on %s', async (_name, makeRequest, expected) => {
    const { handler, upstream } = setup();
    await handler(makeRequest());
    expect(upstream).toHaveLength(1);
    const headers = upstream[0]!.headers;
    expect(headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(headers.get('accept')).toBe('application/json');
    expect(headers.get('cookie')).toBeNull();
    const names = [...headers.keys()].filter((name) => !TRANSPORT.has(name)).sort();
    expect(names).toEqual(expected);
  });
});

describe('upstream answers', () => {
  it.each([
    [401, { error: { code: 'invalid_api_key', type: 'authentication_error', message: 'Invalid API key' } }],
    [402, { error: { code: 'insufficient_credits', type: 'billing', message: 'Not enough credits', required: 3, balance: 1 } }],
    [500, { error: { code: 'internal', type: 'server_error', message: 'Something broke' } }],
    [503, { error: { code: 'overloaded', type: 'server_error', message: 'Try later' } }],
  ])('passes %i and its JSON body back', async (status, body) => {
    const { handler } = setup();
    server.use(http.post(`${UPSTREAM}/api/v2/image/generate`, () => HttpResponse.json(body, { status })));
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(status);
    expect(res.json).toEqual(body);
  });

  it('passes 429 back with its Retry-After', async () => {
    const { handler } = setup();
    server.use(
      http.get(`${UPSTREAM}/api/v2/tasks/:id`, () =>
        HttpResponse.json(
          { error: { code: 'rate_limited', type: 'rate_limit', message: 'Slow down' } },
          { status: 429, headers: { 'Retry-After': '7', 'Set-Cookie': 'upstream=1', 'X-Upstream-Secret': 'internal' } },
        ),
      ),
    );
    const res = await read(await handler(new Request(`${TASKS}task0001`)));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-upstream-secret')).toBeNull();
    expect(res.json.error?.message).toBe('Slow down');
  });

  it('passes Retry-After back with other statuses too, including a kept error status', async () => {
    const { handler } = setup();
    server.use(
      http.post(`${UPSTREAM}/api/v2/image/generate`, () =>
        new HttpResponse('<html>Down for maintenance</html>', { status: 503, headers: { 'Retry-After': '30' } }),
      ),
      http.get(`${UPSTREAM}/api/v2/tasks/:id`, () =>
        HttpResponse.json({ status: 'processing' }, { headers: { 'Retry-After': '2' } }),
      ),
    );
    const post = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(post.status).toBe(503);
    expect(post.json.error?.code).toBe('upstream_bad_response');
    expect(post.headers.get('retry-after')).toBe('30');
    const poll = await read(await handler(new Request(`${TASKS}task0001`)));
    expect(poll.status).toBe(200);
    expect(poll.headers.get('retry-after')).toBe('2');
  });

  it.each([
    ['a date', 'Wed, 21 Oct 2015 07:28:00 GMT', 'Wed, 21 Oct 2015 07:28:00 GMT'],
    ['an obsolete date format, written anew', 'Wednesday, 21-Oct-15 07:28:00 GMT', 'Wed, 21 Oct 2015 07:28:00 GMT'],
    ['padded seconds', ' 120 ', '120'],
    ['zero', '0', '0'],
  ])('passes a Retry-After that is %s', async (_name, value, passed) => {
    const { handler } = setup();
    server.use(
      http.get(`${UPSTREAM}/api/v2/tasks/:id`, () =>
        HttpResponse.json({ error: { code: 'rate_limited', type: 'rate_limit', message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': value } }),
      ),
    );
    const res = await read(await handler(new Request(`${TASKS}task0001`)));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe(passed);
  });

  it.each([
    ['the Authorization header echoed', (auth: string) => auth],
    ['the key after seconds', () => `7 ${KEY}`],
    ['the key after a date', () => `Wed, 21 Oct 2015 07:28:00 GMT ${KEY}`],
    ['the key alone', () => KEY],
    ['a fraction', () => '1.5'],
    ['a negative number', () => '-1'],
    ['words', () => 'soon'],
    ['a header injection attempt', () => '5, x-evil: 1'],
    ['a number with trailing text', () => '120abc'],
    ['more digits than any wait', () => '12345678901'],
  ])('drops a Retry-After that holds %s', async (_name, value) => {
    const { handler } = setup();
    server.use(
      http.post(`${UPSTREAM}/api/v2/image/generate`, ({ request }) =>
        HttpResponse.json(
          { error: { code: 'rate_limited', type: 'rate_limit', message: 'Slow down' } },
          { status: 429, headers: { 'Retry-After': value(request.headers.get('authorization')!) } },
        ),
      ),
    );
    // `read` also fails when any header holds the key.
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('passes a task 404 back', async () => {
    const { handler } = setup();
    const res = await read(await handler(new Request(`${TASKS}nosuchtask`)));
    expect(res.status).toBe(404);
    expect(res.json.error?.code).toBe('task_not_found');
  });

  it('keeps an error status when the upstream body is not JSON, and makes a 2xx one a 502', async () => {
    const { handler } = setup();
    server.use(
      http.post(`${UPSTREAM}/api/v2/image/generate`, () => new HttpResponse('<html>Bad gateway</html>', { status: 503 })),
      http.get(`${UPSTREAM}/api/v2/tasks/:id`, () => new HttpResponse('OK', { status: 200 })),
    );
    const post = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(post.status).toBe(503);
    expect(post.json.error?.code).toBe('upstream_bad_response');
    const poll = await read(await handler(new Request(`${TASKS}task0001`)));
    expect(poll.status).toBe(502);
    expect(poll.json.error?.code).toBe('upstream_bad_response');
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const { handler } = setup();
    server.use(http.post(`${UPSTREAM}/api/v2/image/generate`, () => HttpResponse.error()));
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(502);
    expect(res.json.error).toEqual({ code: 'upstream_unreachable', type: 'bad_gateway', message: expect.any(String) });
  });

  it('does not pass on what a failing fetch says (it may quote the request)', async () => {
    const handler = createProxyHandler({
      apiKey: KEY,
      basePath: BASE_PATH,
      fetch: async () => {
        throw new TypeError(`connect ECONNREFUSED; headers: Authorization: Bearer ${KEY}`);
      },
    });
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(502);
    expect(res.text).not.toContain('ECONNREFUSED');
  });

  it('answers 502 to an upstream redirect instead of following it with the key', async () => {
    const { handler } = setup();
    const elsewhere = recordUpstream('https://elsewhere.test');
    server.use(
      http.get(`${UPSTREAM}/api/v2/tasks/:id`, () =>
        new HttpResponse(null, { status: 302, headers: { Location: 'https://elsewhere.test/steal' } }),
      ),
      http.get('https://elsewhere.test/steal', () => HttpResponse.json({ status: 'pending' })),
    );
    const res = await read(await handler(new Request(`${TASKS}task0001`)));
    expect(res.status).toBe(502);
    expect(res.json.error?.code).toBe('upstream_redirect');
    expect(elsewhere).toHaveLength(0);
  });

  it('redacts the key when the upstream quotes it back', async () => {
    const { handler } = setup();
    server.use(
      http.post(`${UPSTREAM}/api/v2/image/generate`, ({ request }) =>
        HttpResponse.json(
          {
            error: {
              code: 'invalid_api_key',
              type: 'authentication_error',
              message: `Invalid API key: ${request.headers.get('authorization')}`,
              [KEY]: [KEY],
            },
          },
          { status: 401 },
        ),
      ),
    );
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(401);
    expect(res.json.error?.message).toBe('Invalid API key: Bearer [redacted]');
    expect(res.json.error).toHaveProperty('[redacted]', ['[redacted]']);
  });

  it('redacts the key when the upstream escapes it, and in names deep inside arrays', async () => {
    const { handler } = setup();
    // Every character of the key as a JSON escape: only the parsed strings show it.
    const escaped = [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const text = `{"error":{"code":"x","type":"y","message":"key ${escaped}"},"items":[{"${escaped}":{"a ${KEY} b":1}}]}`;
    server.use(http.post(`${UPSTREAM}/api/v2/image/generate`, () => new HttpResponse(text, { status: 401 })));
    const res = await read(await handler(postJson({ prompt: 'a fox' })));
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error: { code: 'x', type: 'y', message: 'key [redacted]' },
      items: [{ '[redacted]': { 'a [redacted] b': 1 } }],
    });
  });
});
