'use client';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { IMAGE_SIZES, MAX_REFERENCE_IMAGES, MAX_SEED } from '../core/constants.js';
import type { ImageGenError } from '../core/errors.js';
import type { PersistedGeneration, PersistOption } from '../core/persist.js';
import { isSafeImageSrc, randomSeed } from '../core/references.js';
import type { GenerateImageInput, ImageSize, ImageTask } from '../core/types.js';
import { isHttpUrl } from '../core/validation.js';
import { useImageGeneration, type UseImageGenerationResult } from '../react/use-image-generation.js';
import { GenerationHistory } from './GenerationHistory.js';
import { defaultImageGeneratorLabels, type ImageGeneratorLabels, type ReferencePickerLabels } from './labels.js';
import { ReferencePicker } from './ReferencePicker.js';
import { useElapsedSeconds } from './use-elapsed-seconds.js';
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

const ASPECT: Record<ImageSize, string> = { '1:1': '1 / 1', '16:9': '16 / 9', '9:16': '9 / 16' };

function parseSeed(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
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
  const { status, imageUrl, error, isBusy, input } = generation;
  const elapsedSeconds = useElapsedSeconds(generation.startedAt, isBusy);

  const [prompt, setPrompt] = useState(defaultValues.prompt ?? '');
  const [size, setSize] = useState<ImageSize>(defaultValues.size ?? '1:1');
  const [seedText, setSeedText] = useState(defaultValues.seed === undefined ? '' : String(defaultValues.seed));
  const [imageUrls, setImageUrls] = useState<string[]>(defaultValues.imageUrls ?? []);

  const run = (next: GenerateImageInput) => {
    void generation.generate(next);
  };

  const formInput = (): GenerateImageInput => ({
    prompt,
    size,
    seed: parseSeed(seedText),
    imageUrls,
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (prompt.trim() === '' || isBusy) return;
    run(formInput());
  };

  const onPromptKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  };

  const regenerate = () => {
    if (!input || isBusy) return;
    const seed = randomSeed();
    setSeedText(String(seed));
    run({ ...input, seed });
  };

  // Only a URL the API accepts as a reference: a custom fetcher may hand back anything.
  const canUseAsReference =
    isHttpUrl(imageUrl) && !imageUrls.includes(imageUrl) && imageUrls.length < MAX_REFERENCE_IMAGES;
  const useAsReference = () => {
    if (canUseAsReference) setImageUrls((urls) => [...urls, imageUrl]);
  };

  const promptRef = useRef<HTMLTextAreaElement>(null);
  const reuseSettings = (entry: PersistedGeneration) => {
    setPrompt(entry.input.prompt);
    setSize(entry.input.size ?? '1:1');
    setSeedText(entry.input.seed === undefined ? '' : String(entry.input.seed));
    setImageUrls(entry.input.imageUrls ?? []);
    promptRef.current?.focus();
  };
  const canUseEntryAsReference = (entry: PersistedGeneration) =>
    isHttpUrl(entry.imageUrl) && !imageUrls.includes(entry.imageUrl) && imageUrls.length < MAX_REFERENCE_IMAGES;
  const useEntryAsReference = (entry: PersistedGeneration) => {
    const url = entry.imageUrl;
    if (canUseEntryAsReference(entry) && url) setImageUrls((urls) => (urls.includes(url) ? urls : [...urls, url]));
  };

  const invalidField = error?.kind === 'validation' ? error.field : undefined;
  const statusText =
    status === 'submitting' || status === 'pending' || status === 'processing'
      ? labels[status]
      : status === 'completed'
        ? labels.completed
        : '';

  // Focus moves to the alert's Retry only when a generation the user started fails, so a keyboard
  // user lands where the next step is.
  const retryButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (status === 'failed') retryButton.current?.focus();
  }, [status]);

  const shownSize = input?.size ?? size;
  const safeImageUrl = isSafeImageSrc(imageUrl) ? imageUrl : undefined;

  return (
    <form
      className={['fir-root', 'fir-generator', className].filter(Boolean).join(' ')}
      data-status={status}
      data-theme={theme}
      onSubmit={onSubmit}
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
          onChange={(event) => setPrompt(event.target.value)}
          onKeyDown={onPromptKeyDown}
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
                  onChange={() => setSize(option)}
                  aria-label={labels.sizeOption(option)}
                />
                <span className="fir-size__shape" style={{ aspectRatio: ASPECT[option] }} aria-hidden="true" />
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
              value={seedText}
              aria-describedby={`${id}-seed-hint`}
              aria-invalid={invalidField === 'seed' || undefined}
              onChange={(event) => setSeedText(event.target.value)}
            />
            <button type="button" className="fir-button fir-button--secondary" onClick={() => setSeedText(String(randomSeed()))}>
              {labels.randomSeed}
            </button>
          </div>
          <span className="fir-hint" id={`${id}-seed-hint`}>
            {labels.seedHint}
          </span>
        </div>
      </div>

      <ReferencePicker value={imageUrls} onChange={setImageUrls} uploadFile={uploadFile} labels={labels.picker} />

      <div className="fir-actions">
        <button type="submit" className="fir-button fir-button--primary" disabled={prompt.trim() === '' || isBusy}>
          {labels.generate}
        </button>
        {isBusy && (
          <button type="button" className="fir-button fir-button--secondary" onClick={generation.cancel} aria-describedby={`${id}-cancel-note`}>
            {labels.cancel}
          </button>
        )}
      </div>

      {/* The counter beside the status ticks every second on screen; the status region itself says
          the elapsed time in steps of 10 seconds, so screen readers are not interrupted every tick. */}
      <div className="fir-status-row">
        <div className="fir-status" role="status" aria-live="polite">
          {statusText}
          {isBusy && <span className="fir-visually-hidden"> {labels.elapsed(elapsedSeconds - (elapsedSeconds % ANNOUNCE_EVERY_S))}</span>}
        </div>
        {isBusy && (
          <span className="fir-status__elapsed" aria-hidden="true">
            {labels.elapsed(elapsedSeconds)}
          </span>
        )}
      </div>
      {isBusy && (
        <p className="fir-hint" id={`${id}-cancel-note`}>
          {labels.cancelNote}
        </p>
      )}

      {error && (
        <div className="fir-alert" role="alert">
          <p>{labels.error(error)}</p>
          {error.kind !== 'validation' && input && (
            <button type="button" ref={retryButton} className="fir-button fir-button--secondary" onClick={() => run(input)}>
              {labels.retry}
            </button>
          )}
        </div>
      )}

      {renderResult ? (
        renderResult({ generation, elapsedSeconds, useAsReference, regenerate })
      ) : (
        <div className="fir-result">
          <div className="fir-frame" data-status={status} data-size={shownSize} style={{ aspectRatio: ASPECT[shownSize] }}>
            {status === 'completed' && safeImageUrl ? (
              <img className="fir-frame__image" src={safeImageUrl} alt={input?.prompt ?? ''} />
            ) : isBusy ? (
              <div className="fir-frame__placeholder" aria-hidden="true" />
            ) : (
              status === 'idle' && <p className="fir-frame__empty">{labels.emptyResult}</p>
            )}
          </div>
          {status === 'completed' && safeImageUrl && (
            <div className="fir-result__actions">
              <a className="fir-button fir-button--secondary" href={safeImageUrl} download>
                {labels.download}
              </a>
              <a className="fir-button fir-button--secondary" href={safeImageUrl} target="_blank" rel="noopener noreferrer">
                {labels.open}
              </a>
              <button type="button" className="fir-button fir-button--secondary" disabled={!canUseAsReference} onClick={useAsReference}>
                {labels.useAsReference}
              </button>
              <button type="button" className="fir-button fir-button--secondary" onClick={regenerate}>
                {labels.regenerate}
              </button>
            </div>
          )}
        </div>
      )}

      {showHistory && (
        <GenerationHistory
          id={id}
          entries={generation.history}
          currentImageUrl={status === 'completed' ? imageUrl : undefined}
          canUseAsReference={canUseEntryAsReference}
          onReuse={reuseSettings}
          onUseAsReference={useEntryAsReference}
          onRemove={(entry) => generation.removeFromHistory(entry.taskId)}
          labels={labels}
        />
      )}
    </form>
  );
}
