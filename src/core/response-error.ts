import { ImageGenError } from './errors.js';
import type { ImageGenErrorKind } from './types.js';

/** The `Retry-After` header in milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Date.parse reads '-1' as a year; a negative delay is simply unreadable.
  if (/^[-+]?\d/.test(trimmed) && !/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function kindForStatus(status: number): ImageGenErrorKind {
  if (status === 400 || status === 413 || status === 415 || status === 422) return 'validation';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 402) return 'insufficient_credits';
  if (status === 404) return 'not_found';
  if (status === 408) return 'network';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'bad_response';
}

const FALLBACK_MESSAGES: Record<ImageGenErrorKind, string> = {
  validation: 'The image service refused the request as invalid.',
  unauthorized: 'The image service refused the API key. Check the key, or the backend that adds it.',
  insufficient_credits: 'Not enough credits to generate an image.',
  rate_limited: 'Too many requests. Wait a moment and try again.',
  not_found: 'The image service does not know this task.',
  server: 'The image service had a problem. Try again in a moment.',
  network: 'Could not reach the image service.',
  bad_response: 'The image service sent an unexpected response.',
  task_failed: 'The image could not be generated.',
  timeout: 'The image took too long.',
  aborted: 'The request was cancelled.',
};

function pick(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The error for a non-2xx response. `body` is the parsed JSON, or the raw text when it was not JSON.
 * The message comes from the documented `error.message`, then the shapes other endpoints use.
 */
export function errorFromResponse(
  status: number,
  statusText: string,
  body: unknown,
  headers: Headers,
): ImageGenError {
  const kind = kindForStatus(status);
  const error = pick(body, 'error');
  const message =
    text(pick(error, 'message')) ??
    text(error) ??
    text(pick(body, 'message')) ??
    text(pick(body, 'detail')) ??
    `${FALLBACK_MESSAGES[kind]} (${statusText ? `${status} ${statusText}` : `HTTP ${status}`})`;
  return new ImageGenError({
    kind,
    message,
    status,
    code: text(pick(error, 'code')),
    retryAfterMs: parseRetryAfter(headers.get('retry-after')),
    required: num(pick(error, 'required')) ?? num(pick(body, 'required')),
    balance: num(pick(error, 'balance')) ?? num(pick(body, 'balance')),
    body,
  });
}
