import { afterEach, beforeEach } from 'vitest';
import { server } from '../msw-server.js';

/**
 * Call at file or `describe` level. Records every request that reaches msw in the current test,
 * handled or not, so a test can assert that nothing at all was sent (not merely that one handler
 * was not hit). The returned array is emptied before each test.
 */
export function recordAllRequests(): Request[] {
  const seen: Request[] = [];
  const listener = ({ request }: { request: Request }) => {
    seen.push(request);
  };
  beforeEach(() => {
    seen.length = 0;
    server.events.on('request:start', listener);
  });
  afterEach(() => {
    server.events.removeListener('request:start', listener);
  });
  return seen;
}
