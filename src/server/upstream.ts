import { errorResponse, jsonResponse } from './json-response.js';

/** How the upstream is called: where, through which `fetch`, and within what limits. */
export interface UpstreamConfig {
  /** The vendor's origin, no trailing slash. */
  origin: string;
  /** The app's `fetch`, if any; the global one is looked up per call (mocks and polyfills patch it later). */
  fetch?: typeof fetch;
  /** The most bytes of an answer read, after decompression. */
  maxResponseBytes: number;
  /** The deadline for the whole answer, headers and body. */
  timeoutMs: number;
}

/** What a call gave: the answer for the client, and the upstream status (0 when no status came). */
export type UpstreamResult = [response: Response, status: number];

/**
 * `Retry-After` as it may pass to the client: delay-seconds, or an HTTP date written anew from the
 * time it parses to, so none of the upstream's text passes; nothing at all if it holds the key.
 */
function retryAfter(value: string | null, apiKey: string): Record<string, string> | undefined {
  const text = value?.trim() ?? '';
  // A date starts with its day's name: `Date.parse` alone would read plain numbers as years.
  const date = /^[a-z]{3}/i.test(text) ? Date.parse(text) : 0;
  const safe = /^\d{1,10}$/.test(text) ? text : date > 0 ? new Date(date).toUTCString() : '';
  if (safe && !text.includes(apiKey)) return { 'Retry-After': safe };
}

/**
 * Sends one request upstream with the key and reads the answer, never more than
 * `maxResponseBytes` and never past `timeoutMs`: either limit aborts the upstream request, as does
 * the client hanging up. `rewrite` may change a successful JSON answer (signing its task id).
 */
export async function callUpstream(
  config: UpstreamConfig,
  apiKey: string,
  path: string,
  request: Request,
  body?: string,
  rewrite?: (json: unknown) => Promise<unknown>,
): Promise<UpstreamResult> {
  // Built from scratch, not copied from the client: its cookies, its Authorization and anything
  // else it sent stay here.
  const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  const upstream = new AbortController();
  const abort = () => upstream.abort();
  request.signal.addEventListener('abort', abort);
  if (request.signal.aborted) abort();
  let status = 0;
  let passed: Record<string, string> | undefined;
  const chunks: BlobPart[] = [];
  const exchange = async (): Promise<string> => {
    // `manual`: a redirect must not carry the key to another host, and the API does not redirect.
    const response = await (config.fetch ?? fetch)(config.origin + path, {
      method: body ? 'POST' : 'GET',
      headers,
      body,
      redirect: 'manual',
      signal: upstream.signal,
    });
    status = response.status;
    passed = retryAfter(response.headers.get('retry-after'), apiKey);
    let total = 0;
    // Read as it arrives and counted as decoded, never `response.text()`: an endless stream or a
    // gzip bomb is cut off at the limit instead of filling memory. Leaving the loop cancels the body.
    for await (const chunk of response.body ?? []) {
      // Past the deadline the outcome is decided already; a body that ignores the abort (a custom
      // `fetch`) is not read on.
      if ((total += chunk.byteLength) > config.maxResponseBytes || upstream.signal.aborted) return 'too_large';
      chunks.push(chunk);
    }
    return 'done';
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    // The cause may name hosts or addresses; the client learns only that the service was unreachable.
    exchange().catch(() => 'unreachable'),
    new Promise<string>((resolve) => (timer = setTimeout(resolve, config.timeoutMs, 'timeout'))),
  ]);
  clearTimeout(timer);
  request.signal.removeEventListener('abort', abort);
  if (outcome !== 'done') {
    abort();
    const answer =
      outcome === 'timeout' ? errorResponse(504, 'upstream_timeout', 'gateway_timeout', 'The image service timed out.')
      : outcome === 'too_large' ? errorResponse(502, 'upstream_too_large', 'bad_gateway', 'The image service answer is too large.')
      : errorResponse(502, 'upstream_unreachable', 'bad_gateway', 'Could not reach the image service.');
    return [answer, status];
  }
  // Status 0 is an opaque redirect, from a `fetch` that handles `manual` as browsers do.
  if (!status || (status >= 300 && status < 400)) {
    return [errorResponse(502, 'upstream_redirect', 'bad_gateway', 'The image service redirected.'), status];
  }
  // Some upstream errors quote the key back. Every string in the body loses it, property names
  // included: a reviver that returns nothing drops the property it was given, so one whose name
  // holds the key is set again, redacted, on the object being built (`this`).
  const redact = (value: string) => value.replaceAll(apiKey, '[redacted]');
  function redactJson(this: Record<string, unknown>, name: string, value: unknown): unknown {
    if (typeof value === 'string') value = redact(value);
    if (!name.includes(apiKey)) return value;
    this[redact(name)] = value;
  }
  let json: unknown;
  try {
    json = JSON.parse(await new Blob(chunks).text(), redactJson);
  } catch {
    // An error status is kept so the client still maps it (a 503 stays retryable); a 2xx that is
    // not JSON is the gateway's problem.
    const message = 'The image service sent invalid JSON.';
    return [errorResponse(status < 400 ? 502 : status, 'upstream_bad_response', 'bad_gateway', message, passed), status];
  }
  if (rewrite && status < 300) json = await rewrite(json);
  return [jsonResponse(status, json, passed), status];
}
