// @vitest-environment node
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createProxyHandler, type ProxyHandlerOptions } from '../../src/server/index.js';
import { createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { APP, BASE_PATH, KEY, UPSTREAM, read, recordUpstream } from './helpers.js';

const GENERATE = `${APP}${BASE_PATH}/api/v2/image/generate`;
const TASKS = `${APP}${BASE_PATH}/api/v2/tasks/`;
const SECRET = 'a-test-secret-of-more-than-32-characters';
const SIGNED = /^task0001\.[0-9a-f]{64}$/;

/** The owner is the `x-user` header here; an app would use its session. */
const owner = (request: Request) => request.headers.get('x-user') ?? undefined;

function setup(options: Partial<ProxyHandlerOptions> = {}) {
  const api = createMockApi({ baseUrl: UPSTREAM, processingAfterMs: 0, completeAfterMs: 1000 });
  server.use(...api.handlers);
  const upstream = recordUpstream();
  const handler = createProxyHandler({ apiKey: KEY, upstream: UPSTREAM, basePath: BASE_PATH, owner, ownerSecret: SECRET, ...options });
  const generate = async (user: string) => {
    const request = new Request(GENERATE, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': user },
      body: JSON.stringify({ prompt: 'a fox' }),
    });
    return read(await handler(request));
  };
  const readTask = async (user: string | undefined, id: string) =>
    read(await handler(new Request(`${TASKS}${encodeURIComponent(id)}`, { headers: user ? { 'x-user': user } : {} })));
  return { api, upstream, handler, generate, readTask };
}

describe('task ids signed for their owner', () => {
  it('gives the client a signed id, and reads it for the same owner with the vendor id upstream', async () => {
    const { api, generate, readTask } = setup();
    const created = await generate('ann');
    expect(created.status).toBe(202);
    const taskId = created.json.task_id as string;
    expect(taskId).toMatch(SIGNED);
    // Opaque to the client and safe in a URL and in storage as it is.
    expect(encodeURIComponent(taskId)).toBe(taskId);
    expect(taskId.length).toBeLessThanOrEqual(500);
    const task = await readTask('ann', taskId);
    expect(task.status).toBe(200);
    // The vendor's body names the task too: the client sees the signed id there as well.
    expect(task.json).toMatchObject({ task_id: taskId, status: 'processing' });
    expect(api.polls().map((r) => r.url)).toEqual([`${UPSTREAM}/api/v2/tasks/task0001`]);
  });

  it('signs every id field a client might read (task_id, taskId, id) in a successful answer', async () => {
    const { upstream, generate } = setup();
    server.use(
      http.post(`${UPSTREAM}/api/v2/image/generate`, () =>
        HttpResponse.json({ task_id: 'task0001', taskId: 'task0001', id: 'task0001', status: 'pending' }, { status: 202 }),
      ),
    );
    const created = await generate('ann');
    expect(created.json.task_id).toMatch(SIGNED);
    expect(created.json.taskId).toBe(created.json.task_id);
    expect(created.json.id).toBe(created.json.task_id);
    expect(upstream).toHaveLength(1);
  });

  it('gives the same vendor task a different id for each owner', async () => {
    const { generate } = setup();
    server.use(http.post(`${UPSTREAM}/api/v2/image/generate`, () => HttpResponse.json({ task_id: 'task0001' }, { status: 202 })));
    expect((await generate('ann')).json.task_id).not.toBe((await generate('bob')).json.task_id);
  });

  it('leaves error answers as the vendor sent them', async () => {
    const { generate } = setup();
    const body = { error: { code: 'insufficient_credits', type: 'billing', message: 'Top up', id: 'req_1' } };
    server.use(http.post(`${UPSTREAM}/api/v2/image/generate`, () => HttpResponse.json(body, { status: 402 })));
    expect((await generate('ann')).json).toEqual(body);
  });
});

