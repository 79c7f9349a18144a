// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { seedVariations } from '../../src/core/batch.js';
import { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import type { PersistedGeneration } from '../../src/core/history.js';
import { parseEntry, parseRecord, serializeRecord } from '../../src/persist/index.js';
import { createSubmitQueue, type SubmitUpdate } from '../../src/core/submit-queue.js';
import { readTask, submitGeneration } from '../../src/core/submit.js';
import type { ImageTask } from '../../src/core/types.js';
import { createProxyHandler, type ProxyHandler } from '../../src/server/index.js';
import { createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { APP, BASE_PATH, KEY, UPSTREAM } from './helpers.js';

const SECRET = 'a-test-secret-of-more-than-32-characters';
const SIGNED = /^task\d{4}\.[0-9a-f]{64}$/;

/** A proxy instance with owners; the owner is the `x-user` header the fetcher sends. */
function proxy(): ProxyHandler {
  return createProxyHandler({
    apiKey: KEY,
    upstream: UPSTREAM,
    basePath: BASE_PATH,
    owner: (request) => request.headers.get('x-user') ?? undefined,
    ownerSecret: SECRET,
  });
}

/** The library's own HTTP fetcher, as a browser of `user` would use it, talking to `handler`. */
function browser(handler: ProxyHandler, user: string) {
  return createHttpFetcher({
    baseUrl: `${APP}${BASE_PATH}`,
    headers: { 'x-user': user },
    fetch: (url, init) => handler(new Request(url, init)),
  });
}

describe('signed task ids through the real client', () => {
  it('runs a batch through the submit queue, persists it, and reads it back after a "reload" on another instance', async () => {
    const api = createMockApi({ baseUrl: UPSTREAM, processingAfterMs: 0, completeAfterMs: 0 });
    server.use(...api.handlers);
    const ann = browser(proxy(), 'ann');
    const inputs = seedVariations({ prompt: 'a lighthouse', size: '16:9' }, [1, 2, 3, 4, 5, 6]);

    const accepted = new Map<number, ImageTask>();
    const failed: ImageGenError[] = [];
    await new Promise<void>((resolve) => {
      createSubmitQueue({
        count: inputs.length,
        concurrency: 3,
        submit: (index, signal) => submitGeneration(ann, inputs[index]!, signal),
        onUpdate: (index, update: SubmitUpdate) => {
          if (update.type === 'accepted') accepted.set(index, update.task);
          if (update.type === 'failed') failed.push(update.error);
        },
        onIdle: resolve,
      });
    });
    expect(failed).toEqual([]);
    expect(accepted.size).toBe(6);
    expect(api.posts()).toHaveLength(6);
    const ids = inputs.map((_, index) => accepted.get(index)!.taskId);
    for (const id of ids) expect(id).toMatch(SIGNED);
    expect(new Set(ids).size).toBe(6);

    // Finished on the first read; the task the client sees keeps the signed id.
    const finished = await Promise.all(ids.map((id) => readTask(ann, id)));
    expect(finished.map((task) => [task.taskId, task.status])).toEqual(ids.map((id) => [id, 'completed']));
    expect(api.polls().map((r) => new URL(r.url).pathname)).toEqual(
      expect.arrayContaining(['/api/v2/tasks/task0001', '/api/v2/tasks/task0006']),
    );

    // What `persist` stores, with one still running: every entry survives its checks as it is.
    const entries: PersistedGeneration[] = ids.map((taskId, index) => ({
      taskId,
      input: inputs[index]!,
      startedAt: 1_700_000_000_000 + index,
      ...(index === 5 ? {} : { imageUrl: finished[index]!.imageUrl!, completedAt: 1_700_000_100_000 }),
    }));
    for (const entry of entries) expect(parseEntry(entry)).toEqual(entry);
    const restored = parseRecord(serializeRecord(entries));
    expect(restored).toEqual({ entries });

    // After a reload the page may reach another instance; only the secret is shared.
    const annAgain = browser(proxy(), 'ann');
    const resumed = await Promise.all(restored.entries.map((entry) => readTask(annAgain, entry.taskId)));
    expect(resumed.map((task) => task.taskId)).toEqual(ids);
    expect(resumed.every((task) => task.status === 'completed')).toBe(true);

    // Someone else holding the stored ids learns nothing.
    const polls = api.polls().length;
    const bob = browser(proxy(), 'bob');
    const error = await readTask(bob, ids[0]!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageGenError);
    expect(error).toMatchObject({ kind: 'not_found', status: 404, code: 'task_not_found' });
    expect(api.polls()).toHaveLength(polls);
  });
});
