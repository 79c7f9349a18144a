import { ImageGenError } from './errors.js';
import type { ImageTask, TaskStatus } from './types.js';
import { isHttpUrl } from './validation.js';

const COMPLETED = new Set(['completed', 'succeeded', 'success']);
const FAILED = new Set(['failed', 'error', 'cancelled', 'canceled', 'expired', 'timeout']);
const PROCESSING = new Set(['processing', 'running', 'in_progress']);

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * Maps whatever the server calls a state onto the four this library knows. Only `pending` and
 * `completed` are documented, so unknown strings count as still running rather than as an error:
 * a new vendor status must not end a paid task early.
 */
export function normalizeStatus(raw: unknown): TaskStatus {
  const value = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (COMPLETED.has(value)) return 'completed';
  if (FAILED.has(value)) return 'failed';
  if (PROCESSING.has(value)) return 'processing';
  return 'pending';
}

/** The result URL, from the documented `imageUrl` or the places other versions put it. Only http(s) URLs count. */
export function extractImageUrl(body: Body): string | undefined {
  const nested = [body.output, body.result].filter(isObject);
  const candidates: unknown[] = [
    body.imageUrl,
    body.image_url,
    body.url,
    ...nested.map((n) => n.imageUrl),
    Array.isArray(body.images) ? body.images[0] : undefined,
    Array.isArray(body.image_urls) ? body.image_urls[0] : undefined,
  ];
  return candidates.find(isHttpUrl);
}

/** A failed task's reason, wherever the server put it. */
export function extractTaskError(body: Body): string | undefined {
  const error = body.error;
  return (
    nonEmptyString(error) ??
    (isObject(error) ? nonEmptyString(error.message) : undefined) ??
    nonEmptyString(body.message) ??
    nonEmptyString(body.detail) ??
    nonEmptyString(body.failure_reason)
  );
}

function badResponse(message: string, body: unknown): ImageGenError {
  return new ImageGenError({ kind: 'bad_response', message, body });
}

/**
 * Turns a task body into an `ImageTask`. `knownTaskId` is the id that was asked for: a GET's body
 * need not repeat it. A completed task without a usable image URL is a `bad_response`, not a success.
 */
export function parseTask(body: unknown, knownTaskId?: string): ImageTask {
  if (!isObject(body)) {
    throw badResponse('The image service sent an unexpected response.', body);
  }
  const taskId = nonEmptyString(body.task_id) ?? nonEmptyString(body.taskId) ?? nonEmptyString(body.id) ?? knownTaskId;
  if (taskId === undefined) {
    throw badResponse('The image service did not return a task id.', body);
  }
  const status = normalizeStatus(body.status);
  const task: ImageTask = { taskId, status, raw: body };
  if (status === 'completed') {
    const imageUrl = extractImageUrl(body);
    if (imageUrl === undefined) {
      throw badResponse('The image service reported the task complete but sent no image URL.', body);
    }
    task.imageUrl = imageUrl;
  } else if (status === 'failed') {
    task.error = extractTaskError(body) ?? 'The image could not be generated.';
  }
  return task;
}

/** True once a task will not change any more. */
export function isTerminalStatus(status: TaskStatus | undefined): boolean {
  return status === 'completed' || status === 'failed';
}

/** The error a failed task becomes for code that awaits a finished image. */
export function taskFailedError(task: ImageTask): ImageGenError {
  return new ImageGenError({
    kind: 'task_failed',
    message: task.error ?? 'The image could not be generated.',
    task,
    body: task.raw,
  });
}
