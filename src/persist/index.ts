import { persistableInput, type PersistedGeneration } from '../core/history.js';
import { registerPersister, type GenerationPersister, type PersistConfig, type PersistStorage } from '../core/persister.js';
import { isHttpUrl, validateGenerateInput } from '../core/validation.js';

export type { GenerationPersister, PersistConfig, PersistOption, PersistStorage } from '../core/persister.js';
export type { PersistedGeneration } from '../core/history.js';

/** A hard ceiling on stored entries, whatever a batch's size: storage quotas are a few megabytes. */
export const MAX_PERSISTED_ENTRIES = 1000;

const LIB = 'flash-image-react';
const FORMAT = 1;

interface StoredRecord {
  lib?: unknown;
  v?: unknown;
  version?: unknown;
  entries?: unknown;
}

function defaultStorage(): PersistStorage | null {
  try {
    // Reading `localStorage` throws where cookies are blocked; on a server it is simply absent.
    return (globalThis as { localStorage?: PersistStorage }).localStorage ?? null;
  } catch {
    return null;
  }
}

const isTime = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value < Infinity;

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
 * library's record, or of another format is ignored as a whole (with a `problem`), and so, quietly,
 * is a record of another `version` of the app's; entries that fail their checks (or repeat a task)
 * are dropped one by one, and those older than `maxAge` quietly. Never throws.
 */
export function parseRecord(
  text: string | null | undefined,
  { maxAge = Infinity, version }: Pick<PersistConfig, 'maxAge' | 'version'> = {},
  now = Date.now(),
): ParsedRecord {
  if (!text) return { entries: [] };
  let record: StoredRecord | undefined;
  try {
    record = JSON.parse(text) as StoredRecord;
  } catch {
    // Not JSON: refused below like any other content that is not our record.
  }
  const stored = record?.entries;
  if (record?.lib !== LIB || record.v !== FORMAT || !Array.isArray(stored)) {
    return { entries: [], problem: `it is not a version ${FORMAT} ${LIB} record` };
  }
  if (record.version !== version) return { entries: [] };
  const entries: PersistedGeneration[] = [];
  let expired = 0;
  for (const item of stored.slice(0, MAX_PERSISTED_ENTRIES)) {
    const entry = parseEntry(item);
    if (!entry || entries.some((e) => e.taskId === entry.taskId)) continue;
    if (now - (entry.completedAt ?? entry.startedAt) > maxAge) expired += 1;
    else entries.push(entry);
  }
  // Entries past the ceiling count as not valid too.
  const invalid = stored.length - entries.length - expired;
  return invalid ? { entries, problem: `${invalid} of its entries are not valid` } : { entries };
}

/** The text stored for a list of entries. */
export function serializeRecord(entries: readonly PersistedGeneration[], version?: string | number): string {
  return JSON.stringify({ lib: LIB, v: FORMAT, version, entries: entries.slice(0, MAX_PERSISTED_ENTRIES) });
}

/**
 * Keeps a hook's generations in storage, for `persist`: `useImageGeneration({ persist:
 * createGenerationPersister({ key: 'studio', maxAge: 6 * 3600_000 }) })`. Importing it bundles it
 * (about 0.7 kB); a plain key instead loads the same code when first used. Storage is touched only
 * when the hook restores (after mount) or saves, never at import or on a server. Unreadable content
 * and failing storage are reported with a console warning, never thrown: a generation must not
 * fail because it could not be saved.
 */
export function createGenerationPersister(config: PersistConfig): GenerationPersister {
  const { key, storage, version } = config;
  const warn = (message: string) => console.warn(`flash-image-react: ${message} (storage key ${JSON.stringify(key)}).`);
  const attempt = <T>(doing: string, action: (store: PersistStorage | null) => T): T | undefined => {
    try {
      return action(storage ?? defaultStorage());
    } catch (error) {
      warn(`could not ${doing} saved generations: ${String(error)}`);
    }
  };
  return {
    key,
    restore() {
      const { entries, problem } = parseRecord(attempt('read', (store) => store?.getItem(key)), config);
      if (problem) warn(`ignored saved generations because ${problem}; they will be replaced`);
      return entries;
    },
    save(entries) {
      attempt('save', (store) => (entries.length ? store?.setItem(key, serializeRecord(entries, version)) : store?.removeItem(key)));
    },
  };
}

// Loading this module makes `persist: 'key'` restore at once, without loading it again on demand.
registerPersister(createGenerationPersister);
