import type { PersistedGeneration } from './history.js';

/** Where `persist` keeps its record: `localStorage`, `sessionStorage`, or any object with these three methods. */
export interface PersistStorage {
  /** The stored text, or null when there is none. */
  getItem(key: string): string | null;
  /** Stores the text; may throw (a full quota, a private mode), which is reported and otherwise ignored. */
  setItem(key: string, value: string): void;
  /** Forgets the key. */
  removeItem(key: string): void;
}

/** The long form of `persist`, and the options of `createGenerationPersister`. */
export interface PersistConfig {
  /** The storage key. Use one key per hook instance. */
  key: string;
  /** Default: `localStorage`, looked up when first needed (never at import or on a server). */
  storage?: PersistStorage;
  /** Entries older than this (ms since they finished, or since they started while running) are not restored. Default: no limit; the vendor's result files expire after about a day, so `24 * 3600_000` suits most apps. */
  maxAge?: number;
  /** Your own version of what is stored: a record saved under another version is ignored (e.g. after a deploy that changes inputs). Default none. */
  version?: string | number;
}

/**
 * Reads and writes one hook's generations: what `createGenerationPersister` (from
 * `flash-image-react/persist`) returns. Any object with these members works.
 */
export interface GenerationPersister {
  /** The storage key, which tells one persister's record from another's. */
  readonly key: string;
  /** What is stored: valid, unexpired entries only; problems are reported as a console warning, never thrown. */
  restore(): PersistedGeneration[];
  /** Stores the entries (an empty list removes the record); a failing storage is reported, not thrown. */
  save(entries: readonly PersistedGeneration[]): void;
}

/**
 * Turns on resume after reload: a persister from `createGenerationPersister` (bundled with your app),
 * or a storage key or `PersistConfig`, for which the persistence code is loaded when first used.
 */
export type PersistOption = string | PersistConfig | GenerationPersister;

type CreatePersister = (config: PersistConfig) => GenerationPersister;

let loaded: CreatePersister | undefined;

/** Called by `flash-image-react/persist` when it loads: a key or config is then used at once. */
export function registerPersister(create: CreatePersister | undefined): void {
  loaded = create;
}

/**
 * The key a `persist` option names: what decides whether to restore. Not the object, nor its
 * storage: an inline `{ key, storage: { getItem, … } }` or a persister made while rendering is the
 * same option at every render (restoring on each new object would render without end).
 */
export function persistKey(option: PersistOption | undefined): string | undefined {
  return (typeof option === 'object' ? option.key : option) || undefined;
}

/**
 * The persister a `persist` option stands for: itself, or one made for its key. Only a key or a
 * config needs the persistence code, which is then imported on first use, so an app that never
 * persists never loads it.
 */
export function resolvePersister(option: PersistOption): GenerationPersister | Promise<GenerationPersister> {
  if (typeof option === 'object' && 'restore' in option) return option;
  const config = typeof option === 'string' ? { key: option } : option;
  if (loaded) return loaded(config);
  return import('../persist/index.js').then(({ createGenerationPersister }) => createGenerationPersister(config));
}
