import { QueryClient, defaultScheduler, notifyManager } from '@tanstack/react-query';
import { act } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { StrictMode, type ReactNode } from 'react';
import { createHttpFetcher } from '../src/core/http-fetcher.js';
import type { ImageFetcher } from '../src/core/types.js';
import { ImageGenProvider } from '../src/react/provider.js';

/**
 * A fresh cache and fetcher per test, and a wrapper that provides them; `strict` wraps it in
 * StrictMode, whose double effects must not double a POST.
 */
export function createTestProvider(fetcher: ImageFetcher = createHttpFetcher(), { strict = false } = {}) {
  const queryClient = new QueryClient();
  function Wrapper({ children }: { children: ReactNode }) {
    const provided = (
      <ImageGenProvider fetcher={fetcher} queryClient={queryClient}>
        {children}
      </ImageGenProvider>
    );
    return strict ? <StrictMode>{provided}</StrictMode> : provided;
  }
  return { queryClient, fetcher, Wrapper };
}

/** Moves fake time on by `ms`, letting due timers, msw responses and React renders run on the way. */
export async function advance(ms: number) {
  await act(() => vi.advanceTimersByTimeAsync(ms));
}

/**
 * Fake timers for every test of the calling file, with TanStack Query handing results to React in a
 * microtask: its default setTimeout(0) batch, scheduled during a fake tick, runs 1 ms late, so
 * results would show 1 ms after the response instead of at the exact time it was answered.
 */
export function withFakeClock() {
  beforeEach(() => {
    vi.useFakeTimers();
    notifyManager.setScheduler(queueMicrotask);
  });
  afterEach(() => notifyManager.setScheduler(defaultScheduler));
}
