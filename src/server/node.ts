/// <reference types="node" />
// Types only: this module must load where `node:` does not exist (Workers, Deno bundles) when a
// bundler pulls in the whole `flash-image-react/server` entry. The reference above lets the library
// build (which loads no ambient types) see `node:http`; TypeScript does not copy it into the .d.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse } from './json-response.js';

/** A Fetch API handler, such as the one `createProxyHandler` returns. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** What Express adds to a Node request: the URL before a mount stripped its prefix, and a parsed body. */
type NodeRequest = IncomingMessage & { originalUrl?: string; body?: unknown };

// The Host header comes from the client and is pasted into a URL; anything that could change how
// that URL parses (a slash, an `@`) is replaced rather than trusted.
const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function requestUrl(req: NodeRequest): string {
  const host = req.headers.host !== undefined && SAFE_HOST.test(req.headers.host) ? req.headers.host : 'localhost';
  const scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  // Express strips a mount path from `url` (`app.use('/api/flash-image', …)`); `basePath` is the full path.
  const path = req.originalUrl ?? req.url ?? '/';
  return `${scheme}://${host}${path.startsWith('/') ? path : `/${path}`}`;
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // HTTP/2 pseudo-headers (`:path`) are not headers to the Fetch API.
    if (name.startsWith(':')) continue;
    try {
      headers.append(name, raw[i + 1]!);
    } catch {
      // A value the Fetch API refuses is dropped; the handler decides with what is left.
    }
  }
  return headers;
}

/**
 * The request body as a web stream that pulls from the socket only as fast as the handler reads.
 * When the handler stops (a body over the limit), the socket is paused, so the rest of an upload
 * is never buffered.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Uint8Array) => {
        if (settled) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.once('end', () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      req.once('error', (error) => {
        if (settled) return;
        settled = true;
        controller.error(error);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      settled = true;
      req.pause();
    },
  });
}

function requestBody(req: NodeRequest): BodyInit {
  // A body parser (e.g. `express.json()`) mounted before this route has already drained the
  // stream; its result is all that is left to read.
  if (req.readableEnded && req.body !== undefined) {
    const { body } = req;
    if (typeof body === 'string') return body;
    return body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body);
  }
  return bodyStream(req);
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function send(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
  // The handler answered before reading the whole upload (413, 401, 415): close the connection
  // rather than let Node read and discard the rest of a body that may never end.
  if (!req.complete) res.setHeader('Connection', 'close');
  if (response.body === null || req.method === 'HEAD') {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (res.destroyed) {
      await reader.cancel();
      return;
    }
    if (!res.write(value)) await drainedOrClosed(res);
  }
  res.end();
}

/**
 * Adapts a Fetch API handler to `node:http` and Express: `createServer(toNodeHandler(handler))` or
 * `app.use('/api/flash-image', toNodeHandler(handler))`. Mount it before any body parser, or on a
 * router without one, so the body limit is the handler's.
 */
export function toNodeHandler(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handleNodeRequest(handler, req, res);
  };
}

async function handleNodeRequest(handler: FetchHandler, req: NodeRequest, res: ServerResponse): Promise<void> {
  // A client that hangs up aborts the request, and with it the handler's own upstream call.
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  let response: Response;
  let request: Request | undefined;
  try {
    const method = req.method ?? 'GET';
    const init: RequestInit & { duplex?: 'half' } = { method, headers: requestHeaders(req), signal: abort.signal };
    if (method !== 'GET' && method !== 'HEAD') {
      init.body = requestBody(req);
      // Required by Node's fetch for a streamed body.
      init.duplex = 'half';
    }
    request = new Request(requestUrl(req), init);
  } catch {
    // E.g. a method the Fetch API forbids (CONNECT, TRACE).
    response = errorResponse(400, 'bad_request', 'invalid_request', 'The request could not be read.');
  }
  if (request !== undefined) {
    try {
      response = await handler(request);
    } catch (error) {
      console.error('flash-image-react/server: the handler threw', error);
      response = errorResponse(500, 'internal_error', 'server_error', 'The server could not handle the request.');
    }
  }
  try {
    await send(response!, req, res);
  } catch {
    res.destroy();
  }
}
