import { http, HttpResponse } from 'msw';
import { describe, expect, test, vi } from 'vitest';
import { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import { errorFromResponse, parseRetryAfter } from '../../src/core/response-error.js';
import { API } from '../mock-api.js';
import { server } from '../msw-server.js';

const GENERATE_URL = `${API}/api/v2/image/generate`;
const TASK_URL = `${API}/api/v2/tasks/t1`;

/** Answers the POST with `response` and returns what `generate` rejects with. */
async function postError(response: () => Response): Promise<ImageGenError> {
  let calls = 0;
  server.use(
    http.post(GENERATE_URL, () => {
      calls += 1;
      return response();
    }),
  );
  const error = await createHttpFetcher({ apiKey: 'sk_test' })
    .generate({ prompt: 'a cat' })
    .then(
      (task) => {
        throw new Error(`expected a rejection, got ${JSON.stringify(task)}`);
      },
      (e: unknown) => e,
    );
  expect(calls).toBe(1);
  expect(ImageGenError.isImageGenError(error)).toBe(true);
  return error as ImageGenError;
}

/** Same for the GET. */
async function getError(response: () => Response): Promise<ImageGenError> {
  server.use(http.get(TASK_URL, response));
  const error = await createHttpFetcher()
    .getTask('t1')
    .then(
      (task) => {
        throw new Error(`expected a rejection, got ${JSON.stringify(task)}`);
      },
      (e: unknown) => e,
    );
  expect(ImageGenError.isImageGenError(error)).toBe(true);
  return error as ImageGenError;
}

describe('HTTP statuses through the real fetcher', () => {
  test.each([
    [400, 'validation'],
    [413, 'validation'],
    [415, 'validation'],
    [422, 'validation'],
  ] as const)('%d → %s, not retryable', async (status, kind) => {
    const error = await postError(() =>
      HttpResponse.json({ error: { code: 'invalid_request', type: 'invalid_request_error', message: 'prompt too long' } }, { status }),
    );
    expect(error).toMatchObject({ kind, status, retryable: false, message: 'prompt too long', code: 'invalid_request' });
    expect(error.retryAfterMs).toBeUndefined();
  });

  test('401 → unauthorized, keeping error.code', async () => {
    const body = { error: { code: 'invalid_api_key', type: 'authentication_error', message: 'Invalid API key provided' } };
    const error = await postError(() => HttpResponse.json(body, { status: 401 }));
    expect(error).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      retryable: false,
      code: 'invalid_api_key',
      message: 'Invalid API key provided',
      body,
    });
  });

  test('403 → unauthorized', async () => {
    const error = await getError(() => HttpResponse.json({ error: { code: 'forbidden', message: 'Not your task' } }, { status: 403 }));
    expect(error).toMatchObject({ kind: 'unauthorized', status: 403, retryable: false, code: 'forbidden' });
  });

  test('402 → insufficient_credits with required and balance', async () => {
    const error = await postError(() =>
      HttpResponse.json(
        { error: { code: 'insufficient_credits', message: 'Insufficient credits', required: 3, balance: 1 } },
        { status: 402 },
      ),
    );
    expect(error).toMatchObject({
      kind: 'insufficient_credits',
      status: 402,
      retryable: false,
      code: 'insufficient_credits',
      required: 3,
      balance: 1,
      message: 'Insufficient credits',
    });
  });

  test('402 with required/balance at the top level of the body', async () => {
    const error = await postError(() =>
      HttpResponse.json({ error: 'Not enough credits', required: 3, balance: 0 }, { status: 402 }),
    );
    expect(error).toMatchObject({ kind: 'insufficient_credits', required: 3, balance: 0, message: 'Not enough credits' });
  });

  test('402 without numbers leaves them undefined', async () => {
    const error = await postError(() => HttpResponse.json({ error: { message: 'Top up', required: '3' } }, { status: 402 }));
    expect(error.kind).toBe('insufficient_credits');
    expect(error.required).toBeUndefined();
    expect(error.balance).toBeUndefined();
  });

  test('408 → network, retryable (the request timed out on the way)', async () => {
    const error = await postError(() => HttpResponse.json({ error: { message: 'Request Timeout' } }, { status: 408 }));
    expect(error).toMatchObject({ kind: 'network', status: 408, retryable: true });
  });

  test('404 → not_found', async () => {
    const error = await getError(() =>
      HttpResponse.json({ error: { code: 'task_not_found', type: 'not_found', message: 'Task not found' } }, { status: 404 }),
    );
    expect(error).toMatchObject({ kind: 'not_found', status: 404, retryable: false, code: 'task_not_found', message: 'Task not found' });
  });

  test('429 with Retry-After: 7 → rate_limited, retryAfterMs 7000, retryable', async () => {
    const error = await getError(() =>
      HttpResponse.json({ error: { code: 'rate_limited', message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '7' } }),
    );
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true, retryAfterMs: 7000, message: 'Slow down' });
  });

  test('429 with an HTTP-date Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-03-01T12:00:00Z'));
    const error = await postError(() =>
      HttpResponse.json({}, { status: 429, headers: { 'Retry-After': 'Sat, 01 Mar 2025 12:01:30 GMT' } }),
    );
    expect(error).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 90_000 });
  });

  test('429 without Retry-After has no retryAfterMs', async () => {
    const error = await getError(() => HttpResponse.json({}, { status: 429 }));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
  });

  test.each([500, 502, 503])('%d → server, retryable', async (status) => {
    const error = await getError(() => HttpResponse.json({ error: { message: 'Upstream failed' } }, { status }));
    expect(error).toMatchObject({ kind: 'server', status, retryable: true, message: 'Upstream failed' });
  });

  test('a 503 with Retry-After keeps it too', async () => {
    const error = await getError(() => new HttpResponse('busy', { status: 503, headers: { 'Retry-After': '2' } }));
    expect(error).toMatchObject({ kind: 'server', retryAfterMs: 2000, body: 'busy' });
  });

  test('a 502 HTML page falls back to a message with the status', async () => {
    const error = await getError(() => HttpResponse.html('<h1>Bad Gateway</h1>', { status: 502 }));
    expect(error.kind).toBe('server');
    expect(error.body).toBe('<h1>Bad Gateway</h1>');
    expect(error.message).toContain('502');
    expect(error.message).not.toContain('<h1>');
  });
});

