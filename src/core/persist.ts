import type { GenerateImageInput, ImageSize, ImageTask } from './types.js';
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
    const storage = (globalThis as { localStorage?: PersistStorage }).localStorage;
    return storage ?? null;
  } catch {
    return null;
  }
}

/** Resolves a `persist` option; `undefined` or an empty key turns persistence off. */
export function persistTarget(option: PersistOption | undefined): PersistTarget | undefined {
  if (option === undefined) return undefined;
  const key = typeof option === 'string' ? option : option?.key;
  if (typeof key !== 'string' || key === '') return undefined;
  const storage = typeof option === 'object' ? option.storage : undefined;
  return { key, storage: storage ? () => storage : defaultStorage };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

// Own properties only, and only the fields an input has: stored text is untrusted.
function parseInput(value: unknown): GenerateImageInput | undefined {
  if (!isRecord(value)) return undefined;
  const read = (key: string): unknown => (Object.hasOwn(value, key) ? value[key] : undefined);
  const input: GenerateImageInput = { prompt: read('prompt') as string };
  const model = read('model');
  const size = read('size');
  const imageUrls = read('imageUrls');
  const seed = read('seed');
  if (model !== undefined) input.model = model as string;
  if (size !== undefined) input.size = size as ImageSize;
  if (imageUrls !== undefined) input.imageUrls = imageUrls as string[];
  if (seed !== undefined) input.seed = seed as number;
  try {
    validateGenerateInput(input);
  } catch {
    return undefined;
  }
  return input;
}

/** One stored entry, checked field by field; undefined when anything is off. */
export function parseEntry(value: unknown): PersistedGeneration | undefined {
  if (!isRecord(value)) return undefined;
  const { taskId, startedAt, imageUrl, completedAt } = value;
  if (typeof taskId !== 'string' || taskId.trim() === '' || taskId.length > 500) return undefined;
  if (!isTime(startedAt)) return undefined;
  const input = parseInput(value.input);
  if (!input) return undefined;
  const entry: PersistedGeneration = { taskId, input, startedAt };
  if (imageUrl !== undefined || completedAt !== undefined) {
    // Stored text ends up in `src` and `href`: only http(s) URLs, never `javascript:`.
    if (!isHttpUrl(imageUrl) || !isTime(completedAt)) return undefined;
    entry.imageUrl = imageUrl;
    entry.completedAt = completedAt;
  }
  return entry;
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
 * are dropped one by one. Never throws.
 */
export function parseRecord(text: string | null | undefined): ParsedRecord {
  if (text === null || text === undefined || text === '') return { entries: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { entries: [], problem: 'it is not JSON' };
  }
  if (!isRecord(value) || value.lib !== LIB || !Array.isArray(value.entries)) {
    return { entries: [], problem: 'it is not a flash-image-react record' };
  }
  if (value.v !== VERSION) {
    return { entries: [], problem: `it has version ${JSON.stringify(value.v)}, not ${VERSION}` };
  }
  const entries: PersistedGeneration[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const item of value.entries.slice(0, MAX_PERSISTED_ENTRIES)) {
    const entry = parseEntry(item);
    if (entry && !seen.has(entry.taskId)) {
      seen.add(entry.taskId);
      entries.push(entry);
    } else {
      dropped += 1;
    }
  }
  dropped += Math.max(0, value.entries.length - MAX_PERSISTED_ENTRIES);
  return dropped === 0 ? { entries } : { entries, problem: `${dropped} of its entries are not valid` };
}

/** The text stored for a list of entries. */
export function serializeRecord(entries: readonly PersistedGeneration[]): string {
  return JSON.stringify({ lib: LIB, v: VERSION, entries: entries.slice(0, MAX_PERSISTED_ENTRIES) });
}

function warn(target: PersistTarget, message: string): void {
  console.warn(`flash-image-react: ${message} (storage key ${JSON.stringify(target.key)}).`);
}

/** Reads and checks the record under the target's key; problems become a console warning, never an error. */
export function readPersisted(target: PersistTarget): PersistedGeneration[] {
  let text: string | null;
  try {
    text = target.storage()?.getItem(target.key) ?? null;
  } catch (error) {
    warn(target, `could not read saved generations: ${String(error)}`);
    return [];
  }
  const { entries, problem } = parseRecord(text);
  if (problem) warn(target, `ignored saved generations because ${problem}; they will be replaced`);
  return entries;
}

/** Stores the entries (removing the key when there are none); a failing storage is reported, not thrown. */
export function writePersisted(target: PersistTarget, entries: readonly PersistedGeneration[]): void {
  try {
    const storage = target.storage();
    if (!storage) return;
    if (entries.length === 0) storage.removeItem(target.key);
    else storage.setItem(target.key, serializeRecord(entries));
  } catch (error) {
    warn(target, `could not save generations: ${String(error)}`);
  }
}

/** Adds a finished result at the front of a history, replacing an older copy of the same task, and keeps at most `limit`. */
export function addToHistory(
  history: readonly PersistedGeneration[],
  entry: PersistedGeneration,
  limit: number = DEFAULT_HISTORY_SIZE,
): PersistedGeneration[] {
  const size = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : DEFAULT_HISTORY_SIZE;
  return [entry, ...history.filter((e) => e.taskId !== entry.taskId)].slice(0, size);
}

/** A history without the given task. */
export function removeFromHistory(history: readonly PersistedGeneration[], taskId: string): PersistedGeneration[] {
  return history.filter((e) => e.taskId !== taskId);
}

/** The task a stored entry stands for until the server is asked again: finished, or pending. `raw` is null. */
export function entryTask(entry: PersistedGeneration): ImageTask {
  return entry.imageUrl === undefined
    ? { taskId: entry.taskId, status: 'pending', raw: null }
    : { taskId: entry.taskId, status: 'completed', imageUrl: entry.imageUrl, raw: null };
}

/** The stored form of an input: only its own fields, copied, so later edits by the caller do not leak in. */
export function persistableInput(input: GenerateImageInput): GenerateImageInput {
  const copy: GenerateImageInput = { prompt: input.prompt };
  if (input.model !== undefined) copy.model = input.model;
  if (input.size !== undefined) copy.size = input.size;
  if (input.seed !== undefined) copy.seed = input.seed;
  if (input.imageUrls !== undefined && input.imageUrls.length > 0) copy.imageUrls = [...input.imageUrls];
  return copy;
}
