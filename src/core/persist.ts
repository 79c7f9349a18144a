import type { GenerateImageInput, ImageTask } from './types.js';
import { isHttpUrl, validateGenerateInput } from './validation.js';

/** Where `persist` keeps its record: `localStorage`, `sessionStorage`, or any object with these three methods. */
export interface PersistStorage {
  /** The stored text, or null when there is none. */
  getItem(key: string): string | null;
  /** Stores the text; may throw (a full quota, a private mode), which is reported and otherwise ignored. */
  setItem(key: string, value: string): void;
  /** Forgets the key. */
  removeItem(key: string): void;
}

/** The long form of `persist`. */
export interface PersistConfig {
  /** The storage key. Use one key per hook instance. */
  key: string;
  /** Default: `localStorage`, looked up when first needed (never at import or on a server). */
  storage?: PersistStorage;
}

/** Turns on resume after reload: a storage key (kept in `localStorage`), or a key with its own storage. */
export type PersistOption = string | PersistConfig;

/** One generation as stored: accepted by the server, and either still running or finished. */
export interface PersistedGeneration {
  /** The server's task id: what a reload resumes polling. */
  taskId: string;
  /** What was asked for: prompt, size, seed, references (and model). */
  input: GenerateImageInput;
  /** When the generation was started, ms since the epoch. */
  startedAt: number;
  /** The finished image; absent while the task runs. */
  imageUrl?: string;
  /** When the finished image was seen, ms since the epoch; present with `imageUrl`. */
  completedAt?: number;
}

/** The most finished results `useImageGeneration` keeps by default. */
export const DEFAULT_HISTORY_SIZE = 12;

/** A hard ceiling on stored entries, whatever a batch's size: storage quotas are a few megabytes. */
export const MAX_PERSISTED_ENTRIES = 1000;

const LIB = 'flash-image-react';
const VERSION = 1;

/** The storage key and storage `persist` names; `undefined` when persistence is off. */
export interface PersistTarget {
  key: string;
  /** The storage, looked up on each call (never at import or render), or null where there is none (a server). */
  storage(): PersistStorage | null;
}

function defaultStorage(): PersistStorage | null {
  try {
    // Reading `localStorage` throws where cookies are blocked; on a server it is simply absent.
    return (globalThis as { localStorage?: PersistStorage }).localStorage ?? null;
  } catch {
    return null;
  }
}

/** Resolves a `persist` option; `undefined` or an empty key turns persistence off. */
export function persistTarget(option: PersistOption | undefined): PersistTarget | undefined {
  const { key, storage } = typeof option === 'string' ? { key: option } : (option ?? {});
  if (typeof key === 'string' && key !== '') return { key, storage: storage ? () => storage : defaultStorage };
}

const isTime = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value < Infinity;

/** The stored form of an input: only its own fields, copied, so later edits by the caller do not leak in. */
export function persistableInput({ prompt, model, size, seed, imageUrls }: GenerateImageInput): GenerateImageInput {
  // JSON leaves out the fields that are undefined.
  return { prompt, model, size, seed, imageUrls: imageUrls?.length ? [...imageUrls] : undefined };
}

/** One stored entry, checked field by field; undefined when anything is off. */
export function parseEntry(value: unknown): PersistedGeneration | undefined {
  try {
    // Stored text is untrusted: only the known fields are read, and they pass the checks a new
    // generation would. The image URL ends up in `src` and `href`: only http(s), never `javascript:`.
    const { taskId, input, startedAt, imageUrl, completedAt } = value as PersistedGeneration;
    const entry: PersistedGeneration = { taskId, input: persistableInput(input), startedAt };
    validateGenerateInput(entry.input);
    const finished = imageUrl !== undefined || completedAt !== undefined;
    if (finished) Object.assign(entry, { imageUrl, completedAt });
    const valid =
      typeof taskId === 'string' && taskId.trim() !== '' && taskId.length <= 500 && isTime(startedAt) &&
      (!finished || (isHttpUrl(imageUrl) && isTime(completedAt)));
    if (valid) return entry;
  } catch {
    // Not an object, or an input that fails validation.
  }
  return undefined;
}

