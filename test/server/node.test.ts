// @vitest-environment node
import { http, HttpResponse } from 'msw';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { DEFAULT_MODEL } from '../../src/core/constants.js';
import { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import type { ImageTask } from '../../src/core/types.js';
import { createProxyHandler, toNodeHandler, type ProxyHandlerOptions } from '../../src/server/index.js';
import { createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { BASE_PATH, KEY, UPSTREAM, allowLoopback, rawHttp, read, recordUpstream } from './helpers.js';

/** A real HTTP server on a free loopback port, closed when the test ends. */
async function listen(listener: RequestListener): Promise<number> {
  const httpServer = createServer(listener);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  );
  return (httpServer.address() as AddressInfo).port;
}

/** The proxy behind `node:http`, in front of a recording mock of the vendor API. */
async function setup(options: Partial<ProxyHandlerOptions> = {}, mock: Parameters<typeof createMockApi>[0] = {}) {
  allowLoopback();
  const api = createMockApi({ baseUrl: UPSTREAM, processingAfterMs: 0, completeAfterMs: 0, ...mock });
  server.use(...api.handlers);
  const upstream = recordUpstream();
  const handler = createProxyHandler({ apiKey: KEY, upstream: UPSTREAM, basePath: BASE_PATH, ...options });
  const port = await listen(toNodeHandler(handler));
  const base = `http://127.0.0.1:${port}${BASE_PATH}`;
  return { api, upstream, port, base };
}

async function rejection(promise: Promise<unknown>): Promise<ImageGenError> {
  try {
    await promise;
  } catch (error) {
    if (ImageGenError.isImageGenError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('the browser fetcher through the node server', () => {
  it('generates and polls to the finished image, with only the server key upstream', async () => {
    // Only the clock is fake: the mock API ages its tasks by Date.now(), the sockets stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    const { api, base } = await setup({}, { processingAfterMs: 1000, completeAfterMs: 3000 });
    const fetcher = createHttpFetcher({ baseUrl: base });
    const task = await fetcher.generate({ prompt: 'a lighthouse at dusk', size: '16:9', imageUrls: ['https://img.example.com/a.png'] });
    expect(task).toMatchObject({ taskId: 'task0001', status: 'pending' });
    const seen: ImageTask[] = [await fetcher.getTask(task.taskId)];
    vi.advanceTimersByTime(1500);
    seen.push(await fetcher.getTask(task.taskId));
    vi.advanceTimersByTime(1500);
    seen.push(await fetcher.getTask(task.taskId));
    expect(seen.map((t) => t.status)).toEqual(['pending', 'processing', 'completed']);
    expect(seen[2]).toMatchObject({ taskId: 'task0001', imageUrl: 'https://cdn.example.com/task0001/0.png' });

    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toEqual({
      prompt: 'a lighthouse at dusk',
      model: DEFAULT_MODEL,
      size: '16:9',
      image_urls: ['https://img.example.com/a.png'],
    });
    expect(api.polls()).toHaveLength(3);
    for (const request of api.requests) expect(request.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('replaces whatever Authorization and cookies the browser sends', async () => {
    const { upstream, base } = await setup();
    const fetcher = createHttpFetcher({
      baseUrl: base,
      apiKey: 'sk_leaked_into_the_browser',
      headers: { Cookie: 'session=abc', 'X-Custom': 'yes' },
    });
    const task = await fetcher.generate({ prompt: 'a fox' });
    await fetcher.getTask(task.taskId);
    expect(upstream).toHaveLength(2);
    for (const request of upstream) {
      expect(request.headers.get('authorization')).toBe(`Bearer ${KEY}`);
      expect(request.headers.get('cookie')).toBeNull();
      expect(request.headers.get('x-custom')).toBeNull();
    }
  });

  it('gets the vendor errors through, mapped as if it talked to the vendor', async () => {
    const { base } = await setup();
    const fetcher = createHttpFetcher({ baseUrl: base });
    server.use(
      http.post(`${UPSTREAM}/api/v2/image/generate`, () =>
        HttpResponse.json({ error: { code: 'insufficient_credits', type: 'billing', message: 'Top up', required: 3, balance: 1 } }, { status: 402 }),
      ),
      http.get(`${UPSTREAM}/api/v2/tasks/:id`, () =>
        HttpResponse.json({ error: { code: 'rate_limited', type: 'rate_limit', message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '7' } }),
      ),
    );
    const credits = await rejection(fetcher.generate({ prompt: 'a fox' }));
    expect(credits).toMatchObject({ kind: 'insufficient_credits', status: 402, code: 'insufficient_credits', required: 3, balance: 1 });
    const limited = await rejection(fetcher.getTask('task0001'));
    expect(limited).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true, retryAfterMs: 7000 });
  });

  it('sees an unreachable upstream as a retryable 502', async () => {
    const { base } = await setup();
    server.use(http.get(`${UPSTREAM}/api/v2/tasks/:id`, () => HttpResponse.error()));
    const error = await rejection(createHttpFetcher({ baseUrl: base }).getTask('task0001'));
    expect(error).toMatchObject({ kind: 'server', status: 502, retryable: true, code: 'upstream_unreachable' });
    expect(error.message).not.toContain(KEY);
  });
});

describe('refusals over HTTP', () => {
  it('answers 404 to other paths and 405 with Allow to other methods', async () => {
    const { upstream, port, base } = await setup();
    const notFound = await read(await fetch(`http://127.0.0.1:${port}/api/v2/image/generate`, { method: 'POST', body: '{}' }));
    expect(notFound.status).toBe(404);
    const getGenerate = await read(await fetch(`${base}/api/v2/image/generate`));
    expect(getGenerate.status).toBe(405);
    expect(getGenerate.headers.get('allow')).toBe('POST');
    const deleteTask = await read(await fetch(`${base}/api/v2/tasks/task0001`, { method: 'DELETE' }));
    expect(deleteTask.status).toBe(405);
    expect(deleteTask.headers.get('allow')).toBe('GET');
    expect(upstream).toHaveLength(0);
  });

  it('refuses a body that skipped the client checks', async () => {
    const { upstream, base } = await setup();
    const post = (body: string) =>
      fetch(`${base}/api/v2/image/generate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const tooMany = await read(await post(JSON.stringify({ prompt: 'a fox', image_urls: Array(15).fill('https://a.example/x.png') })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error?.code).toBe('invalid_image_urls');
    const script = await read(await post(JSON.stringify({ prompt: 'a fox', image_urls: ['javascript:alert(1)'] })));
    expect(script.status).toBe(400);
    const notJson = await read(await post('prompt=a+fox'));
    expect(notJson.status).toBe(400);
    expect(notJson.json.error?.code).toBe('invalid_json');
    expect(upstream).toHaveLength(0);
  });

  it('answers 401 when authorize refuses the cookie the browser sent', async () => {
    const { api, upstream, base } = await setup({ authorize: (request) => request.headers.get('cookie') === 'session=valid' });
    const refused = await read(
      await fetch(`${base}/api/v2/image/generate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: 'session=stolen' },
        body: '{"prompt":"a fox"}',
      }),
    );
    expect(refused.status).toBe(401);
    expect(upstream).toHaveLength(0);
    const allowed = await fetch(`${base}/api/v2/image/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: 'session=valid' },
      body: '{"prompt":"a fox"}',
    });
    expect(allowed.status).toBe(202);
    expect(api.posts()[0]!.headers.get('cookie')).toBeNull();
  });

  it.each([
    // Node hands the raw target to the adapter; the URL parser would resolve the dots (and turn
    // backslashes into slashes), so the adapter refuses them before building the request.
    ['/api/v2/tasks/../../../v1/account', 'invalid_path'],
    ['/api/v2/tasks/%2e%2e/%2e%2e/v1/account', 'invalid_path'],
    ['/api/v2/tasks/..%2F..%2Fv1%2Faccount', 'invalid_task_id'],
    ['/api/v2/tasks/task0001%2F..%2F..', 'invalid_task_id'],
    ['/api/v2/tasks/task0001/..%2f', 'invalid_task_id'],
  ])('refuses the raw path %s with 400 %s', async (path, code) => {
    const { upstream, port } = await setup();
    const res = await rawHttp(port, `GET ${BASE_PATH}${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(400);
    expect(res.text).toContain(`"code":"${code}"`);
    expect(res.text).not.toContain(KEY);
    expect(upstream).toHaveLength(0);
  });

  it.each([
    '/api/v2/tasks/%2e%2e/image/generate',
    '/api/v2/tasks/%2E%2e/image/generate',
    '/api/v2/tasks/../image/generate',
    '/api/v2/tasks/x/%2e%2e/%2e%2e/image/generate',
    '/api\\v2\\image\\generate',
    '/api/v2%5cimage/generate',
  ])('refuses a POST to %s, which the URL parser would route as generate, with nothing billed', async (path) => {
    const { api, upstream, port } = await setup();
    const body = '{"prompt":"a fox"}';
    const res = await rawHttp(
      port,
      `POST ${BASE_PATH}${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('"code":"invalid_path"');
    expect(api.posts()).toHaveLength(0);
    expect(upstream).toHaveLength(0);
  });

  it.each([
    // The absolute form of a request target names a host of its own; only the path form is routed.
    `http://127.0.0.1${BASE_PATH}/api/v2/tasks/task0001`,
    `http://evil.example${BASE_PATH}/api/v2/tasks/task0001`,
    '*',
  ])('answers 404 to the request target %s', async (target) => {
    const { upstream, port } = await setup();
    const res = await rawHttp(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain(KEY);
    expect(upstream).toHaveLength(0);
  });

  it('answers 413 to a Content-Length over the limit before the body is sent', async () => {
    const { upstream, port } = await setup();
    const head =
      `POST ${BASE_PATH}/api/v2/image/generate HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`;
    // No body byte is ever written: only the header can have triggered the answer.
    const res = await rawHttp(port, head);
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/connection: close/i);
    expect(res.text).toContain('body_too_large');
    expect(upstream).toHaveLength(0);
  });

  it('answers 413 to a chunked upload while it is still being sent', async () => {
    const { upstream, port } = await setup();
    const head =
      `POST ${BASE_PATH}/api/v2/image/generate HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const totalBytes = 64 * 1024 * 1024;
    const res = await rawHttp(port, head, { chunked: true, chunkBytes: 64 * 1024, totalBytes });
    expect(res.status).toBe(413);
    // Had the server read it all before judging, the client would have sent all of it.
    expect(res.sent).toBeLessThan(totalBytes / 2);
    expect(upstream).toHaveLength(0);
  });
});

describe('toNodeHandler', () => {
  it('finds the base path under an Express mount, which strips it from req.url', async () => {
    allowLoopback();
    const api = createMockApi({ baseUrl: UPSTREAM });
    server.use(...api.handlers);
    const nodeHandler = toNodeHandler(createProxyHandler({ apiKey: KEY, upstream: UPSTREAM, basePath: BASE_PATH }));
    // What `app.use('/api/flash-image', nodeHandler)` does to the request before calling it.
    const port = await listen((req, res) => {
      const express = req as IncomingMessage & { originalUrl?: string };
      express.originalUrl = req.url;
      req.url = req.url!.slice(BASE_PATH.length) || '/';
      nodeHandler(req, res);
    });
    const res = await fetch(`http://127.0.0.1:${port}${BASE_PATH}/api/v2/image/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"prompt":"a fox"}',
    });
    expect(res.status).toBe(202);
    expect(api.posts()).toHaveLength(1);
  });

  it('uses the body a parser mounted earlier already read', async () => {
    allowLoopback();
    const api = createMockApi({ baseUrl: UPSTREAM });
    server.use(...api.handlers);
    const nodeHandler = toNodeHandler(createProxyHandler({ apiKey: KEY, upstream: UPSTREAM, basePath: BASE_PATH }));
    // What `express.json()` leaves behind: a drained stream and `req.body`.
    const port = await listen(async (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      req.body = { ...JSON.parse(text), extra: 'dropped' };
      nodeHandler(req, res);
    });
    const res = await fetch(`http://127.0.0.1:${port}${BASE_PATH}/api/v2/image/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"prompt":"a fox","seed":3}',
    });
    expect(res.status).toBe(202);
    expect(api.posts()[0]!.body).toEqual({ prompt: 'a fox', model: DEFAULT_MODEL, seed: 3 });
  });

  it('answers 500 JSON when the handler throws', async () => {
    allowLoopback();
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const port = await listen(
      toNodeHandler(() => {
        throw new Error(`boom ${KEY}`);
      }),
    );
    const res = await read(await fetch(`http://127.0.0.1:${port}/`));
    expect(res.status).toBe(500);
    expect(res.json.error?.code).toBe('internal_error');
    expect(log).toHaveBeenCalledTimes(1);
  });

  it.each([
    // A host and port are taken as they are; what follows a host is ignored, never part of the path.
    ['example.com:8080', 'http://example.com:8080/x?y=1'],
    ['evil.example/admin?z=1', 'http://evil.example/x?y=1'],
    ['evil.example#frag', 'http://evil.example/x?y=1'],
    // Not a host at all: the placeholder stays.
    ['a@evil.example', 'http://localhost/x?y=1'],
    ['a b', 'http://localhost/x?y=1'],
  ])('builds the request URL from the path, whatever the Host header says (%s)', async (host, url) => {
    allowLoopback();
    const seen: string[] = [];
    const port = await listen(
      toNodeHandler((request) => {
        seen.push(request.url);
        return new Response(null, { status: 204 });
      }),
    );
    const res = await rawHttp(port, `GET /x?y=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(204);
    expect(seen).toEqual([url]);
  });

  it('gives the handler repeated headers joined as Node joins them', async () => {
    allowLoopback();
    let cookie: string | null = null;
    const port = await listen(
      toNodeHandler((request) => {
        cookie = request.headers.get('cookie');
        return new Response(null, { status: 204 });
      }),
    );
    const head = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n`;
    expect((await rawHttp(port, head)).status).toBe(204);
    expect(cookie).toBe('a=1; b=2');
  });

  it('keeps each Set-Cookie when it answers before the upload is read, and closes the connection', async () => {
    allowLoopback();
    const port = await listen(
      toNodeHandler(() => {
        const headers = new Headers();
        headers.append('set-cookie', 'a=1');
        headers.append('set-cookie', 'b=2');
        return new Response(null, { status: 401, headers });
      }),
    );
    const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const res = await rawHttp(port, head, { chunked: true, chunkBytes: 1024, totalBytes: 1024 * 1024 });
    expect(res.status).toBe(401);
    expect(res.text.match(/^set-cookie: .*$/gim)).toEqual(['set-cookie: a=1', 'set-cookie: b=2']);
    expect(res.text).toMatch(/^connection: close$/im);
  });

  it('serves HTTP/2 (the compat API), reading the host from :authority and leaving pseudo-headers out', async () => {
    let seen: Request | undefined;
    const h2 = createHttp2Server(
      toNodeHandler((request) => {
        seen = request;
        return new Response('ok');
      }) as unknown as Parameters<typeof createHttp2Server>[0],
    );
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const client = connectHttp2(`http://127.0.0.1:${(h2.address() as AddressInfo).port}`);
    onTestFinished(() => {
      client.close();
      h2.close();
    });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const stream = client.request({ ':path': '/api/x?y=1', ':method': 'GET', 'x-test': 'yes' });
      let status = 0;
      let body = '';
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      stream.on('end', () => resolve({ status, body }));
      stream.on('error', reject);
      stream.end();
    });
    expect(answer).toEqual({ status: 200, body: 'ok' });
    expect(seen?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/x\?y=1$/);
    expect(seen?.headers.get('x-test')).toBe('yes');
    expect([...seen!.headers.keys()].some((name) => name.startsWith(':'))).toBe(false);
  });

  it('answers HEAD with the status and headers, and no body', async () => {
    const { upstream, base } = await setup();
    const res = await fetch(`${base}/api/v2/tasks/task0001`, { method: 'HEAD' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(await res.text()).toBe('');
    expect(upstream).toHaveLength(0);
  });

  it('passes status, headers (each Set-Cookie) and a streamed body through, and gives the handler the request', async () => {
    allowLoopback();
    let seen: Request | undefined;
    const port = await listen(
      toNodeHandler(async (request) => {
        seen = request;
        const headers = new Headers({ 'Content-Type': 'text/plain', 'X-Echo': request.headers.get('x-in') ?? '' });
        headers.append('Set-Cookie', 'a=1');
        headers.append('Set-Cookie', 'b=2');
        const text = await request.text();
        const body = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`${request.method} `));
            controller.enqueue(new TextEncoder().encode(text));
            controller.close();
          },
        });
        return new Response(body, { status: 201, headers });
      }),
    );
    const res = await fetch(`http://127.0.0.1:${port}/x?y=1`, { method: 'PUT', headers: { 'X-In': 'hi' }, body: 'payload' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('hi');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.text()).toBe('PUT payload');
    expect(seen?.url).toBe(`http://127.0.0.1:${port}/x?y=1`);
  });
});
