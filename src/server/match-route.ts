import { GENERATE_PATH, TASKS_PATH } from '../core/constants.js';

/** What a request path names, before its method is looked at. */
export type RouteMatch =
  | { route: 'generate' }
  | { route: 'task'; taskId: string }
  | { route: 'bad-task-id' }
  | { route: 'none' };

/**
 * The vendor's ids are short tokens. Anything else (dots, slashes, percent signs, after decoding)
 * could walk the upstream path away from `/tasks/`, so it is refused rather than escaped.
 */
const SAFE_TASK_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** True for a task id the proxy will forward. */
export function isSafeTaskId(value: string): boolean {
  return SAFE_TASK_ID.test(value);
}

/**
 * Matches a URL pathname (still percent-encoded, as `URL.pathname` gives it) against the two
 * routes below `basePath`. Exact matches only: no trailing slash, no extra segments.
 */
export function matchRoute(pathname: string, basePath: string): RouteMatch {
  if (pathname === `${basePath}${GENERATE_PATH}`) return { route: 'generate' };
  const tasksPrefix = `${basePath}${TASKS_PATH}`;
  if (!pathname.startsWith(tasksPrefix)) return { route: 'none' };
  const encoded = pathname.slice(tasksPrefix.length);
  if (encoded === '') return { route: 'none' };
  // A raw slash is a second segment; an encoded one (`%2F`) is caught by the pattern after decoding.
  if (encoded.includes('/')) return { route: 'bad-task-id' };
  let taskId: string;
  try {
    taskId = decodeURIComponent(encoded);
  } catch {
    return { route: 'bad-task-id' };
  }
  return isSafeTaskId(taskId) ? { route: 'task', taskId } : { route: 'bad-task-id' };
}

/** `basePath` as the matcher compares it: a leading slash, no trailing one, `''` for the root. */
export function normalizeBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
