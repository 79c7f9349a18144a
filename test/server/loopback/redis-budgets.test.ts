import { once } from 'node:events';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createProxyHandler, toNodeHandler, type ProxyBudgets } from '../../../src/server/index.js';
import { BASE_PATH, KEY, listen, post, read, startRedis, startUpstream, within, type RedisProcess, type UpstreamExchange } from './support.js';

const DAY = 24 * 60 * 60;
const SECRET = 'a-test-secret-of-more-than-32-characters';
const USERS = ['ann', 'bob', 'cy', 'dee'];

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

/** A Redis client as the README sets it up for budgets: it fails fast instead of queueing while Redis is away. */
async function redisClient(port: number): Promise<Redis> {
  const client = new Redis({ port, host: '127.0.0.1', enableOfflineQueue: false });
  // Reconnection attempts while a test has stopped Redis are expected; they are not test output.
  client.on('error', () => undefined);
  await once(client, 'ready');
  onTestFinished(() => void client.disconnect());
  return client;
}

let prefixes = 0;

/**
 * One app server: its own Redis connection and limiters (as a separate process would have), the
 * same Redis, budgets and owner secret as the others, behind node:http.
 */
async function instance(upstream: string, limits: { generations?: number; account?: number }, prefix: string) {
  const storeClient = await redisClient(redis.port);
  const budgets: ProxyBudgets = {};
  const limiters: Record<string, RateLimiterRedis> = {};
  if (limits.generations) {
    budgets.generations = limiters.generations = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:gen`, points: limits.generations, duration: DAY });
  }
  if (limits.account) {
    budgets.account = limiters.account = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:acct`, points: limits.account, duration: DAY });
  }
  const user = (request: Request) => request.headers.get('x-user') ?? undefined;
  const handler = createProxyHandler({
    apiKey: KEY,
    upstream,
    basePath: BASE_PATH,
    identify: user,
    owner: user,
    ownerSecret: SECRET,
    budgets,
  });
  const { origin } = await listen(toNodeHandler(handler));
  return { base: `${origin}${BASE_PATH}`, limiters };
}

/** Two instances sharing one Redis under a fresh key prefix. */
async function twoInstances(upstream: string, limits: { generations?: number; account?: number }) {
  const prefix = `t${++prefixes}`;
  return [await instance(upstream, limits, prefix), await instance(upstream, limits, prefix)] as const;
}

/** A vendor double: every POST gets a task id of its own; `decide` may answer otherwise. */
async function vendor(decide?: (exchange: UpstreamExchange, prompt: string) => boolean) {
  const assigned = new Map<string, string>();
  const upstream = await startUpstream((exchange) => {
    const { req, res, body } = exchange;
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ task_id: req.url!.split('/').pop(), status: 'processing' }));
      return;
    }
    const prompt = (JSON.parse(body) as { prompt: string }).prompt;
    if (decide?.(exchange, prompt)) return;
    const taskId = `vendor${assigned.size + 1}`;
    assigned.set(prompt, taskId);
    res.writeHead(202, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ task_id: taskId, status: 'pending' }));
  });
  const posts = () => upstream.exchanges.filter((e) => e.req.method === 'POST');
  return { upstream, assigned, posts };
}

/** `perUser` POSTs from each user, all at once, alternating between the instances. */
function burst(bases: readonly string[], perUser: number, tag: string) {
  const sent: { user: string; prompt: string; answer: Promise<Awaited<ReturnType<typeof read>>> }[] = [];
  for (let i = 0; i < perUser; i += 1) {
    for (const user of USERS) {
      const prompt = `${tag} ${user} #${i}`;
      const base = bases[sent.length % bases.length]!;
      sent.push({ user, prompt, answer: post(`${base}/api/v2/image/generate`, { prompt }, { 'x-user': user }).then(read) });
    }
  }
  return sent;
}

const counts = (values: readonly (string | number)[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});

