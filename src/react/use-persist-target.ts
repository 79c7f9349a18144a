'use client';
import { useMemo } from 'react';
import { persistTarget, type PersistOption, type PersistTarget } from '../core/persist.js';

/** The `persist` option as a stable target: an inline `{ key, storage }` object does not count as a change. */
export function usePersistTarget(option: PersistOption | undefined): PersistTarget | undefined {
  const { key, storage } = option && typeof option === 'object' ? option : { key: option };
  // Keyed by what the option says, not by the object that says it.
  return useMemo(() => persistTarget(key === undefined ? undefined : { key, storage }), [key, storage]);
}
