import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import {
  extractImageUrl,
  extractTaskError,
  isTerminalStatus,
  normalizeStatus,
  parseTask,
  taskFailedError,
} from '../../src/core/status.js';
import type { ImageTask } from '../../src/core/types.js';
import { API } from '../mock-api.js';
import { server } from '../msw-server.js';

const PNG = 'https://cdn.example.com/out/0.png';

function thrownBy(fn: () => unknown): ImageGenError {
  try {
    fn();
  } catch (error) {
    expect(ImageGenError.isImageGenError(error)).toBe(true);
    return error as ImageGenError;
  }
  throw new Error('expected a throw');
}

describe('normalizeStatus', () => {
  test.each([
    ['completed', 'completed'],
    ['succeeded', 'completed'],
    ['success', 'completed'],
    ['failed', 'failed'],
    ['error', 'failed'],
    ['cancelled', 'failed'],
    ['canceled', 'failed'],
    ['expired', 'failed'],
    ['timeout', 'failed'],
    ['pending', 'pending'],
    ['queued', 'pending'],
    ['processing', 'processing'],
    ['running', 'processing'],
    ['in_progress', 'processing'],
    ['something_new', 'pending'],
    ['', 'pending'],
  ] as const)('%j → %s', (raw, expected) => {
    expect(normalizeStatus(raw)).toBe(expected);
  });

  test.each([
    ['COMPLETED', 'completed'],
    ['Succeeded', 'completed'],
    ['FAILED', 'failed'],
    ['Cancelled', 'failed'],
    ['CANCELED', 'failed'],
    ['Processing', 'processing'],
    ['IN_PROGRESS', 'processing'],
    ['Queued', 'pending'],
    [' completed ', 'completed'],
  ] as const)('is case-insensitive: %j → %s', (raw, expected) => {
    expect(normalizeStatus(raw)).toBe(expected);
  });

  test.each([undefined, null, 3, { status: 'completed' }])('a non-string status %j counts as still running', (raw) => {
    expect(normalizeStatus(raw)).toBe('pending');
  });
});

describe('isTerminalStatus', () => {
  test('only completed and failed are terminal', () => {
    expect(isTerminalStatus('completed')).toBe(true);
    expect(isTerminalStatus('failed')).toBe(true);
    expect(isTerminalStatus('pending')).toBe(false);
    expect(isTerminalStatus('processing')).toBe(false);
    expect(isTerminalStatus(undefined)).toBe(false);
  });
});

describe('extractImageUrl: fallbacks in order', () => {
  const all = {
    imageUrl: 'https://a.example/1-imageUrl.png',
    image_url: 'https://a.example/2-image_url.png',
    url: 'https://a.example/3-url.png',
    output: { imageUrl: 'https://a.example/4-output.png' },
    result: { imageUrl: 'https://a.example/5-result.png' },
    images: ['https://a.example/6-images.png', 'https://a.example/6b.png'],
    image_urls: ['https://a.example/7-image_urls.png'],
  };
  const order = ['imageUrl', 'image_url', 'url', 'output', 'result', 'images', 'image_urls'] as const;

  test.each(order.map((key, i) => [key, i] as const))('with every field before %s removed, reads %s', (_key, i) => {
    const body: Record<string, unknown> = { ...all };
    for (const earlier of order.slice(0, i)) delete body[earlier];
    expect(extractImageUrl(body)).toMatch(new RegExp(`/${i + 1}-`));
  });

  test('reads only the first of images', () => {
    expect(extractImageUrl({ images: ['https://a.example/first.png', 'https://a.example/second.png'] })).toBe(
      'https://a.example/first.png',
    );
  });

  test('never accepts a javascript: URL, and skips it for a later safe one', () => {
    expect(extractImageUrl({ imageUrl: 'javascript:alert(document.cookie)' })).toBeUndefined();
    expect(extractImageUrl({ imageUrl: 'JavaScript:alert(1)', image_url: 'https://a.example/safe.png' })).toBe(
      'https://a.example/safe.png',
    );
  });

  test.each(['data:image/png;base64,AAAA', '/relative/0.png', 'ftp://a.example/0.png', '', 42, null])(
    'ignores %j',
    (value) => {
      expect(extractImageUrl({ imageUrl: value, images: [value] })).toBeUndefined();
    },
  );

  test('ignores output/result that are not objects', () => {
    expect(extractImageUrl({ output: 'https://a.example/x.png', result: ['https://a.example/y.png'] })).toBeUndefined();
  });
});

describe('extractTaskError: fallbacks in order', () => {
  test('error as a string comes first', () => {
    expect(extractTaskError({ error: 'NSFW prompt', message: 'm', detail: 'd', failure_reason: 'f' })).toBe('NSFW prompt');
  });
  test('then error.message', () => {
    expect(extractTaskError({ error: { code: 'x', message: 'Model overloaded' }, message: 'm' })).toBe('Model overloaded');
  });
  test('then message', () => {
    expect(extractTaskError({ error: { code: 'x' }, message: 'Bad reference image', detail: 'd' })).toBe(
      'Bad reference image',
    );
  });
  test('then detail', () => {
    expect(extractTaskError({ error: '  ', detail: 'Timed out upstream', failure_reason: 'f' })).toBe('Timed out upstream');
  });
  test('then failure_reason', () => {
    expect(extractTaskError({ failure_reason: 'Safety filter' })).toBe('Safety filter');
  });
  test('nothing usable gives undefined', () => {
    expect(extractTaskError({ error: null, message: 3, detail: '' })).toBeUndefined();
  });
});

