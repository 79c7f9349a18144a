'use client';
import { useEffect, useId, useRef } from 'react';
import { isSafeImageSrc } from '../core/references.js';
import { defaultReferencePickerLabels, type ReferencePickerLabels } from './labels.js';
import { useReferencePicker, type UseReferencePickerOptions } from './use-reference-picker.js';

/** Props of `<ReferencePicker>`. */
export interface ReferencePickerProps extends UseReferencePickerOptions {
  /** Replace some or all visible strings, e.g. to translate. */
  labels?: Partial<ReferencePickerLabels>;
  /** Added to the root element's classes. */
  className?: string;
  /** Forces the light or dark look; by default it follows `prefers-color-scheme` (or an ancestor's `data-theme`). */
  theme?: 'light' | 'dark';
}

function cx(...names: (string | false | undefined)[]): string {
  return names.filter(Boolean).join(' ');
}

// Keys survive reordering (so focus and images stay with their item) and tolerate duplicates in a
// controlled value the app passes in.
function keysFor(urls: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return urls.map((url) => {
    const n = seen.get(url) ?? 0;
    seen.set(url, n + 1);
    return n === 0 ? url : `${url}#${n}`;
  });
}

type FocusTarget = { key: string; action: 'earlier' | 'later' } | { key: null; action: 'input' } | { index: number };

/**
 * Up to 14 reference images for compositing: add by URL, file, drag-and-drop or paste; reorder by
 * keyboard; remove. Controlled (`value` + `onChange`) or uncontrolled (`defaultValue`).
 */
export function ReferencePicker({ labels: labelOverrides, className, theme, ...options }: ReferencePickerProps) {
  const labels = { ...defaultReferencePickerLabels, ...labelOverrides };
  const picker = useReferencePicker(options);
  const { urls, uploads, max, count, disabled, refusals } = picker;
  const id = useId();
  const keys = keysFor(urls);
  const items = useRef(new Map<string, HTMLLIElement>());
  const urlInput = useRef<HTMLInputElement>(null);
  const focusAfter = useRef<FocusTarget | null>(null);

  // Keyboard users keep their place: after a move, focus follows the moved item; after a removal,
  // it goes to the next item's Remove (or the URL input when none is left).
  useEffect(() => {
    const target = focusAfter.current;
    if (!target) return;
    focusAfter.current = null;
    if ('index' in target) {
      const key = keys[Math.min(target.index, keys.length - 1)];
      const next = key === undefined ? undefined : items.current.get(key)?.querySelector<HTMLButtonElement>('[data-action="remove"]');
      (next ?? urlInput.current)?.focus();
      return;
    }
    if (target.key === null) return;
    const item = items.current.get(target.key);
    const preferred = item?.querySelector<HTMLButtonElement>(`[data-action="${target.action}"]:not(:disabled)`);
    (preferred ?? item?.querySelector<HTMLButtonElement>('[data-action="earlier"]:not(:disabled), [data-action="later"]:not(:disabled)'))?.focus();
  });

  const move = (index: number, to: number, action: 'earlier' | 'later') => {
    focusAfter.current = { key: keys[index]!, action };
    picker.move(index, to);
  };
  const remove = (index: number) => {
    focusAfter.current = { index };
    picker.remove(index);
  };

  return (
    <div
      {...picker.getRootProps({
        className: cx('fir-root', 'fir-picker', className),
        'data-theme': theme,
        role: 'group',
        'aria-labelledby': `${id}-title`,
      })}
    >
      <div className="fir-picker__header">
        <span id={`${id}-title`} className="fir-picker__title">
          {labels.title}
        </span>
        <span className="fir-picker__count" aria-live="polite">
          {labels.count(count, max)}
        </span>
      </div>

      {count > 0 && (
        <ol className="fir-picker__list">
          {urls.map((url, index) => {
            const n = index + 1;
            const key = keys[index]!;
            return (
              <li
                key={key}
                ref={(node) => {
                  if (node) items.current.set(key, node);
                  else items.current.delete(key);
                }}
                className="fir-picker__item"
                data-state="ready"
              >
                {isSafeImageSrc(url) ? (
                  <img className="fir-picker__thumb" src={url} alt={labels.reference(n)} loading="lazy" />
                ) : (
                  <span className="fir-picker__thumb" role="img" aria-label={labels.reference(n)} />
                )}
                <span className="fir-picker__item-actions">
                  <button
                    type="button"
                    className="fir-icon-button"
                    data-action="earlier"
                    aria-label={labels.moveEarlier(n)}
                    disabled={disabled || index === 0}
                    onClick={() => move(index, index - 1, 'earlier')}
                  >
                    <span aria-hidden="true">‹</span>
                  </button>
                  <button
                    type="button"
                    className="fir-icon-button"
                    data-action="later"
                    aria-label={labels.moveLater(n)}
                    disabled={disabled || index === urls.length - 1}
                    onClick={() => move(index, index + 1, 'later')}
                  >
                    <span aria-hidden="true">›</span>
                  </button>
                  <button
                    type="button"
                    className="fir-icon-button"
                    data-action="remove"
                    aria-label={labels.remove(n)}
                    disabled={disabled}
                    onClick={() => remove(index)}
                  >
                    <span aria-hidden="true">×</span>
                  </button>
                </span>
              </li>
            );
          })}
          {uploads.map((upload) => (
            <li key={upload.id} className="fir-picker__item" data-state={upload.status}>
              <img className="fir-picker__thumb" src={upload.previewUrl} alt="" />
              {upload.status === 'uploading' ? (
                <progress className="fir-picker__progress" aria-label={labels.uploading(upload.file.name)} />
              ) : (
                <span className="fir-picker__upload-error">{labels.uploadFailed(upload.file.name)}</span>
              )}
              <span className="fir-picker__item-actions">
                {upload.status === 'failed' && (
                  <button
                    type="button"
                    className="fir-icon-button"
                    aria-label={labels.retryUpload(upload.file.name)}
                    disabled={disabled}
                    onClick={() => picker.retryUpload(upload.id)}
                  >
                    <span aria-hidden="true">↻</span>
                  </button>
                )}
                <button
                  type="button"
                  className="fir-icon-button"
                  aria-label={labels.removeUpload(upload.file.name)}
                  disabled={disabled}
                  onClick={() => picker.removeUpload(upload.id)}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}

      <div className="fir-picker__add">
        <label className="fir-label" htmlFor={`${id}-url`}>
          {labels.urlInput}
        </label>
        <div className="fir-picker__add-row">
          <input
            {...picker.getUrlInputProps({ id: `${id}-url`, className: 'fir-input', placeholder: 'https://…' })}
            ref={urlInput}
          />
          <button {...picker.getAddButtonProps({ className: 'fir-button' })}>{labels.add}</button>
        </div>
      </div>

      {picker.canUpload && (
        <div className="fir-picker__upload">
          <input {...picker.getFileInputProps({ id: `${id}-file`, className: 'fir-visually-hidden' })} />
          <label className="fir-button fir-button--secondary" htmlFor={`${id}-file`}>
            {labels.upload}
          </label>
          <span className="fir-picker__hint">{labels.dropHint}</span>
        </div>
      )}

      {refusals.length > 0 && (
        <div role="alert" className="fir-alert">
          {refusals.map((refusal, index) => (
            <p key={index}>{labels.refusal(refusal, { max, maxFileBytes: options.maxFileBytes })}</p>
          ))}
        </div>
      )}
    </div>
  );
}
