import { DEFAULT_BASE_URL, DEFAULT_MODEL, GENERATE_PATH, TASKS_PATH } from '../core/constants.js';
import { isImageGenError } from '../core/errors.js';
import type { GenerateImageField, ImageGenErrorKind } from '../core/types.js';
import { WIRE_NAMES, checkGenerateInput, fromRequestBody, isHttpUrl, toRequestBody } from '../core/validation.js';
import { charge, refund } from './budgets.js';
import { errorResponse, internalError } from './json-response.js';
import { pathRefusal } from './raw-path.js';
import { readJsonBody } from './read-body.js';
import { signTaskId, verifyTaskId } from './task-ids.js';
import type { BudgetLimiter, ProxyHandler, ProxyHandlerOptions } from './types.js';
import { callUpstream, type UpstreamConfig } from './upstream.js';

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
 * A secret for this request (the API key, the owner secret), or the answer to give when there is
 * none usable. Read per request, not at creation: a handler made at module scope must load where
 * secrets are not set (a `next build` in CI, an image that gets its secrets at run time). The
 * answer never quotes the secret, and the log line says what to fix.
 */
async function readSecret(source: ProxyHandlerOptions['apiKey'], name: 'apiKey' | 'ownerSecret'): Promise<string | Response> {
  const raw: unknown = typeof source === 'function' ? await source() : source;
  const value = typeof raw === 'string' ? raw.trim() : '';
  const problem =
    name === 'ownerSecret' ?
      // An HMAC is as strong as its secret: a short one can be guessed from one signed id.
      value.length < 32 ? 'no owner secret of at least 32 characters is set' : ''
    : !value ? 'no API key is set'
    : !HEADER_SAFE.test(value) ? 'the API key has spaces or control characters'
    : '';
  if (!problem) return value;
  console.error(`flash-image-react/server: ${problem}; check \`${name}\` of createProxyHandler.`);
  const key = name === 'apiKey';
  return errorResponse(
    500,
    key ? 'missing_api_key' : 'missing_owner_secret',
    'server_error',
    `The image proxy has no usable ${key ? 'API key' : 'owner secret'} configured.`,
  );
}

/** What `identify` or `owner` says about a request: a non-empty string, or the 401 to answer. */
async function whoIs(read: ProxyHandlerOptions['identify'], request: Request): Promise<string | Response> {
  const who = await read?.(request);
  return typeof who === 'string' && who !== '' ? who
    : errorResponse(401, 'unidentified', 'authentication_error', 'Could not tell who is asking.');
}

// The fields a client reads a task id from (as `parseTask` does), in a successful answer.
const ID_FIELDS = ['task_id', 'taskId', 'id'] as const;

const BUDGETS = ['generations', 'account', 'reads'];

/**
 * A Fetch API handler that lets a browser use the vendor's API without ever holding the key. It
 * answers exactly `POST {basePath}/api/v2/image/generate` and `GET {basePath}/api/v2/tasks/{id}`,
 * checks everything the client would have checked (a browser can be bypassed), enforces the
 * budgets and task owners it is given, adds the key, and passes the vendor's answer back, read
 * within a size limit and a deadline. The key is read for each request: without one, every request
 * is answered 500 (`missing_api_key`) and nothing is sent upstream.
 */