describe('parseTask', () => {
  test('keeps the raw body and reads task_id, taskId or id', () => {
    const body = { task_id: 'a1', status: 'pending', capability: 'image', progress: 0, metadata: { x: 1 } };
    const task = parseTask(body);
    expect(task).toEqual({ taskId: 'a1', status: 'pending', raw: body });
    expect(task.raw).toBe(body);
    expect(parseTask({ taskId: 'b2', status: 'queued' }).taskId).toBe('b2');
    expect(parseTask({ id: 'c3', status: 'queued' }).taskId).toBe('c3');
  });

  test('uses the requested id when the body has none', () => {
    expect(parseTask({ status: 'processing' }, 'asked-for')).toMatchObject({ taskId: 'asked-for', status: 'processing' });
  });

  test('a body with neither an id nor a requested id is a bad_response', () => {
    const error = thrownBy(() => parseTask({ status: 'pending' }));
    expect(error.kind).toBe('bad_response');
    expect(error.body).toEqual({ status: 'pending' });
  });

  test.each([null, 'ok', 3, ['x']])('a body that is not an object (%j) is a bad_response', (body) => {
    expect(thrownBy(() => parseTask(body, 't')).kind).toBe('bad_response');
  });

  test('a completed task carries its image URL and no error', () => {
    const task = parseTask({ status: 'completed', result: { imageUrl: PNG } }, 't');
    expect(task).toEqual({ taskId: 't', status: 'completed', imageUrl: PNG, raw: { status: 'completed', result: { imageUrl: PNG } } });
  });

  test.each([
    ['no URL at all', { status: 'completed' }],
    ['only a javascript: URL', { status: 'completed', imageUrl: 'javascript:alert(1)' }],
    ['only a data: URL', { status: 'SUCCEEDED', url: 'data:image/png;base64,AAAA' }],
    ['an empty images list', { status: 'success', images: [] }],
  ])('a completed task with %s is a bad_response', (_name, body) => {
    const error = thrownBy(() => parseTask(body, 't'));
    expect(error.kind).toBe('bad_response');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/no image URL/i);
    expect(error.body).toBe(body);
  });

  test('a running task needs no URL and ignores one that is present', () => {
    expect(parseTask({ status: 'running', imageUrl: PNG }, 't')).toEqual({
      taskId: 't',
      status: 'processing',
      raw: { status: 'running', imageUrl: PNG },
    });
  });

  test("a failed task carries the server's message", () => {
    expect(parseTask({ status: 'failed', error: { message: 'Prompt blocked' } }, 't')).toMatchObject({
      status: 'failed',
      error: 'Prompt blocked',
    });
    expect(parseTask({ status: 'cancelled', detail: 'Cancelled by admin' }, 't')).toMatchObject({
      status: 'failed',
      error: 'Cancelled by admin',
    });
  });

  test('a failed task without a message gets a default one', () => {
    const task = parseTask({ status: 'expired' }, 't');
    expect(task.status).toBe('failed');
    expect(task.error).toBe('The image could not be generated.');
    expect(task.imageUrl).toBeUndefined();
  });
});

describe('taskFailedError', () => {
  test("carries the task's own message and the task", () => {
    const task: ImageTask = { taskId: 't', status: 'failed', error: 'Prompt blocked', raw: { status: 'failed' } };
    const error = taskFailedError(task);
    expect(error).toMatchObject({ kind: 'task_failed', message: 'Prompt blocked', retryable: false, task, body: task.raw });
  });
});

describe('through getTask and msw', () => {
  test('a succeeded task read over HTTP uses the requested id, the fallback URL and keeps raw', async () => {
    const body = { status: 'Succeeded', output: { imageUrl: PNG }, credits_used: 3 };
    server.use(http.get(`${API}/api/v2/tasks/job-9`, () => HttpResponse.json(body)));
    const task = await createHttpFetcher().getTask('job-9');
    expect(task).toEqual({ taskId: 'job-9', status: 'completed', imageUrl: PNG, raw: body });
  });

  test('a canceled task is data, not an error', async () => {
    server.use(
      http.get(`${API}/api/v2/tasks/job-9`, () =>
        HttpResponse.json({ task_id: 'job-9', status: 'canceled', failure_reason: 'User cancelled' }),
      ),
    );
    await expect(createHttpFetcher().getTask('job-9')).resolves.toMatchObject({
      taskId: 'job-9',
      status: 'failed',
      error: 'User cancelled',
    });
  });

  test('a completed task with a javascript: URL over HTTP is a bad_response', async () => {
    server.use(
      http.get(`${API}/api/v2/tasks/job-9`, () => HttpResponse.json({ status: 'completed', imageUrl: 'javascript:alert(1)' })),
    );
    await expect(createHttpFetcher().getTask('job-9')).rejects.toMatchObject({ kind: 'bad_response', retryable: false });
  });
});