describe('budgets shared by two instances through Redis', () => {
  it('lets exactly 20 generations per identity through of 200 sent at once, none lost or doubled', async () => {
    const { upstream, assigned, posts } = await vendor();
    const [a, b] = await twoInstances(upstream.origin, { generations: 20 });
    const sent = burst([a.base, b.base], 50, 'burst');
    const answers = await within(Promise.all(sent.map((s) => s.answer)), 30_000, '200 answers');

    // Every request answered, each once: 80 accepted, 120 refused before the vendor.
    expect(answers).toHaveLength(200);
    expect(counts(answers.map((r) => r.status))).toEqual({ 202: 80, 429: 120 });
    expect(posts()).toHaveLength(80);
    for (const user of USERS) {
      expect(sent.filter((s, i) => s.user === user && answers[i]!.status === 202)).toHaveLength(20);
      expect(await a.limiters.generations!.get(`generate:${user}`)).toMatchObject({ consumedPoints: 20 });
    }
    for (const refused of answers.filter((r) => r.status === 429)) {
      expect(refused.json.error?.code).toBe('generation_budget_exceeded');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= DAY).toBe(true);
    }
    // The vendor saw each accepted prompt once, and each client got the task made for its prompt.
    const upstreamPrompts = posts().map((e) => (JSON.parse(e.body) as { prompt: string }).prompt);
    expect(new Set(upstreamPrompts).size).toBe(80);
    const acceptedPrompts = sent.filter((_, i) => answers[i]!.status === 202).map((s) => s.prompt);
    expect([...acceptedPrompts].sort()).toEqual([...upstreamPrompts].sort());
    sent.forEach((s, i) => {
      const taskId = answers[i]!.json.task_id as string | undefined;
      if (answers[i]!.status === 202) expect(taskId?.split('.')[0]).toBe(assigned.get(s.prompt));
    });

    // Owners hold across instances too: each id reads through the instance that did not sign it,
    // for its owner only.
    const reads = await Promise.all(
      sent.map(async (s, i) => {
        if (answers[i]!.status !== 202) return undefined;
        const other = i % 2 === 0 ? b.base : a.base;
        const id = answers[i]!.json.task_id as string;
        const own = await read(await fetch(`${other}/api/v2/tasks/${id}`, { headers: { 'x-user': s.user } }));
        const stranger = await read(await fetch(`${other}/api/v2/tasks/${id}`, { headers: { 'x-user': 'mallory' } }));
        return [own.status, own.json.task_id === id, stranger.status];
      }),
    );
    expect(counts(reads.filter(Boolean).map((r) => r!.join(' ')))).toEqual({ '200 true 404': 80 });
    expect(upstream.exchanges.filter((e) => e.req.method === 'GET')).toHaveLength(80);
  });

  it('gives back the generations the vendor refused with a 4xx, and keeps the ones it failed with a 5xx', async () => {
    // Per user, the vendor refuses the first 5 POSTs it gets (402), fails the next 3 (503) and
    // accepts the rest. Its answers wait until every request over the budget has been refused,
    // so that no point given back can be taken by the first wave.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const seen = new Map<string, number>();
    const { upstream, posts } = await vendor((exchange, prompt) => {
      const user = prompt.split(' ')[1]!;
      const n = (seen.get(user) ?? 0) + 1;
      seen.set(user, n);
      if (n > 8) return false;
      void released.then(() => {
        exchange.res.writeHead(n <= 5 ? 402 : 503, { 'Content-Type': 'application/json' });
        exchange.res.end(JSON.stringify({ error: { code: n <= 5 ? 'insufficient_credits' : 'overloaded', type: 'x', message: 'No' } }));
      });
      return true;
    });
    const [a, b] = await twoInstances(upstream.origin, { generations: 20 });
    const generations = a.limiters.generations!;
    const first = burst([a.base, b.base], 50, 'first');
    let refusals = 0;
    let allRefused!: () => void;
    const overBudgetRefused = new Promise<void>((resolve) => (allRefused = resolve));
    for (const s of first) void s.answer.then((r) => r.status === 429 && ++refusals === 120 && allRefused());
    await within(overBudgetRefused, 30_000, '120 refusals');
    release();
    const answers = await within(Promise.all(first.map((s) => s.answer)), 30_000, '200 answers');
    expect(counts(answers.map((r) => r.status))).toEqual({ 202: 48, 402: 20, 429: 120, 503: 12 });
    expect(posts()).toHaveLength(80);
    // 20 taken per user, the 5 refused with 402 given back.
    for (const user of USERS) expect(await generations.get(`generate:${user}`)).toMatchObject({ consumedPoints: 15 });

    // The points given back are spendable, on either instance: 5 more per user, no more.
    const second = burst([b.base, a.base], 10, 'second');
    const again = await within(Promise.all(second.map((s) => s.answer)), 30_000, '40 answers');
    expect(counts(again.map((r) => r.status))).toEqual({ 202: 20, 429: 20 });
    for (const user of USERS) {
      expect(second.filter((s, i) => s.user === user && again[i]!.status === 202)).toHaveLength(5);
      expect(await generations.get(`generate:${user}`)).toMatchObject({ consumedPoints: 20 });
    }
    expect(posts()).toHaveLength(100);
  });

  it('caps the whole account across instances, giving identities back what the account refused', async () => {
    const { upstream, posts } = await vendor();
    const [a, b] = await twoInstances(upstream.origin, { generations: 20, account: 30 });
    const sent = burst([a.base, b.base], 25, 'account');
    const answers = await within(Promise.all(sent.map((s) => s.answer)), 30_000, '100 answers');
    expect(answers.filter((r) => r.status === 202)).toHaveLength(30);
    expect(posts()).toHaveLength(30);
    const codes = counts(answers.filter((r) => r.status === 429).map((r) => r.json.error?.code as string));
    expect((codes.account_budget_exceeded ?? 0) + (codes.generation_budget_exceeded ?? 0)).toBe(70);
    expect(codes.account_budget_exceeded).toBeGreaterThan(0);
    expect(await a.limiters.account!.get('account')).toMatchObject({ consumedPoints: 30 });
    let identityPoints = 0;
    for (const user of USERS) {
      const accepted = sent.filter((s, i) => s.user === user && answers[i]!.status === 202).length;
      const held = (await a.limiters.generations!.get(`generate:${user}`))?.consumedPoints ?? 0;
      expect(held).toBe(accepted);
      identityPoints += held;
    }
    expect(identityPoints).toBe(30);
  });
});

describe('a Redis that goes away', () => {
  it('fails closed: 503 budget_unavailable at once, nothing sent, the process still serving', async () => {
    const own = await startRedis();
    onTestFinished(() => own.stop());
    const storeClient = await redisClient(own.port);
    const { upstream, posts } = await vendor();
    const generations = new RateLimiterRedis({ storeClient, keyPrefix: 'down', points: 5, duration: DAY });
    const handler = createProxyHandler({
      apiKey: KEY,
      upstream: upstream.origin,
      basePath: BASE_PATH,
      identify: () => 'ann',
      budgets: { generations },
    });
    const { origin } = await listen(toNodeHandler(handler));
    const generate = () => post(`${origin}${BASE_PATH}/api/v2/image/generate`, { prompt: 'a fox' }).then(read);
    expect((await generate()).status).toBe(202);

    await own.stop();
    const logged: unknown[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const answers = await within(Promise.all([generate(), generate(), generate()]), 5000, 'answers without Redis');
      for (const res of answers) {
        expect(res.status).toBe(503);
        expect(res.json.error?.code).toBe('budget_unavailable');
      }
    } finally {
      console.error = error;
    }
    expect(logged).toHaveLength(3);
    expect(posts()).toHaveLength(1);
  });
});
