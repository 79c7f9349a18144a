'use client';
import { useContext, useId, useState, type CSSProperties, type KeyboardEvent, type MouseEvent } from 'react';
import type { ImageBatchItem } from '../core/batch.js';
import type { GenerateImageInput, ImageGenErrorKind } from '../core/types.js';
import { isSafeImageSrc, randomSeed } from '../core/references.js';
import type { UseImageBatchResult } from '../react/use-image-batch.js';
import { ImageGeneratorContext } from './context.js';
import { aspect, button, hidden, secondsSince, useClock } from './elements.js';
import { defaultImageGalleryLabels, type ImageGalleryLabels } from './labels.js';

/** Props of `<ImageGeneratorGallery>`. */
export interface ImageGeneratorGalleryProps {
  /** The batch to show, as `useImageBatch` returns it. Default: the surrounding `<ImageGeneratorRoot>`'s variations. */
  batch?: UseImageBatchResult;
  /** Called by a cell's **Reference**; inside a root it adds the image to the picker. Without either, the action is left out. */
  onUseAsReference?(imageUrl: string, item: ImageBatchItem): void;
  /** Replace some or all visible strings; inside a root, over the root's `labels.gallery`. */
  labels?: Partial<ImageGalleryLabels>;
  /** Added to the root element's classes. */
  className?: string;
  /** Forces the light or dark look when used alone; inside a root the root's applies. */
  theme?: 'light' | 'dark';
}

/** A batch's progress for a status region ("2 of 4 ready"), and the alert when a 402 or a 401/403 stopped it. */
export function batchStatus({ items, progress }: UseImageBatchResult, labels: ImageGalleryLabels): { progress: string; alert?: string } {
  const stop = items.find(({ error }) => error?.kind === 'insufficient_credits' || error?.kind === 'unauthorized')?.error;
  // Accepted by the server and not failed: billed, or about to be. A refused POST, one never sent
  // and a failed task (refunded) cost nothing; a POST lost to the network or a 5xx, and a task that
  // stopped answering, may have been billed.
  const made = items.filter((item) => item.taskId && item.status !== 'failed').length;
  const uncertain = items.filter((item) => item.status === 'failed' && MAYBE_BILLED.includes(item.error!.kind)).length;
  return { progress: items.length ? labels.progress(progress) : '', alert: stop && labels.stopped(stop, made, items.length, uncertain) };
}

const MAYBE_BILLED: readonly ImageGenErrorKind[] = ['network', 'server', 'bad_response', 'timeout', 'not_found', 'aborted'];

const ARROWS: Record<string, (from: number, columns: number, last: number) => number> = {
  ArrowRight: (from) => from + 1,
  ArrowLeft: (from) => from - 1,
  ArrowDown: (from, columns) => from + columns,
  ArrowUp: (from, columns) => from - columns,
  Home: () => 0,
  End: (_, __, last) => last,
};

// Arrow keys move between cells; Up and Down by the columns the grid has at its current width.
function moveFocus(event: KeyboardEvent<HTMLUListElement>) {
  const cells = Array.from(event.currentTarget.children) as HTMLElement[];
  const from = cells.findIndex((cell) => cell.contains(event.target as Node));
  const move = ARROWS[event.key];
  // Alt+Left is the browser's Back, Ctrl+Home the page's top: not ours to take.
  if (from < 0 || !move || event.altKey || event.ctrlKey || event.metaKey) return;
  const top = cells[0]!.getBoundingClientRect().top;
  const columns = cells.filter((cell) => cell.getBoundingClientRect().top === top).length;
  const to = cells[move(from, columns, cells.length - 1)];
  if (!to) return;
  event.preventDefault();
  to.focus();
}

interface GalleryCellProps {
  item: ImageBatchItem;
  total: number;
  labels: ImageGalleryLabels;
  /** The cell in the tab order: only it and its actions are. */
  active: boolean;
  /** The gallery's clock, for the elapsed time; undefined until it first ticks. */
  now: number | undefined;
  /** Id of the line that says the cell's state, which describes the cell. */
  stateId: string;
  onFocus(): void;
  /** Sends the item again: its own input (Retry) or another (Regenerate). */
  send(input?: GenerateImageInput): void;
  /** Adds an image to the references; undefined when nothing takes it. */
  toReference: ((url: string, item: ImageBatchItem) => void) | undefined;
  canReference(url: string): boolean;
}

