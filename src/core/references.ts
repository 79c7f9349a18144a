import { MAX_REFERENCE_IMAGES, MAX_SEED } from './constants.js';
import { isHttpUrl } from './validation.js';

/** Why a reference was not added; the UI turns it into words. */
export type ReferenceRefusalCode = 'invalid-url' | 'duplicate' | 'too-many' | 'file-invalid-type' | 'file-too-large';

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
export function checkReferenceUrl(url: string, current: readonly string[], room: number): ReferenceRefusal | null {
  if (!isHttpUrl(url)) return { code: 'invalid-url' };
  if (current.includes(url)) return { code: 'duplicate' };
  if (room <= 0) return { code: 'too-many' };
  return null;
}

/** Whether a file matches an `accept` list such as `image/*,.png` (the file input's own syntax). */
export function matchesAccept(file: { name: string; type: string }, accept: string): boolean {
  const patterns = accept
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  if (patterns.length === 0) return true;
  const name = file.name.toLowerCase();
  const type = file.type.toLowerCase();
  return patterns.some((pattern) => {
    if (pattern.startsWith('.')) return name.endsWith(pattern);
    if (pattern.endsWith('/*')) return type.startsWith(pattern.slice(0, -1));
    return type === pattern;
  });
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
  files: readonly F[],
  rules: FileBatchRules,
): { accepted: F[]; refused: ReferenceRefusal[] } {
  const accepted: F[] = [];
  const refused: ReferenceRefusal[] = [];
  for (const file of files) {
    if (!matchesAccept(file, rules.accept)) refused.push({ code: 'file-invalid-type', fileName: file.name });
    else if (rules.maxFileBytes !== undefined && file.size > rules.maxFileBytes) {
      refused.push({ code: 'file-too-large', fileName: file.name });
    } else if (accepted.length >= rules.room) refused.push({ code: 'too-many', fileName: file.name });
    else accepted.push(file);
  }
  return { accepted, refused };
}

/** A copy of `list` with the item at `from` moved to `to`; out-of-range moves return `list` itself. */
export function moveItem<T>(list: readonly T[], from: number, to: number): readonly T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return list;
  const next = [...list];
  const [item] = next.splice(from, 1) as [T];
  next.splice(to, 0, item);
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
