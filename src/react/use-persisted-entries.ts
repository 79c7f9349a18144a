'use client';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type DependencyList } from 'react';
import {
  persistTarget,
  readPersisted,
  serializeRecord,
  writePersisted,
  type PersistedGeneration,
  type PersistOption,
} from '../core/persist.js';

// A layout effect, so the restore runs before any passive effect, a child's included: a
// `generate()` from a child's mount effect must find the stored task already resumed, not start a
// second paid generation and drop the first. On a server neither kind runs; `useEffect` there
// spares React 18 its warning about layout effects.
const useRestoreEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/**
 * Keeps `persist` storage in step with a hook: once per key, after mount (never during render, so
 * server and client render the same), `restore` is given a reader of what is stored and returns
 * the entries it now shows; from the next render on, the entries `snapshot` gives are written
 * whenever `deps` change and their stored text with them. `snapshot` runs only with persistence
 * on, after the render, never on the render path. So unreadable content (maybe another app's, under the same key) stays until there
 * is something to store, and a change of key never writes one key's entries under another before
 * that key was read.
 */
export function usePersistedEntries(
  option: PersistOption | undefined,
  restore: (read: () => PersistedGeneration[]) => readonly PersistedGeneration[],
  snapshot: () => readonly PersistedGeneration[],
  deps: DependencyList,
): void {
  // Keyed by what the option says, not by the object that says it: an inline `{ key, storage }`
  // is not a change.
  const { key, storage } = option && typeof option === 'object' ? option : { key: option };
  const target = useMemo(() => persistTarget(key === undefined ? undefined : { key, storage }), [key, storage]);
  const latest = useRef({ restore, snapshot });
  latest.current = { restore, snapshot };
  const restoredKey = useRef<string>(undefined);
  const [hydratedKey, setHydratedKey] = useState<string>();
  // What storage holds as far as this hook knows.
  const stored = useRef('');

  useRestoreEffect(() => {
    // A ref, not the state: StrictMode runs this twice before any re-render.
    if (!target || restoredKey.current === target.key) return;
    restoredKey.current = target.key;
    stored.current = serializeRecord(latest.current.restore(() => readPersisted(target)));
    setHydratedKey(target.key);
  }, [target]);

  useEffect(() => {
    if (!target || hydratedKey !== target.key) return;
    const entries = latest.current.snapshot();
    const text = serializeRecord(entries);
    if (text !== stored.current) writePersisted(target, entries);
    stored.current = text;
    // `deps` stand for what `snapshot` reads.
  }, [target, hydratedKey, ...deps]);
}
