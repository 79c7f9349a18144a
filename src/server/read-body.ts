/** Why a body could not be read. */
export type ReadBodyFailure = 'too_large' | 'unreadable';

/** The body's bytes, or why they were not read. */
export type ReadBodyResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: ReadBodyFailure };

/**
 * Reads a request body, giving up as soon as it passes `maxBytes`. The limit is counted while
 * streaming, not after: a client can send an endless chunked body, and `request.text()` would hold
 * all of it in memory first. A `Content-Length` over the limit is refused before a byte is read.
 */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<ReadBodyResult> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    await cancelQuietly(request.body);
    return { ok: false, reason: 'too_large' };
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };

  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = request.body.getReader();
  } catch {
    // Already read (e.g. by an `authorize` that consumed it) or locked.
    return { ok: false, reason: 'unreadable' };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        // Stop pulling: the rest of the upload is never read into memory.
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too_large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

async function cancelQuietly(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (body === null || body.locked) return;
  await body.cancel().catch(() => undefined);
}
