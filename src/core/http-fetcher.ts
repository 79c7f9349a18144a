import { DEFAULT_BASE_URL, GENERATE_PATH, TASKS_PATH } from './constants.js';
import { ImageGenError, toImageGenError } from './errors.js';
import { errorFromResponse } from './response-error.js';
import { parseTask } from './status.js';
import type { HttpFetcherOptions, ImageFetcher, ImageTask, RequestOptions } from './types.js';
import { toRequestBody, validateGenerateInput } from './validation.js';

async function readBody(response: Response): Promise<{ json: true; value: unknown } | { json: false; value: string }> {
  const text = await response.text();
  try {
    return { json: true, value: JSON.parse(text) };
  } catch {
    return { json: false, value: text };
  }
}

/**
 * The fetcher that speaks the vendor's HTTP API, directly or through a backend that mirrors its
 * paths (`flash-image-react/server`). It validates before sending and never retries: a POST that
 * reached the server may already have been billed.
 */
export function createHttpFetcher(options: HttpFetcherOptions = {}): ImageFetcher {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');

  async function request(path: string, init: RequestInit, knownTaskId: string | undefined, signal?: AbortSignal): Promise<ImageTask> {
    // Looked up per call, not at creation: test mocks and polyfills patch the global later.
    const doFetch = options.fetch ?? globalThis.fetch;
    let response: Response;
    let body: Awaited<ReturnType<typeof readBody>>;
    try {
      const headers = new Headers(typeof options.headers === 'function' ? await options.headers() : options.headers);
      headers.set('Accept', 'application/json');
      if (options.apiKey) headers.set('Authorization', `Bearer ${options.apiKey}`);
      if (init.body !== undefined) headers.set('Content-Type', 'application/json');
      response = await doFetch(`${baseUrl}${path}`, { ...init, headers, signal });
      body = await readBody(response);
    } catch (error) {
      throw toImageGenError(error, signal);
    }
    if (!response.ok) {
      throw errorFromResponse(response.status, response.statusText, body.value, response.headers);
    }
    if (!body.json) {
      throw new ImageGenError({
        kind: 'bad_response',
        message: 'The image service sent a response that is not JSON.',
        status: response.status,
        body: body.value,
      });
    }
    return parseTask(body.value, knownTaskId);
  }

  return {
    async generate(input, { signal }: RequestOptions = {}) {
      const valid = validateGenerateInput(input);
      return request(GENERATE_PATH, { method: 'POST', body: JSON.stringify(toRequestBody(valid)) }, undefined, signal);
    },
    async getTask(taskId, { signal }: RequestOptions = {}) {
      if (typeof taskId !== 'string' || taskId.trim() === '') {
        throw new ImageGenError({ kind: 'validation', message: 'A task id is needed to read a task.' });
      }
      return request(`${TASKS_PATH}${encodeURIComponent(taskId)}`, { method: 'GET' }, taskId, signal);
    },
  };
}
