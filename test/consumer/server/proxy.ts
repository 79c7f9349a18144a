// Type-checked with lib ES2022 and @types/node only: the server entry's types must not need the DOM lib.
import { createServer } from 'node:http';
import { createProxyHandler, toNodeHandler, type ProxyHandler, type ProxyHandlerOptions } from 'flash-image-react/server';

const options: ProxyHandlerOptions = {
  apiKey: () => process.env.FLASH_IMAGE_API_KEY,
  basePath: '/api/flash-image',
  authorize: (request) => request.headers.get('x-session') !== null,
  transformInput: (input) => ({ ...input, size: input.size ?? '1:1' }),
};

export const handler: ProxyHandler = createProxyHandler(options);

// Next.js-style route exports.
export const GET = handler;
export const POST = handler;

export function listen(port: number) {
  return createServer(toNodeHandler(handler)).listen(port);
}

// @ts-expect-error apiKey is required
createProxyHandler({ basePath: '/x' });