/** What reading a stored record found. */
export interface ParsedRecord {
  /** The usable entries, in stored order. */
  entries: PersistedGeneration[];
  /** Why some or all of the content was ignored, for a console warning; undefined when all was fine. */
  problem?: string;
}

/**
 * Reads a stored record. Nothing stored gives no entries; text that is not JSON, not this
 * library's record, or of another version is ignored as a whole; entries that fail their checks
 * (or repeat a task) are dropped one by one. Never throws.
 */
export function parseRecord(text: string | null | undefined): ParsedRecord {
  if (!text) return { entries: [] };
  let record: { lib?: unknown; v?: unknown; entries?: unknown } | undefined;
  try {
    record = JSON.parse(text);
  } catch {
    // Not JSON: refused below like any other content that is not our record.
  }
  const stored = record?.entries;
  if (record?.lib !== LIB || record.v !== VERSION || !Array.isArray(stored)) {
    return { entries: [], problem: `it is not a version ${VERSION} ${LIB} record` };
  }
  const entries: PersistedGeneration[] = [];
  for (const item of stored.slice(0, MAX_PERSISTED_ENTRIES)) {
    const entry = parseEntry(item);
    if (entry && !entries.some((e) => e.taskId === entry.taskId)) entries.push(entry);
  }
  const dropped = stored.length - entries.length;
  return dropped ? { entries, problem: `${dropped} of its entries are not valid` } : { entries };
}

/** The text stored for a list of entries. */
export function serializeRecord(entries: readonly PersistedGeneration[]): string {
  return JSON.stringify({ lib: LIB, v: VERSION, entries: entries.slice(0, MAX_PERSISTED_ENTRIES) });
}

// Storage failures (blocked cookies, a full quota) are reported, never thrown: a generation must
// not fail because it could not be saved.
function attempt<T>(target: PersistTarget, doing: string, action: (storage: PersistStorage | null) => T): T | undefined {
  try {
    return action(target.storage());
  } catch (error) {
    warn(target, `could not ${doing} saved generations: ${String(error)}`);
  }
}

function warn(target: PersistTarget, message: string): void {
  console.warn(`flash-image-react: ${message} (storage key ${JSON.stringify(target.key)}).`);
}

/** Reads and checks the record under the target's key; problems become a console warning, never an error. */
export function readPersisted(target: PersistTarget): PersistedGeneration[] {
  const text = attempt(target, 'read', (storage) => storage?.getItem(target.key));
  const { entries, problem } = parseRecord(text);
  if (problem) warn(target, `ignored saved generations because ${problem}; they will be replaced`);
  return entries;
}

/** Stores the entries (removing the key when there are none); a failing storage is reported, not thrown. */
export function writePersisted(target: PersistTarget, entries: readonly PersistedGeneration[]): void {
  attempt(target, 'save', (storage) =>
    entries.length ? storage?.setItem(target.key, serializeRecord(entries)) : storage?.removeItem(target.key),
  );
}

/** Adds a finished result at the front of a history, replacing an older copy of the same task, and keeps at most `limit`. */
export function addToHistory(
  history: readonly PersistedGeneration[],
  entry: PersistedGeneration,
  limit: number = DEFAULT_HISTORY_SIZE,
): PersistedGeneration[] {
  return [entry, ...removeFromHistory(history, entry.taskId)].slice(0, Math.max(0, limit));
}

/** A history without the given task. */
export function removeFromHistory(history: readonly PersistedGeneration[], taskId: string): PersistedGeneration[] {
  return history.filter((e) => e.taskId !== taskId);
}

/** The task a stored entry stands for until the server is asked again: finished, or pending. `raw` is null. */
export function entryTask({ taskId, imageUrl }: PersistedGeneration): ImageTask {
  return imageUrl ? { taskId, status: 'completed', imageUrl, raw: null } : { taskId, status: 'pending', raw: null };
}
