// @vitest-environment node
import { http, HttpResponse } from 'msw';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it, vi } from 'vitest';
import { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import { createProxyHandler, type BudgetLimiter, type ProxyHandlerOptions } from '../../src/server/index.js';
import { createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { APP, BASE_PATH, KEY, UPSTREAM, read, recordUpstream } from './helpers.js';

const GENERATE = `${APP}${BASE_PATH}/api/v2/image/generate`;
const TASKS = `${APP}${BASE_PATH}/api/v2/tasks/`;
const DAY = 24 * 60 * 60;

/** The identity is the `x-user` header here; an app would use its session. */
const identify = (request: Request) => request.headers.get('x-user') ?? undefined;

function setup(options: Partial<ProxyHandlerOptions> = {}) {
  const api = createMockApi({ baseUrl: UPSTREAM, processingAfterMs: 0, completeAfterMs: 0 });
  server.use(...api.handlers);
  const upstream = recordUpstream();
  const handler = createProxyHandler({ apiKey: KEY, upstream: UPSTREAM, basePath: BASE_PATH, identify, ...options });
  const generate = (user?: string, body: unknown = { prompt: 'a fox' }) =>
    handler(
      new Request(GENERATE, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(user ? { 'x-user': user } : {}) },
        body: JSON.stringify(body),
      }),
    );
  const readTask = (user?: string, id = 'task0001') => handler(new Request(`${TASKS}${id}`, { headers: user ? { 'x-user': user } : {} }));
  return { api, upstream, handler, generate, readTask };
}

/** Points a limiter holds for a key now (0 when untouched). */
async function spent(limiter: RateLimiterMemory, key: string): Promise<number> {
  return (await limiter.get(key))?.consumedPoints ?? 0;
}

describe('the generation budget per identity', () => {
  it('refuses a generation over the budget with 429, Retry-After and its own code, before it reaches the vendor', async () => {
    const generations = new RateLimiterMemory({ points: 2, duration: DAY });
    const { api, generate } = setup({ budgets: { generations } });
    expect((await generate('ann')).status).toBe(202);
    expect((await generate('ann')).status).toBe(202);
    const refused = await read(await generate('ann'));
    expect(refused.status).toBe(429);
    expect(refused.json.error).toEqual({ code: 'generation_budget_exceeded', type: 'rate_limit', message: expect.any(String) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(DAY - 60);
    expect(retryAfter).toBeLessThanOrEqual(DAY);
    // Another identity has its own budget.
    expect((await generate('bob')).status).toBe(202);
    expect(api.posts()).toHaveLength(3);
    // The refused attempt is not left on the count.
    expect(await spent(generations, 'generate:ann')).toBe(2);
  });

  it('reaches the client as a rate_limited error with the wait, like a vendor 429', async () => {
    const generations = new RateLimiterMemory({ points: 1, duration: 90 });
    const { handler } = setup({ budgets: { generations } });
    const fetcher = createHttpFetcher({
      baseUrl: `${APP}${BASE_PATH}`,
      headers: { 'x-user': 'ann' },
      fetch: (url, init) => handler(new Request(url, init)),
    });
    await fetcher.generate({ prompt: 'a fox' });
    const error = await fetcher.generate({ prompt: 'a fox' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageGenError);
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true, code: 'generation_budget_exceeded', retryAfterMs: 90_000 });
  });

  it('costs nothing for a request refused for another reason: invalid, unauthorised, another model', async () => {
    const generations = new RateLimiterMemory({ points: 1, duration: DAY });
    const { api, generate } = setup({ budgets: { generations }, authorize: (request) => request.headers.get('x-user') !== 'eve' });
    expect((await generate('ann', { prompt: ' ' })).status).toBe(400);
    expect((await generate('ann', { prompt: 'a fox', model: 'pricier' })).status).toBe(400);
    expect((await generate('ann', { prompt: 'a fox', image_urls: ['javascript:x'] })).status).toBe(400);
    expect((await generate('eve')).status).toBe(401);
    expect(await spent(generations, 'generate:ann')).toBe(0);
    expect(await spent(generations, 'generate:eve')).toBe(0);
    expect((await generate('ann')).status).toBe(202);
    expect(api.posts()).toHaveLength(1);
  });

  it.each([
    ['nothing', () => undefined],
    ['an empty string', () => ''],
    ['a number', () => 42 as unknown as string],
  ])('answers 401 unidentified when identify returns %s, reading no body and sending nothing', async (_name, who) => {
    const generations = new RateLimiterMemory({ points: 5, duration: DAY });
    const reads = new RateLimiterMemory({ points: 5, duration: DAY });
    const { upstream, handler } = setup({ budgets: { generations, reads }, identify: who });
    let pulled = false;
    const body = new ReadableStream({
      pull(controller) {
        pulled = true;
        controller.close();
      },
    }, { highWaterMark: 0 });
    const post = await read(
      await handler(new Request(GENERATE, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit)),
    );
    expect(post.status).toBe(401);
    expect(post.json.error).toEqual({ code: 'unidentified', type: 'authentication_error', message: expect.any(String) });
    expect(pulled).toBe(false);
    expect((await read(await handler(new Request(`${TASKS}task0001`)))).json.error?.code).toBe('unidentified');
    expect(upstream).toHaveLength(0);
  });

  it('answers 500 without the reason when identify throws', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const generations = new RateLimiterMemory({ points: 5, duration: DAY });
    const { upstream, generate } = setup({
      budgets: { generations },
      identify: () => {
        throw new Error('session store at redis://secret-host is down');
      },
    });
    const res = await read(await generate('ann'));
    expect(res.status).toBe(500);
    expect(res.json.error?.code).toBe('internal_error');
    expect(JSON.stringify(res.json)).not.toContain('secret-host');
    expect(log).toHaveBeenCalled();
    expect(upstream).toHaveLength(0);
  });
});

