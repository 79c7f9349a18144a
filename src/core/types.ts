/** The aspect ratios the model can produce. */
export type ImageSize = '1:1' | '16:9' | '9:16';

/** What the app asks for: one image from a prompt and optional reference images. */
export interface GenerateImageInput {
  /** What to draw. Must contain more than white space. */
  prompt: string;
  /** The vendor's model id. Defaults to `DEFAULT_MODEL`; always sent, because the server's own default is another model. */
  model?: string;
  /** Aspect ratio of the result. The vendor defaults to `'1:1'`. */
  size?: ImageSize;
  /** Reference images to composite from, sent in this order: absolute `http:`/`https:` URLs, at most 14. */
  imageUrls?: string[];
  /** A whole number from 0 to 2147483647; the same seed and inputs give a similar image. */
  seed?: number;
}

/** A task's state, normalised from whatever the server calls it. */
export type TaskStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** One generation task as the library sees it. */
export interface ImageTask {
  /** The server's id for the task; poll it with `useTaskStatus(taskId)`. */
  taskId: string;
  /** Normalised status; `cancelled`, `expired` and the like are `'failed'`. */
  status: TaskStatus;
  /** The finished image (only `http:`/`https:` URLs are accepted); present when `status` is `'completed'`. */
  imageUrl?: string;
  /** The server's reason when `status` is `'failed'`. */
  error?: string;
  /** The server's body as received, for fields this library does not read. */
  raw: unknown;
}

/**
 * Time between polls of a running task: a number of milliseconds, or a schedule called before each
 * wait with `attempt`, the number of reads of the task answered so far (0 while none has been), and
 * the task as last seen (undefined until then). E.g. `(attempt) => (attempt === 0 ? 4000 : 1000)`
 * skips the first seconds in which an image is never ready.
 */
export type PollInterval = number | ((attempt: number, task: ImageTask | undefined) => number);

/** Options every fetcher call takes. */
export interface RequestOptions {
  /** Aborts the request; the call then rejects with `kind: 'aborted'`. */
  signal?: AbortSignal;
}

/**
 * The transport every request goes through. `createHttpFetcher` is one implementation; a server
 * action, a tRPC procedure or a test double are others. Implementations should reject with
 * `ImageGenError`; anything else they throw is wrapped as a `network` error.
 */
export interface ImageFetcher {
  /** Starts a generation (a billed POST) and resolves with the new task. */
  generate(input: GenerateImageInput, options?: RequestOptions): Promise<ImageTask>;
  /** Reads a task's current state. */
  getTask(taskId: string, options?: RequestOptions): Promise<ImageTask>;
}

// The DOM's `HeadersInit`, spelled out: that name exists only in the DOM lib, and a server project
// that type-checks `flash-image-react/server` without the DOM lib loads this file too.
type HeaderValues = Headers | Record<string, string> | [string, string][];

/** Headers, or a function that returns them (awaited before every request, e.g. to read a fresh token). */
export type HeadersOption = HeaderValues | (() => HeaderValues | Promise<HeaderValues>);

/** Options of `createHttpFetcher`. */
export interface HttpFetcherOptions {
  /** Where the API lives. Default `https://api.aiclonevoicefree.com`; `'/api/flash-image'` routes via the app's own backend. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer …`. Leave it out in browsers and let a backend add it. */
  apiKey?: string;
  /** Extra headers for every request. */
  headers?: HeadersOption;
  /** The low-level `fetch` every request goes through. Default: the global `fetch`, looked up at call time. */
  fetch?: typeof fetch;
}

/** What went wrong, for the UI to switch on. */
export type ImageGenErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'insufficient_credits'
  | 'rate_limited'
  | 'not_found'
  | 'server'
  | 'network'
  | 'bad_response'
  | 'task_failed'
  | 'timeout'
  | 'aborted';

/** The input field a validation error is about. */
export type GenerateImageField = 'prompt' | 'model' | 'size' | 'imageUrls' | 'seed';
