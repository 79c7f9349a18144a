import { QueryClient } from '@tanstack/react-query';
import { act } from '@testing-library/react';
import { vi } from 'vitest';
import type { ReactNode } from 'react';
import { createHttpFetcher } from '../src/core/http-fetcher.js';
import type { ImageFetcher } from '../src/core/types.js';
import { ImageGenProvider } from '../src/react/provider.js';

/** A fresh cache and fetcher per test, and a wrapper that provides them. */
export function createTestProvider(fetcher: ImageFetcher = createHttpFetcher()) {
  const queryClient = new QueryClient();
  function Wrapper({ children }: { children: ReactNode }) {
    return (
      <ImageGenProvider fetcher={fetcher} queryClient={queryClient}>
        {children}
      </ImageGenProvider>
    );
  }
  return { queryClient, fetcher, Wrapper };
}

/** Moves fake time on by `ms`, letting due timers, msw responses and React renders run on the way. */
export async function advance(ms: number) {
  await act(() => vi.advanceTimersByTimeAsync(ms));
}
