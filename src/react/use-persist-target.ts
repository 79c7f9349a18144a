'use client';
import { useMemo } from 'react';
import { persistTarget, type PersistOption, type PersistTarget } from '../core/persist.js';

/** The `persist` option as a stable target: an inline `{ key, storage }` object does not count as a change. */
export function usePersistTarget(option: PersistOption | undefined): PersistTarget | undefined {
  const key = typeof option === 'string' ? option : option?.key;
  const storage = typeof option === 'object' ? option.storage : undefined;
  return useMemo(() => persistTarget(key === undefined ? undefined : { key, storage }), [key, storage]);
}
