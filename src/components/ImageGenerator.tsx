'use client';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { isSettledItem } from '../core/batch.js';
import { IMAGE_SIZES, MAX_REFERENCE_IMAGES, MAX_SEED } from '../core/constants.js';
import type { PersistOption } from '../core/persister.js';
import { checkReferenceUrl, isSafeImageSrc, randomSeed } from '../core/references.js';
import type { GenerateImageInput } from '../core/types.js';
import { checkGenerateInput } from '../core/validation.js';
import { creditsPerImage as CREDITS_PER_IMAGE, DEFAULT_VARIATION_CHOICES, isVariationCount, MAX_VARIATIONS, variationInputs } from '../core/variations.js';
import { useImageBatch, type UseImageBatchResult } from '../react/use-image-batch.js';
import { useImageGeneration, type UseImageGenerationOptions, type UseImageGenerationResult } from '../react/use-image-generation.js';
import type { UploadFile } from '../react/use-reference-picker.js';
import {
  ImageGeneratorContext,
  useImageGeneratorContext,
  type ImageGeneratorAllLabels,
  type ImageGeneratorContextValue,
  type ImageGeneratorFormValues,
  type ImageGeneratorResultProps,
  type ImageGeneratorValues,
} from './context.js';
import { aspect, button, hidden, secondsSince, useClock } from './elements.js';
import { batchStatus, ImageGeneratorGallery } from './ImageGeneratorGallery.js';
import { defaultImageGalleryLabels, defaultImageGeneratorLabels } from './labels.js';
import { ReferencePicker, type ReferencePickerProps } from './ReferencePicker.js';

export {
  useImageGeneratorContext,
  type ImageGeneratorAllLabels,
  type ImageGeneratorContextValue,
  type ImageGeneratorFormValues,
  type ImageGeneratorResultProps,
  type ImageGeneratorValues,
} from './context.js';

/** `<ImageGenerator variations={…}>`: the counts offered and the one chosen, controlled or not. */
export interface ImageGeneratorVariationsOptions {
  /** The counts offered, in this order: whole numbers from 1 to 10. Default `[1, 2, 3, 4]`. */
  choices?: readonly number[];
  /** The count to start from, uncontrolled. Default: the first choice. */
  defaultValue?: number;
  /** The count, controlled by the app (with `onValueChange`). */
  value?: number;
  /** Called with the count the user picks. */
  onValueChange?(count: number): void;
}

/** Props of `<ImageGeneratorRoot>`, which `<ImageGenerator>` takes too; the generation's options are `useImageGeneration`'s. */
export interface ImageGeneratorRootProps
  extends Pick<UseImageGenerationOptions, 'intervalMs' | 'timeoutMs' | 'persist' | 'historySize' | 'onComplete' | 'onError'> {
  /** The form's starting values. */
  defaultValues?: ImageGeneratorValues;
  /** @deprecated Use `intervalMs`, which wins when both are given. */
  pollIntervalMs?: number;
  /** Replace some or all visible strings; `picker` holds the reference picker's, `gallery` the gallery's. */
  labels?: Partial<ImageGeneratorAllLabels>;
  /**
   * Lets one Generate make several images (one batch of distinct seeds): `true` offers 1 to 4, an
   * object sets the choices and the count (see `ImageGeneratorVariationsOptions`). Off by default.
   */
  variations?: boolean | ImageGeneratorVariationsOptions;
  /** Credits one image costs, for Generate's label with `variations`. Default `creditsPerImage` (3, the vendor's price). */
  creditsPerImage?: number;
  /** Added to the root element's classes. */
  className?: string;
  /** Forces the light or dark look; by default it follows `prefers-color-scheme`. */
  theme?: 'light' | 'dark';
  /** The parts, laid out as you like. */
  children?: ReactNode;
}

// One mapping for the starting values and for Re-use of a recent result.
function formValues({ prompt = '', size = '1:1', seed, imageUrls = [] }: ImageGeneratorValues): ImageGeneratorFormValues {
  return { prompt, size, seed: String(seed ?? ''), imageUrls };
}

// The batch keeps a record of its own beside the generator's, under `${key}:variations`. A
// persister object stands for one record only: its batch is not stored.
function variationsPersist(persist: PersistOption | undefined): PersistOption | undefined {
  if (typeof persist === 'string') return persist && `${persist}:variations`;
  return persist && !('restore' in persist) ? { ...persist, key: `${persist.key}:variations` } : undefined;
}

