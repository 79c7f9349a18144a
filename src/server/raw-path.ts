/**
 * True when the path of a request target holds a dot segment (`.` or `..`, percent-encoded or not,
 * in any case) or a backslash (raw or `%5C`). URL parsers resolve these silently
 * (`/tasks/%2e%2e/image/generate` becomes `/image/generate`), so a guard in front of the proxy that
 * matched the raw path would see another route than the proxy: such a path is refused instead.
 */
export function hasUnsafePath(target: string): boolean {
  return /\/(\.|%2e){1,2}(\/|$)|\\|%5c/i.test(target.replace(/[?#].*/s, ''));
}
