'use client';
import { useEffect, useState, type ButtonHTMLAttributes, type Ref } from 'react';
import type { ImageSize } from '../core/types.js';

// Once a generation has started, what surrounds a result keeps its place and is only hidden (and
// left out of the accessibility tree) while it does not apply: nothing moves when an image lands,
// which counts as layout shift (what appears at a click does not: shifts right after an input are
// expected). Inline styles, so the layout holds without styles.css too.
export const hidden = { visibility: 'hidden' } as const;

/** A frame's shape from the start, so nothing jumps when its image lands. */
export const aspect = (size: ImageSize = '1:1') => ({ aspectRatio: size.replace(':', ' / ') });

/** A secondary button that never submits the form. */
export function button(label: string, props: ButtonHTMLAttributes<HTMLButtonElement> & { ref?: Ref<HTMLButtonElement> }) {
  return (
    <button type="button" className="fir-button fir-button--secondary" {...props}>
      {label}
    </button>
  );
}

/**
 * The time, ticking once a second while `running` and kept when it stops (a finished generation
 * keeps its "took 12 s"); undefined until the first tick. The clock is read only in this effect,
 * never while rendering: the server's render and the first client render must match, and Next.js
 * prerenders (`cacheComponents`) refuse a clock read.
 */
export function useClock(running: boolean | undefined): number | undefined {
  const [now, setNow] = useState<number>();
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

/** Whole seconds from `startedAt` to `now` (from `useClock`); 0 before either is known. */
export const secondsSince = (startedAt: number | undefined, now: number | undefined) =>
  startedAt === undefined || now === undefined ? 0 : Math.max(0, Math.floor((now - startedAt) / 1000));
