import { setupServer } from 'msw/node';
import { onTestFinished } from 'vitest';

/** The msw server for jsdom tests; each test adds the handlers it needs with `server.use`. */
export const server = setupServer();

/** Every request any handler (or none) saw during the current test, method and URL, in order. */
export function countAllRequests(): { method: string; url: string }[] {
  const seen: { method: string; url: string }[] = [];
  const listener = ({ request }: { request: Request }) => {
    seen.push({ method: request.method, url: request.url });
  };
  server.events.on('request:start', listener);
  onTestFinished(() => server.events.removeListener('request:start', listener));
  return seen;
}