describe('error message precedence', () => {
  test.each([
    ['error.message', { error: { message: 'A' }, message: 'C', detail: 'D' }, 'A'],
    ['error as a string', { error: 'B', message: 'C', detail: 'D' }, 'B'],
    ['message', { error: { code: 'x' }, message: 'C', detail: 'D' }, 'C'],
    ['detail (FastAPI style)', { detail: 'D' }, 'D'],
    ['blank strings are skipped', { error: { message: ' ' }, message: '', detail: 'D' }, 'D'],
  ])('%s', async (_name, body, message) => {
    const error = await postError(() => HttpResponse.json(body, { status: 400 }));
    expect(error.message).toBe(message);
  });

  test('with nothing to read, the fallback names the status', async () => {
    const error = await postError(() => HttpResponse.json({}, { status: 500 }));
    expect(error.message).toMatch(/problem/i);
    expect(error.message).toContain('500');
  });

  test('the fallback names the status even without a status text (HTTP/2)', async () => {
    const fetcher = createHttpFetcher({
      fetch: (async () => new Response('', { status: 503 })) as typeof fetch,
    });
    const error = await fetcher.getTask('t1').then(
      () => undefined,
      (e: unknown) => e as ImageGenError,
    );
    expect(error?.kind).toBe('server');
    expect(error?.message).toContain('503');
  });
});

describe('errorFromResponse', () => {
  const none = new Headers();

  test.each([
    [400, 'validation'],
    [401, 'unauthorized'],
    [402, 'insufficient_credits'],
    [403, 'unauthorized'],
    [404, 'not_found'],
    [413, 'validation'],
    [422, 'validation'],
    [429, 'rate_limited'],
    [500, 'server'],
    [504, 'server'],
    [418, 'bad_response'],
  ] as const)('%d → %s', (status, kind) => {
    const error = errorFromResponse(status, '', null, none);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(kind === 'rate_limited' || kind === 'server');
  });

  test('uses the status text in the fallback', () => {
    expect(errorFromResponse(404, 'Not Found', 'nope', none).message).toContain('404 Not Found');
  });

  test('does not read code from a string error', () => {
    expect(errorFromResponse(401, '', { error: 'bad key', code: 'top' }, none).code).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  test.each([
    ['7', 7000],
    ['0', 0],
    [' 12 ', 12_000],
    ['1.5', 1500],
    ['Sat, 01 Mar 2025 12:00:10 GMT', 10_000],
    ['Sat, 01 Mar 2025 11:00:00 GMT', 0],
  ] as const)('%j → %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  test.each([null, '', '   ', 'soon', 'NaN', '-1', '-30'])('%j → undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
