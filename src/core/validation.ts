import { DEFAULT_MODEL, IMAGE_SIZES, MAX_REFERENCE_IMAGES, MAX_SEED } from './constants.js';
import { ImageGenError } from './errors.js';
import type { GenerateImageField, GenerateImageInput, ImageSize } from './types.js';

/** An input that passed validation, with the model filled in. */
export type ValidGenerateImageInput = GenerateImageInput & { model: string };

/** True for an absolute `http:` or `https:` URL: the only kind the vendor can fetch, and the only kind safe in `src`/`href`. */
export function isHttpUrl(value: unknown): value is string {
  try {
    return typeof value === 'string' && /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Why an input was refused. */
export interface InputProblem {
  /** The input field at fault. */
  field: GenerateImageField;
  /** What is wrong and what to do, for a person to read. */
  message: string;
}

/**
 * `validateGenerateInput` without the throw: the valid input, or the first problem with it. The
 * server answers a problem rather than throwing it, so its bundle needs no error class.
 */
export function checkGenerateInput(input: GenerateImageInput): ValidGenerateImageInput | InputProblem {
  // Anything but an object (a string, `null`) simply has no prompt.
  const { prompt, model = DEFAULT_MODEL, size, imageUrls, seed } = (input ?? {}) as GenerateImageInput;
  if (typeof prompt !== 'string' || !prompt.trim()) {
    return { field: 'prompt', message: 'Enter a prompt.' };
  }
  if (typeof model !== 'string' || !model.trim()) {
    return { field: 'model', message: 'The model must be non-empty.' };
  }
  if (size !== undefined && !IMAGE_SIZES.includes(size as ImageSize)) {
    return {
      field: 'size',
      message: `Size must be one of ${IMAGE_SIZES.join(', ')}; got ${JSON.stringify(size)}.`,
    };
  }
  if (imageUrls !== undefined) {
    if (!Array.isArray(imageUrls)) {
      return { field: 'imageUrls', message: 'Reference images must be a list of URLs.' };
    }
    if (imageUrls.length > MAX_REFERENCE_IMAGES) {
      return {
        field: 'imageUrls',
        message: `You can add up to ${MAX_REFERENCE_IMAGES} reference images; remove ${imageUrls.length - MAX_REFERENCE_IMAGES}.`,
      };
    }
    const index = imageUrls.findIndex((url) => !isHttpUrl(url));
    if (index !== -1) {
      return {
        field: 'imageUrls',
        message: `Reference image ${index + 1} must be an absolute http:// or https:// URL.`,
      };
    }
  }
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED)) {
    return { field: 'seed', message: `Seed must be a whole number from 0 to ${MAX_SEED}.` };
  }
  const valid: ValidGenerateImageInput = { prompt: prompt.trim(), model: model.trim() };
  if (size) valid.size = size;
  if (imageUrls?.length) valid.imageUrls = [...imageUrls];
  if (seed !== undefined) valid.seed = seed;
  return valid;
}

/**
 * Checks an input before anything is sent, returning it with the prompt trimmed and the model
 * filled in, or throwing an `ImageGenError` of kind `validation` that names the field.
 */
export function validateGenerateInput(input: GenerateImageInput): ValidGenerateImageInput {
  const checked = checkGenerateInput(input);
  if ('message' in checked) throw new ImageGenError({ kind: 'validation', ...checked });
  return checked;
}

/**
 * Each input field and its name in the vendor's JSON (snake_case on the wire). The one place the
 * two spellings meet: the request body, its inverse and the server's error codes all read it.
 */
export const WIRE_NAMES: Readonly<Record<GenerateImageField, string>> = {
  prompt: 'prompt',
  model: 'model',
  size: 'size',
  imageUrls: 'image_urls',
  seed: 'seed',
};

// A function, not a module-level constant: a top-level call would stay in every bundle that
// imports this module, used or not.
const fields = () => Object.entries(WIRE_NAMES) as [GenerateImageField, string][];

/** The vendor's JSON body for a validated input. */
export function toRequestBody(input: ValidGenerateImageInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, wire] of fields()) if (input[field] !== undefined) body[wire] = input[field];
  return body;
}

/**
 * The inverse of `toRequestBody`, for a backend that receives the vendor's body: reads only the
 * known fields, so anything else a client adds is dropped rather than forwarded. `undefined` when
 * the body is not a JSON object. The values are not checked here (a client may send any JSON);
 * pass the result to `checkGenerateInput`.
 */
export function fromRequestBody(body: unknown): GenerateImageInput | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const input: Record<string, unknown> = {};
  // Own properties only: a field must come from the client's JSON, never from a prototype.
  for (const [field, wire] of fields()) {
    if (Object.hasOwn(body, wire)) input[field] = (body as Record<string, unknown>)[wire];
  }
  // Unchecked values under the input's names: `checkGenerateInput` decides what they are.
  return input as unknown as GenerateImageInput;
}