// The counts offered and the one chosen: a choice that is not a whole number from 1 to 10 is left
// out, with a warning for the developer; a chosen count that is not offered is refused at Generate.
function useVariationCount(variations: ImageGeneratorRootProps['variations']) {
  const config = typeof variations === 'object' ? variations : {};
  const given = variations ? (config.choices ?? DEFAULT_VARIATION_CHOICES) : [];
  const offered = given.filter(isVariationCount);
  const dropped = given.filter((count) => !isVariationCount(count)).join(', ');
  useEffect(() => {
    if (dropped) console.warn(`flash-image-react: variations choices ${dropped} left out: each must be a whole number from 1 to ${MAX_VARIATIONS}.`);
  }, [dropped]);
  const choices = variations && !offered.length ? [1] : offered;
  const [own, setOwn] = useState(config.defaultValue ?? choices[0] ?? 1);
  const set = (count: number) => {
    setOwn(count);
    config.onValueChange?.(count);
  };
  return [variations ? (config.value ?? own) : 1, choices, set] as const;
}

// Each image of a batch is reported as a single generation is: once, when this page saw it finish
// (a finished image restored after a reload was reported before it).
function useReportEachImage({ items }: UseImageBatchResult, { onComplete, onError }: Pick<ImageGeneratorRootProps, 'onComplete' | 'onError'>) {
  const watched = useRef(new Set<number>());
  useEffect(() => {
    for (const item of items) {
      if (!isSettledItem(item.status)) watched.current.add(item.index);
      else if (watched.current.delete(item.index)) {
        if (item.status === 'completed') onComplete?.(item.task!);
        else if (item.status === 'failed') onError?.(item.error!);
      }
    }
    // A change of the items reports, with the callbacks of the render that changed them.
  }, [items]);
}

/**
 * The `<form>` that holds the parts and their shared state: one generation (`useImageGeneration`)
 * and the form's values. Lay the parts out inside it as you like; `<ImageGenerator>` is its default
 * arrangement.
 */
export function ImageGeneratorRoot({
  defaultValues = {},
  pollIntervalMs,
  labels,
  className,
  theme,
  children,
  variations: variationsProp,
  creditsPerImage = CREDITS_PER_IMAGE,
  ...options
}: ImageGeneratorRootProps) {
  const id = useId();
  const intervalMs = options.intervalMs ?? pollIntervalMs;
  // Reported by the hook, so a generation resumed after a reload is reported too.
  const generation = useImageGeneration({ ...options, intervalMs });
  const { status, imageUrl, input, startedAt } = generation;
  // POSTs one at a time: a 402 on one then stops the rest before they are sent (a batch sending
  // several at once would have paid for them already). Tasks still run side by side once accepted.
  const batch = useImageBatch({ intervalMs, timeoutMs: options.timeoutMs, concurrency: 1, persist: variationsProp ? variationsPersist(options.persist) : undefined });
  const isBusy = generation.isBusy || batch.isBusy;
  const [variations, variationChoices, setVariations] = useVariationCount(variationsProp);
  const [refused, setRefused] = useState<number>();
  const allLabels = { ...defaultImageGeneratorLabels, ...labels };
  const countOffered = !variationsProp || variationChoices.includes(variations);

  useReportEachImage(batch, options);

  const now = useClock(generation.isBusy);

  const promptRef = useRef<HTMLTextAreaElement>(null);
  const [values, setAll] = useState(() => formValues(defaultValues));
  const setValues = (patch: Partial<ImageGeneratorFormValues>) => setAll((v) => ({ ...v, ...patch }));
  const run = (next: GenerateImageInput) => void generation.generate(next);
  const randomizeSeed = () => {
    const next = randomSeed();
    setValues({ seed: String(next) });
    return next;
  };
  // Only a URL the API accepts as a reference: a custom fetcher may hand back anything.
  const canAddReference = (url: string | undefined, urls = values.imageUrls): url is string =>
    !checkReferenceUrl(url, urls, MAX_REFERENCE_IMAGES - urls.length);
  const addReference = (url: string | undefined) =>
    setAll((v) => (canAddReference(url, v.imageUrls) ? { ...v, imageUrls: [...v.imageUrls, url] } : v));

  const { prompt, size, seed, imageUrls } = values;
  const context: ImageGeneratorContextValue = {
    generation,
    elapsedSeconds: secondsSince(startedAt, now),
    useAsReference: () => addReference(imageUrl),
    regenerate: () => {
      if (input && !isBusy) run({ ...input, seed: randomizeSeed() });
    },
    values,
    setValues,
    submit: () => {
      if (!prompt.trim() || isBusy) return;
      if (!countOffered) return setRefused(variations);
      setRefused(undefined);
      const next: GenerateImageInput = { prompt, size, seed: seed.trim() ? Number(seed) : undefined, imageUrls };
      // One image, or a form that would be refused anyway: the single generation's path, which
      // shows what is wrong with the form (and sends nothing for it).
      if (variations === 1 || 'message' in checkGenerateInput(next)) {
        if (batch.items.length) batch.reset();
        return run(next);
      }
      if (status !== 'idle') generation.reset();
      void batch.generate(variationInputs(next, variations));
    },
    randomizeSeed,
    canAddReference,
    addReference,
    labels: allLabels,
    id,
    promptRef,
    batch,
    isBusy,
    variations,
    variationChoices,
    setVariations,
    variationsError: Object.is(refused, variations) && !countOffered ? allLabels.variationsRefused(variations, variationChoices) : undefined,
    creditsPerImage,
  };

  return (
    <form
      className={`fir-root fir-generator ${className ?? ''}`.trim()}
      data-status={status}
      data-theme={theme}
      onSubmit={(event) => {
        event.preventDefault();
        context.submit();
      }}
      noValidate
    >
      <ImageGeneratorContext.Provider value={context}>{children}</ImageGeneratorContext.Provider>
    </form>
  );
}

