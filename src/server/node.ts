/// <reference types="node" />
// Types only: this module must load where `node:` does not exist (Workers, Deno bundles) when a
// bundler pulls in the whole `flash-image-react/server` entry. The reference above lets the library
// build (which loads no ambient types) see `node:http`; TypeScript does not copy it into the .d.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, internalError } from './json-response.js';

/** A Fetch API handler, such as the one `createProxyHandler` returns. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** What Express adds to a Node request: the URL before a mount stripped its prefix, and a parsed body. */
type NodeRequest = IncomingMessage & { originalUrl?: string; body?: unknown };

// The Host header comes from the client and is pasted into a URL; anything that could change how
// that URL parses (a slash, an `@`) is replaced rather than trusted.
const SAFE_HOST = /^(?:[a-z\d.-]+|\[[\da-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The request body as a web stream that reads from the socket only as the handler asks for more,
 * a chunk at a time. When the handler stops (a body over the limit), nothing more is read, so the
 * rest of an upload is never buffered. Cancelling just stops pulling: ending the iterator would
 * destroy the socket, and with it the answer (a 413) the client is waiting for.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks: AsyncIterator<Uint8Array> = req[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
}

function toRequest(req: NodeRequest, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A name or value the Fetch API refuses (an HTTP/2 pseudo-header such as `:path`) is
      // dropped; the handler decides with what is left.
    }
  }
  const host = SAFE_HOST.test(req.headers.host ?? '') ? req.headers.host : 'localhost';
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  // Express strips a mount path from `url` (`app.use('/api/flash-image', …)`); `basePath` is the full path.
  const path = req.originalUrl ?? req.url ?? '/';
  const method = req.method ?? 'GET';
  let body: BodyInit | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    // A body parser (e.g. `express.json()`) mounted before this route has already drained the
    // stream; its result is all that is left to read.
    const parsed = req.readableEnded ? req.body : undefined;
    body =
      parsed === undefined ? bodyStream(req)
      : typeof parsed === 'string' || parsed instanceof Uint8Array ? (parsed as BodyInit)
      : JSON.stringify(parsed);
  }
  // `duplex` is required by Node's fetch for a streamed body.
  const init: RequestInit & { duplex: 'half' } = { method, headers, body, signal, duplex: 'half' };
  return new Request(`${scheme}://${host}${path.startsWith('/') ? '' : '/'}${path}`, init);
}

/** Resolves when the socket can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

async function send(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The handler answered before reading the whole upload (413, 401, 415): close the connection
  // rather than let Node read and discard the rest of a body that may never end.
  if (!req.complete) res.setHeader('Connection', 'close');
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    // Set-Cookie is the one header that cannot be joined into a single line.
    res.setHeader(name, name === 'set-cookie' ? response.headers.getSetCookie() : value);
  });
  if (req.method === 'HEAD') await response.body?.cancel();
  else if (response.body) {
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      // The client hung up: stop producing a body nobody will read.
      if (res.destroyed) return reader.cancel();
      // Waits while the socket's buffer is full, so a large body is not held in memory.
      if (!res.write(read.value)) await drained(res);
    }
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
    // A client that hangs up aborts the request, and with it the handler's own upstream call.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const respond = async (): Promise<Response> => {
      let request: Request;
      try {
        request = toRequest(req, abort.signal);
      } catch {
        // E.g. a method the Fetch API forbids (TRACE).
        return errorResponse(400, 'bad_request', 'invalid_request', 'The request could not be read.');
      }
      try {
        return await handler(request);
      } catch (error) {
        return internalError(error);
      }
    };
    respond()
      .then((response) => send(response, req, res))
      .catch(() => res.destroy());
  };
}
