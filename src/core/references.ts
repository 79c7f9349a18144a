import { MAX_REFERENCE_IMAGES, MAX_SEED } from './constants.js';
import { isHttpUrl } from './validation.js';

/** Why a reference was not added; the UI turns it into words. Snake_case, like `ImageGenError`'s kinds and the server's codes. */
export type ReferenceRefusalCode = 'invalid_url' | 'duplicate' | 'too_many' | 'file_invalid_type' | 'file_too_large';

/** A refused addition, for the picker's alert. */
export interface ReferenceRefusal {
  /** Why it was refused. */
  code: ReferenceRefusalCode;
  /** The file's name, for the file codes. */
  fileName?: string;
}

/** A picker's limit: at least 1, never above what the API accepts. */
export function clampMax(max: number | undefined): number {
  return Number.isFinite(max) ? Math.min(MAX_REFERENCE_IMAGES, Math.max(1, Math.floor(max!))) : MAX_REFERENCE_IMAGES;
}

/** Whether `url` may join `current`: refused when malformed, already there, or over the limit. */
export function checkReferenceUrl(url: string | undefined, current: readonly string[], room: number): ReferenceRefusal | null {
  if (!isHttpUrl(url)) return { code: 'invalid_url' };
  if (current.includes(url)) return { code: 'duplicate' };
  if (room <= 0) return { code: 'too_many' };
  return null;
}

/** Whether a file matches an `accept` list such as `image/*,.png` (the file input's own syntax). */
export function matchesAccept(file: { name: string; type: string }, accept: string): boolean {
  const patterns = accept
    .toLowerCase()
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const name = file.name.toLowerCase();
  const type = file.type.toLowerCase();
  return (
    !patterns.length ||
    patterns.some((pattern) =>
      pattern[0] === '.' ? name.endsWith(pattern) : pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern,
    )
  );
}

/** Options for sorting a batch of files. */
export interface FileBatchRules {
  /** The file input's `accept` syntax. */
  accept: string;
  /** Largest file in bytes; no limit when undefined. */
  maxFileBytes?: number;
  /** Free places left in the picker. */
  room: number;
}

/**
 * Splits a batch of files into those to upload and those refused. Wrong type and size are refused
 * first; of the rest, the first ones that fit are kept in order and the others refused as too many.
 */
export function sortFileBatch<F extends { name: string; type: string; size: number }>(
  files: Iterable<F>,
  rules: FileBatchRules,
): { accepted: F[]; refused: ReferenceRefusal[] } {
  const accepted: F[] = [];
  const refused: ReferenceRefusal[] = [];
  for (const file of files) {
    const code = !matchesAccept(file, rules.accept)
      ? 'file_invalid_type'
      : file.size > (rules.maxFileBytes ?? Infinity)
        ? 'file_too_large'
        : accepted.length >= rules.room
          ? 'too_many'
          : undefined;
    if (code) refused.push({ code, fileName: file.name });
    else accepted.push(file);
  }
  return { accepted, refused };
}

/**
 * A copy of `list` with the item at `from` moved to `to`. A move to the same place, or from or to an
 * index `list` does not have (out of range, negative, fractional), returns `list` itself.
 */
export function moveItem<T>(list: readonly T[], from: number, to: number): readonly T[] {
  if (from === to || !(from in list) || !(to in list)) return list;
  const next = [...list];
  next.splice(to, 0, ...next.splice(from, 1));
  return next;
}

/** True for a URL safe to put in `src`/`href`: http(s), plus `blob:` and `data:image/` for local previews. Never `javascript:`. */
export function isSafeImageSrc(url: unknown): url is string {
  return typeof url === 'string' && (/^\s*(blob:|data:image\/)/i.test(url) || isHttpUrl(url));
}

/** A random seed in the range the API accepts. */
export function randomSeed(): number {
  return Math.floor(Math.random() * (MAX_SEED + 1));
}
