import type { Plugin } from 'vite';

/** Where the stories' live fetcher sends requests; the same path the README's Next.js route uses. */
export const LIVE_BASE_PATH = '/api/flash-image';

/**
 * A dev-server route that forwards the stories' requests to the real API through this library's
 * own proxy handler, adding the key on the server. Without a key it adds nothing.
 */
export function liveApi(apiKey: string | undefined): Plugin {
  return {
    name: 'flash-image-live-api',
    apply: 'serve',
    configureServer(server) {
      if (!apiKey) return;
      let handler: Promise<(req: unknown, res: unknown) => void> | undefined;
      server.middlewares.use(LIVE_BASE_PATH, (req, res) => {
        // Loaded through Vite so the TypeScript sources are used as they are.
        handler ??= server.ssrLoadModule('/src/server/index.ts').then(({ createProxyHandler, toNodeHandler }) =>
          toNodeHandler(createProxyHandler({ apiKey, basePath: LIVE_BASE_PATH })),
        );
        void handler.then((handle) => handle(req, res));
      });
    },
  };
}
