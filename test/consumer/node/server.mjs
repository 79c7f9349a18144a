// Plain Node, ESM: the server entry loads without React or a DOM and proxies a request.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createProxyHandler, ImageGenError, toNodeHandler } from 'flash-image-react/server';

assert.equal(typeof window, 'undefined');
assert.equal(typeof document, 'undefined');

const KEY = 'sk_consumer_check';
const upstreamCalls = [];
const handler = createProxyHandler({
  apiKey: KEY,
  basePath: '/api/flash-image',
  fetch: async (url, init) => {
    upstreamCalls.push({ url: String(url), init });
    // Echoes the key, as some upstream errors do: the proxy must not pass it on.
    return Response.json({ task_id: 'task_1', status: 'pending', note: `key ${KEY}` });
  },
});

const direct = await handler(
  new Request('http://localhost/api/flash-image/api/v2/image/generate', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer from-the-browser' },
    body: JSON.stringify({ prompt: 'a corgi', size: '16:9', extra: 'dropped' }),
  }),
);
assert.equal(direct.status, 200);
const body = await direct.json();
assert.equal(body.task_id, 'task_1');
assert.equal(body.note, 'key [redacted]');
assert.equal(upstreamCalls.length, 1);
assert.equal(upstreamCalls[0].url, 'https://api.aiclonevoicefree.com/api/v2/image/generate');
assert.equal(new Headers(upstreamCalls[0].init.headers).get('authorization'), `Bearer ${KEY}`);
assert.deepEqual(JSON.parse(upstreamCalls[0].init.body), { prompt: 'a corgi', model: 'gemini-3.1-flash-image-preview', size: '16:9' });

const server = createServer(toNodeHandler(handler)).listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${server.address().port}/api/flash-image`;
try {
  const task = await fetch(`${base}/api/v2/tasks/task_1`);
  assert.equal(task.status, 200);
  assert.equal(upstreamCalls.at(-1).url, 'https://api.aiclonevoicefree.com/api/v2/tasks/task_1');
  const missing = await fetch(`${base}/elsewhere`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'route_not_found');
} finally {
  server.close();
}

// Server code refuses with the library's error class, from the server entry: its kind picks the status.
const moderated = createProxyHandler({
  apiKey: KEY,
  fetch: async () => assert.fail('a refused input must not reach the vendor'),
  transformInput: () => {
    throw new ImageGenError({ kind: 'rate_limited', message: 'Five images a minute.' });
  },
});
const refusedInput = await moderated(
  new Request('http://localhost/api/v2/image/generate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"a corgi"}' }),
);
assert.equal(refusedInput.status, 429);
assert.equal((await refusedInput.json()).error.message, 'Five images a minute.');

// A handler made where the key is not set (a build without secrets) loads, and answers 500 per request.
const errors = [];
const logError = console.error;
console.error = (...args) => errors.push(args.join(' '));
const keyless = createProxyHandler({ apiKey: () => process.env.NOT_SET_IN_THIS_TEST });
const refused = await keyless(new Request('http://app.test/api/v2/tasks/task_1'));
console.error = logError;
assert.equal(refused.status, 500);
assert.equal((await refused.json()).error.code, 'missing_api_key');
assert.equal(errors.length, 1);
console.log(`flash-image-react/server from ESM: proxied ${upstreamCalls.length} requests (fetch handler and node:http)`);
