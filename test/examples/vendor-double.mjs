// A stand-in for the vendor's image API on loopback, written from shared/vendor-api.md: the two
// documented endpoints, the documented bodies and error shape, tasks that go pending → processing →
// completed on a clock, and the finished image served from here as a real PNG. Every request is
// recorded, so the harness counts what the apps' proxies really sent.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';

const MODEL = 'gemini-3.1-flash-image-preview';
const SIZES = { '1:1': [256, 256], '16:9': [320, 180], '9:16': [180, 320] };

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A width × height RGB PNG with a diagonal gradient: a picture a browser really decodes. */
export function png(width, height) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 255) / width;
      row[2 + x * 3] = (y * 255) / height;
      row[3 + x * 3] = 160;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const error = (code, type, message) => ({ error: { code, type, message } });

/**
 * Starts the double on 127.0.0.1. `apiKey` is the only key it accepts; a task is `pending` for
 * `pendingMs`, `processing` until `durationMs` after its POST, then `completed`.
 */
export async function startVendorDouble({ apiKey, pendingMs = 1500, durationMs = 4500 }) {
  /** @type {{ at: number, method: string, path: string, status: number, authorized: boolean, prompt?: string, taskId?: string, taskStatus?: string }[]} */
  const requests = [];
  /** @type {Map<string, { prompt: string, size: string, createdAt: number }>} */
  const tasks = new Map();
  let origin = '';

  const server = createServer(async (req, res) => {
    const at = performance.now();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const entry = { at, method: req.method ?? '', path, status: 0, authorized: req.headers.authorization === `Bearer ${apiKey}` };
    requests.push(entry);
    let text = '';
    for await (const part of req) text += part;
    const send = (status, body, type = 'application/json') => {
      entry.status = status;
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(type === 'application/json' ? JSON.stringify(body) : body);
    };

    // The finished images: on the vendor's file host, fetched by the browser without a key.
    const file = /^\/files\/([\w-]+)\.png$/.exec(path);
    if (req.method === 'GET' && file) {
      const task = tasks.get(file[1]);
      if (!task) return send(404, error('not_found', 'not_found_error', 'No such file.'));
      const [width, height] = SIZES[task.size] ?? SIZES['1:1'];
      return send(200, png(width, height), 'image/png');
    }

    if (!req.headers.authorization) return send(401, error('missing_api_key', 'authentication_error', 'No API key was sent.'));
    if (!entry.authorized) return send(401, error('invalid_api_key', 'authentication_error', 'The API key is not valid.'));

    if (req.method === 'POST' && path === '/api/v2/image/generate') {
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return send(400, error('invalid_json', 'invalid_request_error', 'The body is not JSON.'));
      }
      entry.prompt = body.prompt;
      if (typeof body.prompt !== 'string' || !body.prompt.trim()) {
        return send(422, error('validation_error', 'invalid_request_error', '`prompt` is required.'));
      }
      const taskId = randomUUID().replaceAll('-', '');
      entry.taskId = taskId;
      tasks.set(taskId, { prompt: body.prompt, size: body.size ?? '1:1', createdAt: at });
      return send(202, { task_id: taskId, status: 'pending', capability: 'image', action: 'generate', model: body.model ?? MODEL });
    }

    const taskPath = /^\/api\/v2\/tasks\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && taskPath) {
      const taskId = decodeURIComponent(taskPath[1]);
      const task = tasks.get(taskId);
      entry.taskId = taskId;
      if (!task) return send(404, error('task_not_found', 'not_found_error', 'No such task.'));
      entry.prompt = task.prompt;
      const age = at - task.createdAt;
      const base = { task_id: taskId, capability: 'image', _type: 'image.generate', model: MODEL };
      if (age < pendingMs) entry.taskStatus = 'pending';
      else if (age < durationMs) entry.taskStatus = 'processing';
      else entry.taskStatus = 'completed';
      if (entry.taskStatus !== 'completed') {
        return send(200, { ...base, status: entry.taskStatus, progress: Math.min(99, Math.floor((age / durationMs) * 100)) });
      }
      return send(200, { ...base, status: 'completed', imageUrl: `${origin}/files/${taskId}.png`, credits_used: 3 });
    }

    return send(404, error('not_found', 'not_found_error', `No route ${req.method} ${path}.`));
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    requests,
    durationMs,
    /** The API calls (not image downloads) made for one prompt, in order. */
    callsFor: (prompt) => requests.filter((r) => r.prompt === prompt && r.path.startsWith('/api/')),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
