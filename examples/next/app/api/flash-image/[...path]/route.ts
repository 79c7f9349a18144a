import { createProxyHandler } from 'flash-image-react/server';

const handler = createProxyHandler({
  // Read per request, so `next build` works without the key; server-only: never NEXT_PUBLIC_.
  apiKey: () => process.env.FLASH_IMAGE_API_KEY,
  upstream: process.env.FLASH_IMAGE_UPSTREAM, // unset: the vendor's API; the repository's tests point it at a local double
  basePath: '/api/flash-image',
});

export const GET = handler;
export const POST = handler;
