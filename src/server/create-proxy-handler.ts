import { DEFAULT_BASE_URL, DEFAULT_MODEL, GENERATE_PATH, TASKS_PATH } from '../core/constants.js';
import { ImageGenError } from '../core/errors.js';
import type { ImageGenErrorKind } from '../core/types.js';
import { WIRE_NAMES, fromRequestBody, isHttpUrl, toRequestBody, validateGenerateInput } from '../core/validation.js';
import { errorResponse, internalError, jsonResponse } from './json-response.js';
import { readJsonBody } from './read-body.js';
import type { ProxyHandler, ProxyHandlerOptions } from './types.js';

// Visible ASCII only. A key with a space, newline or other control character cannot go in a header
// and would fail every request; refusing it at start-up puts the error where the mistake is made.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

// The vendor's ids are short tokens. Anything else after decoding (dots, slashes, percent signs,
// control characters) could walk the upstream path away from `/tasks/`, so it is refused rather
// than escaped; what passes needs no escaping.
const SAFE_TASK_ID = /^[\w-]{1,128}$/;

// For an `ImageGenError` thrown by `transformInput` (a moderation step, a quota check).
const STATUS_FOR_KIND: Partial<Record<ImageGenErrorKind, number>> = {
  validation: 400,
  unauthorized: 403,
  insufficient_credits: 402,
  rate_limited: 429,
  not_found: 404,
};

/** A refusal carrying an `ImageGenError`'s message, from validation or from `transformInput`. */
function refusal(error: ImageGenError): Response {
  if (error.kind === 'validation') {
    // Named after the field as the client sent it (`invalid_image_urls`, not `invalid_imageUrls`).
    const code = error.field ? `invalid_${WIRE_NAMES[error.field]}` : 'invalid_request';
    return errorResponse(400, code, 'invalid_request', error.message);
  }
  return errorResponse(STATUS_FOR_KIND[error.kind] ?? 500, error.code ?? error.kind, error.kind, error.message);
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
  // These messages never quote the key: start-up errors end up in logs and error pages.
  const misconfigured = (message: string) => new TypeError(`createProxyHandler: ${message}`);
  if (apiKey === '') throw misconfigured('`apiKey` is required (from a server-only env variable).');
  if (!HEADER_SAFE.test(apiKey)) throw misconfigured('`apiKey` has spaces or control characters.');
  const { maxBodyBytes = 1024 * 1024 } = options;
  const upstream = (options.upstream ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!isHttpUrl(upstream)) throw misconfigured('`upstream` must be an http(s) URL.');
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw misconfigured('`maxBodyBytes` must be a positive integer.');
  }
  // A leading slash and no trailing one, '' for the root. Paths are compared still percent-encoded,
  // as `URL.pathname` gives them, and exactly: no trailing slash, no extra segments.
  const trimmed = (options.basePath ?? '').trim().replace(/\/+$/, '');
  const basePath = trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  const generatePath = basePath + GENERATE_PATH;
  const tasksPath = basePath + TASKS_PATH;
  const allowedModels = new Set(options.allowedModels ?? [DEFAULT_MODEL]);

  // Some upstream errors quote the key back. Every string in the body loses it, property names
  // included (a reviver sees each object after its children, so it can rename their keys).
  const redact = (text: string) => text.split(apiKey).join('[redacted]');
  const redactJson = (_key: string, value: unknown): unknown => {
    if (typeof value === 'string') return redact(value);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [redact(name), item]));
  };

  async function forward(path: string, request: Request, body?: string): Promise<Response> {
    // Built from scratch, not copied from the client: its cookies, its Authorization and anything
    // else it sent stay here.
    const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' };
    if (body) headers['Content-Type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      // The global `fetch` is looked up per call, not at creation: mocks and polyfills patch it later.
      // `manual`: a redirect must not carry the key to another host, and the API does not redirect.
      response = await (options.fetch ?? fetch)(upstream + path, {
        method: body ? 'POST' : 'GET',
        headers,
        body,
        redirect: 'manual',
        signal: request.signal,
      });
      text = await response.text();
    } catch {
      // The cause may name hosts or addresses; the client learns only that the service was unreachable.
      return errorResponse(502, 'upstream_unreachable', 'bad_gateway', 'Could not reach the image service; try again.');
    }
    const { status } = response;
    if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
      return errorResponse(502, 'upstream_redirect', 'bad_gateway', 'The image service redirected.');
    }
    // The only upstream header passed on: it tells a client when to try again.
    const retryAfter = response.headers.get('retry-after');
    const passed = retryAfter !== null && (status === 429 || status === 503) ? { 'Retry-After': retryAfter } : undefined;
    let json: unknown;
    try {
      json = JSON.parse(text, redactJson);
    } catch {
      // An error status is kept so the client still maps it (a 503 stays retryable); a 2xx that is
      // not JSON is the gateway's problem.
      const kept = status >= 400 ? status : 502;
      return errorResponse(kept, 'upstream_bad_response', 'bad_gateway', 'The image service sent invalid JSON.', passed);
    }
    return jsonResponse(status, json, passed);
  }

  async function generate(request: Request): Promise<Response> {
    const body = await readJsonBody(request, maxBodyBytes);
    if (body instanceof Response) return body;
    try {
      // The client's own checks, again: anyone can call this route without the client.
      let input = validateGenerateInput(fromRequestBody(body.json));
      if (!allowedModels.has(input.model)) {
        return errorResponse(400, 'invalid_model', 'invalid_request', `Model ${JSON.stringify(input.model)} is not allowed.`);
      }
      if (options.transformInput) {
        const transformed = await options.transformInput(input, request);
        try {
          input = validateGenerateInput(transformed);
        } catch (error) {
          // The client did nothing wrong: the app's transform produced a bad input. (Validation
          // throws only `ImageGenError`s.)
          const { message } = error as ImageGenError;
          return errorResponse(500, 'invalid_transform', 'server_error', `transformInput returned an invalid input: ${message}`);
        }
      }
      return await forward(GENERATE_PATH, request, JSON.stringify(toRequestBody(input)));
    } catch (error) {
      if (ImageGenError.isImageGenError(error)) return refusal(error);
      throw error;
    }
  }

  async function route(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    let taskId = '';
    if (pathname !== generatePath) {
      if (!pathname.startsWith(tasksPath) || pathname === tasksPath) {
        return errorResponse(404, 'route_not_found', 'not_found', 'No such route.');
      }
      try {
        // A raw slash (a second segment) and an encoded one (`%2F`) both fail the pattern.
        taskId = decodeURIComponent(pathname.slice(tasksPath.length));
      } catch {
        // Malformed percent-encoding: left empty, which the pattern refuses.
      }
      if (!SAFE_TASK_ID.test(taskId)) return errorResponse(400, 'invalid_task_id', 'invalid_request', 'Invalid task id.');
    }
    const allowed = taskId ? 'GET' : 'POST';
    if (request.method !== allowed) {
      return errorResponse(405, 'method_not_allowed', 'invalid_request', `Use ${allowed}.`, { Allow: allowed });
    }
    // Before the body is read: an unauthorised client gets no say in what this server reads. Only
    // a literal `true` passes: an authorize that forgets to return must fail closed.
    if (options.authorize && (await options.authorize(request)) !== true) {
      return errorResponse(401, 'unauthorized', 'authentication_error', 'Not authorized.');
    }
    return taskId ? forward(TASKS_PATH + taskId, request) : generate(request);
  }

  return async function proxyHandler(request: Request): Promise<Response> {
    try {
      return await route(request);
    } catch (error) {
      return internalError(error);
    }
  };
}
