// Type-checked with lib ES2022 and @types/node only: the server entry's types must not need the DOM lib.
import { createServer } from 'node:http';
import {
  createProxyHandler,
  toNodeHandler,
  type BudgetLimiter,
  type ProxyHandler,
  type ProxyHandlerOptions,
} from 'flash-image-react/server';

// The shape rate-limiter-flexible's limiters have; the package does not depend on it.
class CountingLimiter {
  private used = new Map<string | number, number>();
  constructor(private readonly points: number) {}
  async consume(key: string | number, points = 1, _options?: Record<string, unknown>) {
    const used = (this.used.get(key) ?? 0) + points;
    this.used.set(key, used);
    if (used > this.points) throw { msBeforeNext: 1000, remainingPoints: 0 };
    return { remainingPoints: this.points - used };
  }
  async reward(key: string | number, points = 1) {
    this.used.set(key, (this.used.get(key) ?? 0) - points);
    return {};
  }
}

const perUser: BudgetLimiter = new CountingLimiter(20);

const options: ProxyHandlerOptions = {
  apiKey: () => process.env.FLASH_IMAGE_API_KEY,
  basePath: '/api/flash-image',
  authorize: (request) => request.headers.get('x-session') !== null,
  transformInput: (input) => ({ ...input, size: input.size ?? '1:1' }),
  maxResponseBytes: 512 * 1024,
  upstreamTimeoutMs: 20_000,
  identify: (request) => request.headers.get('x-session') ?? undefined,
  budgets: { generations: perUser, account: new CountingLimiter(500), reads: new CountingLimiter(3600) },
  owner: async (request) => request.headers.get('x-session') ?? undefined,
  ownerSecret: () => process.env.FLASH_IMAGE_OWNER_SECRET,
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

// @ts-expect-error a budget is a limiter with consume() and reward()
createProxyHandler({ apiKey: 'sk_x', budgets: { account: { consume: async () => ({}) } } });
