import type { GenerateImageInput } from '../core/types.js';

/**
 * A counter that a budget draws on. rate-limiter-flexible's limiters (`RateLimiterMemory`,
 * `RateLimiterRedis`, …) fit as they are; the proxy needs only these two methods, and no limiter
 * library is a dependency of this one.
 */
export interface BudgetLimiter {
  /** Takes `points` from `key`. Rejects with an object holding `msBeforeNext` when too few are left, and with an `Error` when its store fails. */
  consume(key: string, points?: number): Promise<unknown>;
  /** Gives `points` back to `key`. */
  reward(key: string, points?: number): Promise<unknown>;
}

/**
 * What clients may spend, checked before a request reaches the vendor. Each limiter's own
 * `points` and `duration` set the limit (e.g. 20 a day). The proxy takes 1 point per request, from
 * the keys `generate:{identity}`, `account` and `read:{identity}`, so one store can hold all three.
 */
export interface ProxyBudgets {
  /** Generations per identity (what `identify` returns). Over it: 429 `generation_budget_exceeded`. */
  generations?: BudgetLimiter;
  /** Generations of every identity together, e.g. a daily cap on the account's spending. Over it: 429 `account_budget_exceeded`. */
  account?: BudgetLimiter;
  /** Task reads (polls) per identity; set it well above what polling needs (one a second per running task by default). Over it: 429 `read_budget_exceeded`. */
  reads?: BudgetLimiter;
}

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
  /** The largest upstream answer read, in bytes after decompression; a bigger one is cut off, aborted and answered 502 (`upstream_too_large`). Default 1 MiB. */
  maxResponseBytes?: number;
  /** How long the upstream may take to answer, headers and body together, before it is aborted and the client gets 504 (`upstream_timeout`). Default 30 000 ms. */
  upstreamTimeoutMs?: number;
  /** The models a client may ask for; others are refused with 400. Default: only `DEFAULT_MODEL`, so a browser cannot spend the account on another model. `transformInput` may still pick any. */
  allowedModels?: readonly string[];
  /** The app's own check (session, CSRF token). Return `true` to let the request through; anything else answers 401. Runs before the body is read, so do not read the body here. */
  authorize?(request: Request): boolean | Promise<boolean>;
  /** Who is asking, for the per-identity budgets: a user id, a session id, an IP address. Needed by `budgets.generations` and `budgets.reads`. Anything but a non-empty string answers 401 (`unidentified`). Do not read the body here. */
  identify?(request: Request): string | undefined | Promise<string | undefined>;
  /** Limits on generations (per identity and for the whole account) and on task reads, checked before anything is sent upstream. */
  budgets?: ProxyBudgets;
  /** Whom a new task belongs to, and who is reading one. With `ownerSecret`, clients get task ids signed for their owner, and a read of an unsigned id, a changed one or another owner's answers 404. Anything but a non-empty string answers 401 (`unidentified`). Do not read the body here. */
  owner?(request: Request): string | undefined | Promise<string | undefined>;
  /** The secret that signs task ids for `owner` (at least 32 characters), or a function returning it, read per request like `apiKey`; without a usable one, requests get 500 (`missing_owner_secret`). The same on every instance; a new secret makes earlier ids unreadable. */
  ownerSecret?: string | (() => string | undefined | Promise<string | undefined>);
  /** Rewrites a validated input before it is sent, e.g. to pin the model or run moderation; the result is validated again. Throw an `ImageGenError` to refuse with its message. */
  transformInput?(input: GenerateImageInput, request: Request): GenerateImageInput | Promise<GenerateImageInput>;
  /** The `fetch` used to call the upstream. Default: the global `fetch`, looked up per request. */
  fetch?: typeof fetch;
}

/** A Fetch API request handler, as Next.js route handlers, Remix, Hono, Workers, Deno and Bun take it. */
export type ProxyHandler = (request: Request) => Promise<Response>;
