'use client';
import { useEffect, useId, useRef, useState, type ButtonHTMLAttributes, type ReactNode, type Ref } from 'react';
import { IMAGE_SIZES, MAX_REFERENCE_IMAGES, MAX_SEED } from '../core/constants.js';
import type { ImageGenError } from '../core/errors.js';
import type { PersistOption } from '../core/persister.js';
import { checkReferenceUrl, isSafeImageSrc, randomSeed } from '../core/references.js';
import type { GenerateImageInput, ImageSize, ImageTask } from '../core/types.js';
import { useImageGeneration, type UseImageGenerationResult } from '../react/use-image-generation.js';
import { defaultImageGeneratorLabels, type ImageGeneratorLabels, type ReferencePickerLabels } from './labels.js';
import { ReferencePicker } from './ReferencePicker.js';
import type { UploadFile } from './use-reference-picker.js';

/** The form's starting values. */
export interface ImageGeneratorValues {
  /** Starting prompt. */
  prompt?: string;
  /** Starting size; default `'1:1'`. */
  size?: ImageSize;
  /** Starting seed; empty when undefined. */
  seed?: number;
  /** Starting reference image URLs. */
  imageUrls?: string[];
}

/** What a custom result area receives. */
export interface ImageGeneratorResultProps {
  /** The generation's state and actions, as `useImageGeneration` returns them. */
  generation: UseImageGenerationResult;
  /** Whole seconds since the generation started. */
  elapsedSeconds: number;
  /** Adds the finished image to the reference picker. */
  useAsReference(): void;
  /** Same inputs, a new random seed. */
  regenerate(): void;
}

/** Props of `<ImageGenerator>`. */
export interface ImageGeneratorProps {
  /** The form's starting values. */
  defaultValues?: ImageGeneratorValues;
  /** Time between polls; default 1000 ms. */
  pollIntervalMs?: number;
  /** How long to wait for a task; default 5 minutes. */
  timeoutMs?: number;
  /** Enables file upload in the reference picker. */
  uploadFile?: UploadFile;
  /** Called with the finished task, once per generation (also for one resumed after a reload). */
  onComplete?(task: ImageTask): void;
  /** Called when a generation fails; not when the user cancels. */
  onError?(error: ImageGenError): void;
  /** Replace some or all visible strings; `picker` holds the reference picker's. */
  labels?: Partial<ImageGeneratorLabels> & { picker?: Partial<ReferencePickerLabels> };
  /** Added to the root element's classes. */
  className?: string;
  /** Forces the light or dark look; by default it follows `prefers-color-scheme`. */
  theme?: 'light' | 'dark';
  /** Replaces the result area (the frame, the image and its actions). */
  renderResult?(props: ImageGeneratorResultProps): ReactNode;
  /**
   * Resume after reload: a storage key (in `localStorage`) or `{ key, storage }`. A generation in
   * flight is polled again after a reload without a new POST; the recent results come back too.
   */
  persist?: PersistOption;
  /** Shows the recent results (Re-use, Reference, Remove). Default: on when `persist` is set. */
  showHistory?: boolean;
  /** Recent results kept. Default 12. */
  historySize?: number;
}

const ANNOUNCE_EVERY_S = 10;

/** The form's state; the seed as typed. */
interface FormValues {
  prompt: string;
  size: ImageSize;
  seed: string;
  imageUrls: string[];
}

// One mapping for the starting values and for Re-use of a recent result.
function formValues({ prompt = '', size = '1:1', seed, imageUrls = [] }: ImageGeneratorValues): FormValues {
  return { prompt, size, seed: String(seed ?? ''), imageUrls };
}

const hidden = { visibility: 'hidden' } as const;

const aspect = (size: ImageSize) => ({ aspectRatio: size.replace(':', ' / ') });

function button(label: string, props: ButtonHTMLAttributes<HTMLButtonElement> & { ref?: Ref<HTMLButtonElement> }) {
  return (
    <button type="button" className="fir-button fir-button--secondary" {...props}>
      {label}
    </button>
  );
}

/**
 * Prompt to finished image: prompt, size, seed and references in, a framed result with Download,
 * Open, Use as reference and Regenerate out. A thin shell over `useImageGeneration`.
 */
