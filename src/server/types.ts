import type { GenerateImageInput } from '../core/types.js';

/** Options of `createProxyHandler`. */
export interface ProxyHandlerOptions {
  /**
   * The vendor API key (`sk_…`), or a function that returns it, read for every request (e.g.
   * `() => process.env.FLASH_IMAGE_API_KEY`). It goes upstream only, never to the client. Without
   * one, requests are answered 500 (`missing_api_key`) and nothing is sent: creating the handler
   * never throws for a missing key, so a build without secrets succeeds.
   */
  apiKey: string | undefined | (() => string | undefined | Promise<string | undefined>);
  /** The vendor's API origin. Default `https://api.aiclonevoicefree.com`. */
  upstream?: string;
  /** Where the route is mounted, e.g. `'/api/flash-image'`; only `{basePath}/api/v2/…` is answered. Default `''`. */
  basePath?: string;
  /** The largest request body accepted, in bytes; a bigger one gets 413 without being read to the end. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The models a client may ask for; others are refused with 400. Default: only `DEFAULT_MODEL`, so a browser cannot spend the account on another model. `transformInput` may still pick any. */
  allowedModels?: readonly string[];
  /** The app's own check (session, CSRF token, quota). Return `true` to let the request through; anything else answers 401. Runs before the body is read, so do not read the body here. */
  authorize?(request: Request): boolean | Promise<boolean>;
  /** Rewrites a validated input before it is sent, e.g. to pin the model or run moderation; the result is validated again. Throw an `ImageGenError` to refuse with its message. */
  transformInput?(input: GenerateImageInput, request: Request): GenerateImageInput | Promise<GenerateImageInput>;
  /** The `fetch` used to call the upstream. Default: the global `fetch`, looked up per request. */
  fetch?: typeof fetch;
}

/** A Fetch API request handler, as Next.js route handlers, Remix, Hono, Workers, Deno and Bun take it. */
export type ProxyHandler = (request: Request) => Promise<Response>;
