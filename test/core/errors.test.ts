import { http, HttpResponse } from 'msw';
import { describe, expect, test, vi } from 'vitest';
import { ImageGenError, toImageGenError } from '../../src/core/errors.js';
import type { ImageGenErrorKind } from '../../src/core/types.js';
import { API } from '../mock-api.js';
import { server } from '../msw-server.js';

type ErrorsModule = typeof import('../../src/core/errors.js');
type FetcherModule = typeof import('../../src/core/http-fetcher.js');

/** A second, independent copy of a module, as a second bundle would carry. */
async function secondCopy<T>(load: () => Promise<T>): Promise<T> {
  vi.resetModules();
  return load();
}

const ALL_KINDS: ImageGenErrorKind[] = [
  'validation',
  'unauthorized',
  'insufficient_credits',
  'rate_limited',
  'not_found',
  'server',
  'network',
  'bad_response',
  'task_failed',
  'timeout',
  'aborted',
];

describe('ImageGenError', () => {
  test.each(ALL_KINDS)('%s: retryable only for rate_limited, server and network', (kind) => {
    const error = new ImageGenError({ kind, message: 'm' });
    expect(error.retryable).toBe(kind === 'rate_limited' || kind === 'server' || kind === 'network');
  });

  test('is an Error with its name, message and fields', () => {
    const cause = new TypeError('x');
    const error = new ImageGenError({
      kind: 'insufficient_credits',
      message: 'Not enough credits',
      status: 402,
      code: 'insufficient_credits',
      required: 3,
      balance: 1,
      body: { a: 1 },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ImageGenError');
    expect(error.message).toBe('Not enough credits');
    expect(error).toMatchObject({ kind: 'insufficient_credits', status: 402, code: 'insufficient_credits', required: 3, balance: 1 });
    expect(error.cause).toBe(cause);
    expect(error.stack).toBeTypeOf('string');
  });

  test('the marker does not show up in enumeration or JSON', () => {
    const error = new ImageGenError({ kind: 'server', message: 'm' });
    expect(Object.keys(error)).not.toContain(String(Symbol.for('flash-image-react.error')));
    expect(Object.getOwnPropertySymbols(error).filter((s) => Object.prototype.propertyIsEnumerable.call(error, s))).toEqual([]);
    expect(() => JSON.stringify(error)).not.toThrow();
  });
});

describe('ImageGenError.isImageGenError across bundle copies', () => {
  test('errors from either copy are recognised by the other, though instanceof says no', async () => {
    const copy = await secondCopy<ErrorsModule>(() => import('../../src/core/errors.js'));
    expect(copy.ImageGenError).not.toBe(ImageGenError);

    const fromCopy = new copy.ImageGenError({ kind: 'rate_limited', message: 'slow down', retryAfterMs: 7000 });
    const fromHere = new ImageGenError({ kind: 'server', message: 'boom' });

    expect(fromCopy instanceof ImageGenError).toBe(false);
    expect(fromHere instanceof copy.ImageGenError).toBe(false);

    expect(ImageGenError.isImageGenError(fromCopy)).toBe(true);
    expect(copy.ImageGenError.isImageGenError(fromHere)).toBe(true);
    expect(ImageGenError.isImageGenError(fromHere)).toBe(true);
  });

  test('toImageGenError passes an error from another copy through unchanged', async () => {
    const copy = await secondCopy<ErrorsModule>(() => import('../../src/core/errors.js'));
    const fromCopy = new copy.ImageGenError({ kind: 'unauthorized', message: 'bad key', code: 'invalid_api_key' });
    expect(toImageGenError(fromCopy)).toBe(fromCopy);
    const controller = new AbortController();
    controller.abort();
    expect(toImageGenError(fromCopy, controller.signal)).toBe(fromCopy);
  });

  test('an error thrown by a second copy of the HTTP fetcher is recognised by this copy', async () => {
    server.use(
      http.post(`${API}/api/v2/image/generate`, () =>
        HttpResponse.json({ error: { code: 'invalid_api_key', message: 'Invalid API key' } }, { status: 401 }),
      ),
    );
    const copy = await secondCopy<FetcherModule>(() => import('../../src/core/http-fetcher.js'));
    const error = await copy
      .createHttpFetcher()
      .generate({ prompt: 'a cat' })
      .catch((e: unknown) => e);

    expect(error instanceof ImageGenError).toBe(false);
    expect(ImageGenError.isImageGenError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'unauthorized', code: 'invalid_api_key' });
  });

  test.each([
    ['a plain Error', new Error('x')],
    ['an Error named ImageGenError with a kind', Object.assign(new Error('x'), { name: 'ImageGenError', kind: 'server', retryable: true })],
    ['a look-alike object', { name: 'ImageGenError', kind: 'network', message: 'x', retryable: true }],
    ['an object with an unregistered symbol of the same description', { [Symbol('flash-image-react.error')]: true, kind: 'server' }],
    ['a string', 'ImageGenError'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ])('rejects %s', (_name, value) => {
    expect(ImageGenError.isImageGenError(value)).toBe(false);
  });
});

describe('toImageGenError', () => {
  test('returns an ImageGenError as it is', () => {
    const error = new ImageGenError({ kind: 'timeout', message: 't' });
    expect(toImageGenError(error)).toBe(error);
  });

  test('an AbortError DOMException → aborted with the cause', () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    const error = toImageGenError(abort);
    expect(error).toMatchObject({ kind: 'aborted', retryable: false });
    expect(error.cause).toBe(abort);
    expect(error.message).toMatch(/cancel/i);
  });

  test('any object named AbortError → aborted', () => {
    expect(toImageGenError({ name: 'AbortError' }).kind).toBe('aborted');
  });

  test('anything thrown while the signal is aborted → aborted', () => {
    const controller = new AbortController();
    controller.abort();
    const cause = new TypeError('fetch failed');
    const error = toImageGenError(cause, controller.signal);
    expect(error.kind).toBe('aborted');
    expect(error.cause).toBe(cause);
  });

  test('an Error with a live signal → network, retryable, with the cause and its message', () => {
    const cause = new TypeError('Failed to fetch');
    const error = toImageGenError(cause, new AbortController().signal);
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('Failed to fetch');
    expect(error.message).toMatch(/check your connection/i);
  });

  test.each([['a string', 'offline'], ['an object', { code: 'ECONNRESET' }], ['undefined', undefined]])(
    'a thrown %s → network with the cause',
    (_name, thrown) => {
      const error = toImageGenError(thrown);
      expect(error.kind).toBe('network');
      expect(error.retryable).toBe(true);
      expect(error.cause).toBe(thrown);
    },
  );
});