function GalleryCell({ item, total, labels, active, now, stateId, onFocus, send, toReference, canReference }: GalleryCellProps) {
  const { index, status, error, input, startedAt } = item;
  const n = index + 1;
  const image = status === 'completed' && isSafeImageSrc(item.imageUrl) ? item.imageUrl : undefined;
  const generating = status === 'submitting' || status === 'pending' || status === 'processing';
  const tabIndex = active ? undefined : -1;
  // The clicked button goes away with the cell's state: focus stays on the cell.
  const again = (event: MouseEvent<HTMLElement>, next?: GenerateImageInput) => {
    event.currentTarget.closest('li')?.focus();
    send(next);
  };
  return (
    <li className="fir-cell" data-status={status} tabIndex={tabIndex ?? 0} aria-label={labels.cell(n, total)} aria-describedby={stateId} onFocus={onFocus}>
      <div className="fir-cell__frame" style={aspect(input.size)}>
        {image ? (
          <img className="fir-frame__image" src={image} alt={labels.image(n, total, input.prompt)} />
        ) : generating ? (
          <div className="fir-frame__placeholder" aria-hidden="true" />
        ) : (
          (status === 'failed' || status === 'cancelled') && (
            <div className="fir-cell__note">
              {status === 'failed' && error && <p>{labels.failure(error)}</p>}
              {error?.kind !== 'validation' && button(labels.retry, { 'aria-label': labels.retryName(n, total), tabIndex, onClick: (event) => again(event) })}
            </div>
          )
        )}
      </div>
      <p className="fir-cell__state" id={stateId}>
        {status === 'queued' ? (error ? labels.waiting : labels.queued) : generating ? labels.generating : labels[status as 'completed' | 'failed' | 'cancelled']}
        {generating && now !== undefined && startedAt !== undefined && ` ${labels.elapsed(secondsSince(startedAt, now))}`}
      </p>
      <div className="fir-cell__actions" style={image ? undefined : hidden}>
        {toReference &&
          button(labels.useAsReference, {
            'aria-label': labels.useAsReferenceName(n, total),
            tabIndex,
            disabled: !image || !canReference(image),
            // The button is disabled once the image is a reference: focus stays on the cell.
            onClick: (event) => {
              event.currentTarget.closest('li')?.focus();
              if (image) toReference(image, item);
            },
          })}
        <a className="fir-button fir-button--secondary" href={image} download aria-label={labels.downloadName(n, total)} tabIndex={tabIndex}>
          {labels.download}
        </a>
        <a
          className="fir-button fir-button--secondary"
          href={image}
          target="_blank"
          rel="noopener noreferrer"
          aria-label={labels.openName(n, total)}
          tabIndex={tabIndex}
        >
          {labels.open}
        </a>
        {button(labels.regenerate, {
          'aria-label': labels.regenerateName(n, total),
          tabIndex,
          onClick: (event) => again(event, { ...input, seed: randomSeed() }),
        })}
      </div>
    </li>
  );
}

/**
 * A batch's images side by side: a responsive grid whose cells have their images' aspect ratio from
 * the start, each showing its own state (queued, generating with the elapsed time, ready, failed
 * with the reason and **Retry**, cancelled) and, when ready, **Reference**, **Download**, **Open** and
 * **Regenerate** (this one image, a new seed). One cell is in the tab order; the arrow keys, Home and
 * End move between cells. Every action's accessible name says which image it acts on.
 *
 * Inside `<ImageGeneratorRoot variations>` it shows the root's batch (nothing until one starts), and
 * the root's status region says the progress. Alone, pass `batch={useImageBatch()}`: it then shows
 * the progress in a status region of its own.
 */
export function ImageGeneratorGallery({ batch: own, onUseAsReference, labels: ownLabels, className, theme }: ImageGeneratorGalleryProps) {
  const root = useContext(ImageGeneratorContext);
  const batch = own ?? root?.batch;
  const id = useId();
  const [active, setActive] = useState(0);
  // Ticks while the batch runs, for the cells' elapsed time.
  const now = useClock(batch?.isBusy);
  if (!batch) throw new Error('<ImageGeneratorGallery> needs batch={useImageBatch()}, or an <ImageGeneratorRoot> around it.');
  const { items } = batch;
  const total = items.length;
  if (!own && !total) return null;
  const labels = { ...defaultImageGalleryLabels, ...root?.labels.gallery, ...ownLabels };
  const toReference = onUseAsReference ?? (root ? (url: string) => root.addReference(url) : undefined);
  const current = Math.min(active, total - 1);
  const summary = own && batchStatus(batch, labels);
  const size = items[0]?.input.size ?? '1:1';
  // The most side by side: portraits in a row, four squares or landscapes two by two.
  const columns = size === '9:16' ? Math.min(total, 4) : total === 4 ? 2 : Math.min(total, 3);

  return (
    <div className={`fir-gallery${own ? ' fir-root' : ''} ${className ?? ''}`.trim()} data-theme={theme}>
      {summary && (
        <>
          <div className="fir-status-row" role="status">
            {summary.progress}
          </div>
          {summary.alert && (
            <div className="fir-alert" role="alert">
              <p>{summary.alert}</p>
            </div>
          )}
        </>
      )}
      <ul className="fir-gallery__grid" aria-label={labels.gallery} data-size={size} style={{ '--_columns': columns } as CSSProperties} onKeyDown={moveFocus}>
        {items.map((item) => (
          <GalleryCell
            key={item.index}
            item={item}
            total={total}
            labels={labels}
            active={item.index === current}
            now={now}
            stateId={`${id}-${item.index}`}
            onFocus={() => setActive(item.index)}
            send={(input) => void batch.retry(item.index, input)}
            toReference={toReference}
            canReference={(url) => !!onUseAsReference || root!.canAddReference(url)}
          />
        ))}
      </ul>
    </div>
  );
}