export function ImageGenerator({
  defaultValues = {},
  pollIntervalMs,
  timeoutMs,
  uploadFile,
  onComplete,
  onError,
  labels: labelOverrides,
  className,
  theme,
  renderResult,
  persist,
  showHistory = persist !== undefined,
  historySize,
}: ImageGeneratorProps) {
  const labels = { ...defaultImageGeneratorLabels, ...labelOverrides };
  const id = useId();
  // Reported by the hook, so a generation resumed after a reload is reported too.
  const generation = useImageGeneration({ intervalMs: pollIntervalMs, timeoutMs, persist, historySize, onComplete, onError });
  const { status, imageUrl, error, isBusy, input, history } = generation;
  // Ticks once a second while busy and stops with the generation, so a finished one keeps its time
  // ("took 12 s") through later renders; whole seconds since the generation started. The clock is
  // read only in this effect, never while rendering: the server's render and the first client
  // render must match, and Next.js prerenders (`cacheComponents`) refuse a clock read.
  const [now, setNow] = useState<number>();
  useEffect(() => {
    if (!isBusy) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [isBusy]);
  const { startedAt } = generation;
  const elapsedSeconds = startedAt === undefined || now === undefined ? 0 : Math.max(0, Math.floor((now - startedAt) / 1000));

  const [values, setValues] = useState(() => formValues(defaultValues));
  const { prompt, size, seed, imageUrls } = values;
  const set = (patch: Partial<FormValues>) => setValues((v) => ({ ...v, ...patch }));
  const blank = !prompt.trim();
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const historyHeading = useRef<HTMLHeadingElement>(null);

  const run = (next: GenerateImageInput) => void generation.generate(next);

  // A random seed, shown in the seed input too.
  const newSeed = () => {
    const next = randomSeed();
    set({ seed: String(next) });
    return next;
  };

  const regenerate = () => {
    if (input && !isBusy) run({ ...input, seed: newSeed() });
  };

  // Only a URL the API accepts as a reference: a custom fetcher may hand back anything.
  const canAdd = (url: string | undefined, urls = imageUrls): url is string =>
    !checkReferenceUrl(url, urls, MAX_REFERENCE_IMAGES - urls.length);
  const addReference = (url: string | undefined) =>
    setValues((v) => (canAdd(url, v.imageUrls) ? { ...v, imageUrls: [...v.imageUrls, url] } : v));
  const useAsReference = () => addReference(imageUrl);

  // Only `validation` errors carry a field.
  const invalidField = error?.field;

  // Focus moves to the alert's Retry only when a generation the user started fails, so a keyboard
  // user lands where the next step is.
  const retryButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (status === 'failed') retryButton.current?.focus();
  }, [status]);

  const shownSize = input?.size ?? size;
  // Once a generation has started, Cancel, its note and the result's actions keep their place and
  // are only hidden (and left out of the accessibility tree) while they do not apply: nothing above
  // or below the result frame moves when the image lands, which counts as layout shift (the Cancel
  // appearing at the click does not: shifts right after an input are expected). Inline styles, so
  // the layout holds without styles.css too.
  const started = status !== 'idle';
  const shownWhileBusy = isBusy ? undefined : hidden;
  const shownImage = status === 'completed' && isSafeImageSrc(imageUrl) ? imageUrl : undefined;

  return (
    <form
      className={`fir-root fir-generator ${className ?? ''}`.trim()}
      data-status={status}
      data-theme={theme}
      onSubmit={(event) => {
        event.preventDefault();
        if (!blank && !isBusy) run({ prompt, size, seed: seed.trim() ? Number(seed) : undefined, imageUrls });
      }}
      noValidate
    >
      <div className="fir-field">
        <label className="fir-label" htmlFor={`${id}-prompt`}>
          {labels.prompt}
        </label>
        <textarea
          ref={promptRef}
          id={`${id}-prompt`}
          className="fir-input fir-textarea"
          value={prompt}
          rows={3}
          placeholder={labels.promptPlaceholder}
          aria-invalid={invalidField === 'prompt' || undefined}
          onChange={(event) => set({ prompt: event.target.value })}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              event.currentTarget.form?.requestSubmit();
            }
          }}
        />
      </div>

      <div className="fir-row">
        <div className="fir-field">
          <span className="fir-label" id={`${id}-size`}>
            {labels.size}
          </span>
          <div className="fir-sizes" role="radiogroup" aria-labelledby={`${id}-size`}>
            {IMAGE_SIZES.map((option) => (
              <label key={option} className="fir-size" data-size={option}>
                <input
                  type="radio"
                  name={`${id}-size`}
                  value={option}
                  checked={size === option}
                  onChange={() => set({ size: option })}
                  aria-label={labels.sizeOption(option)}
                />
                <span className="fir-size__shape" style={aspect(option)} aria-hidden="true" />
                <span className="fir-size__text" aria-hidden="true">
                  {option}
                </span>
              </label>
            ))}
          </div>
        </div>

        <div className="fir-field">
          <label className="fir-label" htmlFor={`${id}-seed`}>
            {labels.seed}
          </label>
          <div className="fir-seed">
            <input
              id={`${id}-seed`}
              className="fir-input"
              type="number"
              inputMode="numeric"
              min={0}
              max={MAX_SEED}
              step={1}
              value={seed}
              aria-describedby={`${id}-seed-hint`}
              aria-invalid={invalidField === 'seed' || undefined}
              onChange={(event) => set({ seed: event.target.value })}
            />
            {button(labels.randomSeed, { onClick: newSeed })}
          </div>
          <span className="fir-hint" id={`${id}-seed-hint`}>
            {labels.seedHint}
          </span>
        </div>
      </div>

      <ReferencePicker value={imageUrls} onChange={(urls) => set({ imageUrls: urls })} uploadFile={uploadFile} labels={labels.picker} />

      <div className="fir-actions">
        <button type="submit" className="fir-button fir-button--primary" disabled={blank || isBusy}>
          {labels.generate}
        </button>
        {started && button(labels.cancel, { onClick: generation.cancel, 'aria-describedby': `${id}-cancel-note`, style: shownWhileBusy })}
      </div>

      {/* The counter beside the status ticks every second on screen; the status region itself says
          the elapsed time in steps of 10 seconds, so screen readers are not interrupted every tick. */}
      <div className="fir-status-row">
        <div className="fir-status" role="status" aria-live="polite">
          {status === 'idle' || status === 'failed' ? '' : labels[status]}
          <span className="fir-visually-hidden">{isBusy && ` ${labels.elapsed(elapsedSeconds - (elapsedSeconds % ANNOUNCE_EVERY_S))}`}</span>
        </div>
        <span className="fir-status__elapsed" aria-hidden="true">
          {isBusy && labels.elapsed(elapsedSeconds)}
        </span>
      </div>
      {started && (
        <p className="fir-hint" id={`${id}-cancel-note`} style={shownWhileBusy}>
          {labels.cancelNote}
        </p>
      )}

      {error && (
        <div className="fir-alert" role="alert">
          <p>{labels.error(error)}</p>
          {error.kind !== 'validation' && input && button(labels.retry, { ref: retryButton, onClick: () => run(input) })}
        </div>
      )}

      {renderResult ? (
        renderResult({ generation, elapsedSeconds, useAsReference, regenerate })
      ) : (
        <div className="fir-result">
          <div className="fir-frame" data-status={status} data-size={shownSize} style={aspect(shownSize)}>
            {shownImage ? (
              <img className="fir-frame__image" src={shownImage} alt={input?.prompt ?? ''} />
            ) : isBusy ? (
              <div className="fir-frame__placeholder" aria-hidden="true" />
            ) : (
              status === 'idle' && <p className="fir-frame__empty">{labels.emptyResult}</p>
            )}
          </div>
          {started && (
            <div className="fir-result__actions" style={shownImage ? undefined : hidden}>
              <a className="fir-button fir-button--secondary" href={shownImage} download>
                {labels.download}
              </a>
              <a className="fir-button fir-button--secondary" href={shownImage} target="_blank" rel="noopener noreferrer">
                {labels.open}
              </a>
              {button(labels.useAsReference, { disabled: !shownImage || !canAdd(imageUrl), onClick: useAsReference })}
              {button(labels.regenerate, { onClick: regenerate })}
            </div>
          )}
        </div>
      )}

      {/* Recent results. Each button's visible text is short; its accessible name starts with it
          and says which image it acts on. */}
      {showHistory && history.length > 0 && (
        <section className="fir-history" aria-labelledby={`${id}-history`}>
          <h3 className="fir-label fir-history__title" id={`${id}-history`} ref={historyHeading} tabIndex={-1}>
            {labels.history}
          </h3>
          <ul className="fir-history__list">
            {history.map((entry, i) => {
              const n = i + 1;
              return (
                <li
                  key={entry.taskId}
                  className="fir-history__item"
                  aria-current={(status === 'completed' && imageUrl !== undefined && entry.imageUrl === imageUrl) || undefined}
                >
                  {isSafeImageSrc(entry.imageUrl) && (
                    <img className="fir-history__image" src={entry.imageUrl} alt={labels.historyImage(n, entry)} loading="lazy" />
                  )}
                  <div className="fir-history__actions">
                    {button(labels.reuseSettings, {
                      'aria-label': labels.reuseSettingsName(n, entry),
                      onClick: () => {
                        setValues(formValues(entry.input));
                        promptRef.current?.focus();
                      },
                    })}
                    {button(labels.historyReference, {
                      'aria-label': labels.historyReferenceName(n, entry),
                      disabled: !canAdd(entry.imageUrl),
                      onClick: () => addReference(entry.imageUrl),
                    })}
                    {button(labels.historyRemove, {
                      'aria-label': labels.historyRemoveName(n, entry),
                      onClick: () => {
                        generation.removeFromHistory(entry.taskId);
                        // The button goes away with its item; keep keyboard focus in the list's region.
                        historyHeading.current?.focus();
                      },
                    })}
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </form>
  );
}
