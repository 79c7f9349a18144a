'use client';
import { useRef } from 'react';
import type { PersistedGeneration } from '../core/persist.js';
import { isSafeImageSrc } from '../core/references.js';
import type { ImageGeneratorLabels } from './labels.js';

/** Props of the recent-results list inside `<ImageGenerator>`. */
export interface GenerationHistoryProps {
  /** Finished results, newest first. */
  entries: readonly PersistedGeneration[];
  /** The image shown in the result frame; its entry is marked as current. */
  currentImageUrl?: string;
  /** Whether `entry`'s image may join the references (not already there, room left). */
  canUseAsReference(entry: PersistedGeneration): boolean;
  /** Puts the entry's prompt, size, seed and references back into the form. */
  onReuse(entry: PersistedGeneration): void;
  /** Adds the entry's image to the references. */
  onUseAsReference(entry: PersistedGeneration): void;
  /** Forgets the entry. */
  onRemove(entry: PersistedGeneration): void;
  /** The generator's strings. */
  labels: ImageGeneratorLabels;
  /** Id prefix for the heading. */
  id: string;
}

/**
 * Recent results with Re-use, Reference and Remove on each. The visible text is short; each button's
 * accessible name starts with it and says which image it acts on.
 */
export function GenerationHistory({ entries, currentImageUrl, canUseAsReference, onReuse, onUseAsReference, onRemove, labels, id }: GenerationHistoryProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  if (entries.length === 0) return null;
  return (
    <section className="fir-history" aria-labelledby={`${id}-history`}>
      <h3 className="fir-label fir-history__title" id={`${id}-history`} ref={heading} tabIndex={-1}>
        {labels.history}
      </h3>
      <ul className="fir-history__list">
        {entries.map((entry, i) => {
          const n = i + 1;
          const src = isSafeImageSrc(entry.imageUrl) ? entry.imageUrl : undefined;
          return (
            <li key={entry.taskId} className="fir-history__item" aria-current={(currentImageUrl !== undefined && entry.imageUrl === currentImageUrl) || undefined}>
              {src && <img className="fir-history__image" src={src} alt={labels.historyImage(n, entry)} loading="lazy" />}
              <div className="fir-history__actions">
                <button type="button" className="fir-button fir-button--secondary" aria-label={labels.reuseSettingsName(n, entry)} onClick={() => onReuse(entry)}>
                  {labels.reuseSettings}
                </button>
                <button
                  type="button"
                  className="fir-button fir-button--secondary"
                  aria-label={labels.historyReferenceName(n, entry)}
                  disabled={!canUseAsReference(entry)}
                  onClick={() => onUseAsReference(entry)}
                >
                  {labels.historyReference}
                </button>
                <button
                  type="button"
                  className="fir-button fir-button--secondary"
                  aria-label={labels.historyRemoveName(n, entry)}
                  onClick={() => {
                    onRemove(entry);
                    // The button goes away with its item; keep keyboard focus in the list's region.
                    heading.current?.focus();
                  }}
                >
                  {labels.historyRemove}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
