import { http, HttpResponse, type HttpHandler } from 'msw';
import { renderMockImage } from './mock-image.js';

/** The vendor's host, as the default fetcher calls it. */
export const API = 'https://api.aiclonevoicefree.com';

/** How the mock's tasks behave. */
export interface MockApiOptions {
  /** Where the mock answers. Default: the vendor's host. */
  baseUrl?: string;
  /** A task reports `processing` from this age on. Default 1000 ms. */
  processingAfterMs?: number;
  /** A task finishes at this age. Default 3000 ms. */
  completeAfterMs?: number;
  /** When set, tasks fail with this message instead of completing; a function picks which tasks fail (undefined: it completes). */
  failWith?: string | ((taskId: string, body: Record<string, unknown>) => string | undefined);
  /** The result URL of a task, from its request body. */
  imageUrl?: (body: Record<string, unknown>, taskId: string) => string;
}

/** A request the mock received. */
export interface MockRequest {
  method: string;
  url: string;
  headers: Headers;
  body?: Record<string, unknown>;
}

/**
 * An in-memory image API: POSTs create tasks that go pending → processing → completed as time
 * passes (real or fake timers alike, via `Date.now()`). Shared by tests and stories; it records
 * every request so tests can count them and read their bodies.
 */
export function createMockApi(options: MockApiOptions = {}) {
  const base = options.baseUrl ?? API;
  const processingAfterMs = options.processingAfterMs ?? 1000;
  const completeAfterMs = options.completeAfterMs ?? 3000;
  const imageUrl = options.imageUrl ?? ((_body, taskId) => `https://cdn.example.com/${taskId}/0.png`);
  const requests: MockRequest[] = [];
  const tasks = new Map<string, { createdAt: number; body: Record<string, unknown> }>();
  let sequence = 0;

  const handlers: HttpHandler[] = [
    http.post(`${base}/api/v2/image/generate`, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      requests.push({ method: 'POST', url: request.url, headers: request.headers, body });
      const taskId = `task${String(++sequence).padStart(4, '0')}`;
      tasks.set(taskId, { createdAt: Date.now(), body });
      return HttpResponse.json(
        { task_id: taskId, status: 'pending', capability: 'image', action: 'generate', model: body.model },
        { status: 202 },
      );
    }),
    http.get(`${base}/api/v2/tasks/:taskId`, ({ request, params }) => {
      requests.push({ method: 'GET', url: request.url, headers: request.headers });
      const taskId = String(params.taskId);
      const task = tasks.get(taskId);
      if (!task) {
        return HttpResponse.json({ error: { code: 'task_not_found', type: 'not_found', message: 'Task not found' } }, { status: 404 });
      }
      const age = Date.now() - task.createdAt;
      if (age < processingAfterMs) return HttpResponse.json({ task_id: taskId, status: 'pending', progress: 0 });
      if (age < completeAfterMs) return HttpResponse.json({ task_id: taskId, status: 'processing', progress: 50 });
      const failure = typeof options.failWith === 'function' ? options.failWith(taskId, task.body) : options.failWith;
      if (failure !== undefined) {
        return HttpResponse.json({ task_id: taskId, status: 'failed', error: { message: failure } });
      }
      return HttpResponse.json({
        status: 'completed',
        capability: 'image',
        _type: 'image.generate',
        imageUrl: imageUrl(task.body, taskId),
      });
    }),
  ];

  // The result pictures; not recorded, since they are not API requests.
  handlers.push(
    http.get('https://cdn.example.com/:taskId/0.png', ({ params }) => {
      const task = tasks.get(String(params.taskId));
      if (!task) return new HttpResponse(null, { status: 404 });
      return new HttpResponse(renderMockImage(task.body), { headers: { 'Content-Type': 'image/svg+xml' } });
    }),
  );

  return {
    handlers,
    requests,
    /** The POSTs received so far. */
    posts: () => requests.filter((r) => r.method === 'POST'),
    /** The task reads received so far. */
    polls: () => requests.filter((r) => r.method === 'GET'),
  };
}
