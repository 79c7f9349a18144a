import type { PersistStorage } from '../src/core/persister.js';

/** An in-memory `{ getItem, setItem, removeItem }` that outlives a simulated reload, with a log of writes. */
export function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  const writes: { key: string; value: string | null }[] = [];
  const storage: PersistStorage = {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => {
      writes.push({ key, value });
      data.set(key, String(value));
    },
    removeItem: (key) => {
      writes.push({ key, value: null });
      data.delete(key);
    },
  };
  return {
    storage,
    data,
    writes,
    /** The stored record's entries under `key`, parsed; [] when nothing is stored. */
    entries(key: string): Record<string, unknown>[] {
      const text = data.get(key);
      return text === undefined ? [] : (JSON.parse(text) as { entries: Record<string, unknown>[] }).entries;
    },
  };
}
