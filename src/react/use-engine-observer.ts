'use client';
import type { QueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useReducer, useState, useSyncExternalStore } from 'react';
import type { EngineObserver, EngineOptions } from '../core/engine-observer.js';

// On a server neither kind of effect runs; `useEffect` there spares React 18 its warning.
const useClientLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/**
 * The React side of an engine observer, in the manner of TanStack Query's `useBaseQuery`: made
 * once, given the latest options on each render, read through `useSyncExternalStore`.
 */
export function useEngineObserver<TResult, TOptions extends Omit<EngineOptions, 'concurrency'>>(
  create: (client: QueryClient, options: TOptions) => EngineObserver<TResult, TOptions>,
  client: QueryClient,
  options: TOptions,
): TResult {
  const [observer] = useState(() => create(client, options));
  const result = useSyncExternalStore(observer.subscribe, observer.getCurrentResult, observer.getCurrentResult);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  // A layout effect, so `persist` restores before any passive effect, a child's included: a
  // `generate()` from a child's mount effect must find the stored task resumed, not start a second
  // paid one. What the restore changed is rendered before paint.
  useClientLayoutEffect(() => {
    observer.setOptions(options);
    if (observer.getCurrentResult() !== result) rerender();
  });
  return result;
}
