import { errorResponse } from './json-response.js';

/**
 * The 400 (`invalid_path`) for a request target whose path holds a dot segment (`.` or `..`,
 * percent-encoded or not, in any case) or a backslash (raw or `%5C`); undefined for any other.
 * URL parsers resolve these silently (`/tasks/%2e%2e/image/generate` becomes `/image/generate`),
 * so a guard in front of the proxy that matched the raw path would see another route than the
 * proxy: such a path is refused instead.
 */
export function pathRefusal(target: string): Response | undefined {
  if (/\/(\.|%2e){1,2}(\/|$)|\\|%5c/i.test(target.replace(/[?#].*/s, ''))) {
    return errorResponse(400, 'invalid_path', 'invalid_request', 'The path has a dot segment or a backslash.');
  }
}
