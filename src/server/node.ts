/// <reference types="node" />
// Types only: this module must load where `node:` does not exist (Workers, Deno bundles) when a
// bundler pulls in the whole `flash-image-react/server` entry. The reference above lets the library
// build (which loads no ambient types) see `node:http`; TypeScript does not copy it into the .d.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, internalError } from './json-response.js';
import { pathRefusal } from './raw-path.js';

/** A Fetch API handler, such as the one `createProxyHandler` returns. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** What Express adds to a Node request: the URL before a mount stripped its prefix, and a parsed body. */
type NodeRequest = IncomingMessage & { originalUrl?: string; body?: unknown };

function toRequest(req: NodeRequest, signal: AbortSignal): Request {
  const { method = 'GET', body: parsed } = req;
  // Express strips a mount path from `url` (`app.use('/api/flash-image', …)`); `basePath` is the full
  // path. It follows a placeholder host, which the client's Host header then replaces. The scheme is
  // always `http`: TLS usually ends at a proxy in front of Node, and handlers route by path.
  const url = new URL(`http://localhost${req.originalUrl ?? req.url}`);
  // The Host header comes from the client. The host setter ignores a value that is not a host
  // (leaving `localhost`) and stops where one ends, so no `/`, `@` or `?` in it can reach the path.
  // HTTP/2 names the host `:authority`.
  url.host = (req.headers.host ?? req.headers[':authority'] ?? '') as string;
  const body =
    method === 'GET' || method === 'HEAD' ? undefined
    : req.readableEnded ?
      // A body parser (e.g. `express.json()`) mounted before this route has already drained the
      // stream; its result is all that is left to read.
      typeof parsed === 'string' || parsed instanceof Uint8Array ? (parsed as BodyInit)
      : JSON.stringify(parsed)
      // Node's `Request` streams an async iterable, reading from the socket only as the handler
      // asks for more. A handler that stops early (a body over the limit) cancels it, which ends
      // the iterator; `destroyOnReturn: false` keeps that from destroying the socket, and with
      // it the answer (a 413) the client is waiting for.
    : (req.iterator({ destroyOnReturn: false }) as unknown as BodyInit);
  // Node has already joined repeated headers (cookies with `; `); only Set-Cookie stays a list, and
  // a request does not carry it. HTTP/2's pseudo-headers (`:path`, `:method`…) are not names the
  // Fetch API accepts: left out. `duplex` is required by Node's fetch for a streamed body.
  const headers = Object.entries(req.headers).filter(([name]) => name[0] !== ':') as [string, string][];
  return new Request(url, { method, headers, body, signal, duplex: 'half' } as RequestInit);
}

/**
 * Adapts a Fetch API handler to `node:http` and Express: `createServer(toNodeHandler(handler))` or
 * `app.use('/api/flash-image', toNodeHandler(handler))`. Mount it before any body parser, or on a
 * router without one, so the body limit is the handler's. A request target whose path has a dot
 * segment or a backslash is answered 400 (`invalid_path`) without calling the handler.
 */
export function toNodeHandler(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // A client that hangs up aborts the request, and with it the handler's own upstream call.
    const abort = new AbortController();
    res.once('close', () => res.writableFinished || abort.abort());
    const respond = async (): Promise<Response> => {
      // The raw target, before `new URL` resolves dot segments and turns backslashes into slashes:
      // the handler would otherwise route a path that a guard in front of it saw differently.
      const unsafe = pathRefusal((req as NodeRequest).originalUrl ?? req.url ?? '');
      if (unsafe) return unsafe;
      let request: Request;
      try {
        request = toRequest(req, abort.signal);
      } catch {
        // E.g. a method the Fetch API forbids (TRACE).
        return errorResponse(400, 'bad_request', 'invalid_request', 'Could not read the request.');
      }
      return handler(request);
    };
    const send = async (response: Response): Promise<void> => {
      // Flat name/value pairs, as `rawHeaders` has them: each Set-Cookie stays its own line.
      const raw = [...response.headers].flat();
      // The handler answered before reading the whole upload (413, 401, 415): close the connection
      // rather than let Node read and discard the rest of a body that may never end. Added to the
      // list, not with `setHeader`: a header set before `writeHead` makes Node 20 merge the list by
      // name, keeping one Set-Cookie. HTTP/2 has no such header; its stream ends on its own.
      if (!req.complete && req.httpVersionMajor < 2) raw.push('connection', 'close');
      res.writeHead(response.status, raw);
      // Node itself drops what is written for a HEAD request.
      for await (const chunk of response.body ?? []) {
        // The client hung up: stop producing a body nobody will read (leaving the loop cancels it).
        if (res.destroyed) return;
        // Waits while the socket's buffer is full, so a large body is not held in memory; a hang-up
        // ends the wait too. `onabort`, not a listener: one wait at a time, nothing piles up.
        if (!res.write(chunk)) {
          await new Promise<void>((resolve) => {
            res.once('drain', resolve);
            abort.signal.onabort = () => resolve();
          });
        }
      }
      res.end();
    };
    respond()
      .catch(internalError)
      .then(send)
      .catch(() => res.destroy());
  };
}
