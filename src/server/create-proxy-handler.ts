import { DEFAULT_BASE_URL, DEFAULT_MODEL, GENERATE_PATH, TASKS_PATH } from '../core/constants.js';
import { ImageGenError } from '../core/errors.js';
import type { GenerateImageField, GenerateImageInput, ImageGenErrorKind } from '../core/types.js';
import {
  fromRequestBody,
  isHttpUrl,
  toRequestBody,
  validateGenerateInput,
  type ValidGenerateImageInput,
} from '../core/validation.js';
import { errorResponse, jsonResponse } from './json-response.js';
import { matchRoute, normalizeBasePath } from './match-route.js';
import { readBodyWithLimit } from './read-body.js';
import type { ProxyHandler, ProxyHandlerOptions } from './types.js';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

// Visible ASCII only. A key with a space, newline or other control character cannot go in a header
// and would fail every request; refusing it at start-up puts the error where the mistake is made.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

// The wire names, so a client sees the field it actually sent (`image_urls`, not `imageUrls`).
const WIRE_FIELD: Record<GenerateImageField, string> = {
  prompt: 'prompt',
  model: 'model',
  size: 'size',
  imageUrls: 'image_urls',
  seed: 'seed',
};

// For an `ImageGenError` thrown by `transformInput` (a moderation step, a quota check).
const STATUS_FOR_KIND: Partial<Record<ImageGenErrorKind, number>> = {
  validation: 400,
  unauthorized: 403,
  insufficient_credits: 402,
  rate_limited: 429,
  not_found: 404,
};

function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function redactor(secret: string): (value: unknown) => unknown {
  const redact = (value: unknown): unknown => {
    if (typeof value === 'string') return value.split(secret).join('[redacted]');
    if (Array.isArray(value)) return value.map(redact);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k) as string, redact(v)]));
    }
    return value;
  };
  return redact;
}

function refusal(error: ImageGenError): Response {
  if (error.kind === 'validation') {
    const code = error.field ? `invalid_${WIRE_FIELD[error.field]}` : 'invalid_request';
    return errorResponse(400, code, 'invalid_request', error.message);
  }
  const status = STATUS_FOR_KIND[error.kind] ?? 500;
  return errorResponse(status, error.code ?? error.kind, error.kind, error.message);
}

/**
 * A Fetch API handler that lets a browser use the vendor's API without ever holding the key. It
 * answers exactly `POST {basePath}/api/v2/image/generate` and `GET {basePath}/api/v2/tasks/{id}`,
 * checks everything the client would have checked (a browser can be bypassed), adds the key, and
 * passes the vendor's answer back. Throws at creation when `apiKey` is missing or blank.
 */
