import { vi } from 'vitest';

/**
 * Records every clock and random read made while `render` runs (each read answers 0). Next.js
 * prerenders client components and refuses such reads, and the server's render must equal the
 * client's first.
 */
export function readsDuring<T>(render: () => T): { html: T; reads: string[] } {
  const reads: string[] = [];
  vi.spyOn(Date, 'now').mockImplementation(() => {
    reads.push('Date.now');
    return 0;
  });
  vi.spyOn(Math, 'random').mockImplementation(() => {
    reads.push('Math.random');
    return 0;
  });
  return { html: render(), reads };
}
