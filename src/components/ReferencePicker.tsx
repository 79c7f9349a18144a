'use client';
import { useEffect, useId, useRef } from 'react';
import { isSafeImageSrc } from '../core/references.js';
import { defaultReferencePickerLabels, type ReferencePickerLabels } from './labels.js';
import { useReferencePicker, type UseReferencePickerOptions } from '../react/use-reference-picker.js';

/** Props of `<ReferencePicker>`. */
export interface ReferencePickerProps extends UseReferencePickerOptions {
  /** Replace some or all visible strings, e.g. to translate. */
  labels?: Partial<ReferencePickerLabels>;
  /** Added to the root element's classes. */
  className?: string;
  /** Forces the light or dark look; by default it follows `prefers-color-scheme` (or an ancestor's `data-theme`). */
  theme?: 'light' | 'dark';
}

function iconButton(icon: string, label: string, disabled: boolean, onClick: () => void, action?: string) {
  return (
    <button type="button" className="fir-icon-button" data-action={action} aria-label={label} disabled={disabled} onClick={onClick}>
      <span aria-hidden="true">{icon}</span>
    </button>
  );
}

/**
 * Up to 14 reference images for compositing: add by URL, file, drag-and-drop or paste; reorder by
 * keyboard; remove. Controlled (`value` + `onChange`) or uncontrolled (`defaultValue`).
 */
export function ReferencePicker({ labels: labelOverrides, className, theme, ...options }: ReferencePickerProps) {
  const labels = { ...defaultReferencePickerLabels, ...labelOverrides };
  const picker = useReferencePicker(options);
  const { urls, max, count, disabled } = picker;
  const id = useId();
  // Keys survive reordering (so focus and images stay with their item) and tolerate duplicates in a
  // controlled value the app passes in: the nth copy of a URL gets `#n`.
  const keys = urls.map((url, i) => `${url}#${urls.slice(0, i).filter((u) => u === url).length}`);
  const focusAfter = useRef<{ action: string; key?: string; index?: number } | null>(null);

  // Keyboard users keep their place: after a move, focus follows the moved item (found by key) to
  // the same button, or the other one at an end; after a removal, it goes to the Remove of the item
  // now in that place or the one before (the URL input when none is left).
  useEffect(() => {
    const target = focusAfter.current;
    if (!target) return;
    focusAfter.current = null;
    const { action, key, index = keys.indexOf(key!) } = target;
    // References come first in the list, uploads after them; the URL input is the root's first input.
    const root = picker.rootRef.current;
    const item = root?.querySelector('ol')?.children[Math.min(index, keys.length - 1)];
    const enabled = (selector: string) => item?.querySelector<HTMLButtonElement>(`${selector}:enabled`);
    (enabled(`[data-action="${action}"]`) ?? enabled('[data-action]') ?? root?.querySelector('input'))?.focus();
  });

  const move = (index: number, by: number, action: string) => () => {
    focusAfter.current = { action, key: keys[index] };
    picker.move(index, index + by);
  };

  const attrs = { className: `fir-root fir-picker ${className ?? ''}`.trim(), 'data-theme': theme, role: 'group', 'aria-labelledby': `${id}-title` };
  return (
    <div {...picker.getRootProps(attrs)}>
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
            return (
              <li key={keys[index]} className="fir-picker__item" data-state="ready">
                {isSafeImageSrc(url) ? (
                  <img className="fir-picker__thumb" src={url} alt={labels.reference(n)} loading="lazy" />
                ) : (
                  <span className="fir-picker__thumb" role="img" aria-label={labels.reference(n)} />
                )}
                <span className="fir-picker__item-actions">
                  {iconButton('‹', labels.moveEarlier(n), disabled || index === 0, move(index, -1, 'earlier'), 'earlier')}
                  {iconButton('›', labels.moveLater(n), disabled || index === urls.length - 1, move(index, 1, 'later'), 'later')}
                  {iconButton('×', labels.remove(n), disabled, () => {
                    focusAfter.current = { action: 'remove', index };
                    picker.remove(index);
                  }, 'remove')}
                </span>
              </li>
            );
          })}
          {picker.uploads.map(({ id: uploadId, file, status, previewUrl }) => (
            <li key={uploadId} className="fir-picker__item" data-state={status}>
              <img className="fir-picker__thumb" src={previewUrl} alt="" />
              {status === 'uploading' ? (
                <progress className="fir-picker__progress" aria-label={labels.uploading(file.name)} />
              ) : (
                <span className="fir-picker__upload-error">{labels.uploadFailed(file.name)}</span>
              )}
              <span className="fir-picker__item-actions">
                {status === 'failed' && iconButton('↻', labels.retryUpload(file.name), disabled, () => picker.retryUpload(uploadId))}
                {iconButton('×', labels.removeUpload(file.name), disabled, () => picker.removeUpload(uploadId))}
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
          <input {...picker.getUrlInputProps({ id: `${id}-url`, className: 'fir-input', placeholder: 'https://…' })} />
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

      {picker.refusals.length > 0 && (
        <div role="alert" className="fir-alert">
          {picker.refusals.map((refusal, index) => (
            <p key={index}>{labels.refusal(refusal, { max, maxFileBytes: options.maxFileBytes })}</p>
          ))}
        </div>
      )}
    </div>
  );
}
