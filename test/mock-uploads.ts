import { delay, http, HttpResponse } from 'msw';

/** Where the mock keeps uploaded files. */
export const UPLOAD_HOST = 'https://uploads.example.com';

/** Options of `createMockUploads`. */
export interface MockUploadOptions {
  /** How long each upload takes. Default 800 ms. */
  durationMs?: number;
  /** Files whose name matches fail to upload. */
  failName?: RegExp;
}

/**
 * An `uploadFile` for demos and tests: it keeps the file in memory and resolves, after a short
 * wait, with an https URL that the returned msw handler serves. The API needs http(s) references,
 * so a bare object URL would be refused; this is what an app's upload endpoint would return.
 */
export function createMockUploads(options: MockUploadOptions = {}) {
  const files = new Map<string, File>();
  let sequence = 0;

  async function uploadFile(file: File, { signal }: { signal: AbortSignal }): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.durationMs ?? 800);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
    if (options.failName?.test(file.name)) throw new Error(`The upload of ${file.name} was refused.`);
    const id = `u${++sequence}`;
    files.set(id, file);
    return `${UPLOAD_HOST}/${id}/${encodeURIComponent(file.name)}`;
  }

  const handler = http.get(`${UPLOAD_HOST}/:id/:name`, async ({ params }) => {
    const file = files.get(String(params.id));
    if (!file) return new HttpResponse(null, { status: 404 });
    await delay(0);
    return new HttpResponse(await file.arrayBuffer(), { headers: { 'Content-Type': file.type || 'application/octet-stream' } });
  });

  return { uploadFile, handler, files };
}