// The finished image, when it is safe to show.
const shownImage = ({ status, imageUrl }: UseImageGenerationResult) =>
  status === 'completed' && isSafeImageSrc(imageUrl) ? imageUrl : undefined;

/** The **Prompt** textarea; Ctrl/Cmd+Enter submits. */
export function ImageGeneratorPrompt() {
  const { id, labels, values, setValues, generation, promptRef } = useImageGeneratorContext();
  return (
    <div className="fir-field">
      <label className="fir-label" htmlFor={`${id}-prompt`}>
        {labels.prompt}
      </label>
      <textarea
        ref={promptRef}
        id={`${id}-prompt`}
        className="fir-input fir-textarea"
        value={values.prompt}
        rows={3}
        placeholder={labels.promptPlaceholder}
        aria-invalid={generation.error?.field === 'prompt' || undefined}
        onChange={(event) => setValues({ prompt: event.target.value })}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            event.currentTarget.form?.requestSubmit();
          }
        }}
      />
    </div>
  );
}

/** The **Size** radio group, each option showing its aspect. */
export function ImageGeneratorSize() {
  const { id, labels, values, setValues } = useImageGeneratorContext();
  return (
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
              checked={values.size === option}
              onChange={() => setValues({ size: option })}
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
  );
}

/** The optional **Seed** input with **Random seed**. */
export function ImageGeneratorSeed() {
  const { id, labels, values, setValues, generation, randomizeSeed } = useImageGeneratorContext();
  return (
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
          value={values.seed}
          aria-describedby={`${id}-seed-hint`}
          aria-invalid={generation.error?.field === 'seed' || undefined}
          onChange={(event) => setValues({ seed: event.target.value })}
        />
        {button(labels.randomSeed, { onClick: randomizeSeed })}
      </div>
      <span className="fir-hint" id={`${id}-seed-hint`}>
        {labels.seedHint}
      </span>
    </div>
  );
}

/** Props of `<ImageGeneratorReferences>`: those of `<ReferencePicker>` but its value, which the form holds. */
export type ImageGeneratorReferencesProps = Omit<ReferencePickerProps, 'value' | 'defaultValue' | 'onChange' | 'max'>;

/** The reference picker, holding the form's references; `uploadFile` enables upload, drop and paste. */
export function ImageGeneratorReferences(props: ImageGeneratorReferencesProps) {
  const { labels, values, setValues } = useImageGeneratorContext();
  return <ReferencePicker labels={labels.picker} {...props} value={values.imageUrls} onChange={(imageUrls) => setValues({ imageUrls })} />;
}

/**
 * How many images one Generate makes, with `variations` on the root: a radio group of the counts
 * offered. Renders nothing without `variations`.
 */
