'use client';
import { createContext, useContext, useEffect, useId, useRef, useState, type ButtonHTMLAttributes, type ReactNode, type Ref } from 'react';
import { IMAGE_SIZES, MAX_REFERENCE_IMAGES, MAX_SEED } from '../core/constants.js';
import { checkReferenceUrl, isSafeImageSrc, randomSeed } from '../core/references.js';
import type { GenerateImageInput, ImageSize } from '../core/types.js';
import { useImageGeneration, type UseImageGenerationOptions, type UseImageGenerationResult } from '../react/use-image-generation.js';
import type { UploadFile } from '../react/use-reference-picker.js';
import { defaultImageGeneratorLabels, type ImageGeneratorLabels, type ReferencePickerLabels } from './labels.js';
import { ReferencePicker, type ReferencePickerProps } from './ReferencePicker.js';

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

/** The form as the parts edit it: every value, the seed as typed. */
export interface ImageGeneratorFormValues extends Required<Omit<ImageGeneratorValues, 'seed'>> {
  /** The seed as typed; empty for none. */
  seed: string;
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

/** What the parts share through `<ImageGeneratorRoot>`; read it with `useImageGeneratorContext()` to write your own part. */
export interface ImageGeneratorContextValue extends ImageGeneratorResultProps {
  /** The form's current values. */
  values: ImageGeneratorFormValues;
  /** Changes some or all of the form's values. */
  setValues(patch: Partial<ImageGeneratorFormValues>): void;
  /** Sends the form as Generate does; nothing while the prompt is blank or a generation is in flight. */
  submit(): void;
  /** Puts a new random seed in the form and returns it. */
  randomizeSeed(): number;
  /** Whether `url` may join the references: an http(s) URL, not there yet, and room left. */
  canAddReference(url: string | undefined): url is string;
  /** Adds `url` to the references when `canAddReference(url)`. */
  addReference(url: string | undefined): void;
  /** Every visible string: the defaults with the root's `labels` over them. */
  labels: ImageGeneratorLabels & { picker?: Partial<ReferencePickerLabels> };
  /** Prefix of the ids the parts give their elements (`${id}-prompt`…), from `useId`. */
  id: string;
  /** The prompt's textarea, focused by Re-use of a recent result. */
  promptRef: { current: HTMLTextAreaElement | null };
}

/** Props of `<ImageGeneratorRoot>`, which `<ImageGenerator>` takes too; the generation's options are `useImageGeneration`'s. */
export interface ImageGeneratorRootProps
  extends Pick<UseImageGenerationOptions, 'intervalMs' | 'timeoutMs' | 'persist' | 'historySize' | 'onComplete' | 'onError'> {
  /** The form's starting values. */
  defaultValues?: ImageGeneratorValues;
  /** @deprecated Use `intervalMs`, which wins when both are given. */
  pollIntervalMs?: number;
  /** Replace some or all visible strings; `picker` holds the reference picker's. */
  labels?: Partial<ImageGeneratorLabels> & { picker?: Partial<ReferencePickerLabels> };
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

const Context = createContext<ImageGeneratorContextValue | null>(null);

/** The state and actions of the surrounding `<ImageGeneratorRoot>`, for parts of your own. */
export function useImageGeneratorContext(): ImageGeneratorContextValue {
  const value = useContext(Context);
  if (!value) throw new Error('ImageGenerator parts must be rendered inside <ImageGeneratorRoot>.');
  return value;
}

/**
 * The `<form>` that holds the parts and their shared state: one generation (`useImageGeneration`)
 * and the form's values. Lay the parts out inside it as you like; `<ImageGenerator>` is its default
 * arrangement.
 */
export function ImageGeneratorRoot({ defaultValues = {}, pollIntervalMs, labels, className, theme, children, ...options }: ImageGeneratorRootProps) {
  const id = useId();
  // Reported by the hook, so a generation resumed after a reload is reported too.
  const generation = useImageGeneration({ ...options, intervalMs: options.intervalMs ?? pollIntervalMs });
  const { status, imageUrl, isBusy, input, startedAt } = generation;
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
    elapsedSeconds: startedAt === undefined || now === undefined ? 0 : Math.max(0, Math.floor((now - startedAt) / 1000)),
    useAsReference: () => addReference(imageUrl),
    regenerate: () => {
      if (input && !isBusy) run({ ...input, seed: randomizeSeed() });
    },
    values,
    setValues,
    submit: () => {
      if (prompt.trim() && !isBusy) run({ prompt, size, seed: seed.trim() ? Number(seed) : undefined, imageUrls });
    },
    randomizeSeed,
    canAddReference,
    addReference,
    labels: { ...defaultImageGeneratorLabels, ...labels },
    id,
    promptRef,
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
      <Context.Provider value={context}>{children}</Context.Provider>
    </form>
  );
}

// Once a generation has started, Cancel, its note and the result's actions keep their place and
// are only hidden (and left out of the accessibility tree) while they do not apply: nothing above
// or below the result frame moves when the image lands, which counts as layout shift (the Cancel
// appearing at the click does not: shifts right after an input are expected). Inline styles, so
// the layout holds without styles.css too.
const hidden = { visibility: 'hidden' } as const;

const aspect = (size: ImageSize) => ({ aspectRatio: size.replace(':', ' / ') });

// The finished image, when it is safe to show.
const shownImage = ({ status, imageUrl }: UseImageGenerationResult) =>
  status === 'completed' && isSafeImageSrc(imageUrl) ? imageUrl : undefined;

function button(label: string, props: ButtonHTMLAttributes<HTMLButtonElement> & { ref?: Ref<HTMLButtonElement> }) {
  return (
    <button type="button" className="fir-button fir-button--secondary" {...props}>
      {label}
    </button>
  );
}

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

/** **Generate**, disabled while the prompt is blank or a generation is in flight, and **Cancel**. */
export function ImageGeneratorSubmit() {
  const { id, labels, values, generation } = useImageGeneratorContext();
  const { status, isBusy } = generation;
  return (
    <div className="fir-actions">
      <button type="submit" className="fir-button fir-button--primary" disabled={!values.prompt.trim() || isBusy}>
        {labels.generate}
      </button>
      {/* Described by the note `<ImageGeneratorStatus>` shows below the status. */}
      {status !== 'idle' &&
        button(labels.cancel, { onClick: generation.cancel, 'aria-describedby': `${id}-cancel-note`, style: isBusy ? undefined : hidden })}
    </div>
  );
}

const ANNOUNCE_EVERY_S = 10;

/**
 * What is happening: the `role="status"` region with the elapsed time, the note on what Cancel does,
 * and errors in `role="alert"` with a **Retry** that re-sends the same input.
 */
export function ImageGeneratorStatus() {
  const { id, labels, generation, elapsedSeconds } = useImageGeneratorContext();
  const { status, isBusy, error, input } = generation;
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
          {status === 'idle' || status === 'failed' ? '' : labels[status]}
          <span className="fir-visually-hidden">{isBusy && ` ${labels.elapsed(elapsedSeconds - (elapsedSeconds % ANNOUNCE_EVERY_S))}`}</span>
        </div>
        <span className="fir-status__elapsed" aria-hidden="true">
          {isBusy && labels.elapsed(elapsedSeconds)}
        </span>
      </div>
      {status !== 'idle' && (
        <p className="fir-hint" id={`${id}-cancel-note`} style={isBusy ? undefined : hidden}>
          {labels.cancelNote}
        </p>
      )}
      {error && (
        <div className="fir-alert" role="alert">
          <p>{labels.error(error)}</p>
          {error.kind !== 'validation' && input && button(labels.retry, { ref: retryButton, onClick: () => void generation.generate(input) })}
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
  const { labels, values, generation } = useImageGeneratorContext();
  const { status, isBusy, input } = generation;
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

function CustomResult({ render }: { render(props: ImageGeneratorResultProps): ReactNode }) {
  return <>{render(useImageGeneratorContext())}</>;
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
      <ImageGeneratorSubmit />
      <ImageGeneratorStatus />
      {renderResult ? (
        <CustomResult render={renderResult} />
      ) : (
        <ImageGeneratorResult>
          <ImageGeneratorActions />
        </ImageGeneratorResult>
      )}
      {(showHistory ?? root.persist !== undefined) && <ImageGeneratorHistory />}
    </ImageGeneratorRoot>
  );
}
