import type { GenerateImageField, ImageGenErrorKind, ImageTask } from './types.js';

// A registered symbol, so an error made by one copy of this library (two bundles, a server and a
// client build) is still recognised by another; `instanceof` would say no there. Looked up where
// used, not held in a module constant, so code that only recognises errors bundles no class.
const MARKER = 'flash-image-react.error';

/** True for an `ImageGenError` from any copy of this library (`ImageGenError.isImageGenError`). */
export function isImageGenError(value: unknown): value is ImageGenError {
  return Object(value) === value && Symbol.for(MARKER) in (value as object);
}

const RETRYABLE: readonly ImageGenErrorKind[] = ['rate_limited', 'server', 'network'];

/** Everything an `ImageGenError` is made from; only `kind` and `message` are required. */
export interface ImageGenErrorInit {
  /** What went wrong. */
  kind: ImageGenErrorKind;
  /** A sentence a person can act on. */
  message: string;
  /** The HTTP status, when the error came from a response. */
  status?: number;
  /** The vendor's `error.code`, e.g. `'invalid_api_key'`. */
  code?: string;
  /** For `validation`: the input field at fault. */
  field?: GenerateImageField;
  /** How long the server asked us to wait (`Retry-After`). */
  retryAfterMs?: number;
  /** For `insufficient_credits`: the credits the request needed, when the server says. */
  required?: number;
  /** For `insufficient_credits`: the account's balance, when the server says. */
  balance?: number;
  /** For `task_failed` and `timeout`: the task as last seen. */
  task?: ImageTask;
  /** The error body as received. */
  body?: unknown;
  /** The underlying error, e.g. the `TypeError` of a failed `fetch`. */
  cause?: unknown;
}

/** The one error this library throws. Switch on `kind`, never on `message`. */
export class ImageGenError extends Error {
  // `declare`: every field is set in the constructor, so TypeScript emits no separate, empty
  // definition of each.
  /** What went wrong. */
  declare readonly kind: ImageGenErrorKind;
  /** The HTTP status, when the error came from a response. */
  declare readonly status?: number;
  /** True when the same request may succeed later: `rate_limited`, `server`, `network`. */
  declare readonly retryable: boolean;
  /** How long the server asked us to wait before trying again (`Retry-After`). */
  declare readonly retryAfterMs?: number;
  /** The vendor's `error.code`, e.g. `'invalid_api_key'`. */
  declare readonly code?: string;
  /** For `validation`: the input field at fault. */
  declare readonly field?: GenerateImageField;
  /** For `insufficient_credits`: the credits the request needed, when the server says. */
  declare readonly required?: number;
  /** For `insufficient_credits`: the account's balance, when the server says. */
  declare readonly balance?: number;
  /** For `task_failed` and `timeout`: the task as last seen. */
  declare readonly task?: ImageTask;
  /** The error body as received. */
  declare readonly body?: unknown;

  constructor({ message, cause, ...fields }: ImageGenErrorInit) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ImageGenError';
    Object.assign(this, fields);
    this.retryable = RETRYABLE.includes(fields.kind);
    Object.defineProperty(this, Symbol.for(MARKER), { value: true });
  }

  /** True for an `ImageGenError` from any copy of this library. */
  static isImageGenError = isImageGenError;
}

/**
 * Turns whatever a fetcher threw into an `ImageGenError`: custom fetchers may throw anything,
 * and the UI must still be able to switch on `kind`.
 */
export function toImageGenError(error: unknown, signal?: AbortSignal): ImageGenError {
  if (isImageGenError(error)) return error;
  if (signal?.aborted || (error as Error | null)?.name === 'AbortError') {
    return new ImageGenError({ kind: 'aborted', message: 'The request was cancelled.', cause: error });
  }
  const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
  return new ImageGenError({
    kind: 'network',
    message: `Could not reach the image service${detail}. Check your connection and try again.`,
    cause: error,
  });
}