describe('reads refused with 404 and nothing sent', () => {
  /** Each way an id can be wrong, from a signed one of ann's. */
  const wrong: [string, (signed: string) => string][] = [
    ['unsigned', () => 'task0001'],
    ['unsigned, of a shape no vendor id has', () => 'task.0001'],
    ['walking up the path', (id) => `../${id}`],
    ['with a changed signature', (id) => id.slice(0, -1) + (id.endsWith('0') ? '1' : '0')],
    ['with a signature in capitals', (id) => id.toUpperCase().replace('TASK', 'task')],
    ['with a cut signature', (id) => id.slice(0, -2)],
    ['with the signature of another task', (id) => `task0002${id.slice(8)}`],
    ['with an empty signature', () => 'task0001.'],
    ['with a signature alone', (id) => id.slice(8)],
  ];

  it.each(wrong)('refuses an id %s', async (_name, change) => {
    const { upstream, generate, readTask } = setup();
    const signed = (await generate('ann')).json.task_id as string;
    const res = await readTask('ann', change(signed));
    expect(res.status).toBe(404);
    expect(res.json.error).toEqual({ code: 'task_not_found', type: 'not_found', message: 'Task not found.' });
    expect(upstream.filter((r) => r.method === 'GET')).toHaveLength(0);
  });

  it('refuses an id signed for another owner with the 404 an unknown task gets', async () => {
    const { upstream, generate, readTask } = setup();
    const signed = (await generate('ann')).json.task_id as string;
    const res = await readTask('bob', signed);
    expect(res.status).toBe(404);
    expect(res.json.error).toEqual({ code: 'task_not_found', type: 'not_found', message: 'Task not found.' });
    expect(upstream.filter((r) => r.method === 'GET')).toHaveLength(0);
  });

  it('refuses an id signed with another secret', async () => {
    const { generate } = setup();
    const signed = (await generate('ann')).json.task_id as string;
    const other = setup({ ownerSecret: `${SECRET}-rotated` });
    const res = await other.readTask('ann', signed);
    expect(res.status).toBe(404);
    expect(other.upstream.filter((r) => r.method === 'GET')).toHaveLength(0);
  });

  it('reads an id another instance signed with the same secret: nothing is stored', async () => {
    const first = setup();
    const signed = (await first.generate('ann')).json.task_id as string;
    const second = createProxyHandler({ apiKey: KEY, upstream: UPSTREAM, basePath: BASE_PATH, owner, ownerSecret: async () => SECRET });
    const res = await read(await second(new Request(`${TASKS}${signed}`, { headers: { 'x-user': 'ann' } })));
    expect(res.status).toBe(200);
    expect(res.json.task_id).toBe(signed);
  });
});

describe('owner configuration', () => {
  it.each([
    ['missing', undefined],
    ['too short', 'short-secret'],
    ['a function returning nothing', () => undefined],
  ])('answers 500 missing_owner_secret when the secret is %s, sending nothing', async (_name, ownerSecret) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { upstream, generate, readTask } = setup({ ownerSecret });
    for (const res of [await generate('ann'), await readTask('ann', 'task0001')]) {
      expect(res.status).toBe(500);
      expect(res.json.error).toEqual({ code: 'missing_owner_secret', type: 'server_error', message: expect.any(String) });
    }
    expect(upstream).toHaveLength(0);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/owner secret of at least 32 characters.*ownerSecret/));
  });

  it('answers 401 unidentified when owner returns nothing, sending nothing', async () => {
    const signed = (await setup().generate('ann')).json.task_id as string;
    const anonymous = setup({ owner: () => undefined });
    const post = await anonymous.generate('ann');
    expect(post.status).toBe(401);
    expect(post.json.error?.code).toBe('unidentified');
    expect((await anonymous.readTask('ann', signed)).json.error?.code).toBe('unidentified');
    expect(anonymous.upstream).toHaveLength(0);
  });

  it('reads the secret per request, so one set after start-up is used', async () => {
    const env: { secret?: string } = {};
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { generate } = setup({ ownerSecret: () => env.secret });
    expect((await generate('ann')).status).toBe(500);
    env.secret = SECRET;
    expect((await generate('ann')).json.task_id).toMatch(SIGNED);
  });
});
