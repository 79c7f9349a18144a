import type { QueryClient } from '@tanstack/react-query';
import { performance } from 'node:perf_hooks';
import type { ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import type { ImageFetcher } from '../src/core/types.js';
import { ImageGenProvider } from '../src/react/provider.js';

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check()` holds, looking every `stepMs`; false on timeout. Not for measured windows: the loop costs CPU. */
export async function until(check: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const end = now() + timeoutMs;
  while (!check()) {
    if (now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

/** A full collection (the process runs with --expose-gc). */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
}

/** A young-generation collection (the process runs with --expose-gc). */
export function minorGc(): void {
  (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
}

/** Heap in use after a full collection, MB (only meaningful with --expose-gc). */
export function heapMB(): number {
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Renders `children` inside `ImageGenProvider` (or another build of it) in a new root; returns its unmount. */
export function mount(children: ReactNode, queryClient: QueryClient, fetcher: ImageFetcher, Provider: typeof ImageGenProvider = ImageGenProvider): () => void {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  root.render(
    <Provider fetcher={fetcher} queryClient={queryClient}>
      {children}
    </Provider>,
  );
  return () => {
    flushSync(() => root.unmount());
    container.remove();
  };
}
