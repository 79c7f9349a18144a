import { setupServer } from 'msw/node';

/** The msw server for jsdom tests; each test adds the handlers it needs with `server.use`. */
export const server = setupServer();
