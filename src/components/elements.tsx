'use client';
import type { ButtonHTMLAttributes, Ref } from 'react';
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
