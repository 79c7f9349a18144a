import { DEFAULT_BASE_URL, DEFAULT_MODEL, GENERATE_PATH, TASKS_PATH } from '../core/constants.js';
import { isImageGenError } from '../core/errors.js';
import type { GenerateImageField, ImageGenErrorKind } from '../core/types.js';
import { WIRE_NAMES, checkGenerateInput, fromRequestBody, isHttpUrl, toRequestBody } from '../core/validation.js';
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
  unauthorized: 403,
  insufficient_credits: 402,
  rate_limited: 429,
  not_found: 404,
};

/** What `refusal` reads: an `ImageGenError` has all of it, a validation problem its field and message. */
interface Refusal {
  kind?: ImageGenErrorKind;
  field?: GenerateImageField;
  code?: string;
  message: string;
}

/**
 * A refusal carrying a message meant for the client: a validation problem (no `kind`), or an
 * `ImageGenError` thrown by `transformInput`.
 */
function refusal({ kind = 'validation', field, code, message }: Refusal): Response {
  if (kind === 'validation') {
    // Named after the field as the client sent it (`invalid_image_urls`, not `invalid_imageUrls`).
    return errorResponse(400, field ? `invalid_${WIRE_NAMES[field]}` : 'invalid_request', 'invalid_request', message);
  }
  return errorResponse(STATUS_FOR_KIND[kind] ?? 500, code ?? kind, kind, message);
}

/**
 * The key for this request, or the answer to give when there is none usable. Read per request, not
 * at creation: a handler made at module scope must load where the key is not set (a `next build` in
 * CI, an image that gets its secrets at run time). The answer never quotes the key, and the log
 * line says what to fix.
 */
async function readKey(source: ProxyHandlerOptions['apiKey']): Promise<string | Response> {
  const raw: unknown = typeof source === 'function' ? await source() : source;
  const key = typeof raw === 'string' ? raw.trim() : '';
  const problem = !key ? 'no API key is set' : !HEADER_SAFE.test(key) ? 'the API key has spaces or control characters' : '';
  if (!problem) return key;
  console.error(`flash-image-react/server: ${problem}; check \`apiKey\` of createProxyHandler.`);
  return errorResponse(500, 'missing_api_key', 'server_error', 'The image proxy has no usable API key configured.');
}

/**
 * A Fetch API handler that lets a browser use the vendor's API without ever holding the key. It
 * answers exactly `POST {basePath}/api/v2/image/generate` and `GET {basePath}/api/v2/tasks/{id}`,
 * checks everything the client would have checked (a browser can be bypassed), adds the key, and
 * passes the vendor's answer back. The key is read for each request: without one, every request
 * is answered 500 (`missing_api_key`) and nothing is sent upstream.
 */
export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  // These messages never quote the key: start-up errors end up in logs and error pages.
  const misconfigured = (message: string) => new TypeError(`createProxyHandler: ${message}`);
  if (!options) throw misconfigured('options are required.');
  const { maxBodyBytes = 1024 * 1024 } = options;
  const upstream = (options.upstream ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!isHttpUrl(upstream)) throw misconfigured('`upstream` must be an http(s) URL.');
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw misconfigured('`maxBodyBytes` must be a positive integer.');
  }
  // A leading slash and no trailing one, '' for the root. Paths are compared still percent-encoded,
  // as `URL.pathname` gives them, and exactly: no trailing slash, no extra segments.
  const basePath = (options.basePath ?? '').trim().replace(/^\/*/, '/').replace(/\/+$/, '');
  const generatePath = basePath + GENERATE_PATH;
  const tasksPath = basePath + TASKS_PATH;
  const allowedModels = new Set(options.allowedModels ?? [DEFAULT_MODEL]);

  async function forward(apiKey: string, path: string, request: Request, body?: string): Promise<Response> {
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
      return errorResponse(502, 'upstream_unreachable', 'bad_gateway', 'Could not reach the image service.');
    }
    const { status } = response;
    // Status 0 is an opaque redirect, from a `fetch` that handles `manual` as browsers do.
    if (!status || (status >= 300 && status < 400)) {
      return errorResponse(502, 'upstream_redirect', 'bad_gateway', 'The image service redirected.');
    }
    // The only upstream header passed on, whatever the status: it tells a client when to try again.
    const retryAfter = response.headers.get('retry-after');
    const passed = retryAfter ? { 'Retry-After': retryAfter } : undefined;
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
      json = JSON.parse(text, redactJson);
    } catch {
      // An error status is kept so the client still maps it (a 503 stays retryable); a 2xx that is
      // not JSON is the gateway's problem.
      const message = 'The image service sent invalid JSON.';
      return errorResponse(status < 400 ? 502 : status, 'upstream_bad_response', 'bad_gateway', message, passed);
    }
    return jsonResponse(status, json, passed);
  }

  async function generate(apiKey: string, request: Request): Promise<Response> {
    const json = await readJsonBody(request, maxBodyBytes);
    if (json instanceof Response) return json;
    // The client's own checks, again: anyone can call this route without the client.
    const input = fromRequestBody(json);
    let checked = input ? checkGenerateInput(input) : { message: 'The body must be a JSON object.' };
    if ('message' in checked) return refusal(checked);
    if (!allowedModels.has(checked.model)) {
      return refusal({ field: 'model', message: `Model "${checked.model}" is not allowed.` });
    }
    if (options.transformInput) {
      try {
        checked = checkGenerateInput(await options.transformInput(checked, request));
      } catch (error) {
        if (isImageGenError(error)) return refusal(error);
        throw error;
      }
      // The client did nothing wrong: the app's transform produced a bad input.
      if ('message' in checked) {
        return errorResponse(
          500,
          'invalid_transform',
          'server_error',
          `transformInput returned an invalid input: ${checked.message}`,
        );
      }
    }
    return forward(apiKey, GENERATE_PATH, request, JSON.stringify(toRequestBody(checked)));
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
      if (!SAFE_TASK_ID.test(taskId)) {
        return errorResponse(400, 'invalid_task_id', 'invalid_request', 'Invalid task id.');
      }
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
    const apiKey = await readKey(options.apiKey);
    if (apiKey instanceof Response) return apiKey;
    return taskId ? forward(apiKey, TASKS_PATH + taskId, request) : generate(apiKey, request);
  }

  return (request) => route(request).catch(internalError);
}
