import { errorResponse } from './json-response.js';

/** Drops a body the handler will not read. Fails quietly: it may be locked or already gone. */
async function discardBody(request: Request): Promise<void> {
  await request.body?.cancel().catch(() => undefined);
}

/**
 * The request body as parsed JSON, or the refusal to answer with. The size limit is counted while
 * streaming, not after: a client can send an endless chunked body, and `request.json()` would hold
 * all of it in memory first.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<{ json: unknown } | Response> {
  // Also a CSRF guard: a cross-site form or `no-cors` fetch cannot send `application/json`
  // without a CORS preflight, which this handler never grants.
  const mediaType = request.headers.get('content-type')?.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    await discardBody(request);
    return errorResponse(415, 'unsupported_media_type', 'invalid_request', 'Send the body as application/json.');
  }
  const tooLarge = () => errorResponse(413, 'body_too_large', 'invalid_request', `The body exceeds ${maxBytes} bytes.`);
  // A declared length over the limit is refused before a byte is read; without a valid one, the
  // count below decides.
  const declared = request.headers.get('content-length') ?? '';
  if (/^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await discardBody(request);
    return tooLarge();
  }
  const chunks: BlobPart[] = [];
  let total = 0;
  if (request.body) {
    try {
      // Throws when the body is locked or was already read (e.g. by an `authorize` that consumed it).
      const reader = request.body.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        total += read.value.byteLength;
        if (total > maxBytes) {
          // Stop pulling: the rest of the upload is never read into memory.
          await reader.cancel().catch(() => undefined);
          return tooLarge();
        }
        chunks.push(read.value);
      }
    } catch {
      return errorResponse(400, 'body_unreadable', 'invalid_request', 'Could not read the body.');
    }
  }
  try {
    return { json: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await new Blob(chunks).arrayBuffer())) };
  } catch {
    // Not JSON, or not UTF-8.
    return errorResponse(400, 'invalid_json', 'invalid_request', 'The body is not valid JSON.');
  }
}
