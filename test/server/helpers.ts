import { http, passthrough } from 'msw';
import { connect } from 'node:net';
import { expect, onTestFinished } from 'vitest';
import { server } from '../msw-server.js';

/** The server's key. Tests assert it never reaches a response. */
export const KEY = 'sk_live_server_only_9f3a7c21';

/** A stand-in vendor host, so tests also prove `upstream` is honoured. */
export const UPSTREAM = 'https://upstream.test';

/** Where the route is mounted in these tests. */
export const BASE_PATH = '/api/flash-image';

/** The app's origin for in-process requests. */
export const APP = 'http://app.test';

/**
 * Every request that left for the upstream host, whichever handler (or none) answered it: the
 * count for "nothing reached the upstream" must include paths the mock API does not know.
 */
export function recordUpstream(origin = UPSTREAM): Request[] {
  const seen: Request[] = [];
  const listener = ({ request }: { request: Request }) => {
    if (new URL(request.url).origin === origin) seen.push(request);
  };
  server.events.on('request:start', listener);
  onTestFinished(() => server.events.removeListener('request:start', listener));
  return seen;
}

/** Lets the tests' own requests to the loopback server through msw (which refuses unknown hosts). */
export function allowLoopback(): void {
  server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
}

/** A response read once, with the checks every proxy answer must pass. */
export interface ReadResponse {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { code?: string; type?: string; message?: string } } & Record<string, unknown>;
}

/** Reads a response and asserts the key is nowhere in it, headers included. */
export async function read(response: Response): Promise<ReadResponse> {
  const text = await response.text();
  expect(text).not.toContain(KEY);
  response.headers.forEach((value) => expect(value).not.toContain(KEY));
  let json: ReadResponse['json'] = {};
  try {
    json = JSON.parse(text) as ReadResponse['json'];
  } catch {
    // Left empty; tests that expect JSON assert on the content type and fields.
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** What a raw HTTP exchange returned. */
export interface RawResult {
  status: number;
  text: string;
  /** Body bytes the client managed to send before the answer came. */
  sent: number;
}

/**
 * Sends bytes over a plain TCP socket: `fetch` and `node:http` normalise paths (`..`) and insist
 * on sending the body they were given, and these tests need the exact bytes a hostile client sends.
 */
export function rawHttp(
  port: number,
  head: string,
  body?: { chunked: true; chunkBytes: number; totalBytes: number },
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let answered = false;
    const finish = () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, text: received, sent });
      socket.destroy();
    };
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      received += data;
      answered = true;
      // With a body still streaming, the status line is the answer; the server may then reset.
      if (body && /\r\n\r\n/.test(received)) finish();
    });
    socket.on('end', finish);
    socket.on('error', (error) => (answered ? finish() : reject(error)));
    socket.on('connect', async () => {
      socket.write(head);
      if (!body) return;
      const chunk = `${body.chunkBytes.toString(16)}\r\n${'x'.repeat(body.chunkBytes)}\r\n`;
      while (!answered && sent < body.totalBytes && !socket.destroyed) {
        sent += body.chunkBytes;
        if (!socket.write(chunk)) {
          await new Promise<void>((done) => {
            socket.once('drain', done);
            socket.once('data', () => done());
            socket.once('close', done);
          });
        }
      }
      if (!answered && !socket.destroyed) socket.write('0\r\n\r\n');
    });
  });
}
