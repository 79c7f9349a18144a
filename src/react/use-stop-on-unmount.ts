'use client';
import { useEffect, useRef } from 'react';

/**
 * Calls `stop` when the component really unmounts, so nothing awaits or polls for it forever.
 * Deferred a tick, because StrictMode unmounts and remounts at once and work in flight must
 * survive that untouched.
 */
export function useStopOnUnmount(stop: () => void): void {
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      setTimeout(() => {
        if (!mounted.current) stop();
      }, 0);
    };
  }, [stop]);
}