export function ImageGeneratorVariations() {
  const { id, labels, variations, variationChoices, setVariations, variationsError } = useImageGeneratorContext();
  if (!variationChoices.length) return null;
  return (
    <div className="fir-field">
      <span className="fir-label" id={`${id}-variations`}>
        {labels.variations}
      </span>
      <div className="fir-sizes" role="radiogroup" aria-labelledby={`${id}-variations`} aria-invalid={!!variationsError || undefined}>
        {variationChoices.map((count) => (
          <label key={count} className="fir-size">
            <input
              type="radio"
              name={`${id}-variations`}
              value={count}
              checked={variations === count}
              onChange={() => setVariations(count)}
              aria-label={labels.variationsOption(count)}
            />
            <span aria-hidden="true">{count}</span>
          </label>
        ))}
      </div>
    </div>
  );
}

// Something was started: Cancel and its note keep their place from then on.
const started = ({ generation, batch }: ImageGeneratorContextValue) => generation.status !== 'idle' || batch.items.length > 0;

/**
 * **Generate** (with `variations`, its count and cost: "Generate 4 · 12 credits"), disabled while
 * the prompt is blank or anything is in flight, and **Cancel**.
 */
export function ImageGeneratorSubmit() {
  const context = useImageGeneratorContext();
  const { id, labels, values, generation, batch, isBusy, variations, variationChoices, creditsPerImage } = context;
  return (
    <div className="fir-actions">
      <button type="submit" className="fir-button fir-button--primary" disabled={!values.prompt.trim() || isBusy}>
        {variationChoices.includes(variations) ? labels.generateVariations(variations, variations * creditsPerImage) : labels.generate}
      </button>
      {/* Described by the note `<ImageGeneratorStatus>` shows below the status. */}
      {started(context) &&
        button(labels.cancel, {
          onClick: batch.isBusy ? batch.cancel : generation.cancel,
          'aria-describedby': `${id}-cancel-note`,
          style: isBusy ? undefined : hidden,
        })}
    </div>
  );
}

const ANNOUNCE_EVERY_S = 10;

/**
 * What is happening: the `role="status"` region with the elapsed time, the note on what Cancel does,
 * and errors in `role="alert"` with a **Retry** that re-sends the same input.
 */
export function ImageGeneratorStatus() {
  const context = useImageGeneratorContext();
  const { id, labels, generation, elapsedSeconds, batch, variationsError } = context;
  const { status, isBusy, error, input } = generation;
  // A batch says how many images are ready, which changes only when one lands or fails: polls
  // that change nothing change nothing here, so nothing is announced for them.
  const many = batch.items.length > 0 && batchStatus(batch, { ...defaultImageGalleryLabels, ...labels.gallery });
  const alert = variationsError ?? (many ? many.alert : error && labels.error(error));
  // Focus moves to the alert's Retry only when a generation the user started fails, so a keyboard
  // user lands where the next step is.
  const retryButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (status === 'failed') retryButton.current?.focus();
  }, [status]);
  return (
    <>
      {/* The counter beside the status ticks every second on screen; the status region itself says
          the elapsed time in steps of 10 seconds, so screen readers are not interrupted every tick. */}
      <div className="fir-status-row">
        <div className="fir-status" role="status" aria-live="polite">
          {many ? many.progress : status === 'idle' || status === 'failed' ? '' : labels[status]}
          <span className="fir-visually-hidden">{isBusy && ` ${labels.elapsed(elapsedSeconds - (elapsedSeconds % ANNOUNCE_EVERY_S))}`}</span>
        </div>
        <span className="fir-status__elapsed" aria-hidden="true">
          {isBusy && labels.elapsed(elapsedSeconds)}
        </span>
      </div>
      {started(context) && (
        <p className="fir-hint" id={`${id}-cancel-note`} style={context.isBusy ? undefined : hidden}>
          {labels.cancelNote}
        </p>
      )}
      {alert && (
        <div className="fir-alert" role="alert">
          <p>{alert}</p>
          {!variationsError &&
            !many &&
            error?.kind !== 'validation' &&
            input &&
            button(labels.retry, { ref: retryButton, onClick: () => void generation.generate(input) })}
        </div>
      )}
    </>
  );
}

/**
 * The result frame, with the chosen aspect ratio from the start (nothing jumps when the image
 * lands), and the image; `children` (e.g. `<ImageGeneratorActions />`) go below it.
 */