export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  // These messages never quote the key: start-up errors end up in logs and error pages.
  const misconfigured = (message: string) => new TypeError(`createProxyHandler: ${message}`);
  if (!options) throw misconfigured('options are required.');
  const { identify, owner, budgets = {}, maxBodyBytes = 1024 * 1024 } = options;
  const config: UpstreamConfig = {
    origin: (options.upstream ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    fetch: options.fetch,
    maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
    timeoutMs: options.upstreamTimeoutMs ?? 30_000,
  };
  if (!isHttpUrl(config.origin)) throw misconfigured('`upstream` must be an http(s) URL.');
  const limits = { maxBodyBytes, maxResponseBytes: config.maxResponseBytes, upstreamTimeoutMs: config.timeoutMs };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw misconfigured(`\`${name}\` must be a positive integer.`);
  }
  // A misspelt or malformed budget would silently leave spending open: refused at start-up.
  for (const [name, limiter] of Object.entries(budgets) as [string, Partial<BudgetLimiter> | undefined][]) {
    if (!BUDGETS.includes(name) || (limiter && (typeof limiter.consume !== 'function' || typeof limiter.reward !== 'function'))) {
      throw misconfigured(`\`budgets.${name}\` is not a known budget with consume() and reward().`);
    }
  }
  if ((budgets.generations || budgets.reads) && !identify) throw misconfigured('per-identity budgets need `identify`.');
  if (options.ownerSecret !== undefined && !owner) throw misconfigured('`ownerSecret` needs `owner`.');
  // A leading slash and no trailing one, '' for the root. Paths are compared still percent-encoded,
  // as `URL.pathname` gives them, and exactly: no trailing slash, no extra segments.
  const basePath = (options.basePath ?? '').trim().replace(/^\/*/, '/').replace(/\/+$/, '');
  const generatePath = basePath + GENERATE_PATH;
  const tasksPath = basePath + TASKS_PATH;
  const allowedModels = new Set(options.allowedModels ?? [DEFAULT_MODEL]);

  /** The owner of this request and the secret to sign for them, or the refusal; undefined without `owner`. */
  async function ownership(request: Request): Promise<[owner: string, secret: string] | Response | undefined> {
    if (!owner) return undefined;
    const who = await whoIs(owner, request);
    if (who instanceof Response) return who;
    const secret = await readSecret(options.ownerSecret, 'ownerSecret');
    return secret instanceof Response ? secret : [who, secret];
  }

  /** Rewrites a successful answer's task ids to ids signed for the owner: the client only ever holds signed ids. */
  const signIds = ([who, secret]: [string, string]) => async (json: unknown) => {
    const body = Object(json) as Record<string, unknown>;
    for (const name of ID_FIELDS) {
      const value = body[name];
      if (typeof value === 'string' && value) body[name] = await signTaskId(secret, value, who);
    }
    return json;
  };

  /** Who asks (for the budgets) and who owns the task, as settled by `route`. */
  type Parties = [identity: string, owned: [owner: string, secret: string] | undefined];

  async function generate(apiKey: string, request: Request, [identity, owned]: Parties): Promise<Response> {
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
    // Last, so that a request refused for anything else costs no budget. The identity's own budget
    // first: one client spending theirs does not eat into the account's.
    const taken = await charge([
      [budgets.generations, `generate:${identity}`, 'generation_budget_exceeded', 'Your image budget is spent. Try again later.'],
      [budgets.account, 'account', 'account_budget_exceeded', 'The service’s image budget is spent. Try again later.'],
    ]);
    if (taken instanceof Response) return taken;
    const body = JSON.stringify(toRequestBody(checked));
    const [response, status] = await callUpstream(config, apiKey, GENERATE_PATH, request, body, owned && signIds(owned));
    // A redirect or a 4xx is a refusal: no task was started, so nothing will be billed. A 5xx, a
    // timeout or a lost connection may have come after the vendor created the task, which is
    // billed when it completes: those keep their points, so a budget stays a cap on spending.
    if (status >= 300 && status < 500) await refund(taken);
    return response;
  }

  async function read(apiKey: string, request: Request, [identity, owned]: Parties, taskId: string): Promise<Response> {
    // Before the owner check: probing for ids costs reads like polling does.
    const taken = await charge([[budgets.reads, `read:${identity}`, 'read_budget_exceeded', 'Too many task reads. Slow down.']]);
    if (taken instanceof Response) return taken;
    if (owned) {
      // Only ids this proxy signed for this owner are read; the one inside is still checked, as
      // in any other read. Every other id gets the vendor's answer for an unknown task: a client
      // cannot tell another owner's task from one that does not exist.
      taskId = (await verifyTaskId(owned[1], taskId, owned[0])) ?? '';
      if (!SAFE_TASK_ID.test(taskId)) return errorResponse(404, 'task_not_found', 'not_found', 'Task not found.');
    }
    return (await callUpstream(config, apiKey, TASKS_PATH + taskId, request, undefined, owned && signIds(owned)))[0];
  }

  async function route(request: Request): Promise<Response> {
    // Checked on the URL as the runtime gave it, before parsing resolves what it refuses (a
    // runtime that parsed it already has resolved them; `toNodeHandler` checks the raw target).
    const unsafe = pathRefusal(request.url);
    if (unsafe) return unsafe;
    const { pathname } = new URL(request.url);
    const isRead = pathname !== generatePath;
    let taskId = '';
    if (isRead) {
      if (!pathname.startsWith(tasksPath) || pathname === tasksPath) {
        return errorResponse(404, 'route_not_found', 'not_found', 'No such route.');
      }
      try {
        // A raw slash (a second segment) and an encoded one (`%2F`) both fail the pattern.
        taskId = decodeURIComponent(pathname.slice(tasksPath.length));
      } catch {
        // Malformed percent-encoding: left empty, which the pattern refuses.
      }
      // With owners, only a signed id is read, and any other is a 404 (see `read`).
      if (!owner && !SAFE_TASK_ID.test(taskId)) {
        return errorResponse(400, 'invalid_task_id', 'invalid_request', 'Invalid task id.');
      }
    }
    const allowed = isRead ? 'GET' : 'POST';
    if (request.method !== allowed) {
      return errorResponse(405, 'method_not_allowed', 'invalid_request', `Use ${allowed}.`, { Allow: allowed });
    }
    // Before the body is read: an unauthorised client gets no say in what this server reads. Only
    // a literal `true` passes: an authorize that forgets to return must fail closed.
    if (options.authorize && (await options.authorize(request)) !== true) {
      return errorResponse(401, 'unauthorized', 'authentication_error', 'Not authorized.');
    }
    const apiKey = await readSecret(options.apiKey, 'apiKey');
    if (apiKey instanceof Response) return apiKey;
    // Who asks and who owns the task are settled before the body is read: a client that cannot be
    // named gets no say in what this server reads.
    const identity = (isRead ? budgets.reads : budgets.generations) ? await whoIs(identify, request) : '';
    if (identity instanceof Response) return identity;
    const owned = await ownership(request);
    if (owned instanceof Response) return owned;
    return isRead ? read(apiKey, request, [identity, owned], taskId) : generate(apiKey, request, [identity, owned]);
  }

  return (request) => route(request).catch(internalError);
}