export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const rawKey: unknown = options?.apiKey;
  const apiKey = typeof rawKey === 'string' ? rawKey.trim() : '';
  // The messages below never include the key: start-up errors end up in logs and error pages.
  if (apiKey === '') {
    throw new TypeError(
      'createProxyHandler: `apiKey` is required. Read it from a server-only environment variable.',
    );
  }
  if (!HEADER_SAFE.test(apiKey)) {
    throw new TypeError('createProxyHandler: `apiKey` contains spaces or control characters; check how it is loaded.');
  }
  const upstream = (options.upstream ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!isHttpUrl(upstream)) {
    throw new TypeError('createProxyHandler: `upstream` must be an absolute http:// or https:// URL.');
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError('createProxyHandler: `maxBodyBytes` must be a positive whole number of bytes.');
  }
  const basePath = normalizeBasePath(options.basePath);
  const allowedModels = new Set(options.allowedModels ?? [DEFAULT_MODEL]);
  const redact = redactor(apiKey);

  async function isAuthorized(request: Request): Promise<boolean> {
    if (!options.authorize) return true;
    // Only a literal `true` passes: an authorize that forgets to return must fail closed.
    return (await options.authorize(request)) === true;
  }

  async function forward(path: string, method: 'GET' | 'POST', body: string | undefined, request: Request): Promise<Response> {
    // Built from scratch, not copied from the client: its cookies, its Authorization and anything
    // else it sent stay here.
    const headers = new Headers({ Authorization: `Bearer ${apiKey}`, Accept: 'application/json' });
    if (body !== undefined) headers.set('Content-Type', 'application/json');
    // Looked up per call, not at creation: test mocks and polyfills patch the global later.
    const doFetch = options.fetch ?? globalThis.fetch;
    let response: Response;
    let text: string;
    try {
      // `manual`: a redirect must not carry the key to another host, and the API does not redirect.
      response = await doFetch(`${upstream}${path}`, { method, headers, body, redirect: 'manual', signal: request.signal });
      text = await response.text();
    } catch {
      // The cause may name hosts or addresses; the client learns only that the service was unreachable.
      return errorResponse(502, 'upstream_unreachable', 'bad_gateway', 'Could not reach the image service. Try again in a moment.');
    }
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      return errorResponse(502, 'upstream_redirect', 'bad_gateway', 'The image service answered with a redirect.');
    }
    // Kept so a client can honour it; it is the only upstream header that changes what a client does.
    const retryAfter = response.headers.get('retry-after');
    const passed: Record<string, string> =
      retryAfter !== null && (response.status === 429 || response.status === 503) ? { 'Retry-After': retryAfter } : {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // An error status is kept so the client still maps it (a 503 stays retryable); a 2xx that is
      // not JSON is the gateway's problem.
      const status = response.status >= 400 ? response.status : 502;
      return errorResponse(status, 'upstream_bad_response', 'bad_gateway', 'The image service sent a response that is not JSON.', passed);
    }
    // An upstream error that quotes the key (some echo it back) must not hand it to the browser.
    return jsonResponse(response.status, redact(parsed), passed);
  }

  async function generate(request: Request): Promise<Response> {
    // Also a CSRF guard: a cross-site form or `no-cors` fetch cannot send `application/json`
    // without a CORS preflight, which this handler never grants.
    if (mediaType(request) !== 'application/json') {
      await request.body?.cancel().catch(() => undefined);
      return errorResponse(415, 'unsupported_media_type', 'invalid_request', 'Send the body as JSON with Content-Type: application/json.');
    }
    const read = await readBodyWithLimit(request, maxBodyBytes);
    if (!read.ok) {
      return read.reason === 'too_large'
        ? errorResponse(413, 'body_too_large', 'invalid_request', `The request body is larger than ${maxBodyBytes} bytes.`)
        : errorResponse(400, 'body_unreadable', 'invalid_request', 'The request body could not be read.');
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(read.bytes));
    } catch {
      return errorResponse(400, 'invalid_json', 'invalid_request', 'The request body is not valid JSON.');
    }
    let candidate: GenerateImageInput;
    try {
      // The client's own checks, again: anyone can call this route without the client.
      candidate = validateGenerateInput(fromRequestBody(json));
      if (!allowedModels.has(candidate.model!)) {
        return errorResponse(400, 'invalid_model', 'invalid_request', `This server does not generate with model ${JSON.stringify(candidate.model)}.`);
      }
      if (options.transformInput) candidate = await options.transformInput(candidate, request);
    } catch (error) {
      if (ImageGenError.isImageGenError(error)) return refusal(error);
      throw error;
    }
    let input: ValidGenerateImageInput;
    try {
      input = validateGenerateInput(candidate);
    } catch (error) {
      // The client did nothing wrong: the app's transform produced a bad input.
      const detail = ImageGenError.isImageGenError(error) ? ` ${error.message}` : '';
      return errorResponse(500, 'invalid_transform', 'server_error', `transformInput returned an invalid input.${detail}`);
    }
    return forward(GENERATE_PATH, 'POST', JSON.stringify(toRequestBody(input)), request);
  }

  async function route(request: Request): Promise<Response> {
    const match = matchRoute(new URL(request.url).pathname, basePath);
    if (match.route === 'none') {
      return errorResponse(404, 'route_not_found', 'not_found', 'There is no such route.');
    }
    if (match.route === 'bad-task-id') {
      return errorResponse(400, 'invalid_task_id', 'invalid_request', 'The task id is not valid.');
    }
    const allowed = match.route === 'generate' ? 'POST' : 'GET';
    if (request.method !== allowed) {
      return errorResponse(405, 'method_not_allowed', 'invalid_request', `Use ${allowed} on this path.`, { Allow: allowed });
    }
    // Before the body is read: an unauthorised client gets no say in what this server reads.
    if (!(await isAuthorized(request))) {
      return errorResponse(401, 'unauthorized', 'authentication_error', 'You are not allowed to generate images.');
    }
    if (match.route === 'task') {
      return forward(`${TASKS_PATH}${encodeURIComponent(match.taskId)}`, 'GET', undefined, request);
    }
    return generate(request);
  }

  return async function proxyHandler(request: Request): Promise<Response> {
    try {
      return await route(request);
    } catch (error) {
      // An app callback (authorize, transformInput) threw. The client gets none of its message,
      // which may hold anything; the server's log gets all of it, or nobody could debug this.
      console.error('flash-image-react/server: the request failed', error);
      return errorResponse(500, 'internal_error', 'server_error', 'The server could not handle the request.');
    }
  };
}
