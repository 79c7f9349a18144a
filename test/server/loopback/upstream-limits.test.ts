import { connect } from 'node:net';
import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createProxyHandler, toNodeHandler, type ProxyHandlerOptions } from '../../../src/server/index.js';
import { BASE_PATH, KEY, listen, post, read, startUpstream, within, type UpstreamExchange } from './support.js';

/**
 * The proxy, called as a Fetch handler with Node's own fetch (no msw), in front of an upstream
 * double that misbehaves as `answer` says.
 */
async function setup(answer: (exchange: UpstreamExchange) => void, options: Partial<ProxyHandlerOptions> = {}) {
  const upstream = await startUpstream(answer);
  const handler = createProxyHandler({ apiKey: KEY, upstream: upstream.origin, basePath: BASE_PATH, ...options });
  const generate = () =>
    handler(
      new Request(`http://app.test${BASE_PATH}/api/v2/image/generate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'a fox' }),
      }),
    );
  const readTask = () => handler(new Request(`http://app.test${BASE_PATH}/api/v2/tasks/task0001`));
  return { upstream, handler, generate, readTask };
}

/** Writes `chunk` until the socket closes, waiting whenever its buffer is full. Counts what was written. */
function writeForever(exchange: UpstreamExchange, chunk: Buffer, written = { bytes: 0 }) {
  const { res } = exchange;
  const more = () => {
    while (!res.destroyed) {
      written.bytes += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
  };
  more();
  return written;
}

describe('the upstream answer is read within a size limit', () => {
  it('cuts off an upstream that streams without end: 502 upstream_too_large, and its connection is closed', async () => {
    const written = { bytes: 0 };
    const { upstream, readTask } = await setup((exchange) => {
      exchange.res.writeHead(200, { 'Content-Type': 'application/json' });
      writeForever(exchange, Buffer.alloc(64 * 1024, 0x20), written);
    });
    const res = await read(await within(readTask(), 10_000, 'an answer'));
    expect(res.status).toBe(502);
    expect(res.json.error).toEqual({ code: 'upstream_too_large', type: 'bad_gateway', message: expect.any(String) });
    await within(upstream.exchanges[0]!.socketClosed, 5000, 'the upstream connection closed');
    expect(upstream.inFlight()).toBe(0);
    // It stopped near the limit (1 MiB), not after reading everything it was sent.
    expect(written.bytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('counts a gzip bomb as decoded: an endless one, 1 kB of gzip per MiB, is cut off at the limit and aborted', async () => {
    // Deflate blocks that end in a full flush stand alone, so one repeated without end after a
    // gzip header is a valid stream that never finishes: 1 MiB of zeros per 1 kB sent.
    const block = deflateRawSync(Buffer.alloc(1024 * 1024), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
    expect(block.length).toBeLessThan(2048);
    const { upstream, generate } = await setup((exchange) => {
      exchange.res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      exchange.res.write(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]));
      writeForever(exchange, block);
    });
    // Counted before decoding, the limit would let 1 GiB in: this would not answer in time.
    const res = await read(await within(generate(), 10_000, 'an answer'));
    expect(res.status).toBe(502);
    expect(res.json.error?.code).toBe('upstream_too_large');
    expect(upstream.exchanges).toHaveLength(1);
    await within(upstream.exchanges[0]!.socketClosed, 5000, 'the upstream connection closed');
    expect(upstream.inFlight()).toBe(0);
  });

  it('reads an answer of exactly the limit, and refuses one byte more', async () => {
    const body = (size: number) => JSON.stringify({ task_id: 't1', status: 'pending', pad: 'x'.repeat(size - 44) });
    expect(body(100)).toHaveLength(100);
    let size = 100;
    const { generate } = await setup(({ res }) => {
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end(body(size));
    }, { maxResponseBytes: 100 });
    expect((await read(await generate())).status).toBe(202);
    size = 101;
    const over = await read(await generate());
    expect(over.status).toBe(502);
    expect(over.json.error?.code).toBe('upstream_too_large');
  });
});

describe('the upstream answer is read within a deadline', () => {
  it('answers 504 when the upstream sends no headers at all, and closes the connection', async () => {
    const { upstream, readTask } = await setup(() => undefined, { upstreamTimeoutMs: 500 });
    const started = performance.now();
    const res = await read(await within(readTask(), 10_000, 'an answer'));
    expect(res.status).toBe(504);
    expect(res.json.error).toEqual({ code: 'upstream_timeout', type: 'gateway_timeout', message: expect.any(String) });
    expect(performance.now() - started).toBeGreaterThanOrEqual(490);
    await within(upstream.exchanges[0]!.socketClosed, 5000, 'the upstream connection closed');
    expect(upstream.inFlight()).toBe(0);
  });

  it('answers 504 to an upstream that trickles a byte a second: the deadline covers the body too', async () => {
    const { upstream, generate } = await setup((exchange) => {
      exchange.res.writeHead(202, { 'Content-Type': 'application/json' });
      exchange.res.write('{');
      const timer = setInterval(() => exchange.res.write(' '), 1000);
      exchange.res.once('close', () => clearInterval(timer));
    }, { upstreamTimeoutMs: 1500 });
    const res = await read(await within(generate(), 10_000, 'an answer'));
    expect(res.status).toBe(504);
    expect(res.json.error?.code).toBe('upstream_timeout');
    await within(upstream.exchanges[0]!.socketClosed, 5000, 'the upstream connection closed');
  });

  it('passes a slow answer that arrives before the deadline', async () => {
    const { generate } = await setup(({ res }) => {
      setTimeout(() => {
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ task_id: 't1', status: 'pending' }));
      }, 200);
    }, { upstreamTimeoutMs: 2000 });
    const res = await read(await generate());
    expect(res.status).toBe(202);
    expect(res.json.task_id).toBe('t1');
  });

  it('aborts the upstream request when the client hangs up (through node:http)', async () => {
    const upstream = await startUpstream(() => undefined);
    const handler = createProxyHandler({ apiKey: KEY, upstream: upstream.origin, basePath: BASE_PATH });
    const { port } = await listen(toNodeHandler(handler));
    const client = connect(port, '127.0.0.1');
    client.write(`GET ${BASE_PATH}/api/v2/tasks/task0001 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await within(
      (async () => {
        while (upstream.exchanges.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
      5000,
      'the request reaching the upstream',
    );
    client.destroy();
    // Well before the 30 s default deadline: only the hang-up can have closed it.
    await within(upstream.exchanges[0]!.socketClosed, 5000, 'the upstream connection closed');
    expect(upstream.inFlight()).toBe(0);
  });
});
