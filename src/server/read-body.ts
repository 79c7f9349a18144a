import { errorResponse } from './json-response.js';

/**
 * The request body as parsed JSON, or the refusal to answer with (a `Response`, which no JSON parses
 * to). The size limit is counted while streaming, not after: a client can send an endless chunked
 * body, and `request.json()` would hold all of it in memory first.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const { body, headers } = request;
  const tooLarge = () => errorResponse(413, 'body_too_large', 'invalid_request', `The body exceeds ${maxBytes} bytes.`);
  const refusal =
    // Also a CSRF guard: a cross-site form or `no-cors` fetch cannot send `application/json`
    // without a CORS preflight, which this handler never grants.
    !/^application\/json\s*(;|$)/i.test(headers.get('content-type') ?? '') ?
      errorResponse(415, 'unsupported_media_type', 'invalid_request', 'Send the body as application/json.')
      // A declared length over the limit is refused before a byte is read; without one (or with
      // one that is not a number), the count below decides.
    : Number(headers.get('content-length')) > maxBytes ? tooLarge()
    : undefined;
  if (refusal) {
    // Dropped unread. Fails quietly: it may be locked or already gone.
    await body?.cancel().catch(() => undefined);
    return refusal;
  }
  const chunks: BlobPart[] = [];
  let total = 0;
  try {
    // Throws when the body is locked or was already read (e.g. by an `authorize` that consumed it).
    for await (const chunk of body ?? []) {
      // Leaving the loop cancels the stream: the rest of the upload is never read into memory.
      if ((total += chunk.byteLength) > maxBytes) return tooLarge();
      chunks.push(chunk);
    }
  } catch {
    return errorResponse(400, 'body_unreadable', 'invalid_request', 'Could not read the body.');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await new Blob(chunks).arrayBuffer()));
  } catch {
    // Not JSON, or not UTF-8.
    return errorResponse(400, 'invalid_json', 'invalid_request', 'The body is not valid JSON.');
  }
}