export function ImageGeneratorResult({ children }: { children?: ReactNode }) {
  const { labels, values, generation, batch } = useImageGeneratorContext();
  const { status, isBusy, input } = generation;
  // A batch's images are the gallery's to show.
  if (batch.items.length) return null;
  const size = input?.size ?? values.size;
  const image = shownImage(generation);
  return (
    <div className="fir-result">
      <div className="fir-frame" data-status={status} data-size={size} style={aspect(size)}>
        {image ? (
          <img className="fir-frame__image" src={image} alt={input?.prompt ?? ''} />
        ) : isBusy ? (
          <div className="fir-frame__placeholder" aria-hidden="true" />
        ) : (
          status === 'idle' && <p className="fir-frame__empty">{labels.emptyResult}</p>
        )}
      </div>
      {children}
    </div>
  );
}

/** **Download**, **Open**, **Use as reference** and **Regenerate** for the finished image. */
export function ImageGeneratorActions() {
  const { labels, generation, canAddReference, useAsReference, regenerate } = useImageGeneratorContext();
  const image = shownImage(generation);
  return generation.status === 'idle' ? null : (
    <div className="fir-result__actions" style={image ? undefined : hidden}>
      <a className="fir-button fir-button--secondary" href={image} download>
        {labels.download}
      </a>
      <a className="fir-button fir-button--secondary" href={image} target="_blank" rel="noopener noreferrer">
        {labels.open}
      </a>
      {button(labels.useAsReference, { disabled: !canAddReference(image), onClick: useAsReference })}
      {button(labels.regenerate, { onClick: regenerate })}
    </div>
  );
}

/**
 * **Recent images**, when there are any: each with **Re-use** (its settings back in the form),
 * **Reference** and **Remove**. Each button's visible text is short; its accessible name starts
 * with it and says which image it acts on.
 */
export function ImageGeneratorHistory() {
  const { id, labels, generation, setValues, promptRef, canAddReference, addReference } = useImageGeneratorContext();
  const { history, status, imageUrl } = generation;
  const heading = useRef<HTMLHeadingElement>(null);
  if (!history.length) return null;
  return (
    <section className="fir-history" aria-labelledby={`${id}-history`}>
      <h3 className="fir-label fir-history__title" id={`${id}-history`} ref={heading} tabIndex={-1}>
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
                  disabled: !canAddReference(entry.imageUrl),
                  onClick: () => addReference(entry.imageUrl),
                })}
                {button(labels.historyRemove, {
                  'aria-label': labels.historyRemoveName(n, entry),
                  onClick: () => {
                    generation.removeFromHistory(entry.taskId);
                    // The button goes away with its item; keep keyboard focus in the list's region.
                    heading.current?.focus();
                  },
                })}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Props of `<ImageGenerator>`: those of `<ImageGeneratorRoot>` and of the parts it arranges. */
export interface ImageGeneratorProps extends Omit<ImageGeneratorRootProps, 'children'> {
  /** Enables file upload in the reference picker. */
  uploadFile?: UploadFile;
  /** Replaces the result area (the frame, the image and its actions). */
  renderResult?(props: ImageGeneratorResultProps): ReactNode;
  /** Shows the recent results (Re-use, Reference, Remove). Default: on when `persist` is set. */
  showHistory?: boolean;
}

// Like the frame it replaces, it gives way to the gallery while there is a batch.
function CustomResult({ render }: { render(props: ImageGeneratorResultProps): ReactNode }) {
  const context = useImageGeneratorContext();
  return context.batch.items.length ? null : <>{render(context)}</>;
}

/**
 * Prompt to finished image: prompt, size, seed and references in, a framed result with Download,
 * Open, Use as reference and Regenerate out. The default arrangement of the `ImageGenerator*` parts.
 */
export function ImageGenerator({ uploadFile, renderResult, showHistory, ...root }: ImageGeneratorProps) {
  return (
    <ImageGeneratorRoot {...root}>
      <ImageGeneratorPrompt />
      <div className="fir-row">
        <ImageGeneratorSize />
        <ImageGeneratorSeed />
      </div>
      <ImageGeneratorReferences uploadFile={uploadFile} />
      <ImageGeneratorVariations />
      <ImageGeneratorSubmit />
      <ImageGeneratorStatus />
      {renderResult ? (
        <CustomResult render={renderResult} />
      ) : (
        <ImageGeneratorResult>
          <ImageGeneratorActions />
        </ImageGeneratorResult>
      )}
      <ImageGeneratorGallery />
      {(showHistory ?? root.persist !== undefined) && <ImageGeneratorHistory />}
    </ImageGeneratorRoot>
  );
}
