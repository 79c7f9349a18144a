import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

/** The server's key. Tests assert it never reaches a response. */
export const KEY = 'sk_live_server_only_9f3a7c21';

/** Where the route is mounted in these tests. */
export const BASE_PATH = '/api/flash-image';

/** A request the upstream double received, and how it ended. */
export interface UpstreamExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request body as received. */
  body: string;
  /** Settles when the connection the request came on is closed: the proxy aborted it, or gave up the socket. */
  socketClosed: Promise<void>;
}

/** A stand-in vendor on a loopback port, counting requests and the ones still open. */
export interface UpstreamDouble {
  origin: string;
  exchanges: UpstreamExchange[];
  /** Requests whose answer has neither finished nor had its connection closed. */
  inFlight(): number;
  /** Connections open now, idle keep-alive ones included. */
  openSockets(): number;
  close(): Promise<void>;
}

/**
 * Starts a node:http server that calls `answer` once a request's body has arrived. With `record:
 * false` it keeps no exchange once answered (a soak must not measure the double's own memory).
 */
export async function startUpstream(answer: (exchange: UpstreamExchange) => void, { record = true } = {}): Promise<UpstreamDouble> {
  const exchanges: UpstreamExchange[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  const server = createServer(async (req, res) => {
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    // A listener, not `once()`: that rejects on the socket's 'error', and a reset is how an abort arrives.
    const socketClosed = new Promise<void>((resolve) => (req.socket.closed ? resolve() : req.socket.once('close', () => resolve())));
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const exchange = { req, res, body, socketClosed };
    if (record) exchanges.push(exchange);
    answer(exchange);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const double: UpstreamDouble = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    inFlight: () => inFlight,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  onTestFinished(() => double.close());
  return double;
}

/** A real HTTP server on a free loopback port, closed when the test ends; its base URL. */
export async function listen(listener: RequestListener): Promise<{ port: number; origin: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { port, origin: `http://127.0.0.1:${port}` };
}

/** Resolves with `promise`, or rejects after `ms` saying what did not happen. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A free loopback TCP port (another process could take it in between; redis-server then fails to start, loudly). */
async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A redis-server of our own, without persistence, on a free loopback port. */
export interface RedisProcess {
  port: number;
  /** Stops it by its PID and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's `redis-server` (`.ci/run` installs it when missing) and waits until it accepts
 * connections. Fails with a clear message when it is not installed: these tests are not skipped.
 */
export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const exited = once(child, 'exit');
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start redis-server (apt-get install -y redis-server): ${error.message}`)));
    void exited.then(() => reject(new Error(`redis-server exited at start:\n${output}`)));
  });
  const ready = (async () => {
    for (;;) {
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await within(Promise.race([ready, failed]), 10_000, 'redis-server accepting connections');
  let stopped: Promise<void> | undefined;
  return {
    port,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(child.pid!, 'SIGTERM');
          await exited;
        }
      })()),
  };
}

/** True when a Redis answers PING on the port. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: string) => {
      resolve(data.startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
}

/** A POST of a generate body to a proxy. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** A response's status, headers and JSON, after checking the key is nowhere in it. */
export async function read(response: Response): Promise<{ status: number; headers: Headers; json: Record<string, any> }> {
  const text = await response.text();
  if (text.includes(KEY) || [...response.headers.values()].some((value) => value.includes(KEY))) {
    throw new Error('the API key reached a response');
  }
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // Left empty; callers assert on status and fields.
  }
  return { status: response.status, headers: response.headers, json };
}
