// Production: `npm run build`, then `npm start`. Serves the built app and keeps the API key here.
import express from 'express';
import { createProxyHandler, toNodeHandler } from 'flash-image-react/server';
import { fileURLToPath } from 'node:url';

const app = express();

// Mount it before any body parser, so its own size limit applies.
app.use(
  '/api/flash-image',
  toNodeHandler(
    createProxyHandler({
      apiKey: () => process.env.FLASH_IMAGE_API_KEY, // read per request: the server starts without it
      upstream: process.env.FLASH_IMAGE_UPSTREAM, // unset: the vendor's API; the repository's tests point it at a local double
      basePath: '/api/flash-image',
    }),
  ),
);

app.use(express.static(fileURLToPath(new URL('./dist', import.meta.url))));

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
app.listen(port, host, () => console.log(`Listening on http://${host}:${port}`));