describe('the account budget', () => {
  it('caps generations of every identity together, and gives the identity its point back', async () => {
    const generations = new RateLimiterMemory({ points: 10, duration: DAY });
    const account = new RateLimiterMemory({ points: 3, duration: DAY });
    const { api, generate } = setup({ budgets: { generations, account } });
    for (const user of ['ann', 'bob', 'cy']) expect((await generate(user)).status).toBe(202);
    const refused = await read(await generate('dee'));
    expect(refused.status).toBe(429);
    expect(refused.json.error?.code).toBe('account_budget_exceeded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(api.posts()).toHaveLength(3);
    expect(await spent(generations, 'generate:dee')).toBe(0);
    expect(await spent(account, 'account')).toBe(3);
  });

  it('works without identify, for every client together', async () => {
    const account = new RateLimiterMemory({ points: 1, duration: DAY });
    const { api, generate } = setup({ budgets: { account }, identify: undefined });
    expect((await generate()).status).toBe(202);
    expect((await read(await generate())).json.error?.code).toBe('account_budget_exceeded');
    expect(api.posts()).toHaveLength(1);
  });

  it('is not touched by a generation the identity budget refused', async () => {
    const generations = new RateLimiterMemory({ points: 1, duration: DAY });
    const account = new RateLimiterMemory({ points: 10, duration: DAY });
    const { generate } = setup({ budgets: { generations, account } });
    await generate('ann');
    expect((await read(await generate('ann'))).json.error?.code).toBe('generation_budget_exceeded');
    expect(await spent(account, 'account')).toBe(1);
  });
});

describe('points given back', () => {
  it.each([
    [400, 'invalid_request'],
    [401, 'invalid_api_key'],
    [402, 'insufficient_credits'],
    [429, 'rate_limited'],
  ])('gives both points back when the vendor refuses with %i: nothing was started', async (status, code) => {
    const generations = new RateLimiterMemory({ points: 1, duration: DAY });
    const account = new RateLimiterMemory({ points: 1, duration: DAY });
    const { upstream, generate } = setup({ budgets: { generations, account } });
    server.use(
      http.post(`${UPSTREAM}/api/v2/image/generate`, () => HttpResponse.json({ error: { code, type: 'x', message: 'No' } }, { status }), { once: true }),
    );
    expect((await generate('ann')).status).toBe(status);
    expect(await spent(generations, 'generate:ann')).toBe(0);
    expect(await spent(account, 'account')).toBe(0);
    // The point given back is usable: the next one goes through.
    expect((await generate('ann')).status).toBe(202);
    expect(upstream).toHaveLength(2);
  });

  it('gives a point back in full even after refused attempts while the vendor was deciding', async () => {
    const generations = new RateLimiterMemory({ points: 1, duration: DAY });
    const { upstream, generate } = setup({ budgets: { generations } });
    let refuse!: () => void;
    const decided = new Promise<void>((resolve) => (refuse = resolve));
    server.use(
      http.post(
        `${UPSTREAM}/api/v2/image/generate`,
        async () => {
          await decided;
          return HttpResponse.json({ error: { code: 'insufficient_credits', type: 'x', message: 'No' } }, { status: 402 });
        },
        { once: true },
      ),
    );
    const first = generate('ann');
    await vi.waitFor(() => expect(upstream).toHaveLength(1));
    for (let i = 0; i < 3; i += 1) expect((await read(await generate('ann'))).json.error?.code).toBe('generation_budget_exceeded');
    // Refused attempts are not left on the count.
    expect(await spent(generations, 'generate:ann')).toBe(1);
    refuse();
    expect((await first).status).toBe(402);
    expect((await generate('ann')).status).toBe(202);
    expect(upstream).toHaveLength(2);
  });

  it.each([
    ['a 500', () => HttpResponse.json({ error: { code: 'internal', type: 'x', message: 'Broke' } }, { status: 500 })],
    ['a 503', () => new HttpResponse('busy', { status: 503 })],
    ['an unreachable vendor', () => HttpResponse.error()],
    ['a 202 that is not JSON', () => new HttpResponse('oops', { status: 202 })],
  ])('keeps the points after %s: the task may exist and be billed', async (_name, answer) => {
    const generations = new RateLimiterMemory({ points: 1, duration: DAY });
    const account = new RateLimiterMemory({ points: 5, duration: DAY });
    const { upstream, generate } = setup({ budgets: { generations, account } });
    server.use(http.post(`${UPSTREAM}/api/v2/image/generate`, answer, { once: true }));
    expect((await generate('ann')).status).toBeGreaterThanOrEqual(500);
    expect(await spent(generations, 'generate:ann')).toBe(1);
    expect(await spent(account, 'account')).toBe(1);
    expect((await read(await generate('ann'))).json.error?.code).toBe('generation_budget_exceeded');
    expect(upstream).toHaveLength(1);
  });

  it('keeps the points after a timeout (504)', async () => {
    const generations = new RateLimiterMemory({ points: 1, duration: DAY });
    const { generate } = setup({ budgets: { generations }, upstreamTimeoutMs: 50 });
    server.use(http.post(`${UPSTREAM}/api/v2/image/generate`, () => new Promise<never>(() => undefined), { once: true }));
    const res = await read(await generate('ann'));
    expect(res.status).toBe(504);
    expect(res.json.error?.code).toBe('upstream_timeout');
    expect(await spent(generations, 'generate:ann')).toBe(1);
  });
});

describe('the read budget', () => {
  it('limits task reads per identity with a code of its own, apart from generations', async () => {
    const generations = new RateLimiterMemory({ points: 5, duration: DAY });
    const reads = new RateLimiterMemory({ points: 3, duration: 60 });
    const { api, generate, readTask } = setup({ budgets: { generations, reads } });
    expect((await generate('ann')).status).toBe(202);
    for (let i = 0; i < 3; i += 1) expect((await readTask('ann')).status).toBe(200);
    const refused = await read(await readTask('ann'));
    expect(refused.status).toBe(429);
    expect(refused.json.error).toEqual({ code: 'read_budget_exceeded', type: 'rate_limit', message: expect.any(String) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await readTask('bob')).status).toBe(200);
    // Reads do not spend generations, nor the other way round.
    expect((await generate('ann')).status).toBe(202);
    expect(await spent(generations, 'generate:ann')).toBe(2);
    expect(api.polls()).toHaveLength(4);
  });
});

describe('a limiter that fails', () => {
  /** A limiter whose store is down: every call rejects with an Error, as RateLimiterRedis does without Redis. */
  function broken(): BudgetLimiter & { consume: ReturnType<typeof vi.fn> } {
    return {
      consume: vi.fn(async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.5:6379');
      }),
      reward: vi.fn(async () => undefined),
    };
  }

  it('fails closed: 503 budget_unavailable, nothing sent, the cause logged and not shown', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { upstream, generate, readTask } = setup({ budgets: { generations: broken(), reads: broken() } });
    for (const res of [await read(await generate('ann')), await read(await readTask('ann'))]) {
      expect(res.status).toBe(503);
      expect(res.json.error).toEqual({ code: 'budget_unavailable', type: 'server_error', message: expect.any(String) });
      expect(JSON.stringify(res.json)).not.toContain('10.0.0.5');
    }
    expect(upstream).toHaveLength(0);
    expect(log.mock.calls.flat().join(' ')).toContain('ECONNREFUSED');
  });

  it('fails closed when a limiter does not answer: 503 after 5 s, not a request held for ever', async () => {
    vi.useFakeTimers();
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const hanging: BudgetLimiter = { consume: () => new Promise(() => undefined), reward: async () => undefined };
    const { upstream, generate } = setup({ budgets: { generations: hanging } });
    let answered: Response | undefined;
    void generate('ann').then((res) => (answered = res));
    await vi.advanceTimersByTimeAsync(4999);
    expect(answered).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answered?.status).toBe(503);
    expect((await read(answered!)).json.error?.code).toBe('budget_unavailable');
    expect(log.mock.calls.flat().join(' ')).toMatch(/no answer in 5000 ms/);
    expect(upstream).toHaveLength(0);
  });

  it('gives the identity its point back when the account limiter fails', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const generations = new RateLimiterMemory({ points: 1, duration: DAY });
    const { upstream, generate } = setup({ budgets: { generations, account: broken() } });
    expect((await generate('ann')).status).toBe(503);
    expect(await spent(generations, 'generate:ann')).toBe(0);
    expect(upstream).toHaveLength(0);
  });

  it.each([
    ['nothing', undefined],
    ['a plain object without msBeforeNext', { remainingPoints: 0 }],
    ['a string', 'limited'],
  ])('treats a rejection with %s as a failure, not as a refusal', async (_name, reason) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const limiter: BudgetLimiter = { consume: () => Promise.reject(reason), reward: async () => undefined };
    const { upstream, generate } = setup({ budgets: { generations: limiter } });
    expect((await generate('ann')).status).toBe(503);
    expect(upstream).toHaveLength(0);
  });

  it('logs a failing reward and still answers the vendor refusal', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const limiter: BudgetLimiter = { consume: async () => ({}), reward: () => Promise.reject(new Error('store down')) };
    const { generate } = setup({ budgets: { generations: limiter } });
    server.use(http.post(`${UPSTREAM}/api/v2/image/generate`, () => HttpResponse.json({ error: { code: 'x', type: 'y', message: 'z' } }, { status: 402 })));
    expect((await generate('ann')).status).toBe(402);
    expect(log.mock.calls.flat().join(' ')).toContain('store down');
  });
});
