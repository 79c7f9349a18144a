import { http, HttpResponse, type HttpHandler, type JsonBodyType } from 'msw';
import { API, createMockApi, type MockApiOptions } from '../test/mock-api.js';
import { renderMockReference } from '../test/mock-image.js';
import { createMockUploads } from '../test/mock-uploads.js';

/** The demo's upload function and the handler that serves what it stored. */
export const demoUploads = createMockUploads();

/** A reference image URL the demo serves, e.g. `referenceUrl('chair')`. */
export const referenceUrl = (name: string | number) => `https://cdn.example.com/refs/${name}.png`;

const referenceHandler = http.get('https://cdn.example.com/refs/:name', ({ params }) => {
  const name = String(params.name).replace(/\.png$/, '');
  return new HttpResponse(renderMockReference(name), { headers: { 'Content-Type': 'image/svg+xml' } });
});

/** The embedded mock API: tasks go pending → processing → completed over a few seconds. */
export function demoHandlers(options: MockApiOptions = {}): HttpHandler[] {
  const api = createMockApi({ processingAfterMs: 1200, completeAfterMs: 3000, ...options });
  return [...api.handlers, demoUploads.handler, referenceHandler];
}

/** The mock with the POST answering `status` and `body` (and headers such as Retry-After). */
export function generateFailsWith(status: number, body: JsonBodyType, headers: HeadersInit = {}): HttpHandler[] {
  return [http.post(`${API}/api/v2/image/generate`, () => HttpResponse.json(body, { status, headers })), ...demoHandlers()];
}

/** The mock with the network down: every API request fails to connect. */
export function networkDown(): HttpHandler[] {
  return [http.all(`${API}/*`, () => HttpResponse.error()), referenceHandler];
}
