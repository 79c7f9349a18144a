import type { ImageBatchProgress } from '../core/batch.js';
import type { ImageGenError } from '../core/errors.js';
import type { PersistedGeneration } from '../core/history.js';
import type { ReferenceRefusal } from '../core/references.js';
import type { ImageSize } from '../core/types.js';

/** Every string `<ReferencePicker>` shows or announces; pass some or all to translate. */
export interface ReferencePickerLabels {
  /** The group's name. */
  title: string;
  /** Label of the URL text input. */
  urlInput: string;
  /** The button that adds the typed URL. */
  add: string;
  /** Label of the file input. */
  upload: string;
  /** Hint on the drop zone. */
  dropHint: string;
  /** The live count, e.g. "3 / 14". */
  count(count: number, max: number): string;
  /** Alt text of reference `n` (1-based). */
  reference(n: number): string;
  /** The button that removes reference `n`. */
  remove(n: number): string;
  /** The button that moves reference `n` one place earlier. */
  moveEarlier(n: number): string;
  /** The button that moves reference `n` one place later. */
  moveLater(n: number): string;
  /** Alt text and progress label of a file being uploaded. */
  uploading(fileName: string): string;
  /** Shown on an upload that failed. */
  uploadFailed(fileName: string): string;
  /** The button that retries a failed upload. */
  retryUpload(fileName: string): string;
  /** The button that removes a failed or running upload. */
  removeUpload(fileName: string): string;
  /** The alert for a refused addition. */
  refusal(refusal: ReferenceRefusal, context: { max: number; maxFileBytes?: number }): string;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** The English defaults. */
export const defaultReferencePickerLabels: ReferencePickerLabels = {
  title: 'Reference images',
  urlInput: 'Image URL',
  add: 'Add',
  upload: 'Upload images',
  dropHint: 'Drop or paste images here',
  count: (count, max) => `${count} / ${max}`,
  reference: (n) => `Reference ${n}`,
  remove: (n) => `Remove reference ${n}`,
  moveEarlier: (n) => `Move reference ${n} earlier`,
  moveLater: (n) => `Move reference ${n} later`,
  uploading: (name) => `Uploading ${name}`,
  uploadFailed: (name) => `Could not upload ${name}.`,
  retryUpload: (name) => `Retry uploading ${name}`,
  removeUpload: (name) => `Remove ${name}`,
  refusal: ({ code, fileName }, { max, maxFileBytes }) =>
    ({
      invalid_url: 'Enter an absolute image URL starting with http:// or https://.',
      duplicate: fileName ? `${fileName} is already a reference.` : 'That image is already a reference.',
      too_many: `You can add up to ${max} reference images${fileName ? `; ${fileName} was not added` : ''}.`,
      file_invalid_type: `${fileName} is not an image type this picker accepts.`,
      file_too_large: `${fileName} is larger than ${maxFileBytes === undefined ? 'the limit' : formatBytes(maxFileBytes)}.`,
    })[code],
};

/** Every string `<ImageGenerator>` shows or announces; pass some or all to translate. */
export interface ImageGeneratorLabels {
  /** Label of the prompt textarea. */
  prompt: string;
  /** Placeholder of the prompt textarea. */
  promptPlaceholder: string;
  /** Name of the size control. */
  size: string;
  /** Name of each size option. */
  sizeOption(size: ImageSize): string;
  /** Label of the seed input. */
  seed: string;
  /** Hint under the seed input. */
  seedHint: string;
  /** The button that picks a random seed. */
  randomSeed: string;
  /** The submit button. */
  generate: string;
  /** Name of the control for how many images one Generate makes (`variations`). */
  variations: string;
  /** Name of each of its options. */
  variationsOption(count: number): string;
  /** The submit button with `variations`: the count and what it costs, e.g. "Generate 4 · 12 credits". */
  generateVariations(count: number, credits: number): string;
  /** The alert when Generate is pressed with a count that is not offered (0, 2.5, more than allowed); nothing is sent. */
  variationsRefused(count: number, choices: readonly number[]): string;
  /** The button that stops waiting. */
  cancel: string;
  /** Why cancelling does not refund. */
  cancelNote: string;
  /** Status while the POST is in flight. */
  submitting: string;
  /** Status while the task is queued. */
  pending: string;
  /** Status while the task runs. */
  processing: string;
  /** Status when the image is ready. */
  completed: string;
  /** Elapsed time while waiting. */
  elapsed(seconds: number): string;
  /** Placeholder text in the result frame before anything was generated. */
  emptyResult: string;
  /** Download action. */
  download: string;
  /** Open-in-new-tab action. */
  open: string;
  /** Adds the result to the reference picker. */
  useAsReference: string;
  /** Same inputs, new seed. */
  regenerate: string;
  /** Re-sends the failed input. */
  retry: string;
  /** The alert for an error, by `error.kind`. */
  error(error: ImageGenError): string;
  /** Heading of the recent results. */
  history: string;
  /** Alt text of recent result `n` (1 is the newest). */
  historyImage(n: number, entry: PersistedGeneration): string;
  /** Visible text of the button that puts a recent result's settings back into the form. */
  reuseSettings: string;
  /** Its accessible name; starts with `reuseSettings`. */
  reuseSettingsName(n: number, entry: PersistedGeneration): string;
  /** Visible text of the button that adds a recent result to the references. */
  historyReference: string;
  /** Its accessible name; contains `historyReference`. */
  historyReferenceName(n: number, entry: PersistedGeneration): string;
  /** Visible text of the button that removes a recent result. */
  historyRemove: string;
  /** Its accessible name; starts with `historyRemove`. */
  historyRemoveName(n: number, entry: PersistedGeneration): string;
}

function retryIn(ms: number | undefined): string {
  if (ms === undefined) return 'Wait a moment, then retry.';
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return `Retry in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

/** The English defaults. */
export const defaultImageGeneratorLabels: ImageGeneratorLabels = {
  prompt: 'Prompt',
  promptPlaceholder: 'Describe the image, e.g. "a corgi under cherry blossoms, cinematic"',
  size: 'Size',
  sizeOption: (size) => `${size} ${{ '1:1': 'square', '16:9': 'landscape', '9:16': 'portrait' }[size]}`,
  seed: 'Seed',
  seedHint: 'Optional. The same seed and inputs give a similar image.',
  randomSeed: 'Random seed',
  generate: 'Generate',
  variations: 'Images',
  variationsOption: (count) => `${count} image${count === 1 ? '' : 's'}`,
  generateVariations: (count, credits) => `Generate ${count} · ${credits} credits`,
  variationsRefused: (count, choices) => `Cannot make ${count} images at once: choose ${choices.join(', ')}.`,
  cancel: 'Cancel',
  cancelNote: 'Cancelling stops waiting. If the server already accepted the task, it may still finish and use credits.',
  submitting: 'Sending your prompt…',
  pending: 'Queued…',
  processing: 'Generating…',
  completed: 'Your image is ready.',
  elapsed: (seconds) => `${seconds} s`,
  emptyResult: 'Your image will appear here.',
  download: 'Download',
  open: 'Open',
  useAsReference: 'Use as reference',
  regenerate: 'Regenerate',
  retry: 'Retry',
  history: 'Recent images',
  historyImage: (n, entry) => `Recent image ${n}: ${entry.input.prompt}`,
  reuseSettings: 'Re-use',
  reuseSettingsName: (n) => `Re-use settings of recent image ${n}`,
  historyReference: 'Reference',
  historyReferenceName: (n) => `Use recent image ${n} as reference`,
  historyRemove: 'Remove',
  historyRemoveName: (n) => `Remove recent image ${n}`,
  // Every sentence is built, then one is picked: cheap, and shorter than a switch.
  error: ({ kind, field, message, retryAfterMs }) =>
    ({
      validation: field ? `Check the ${field === 'imageUrls' ? 'reference images' : field}: ${message}` : message,
      unauthorized: 'The image service refused the request. Check the API key, or the backend route that adds it.',
      insufficient_credits: 'Not enough credits to generate an image. Top up your credits, then retry.',
      rate_limited: `Too many requests right now. ${retryIn(retryAfterMs)}`,
      task_failed: `The image could not be generated: ${message}`,
      timeout: 'The image took too long. The task may still finish and use credits; retry to start a new one.',
      network: 'Could not reach the image service. Check your connection, then retry.',
      server: 'The image service had a problem. Retry in a moment.',
      not_found: 'The image service lost track of this task. Retry to start a new one.',
      bad_response: 'The image service sent an unexpected answer. Retry in a moment.',
      aborted: 'Stopped waiting for the image.',
    })[kind],
};

/** Every string the gallery of a batch shows or announces; pass some or all to translate. */
export interface ImageGalleryLabels {
  /** Name of the list of images. */
  gallery: string;
  /** Name of cell `n` of `total`; the actions' names say it too. */
  cell(n: number, total: number): string;
  /** Alt text of the image in cell `n`. */
  image(n: number, total: number, prompt: string): string;
  /** A cell not sent yet. */
  queued: string;
  /** A cell waiting after a 429 before it is sent again. */
  waiting: string;
  /** A cell whose POST is in flight or whose task runs. */
  generating: string;
  /** A cell with its image. */
  completed: string;
  /** A cell that failed; its reason is shown in the frame. */
  failed: string;
  /** A cell stopped by Cancel. */
  cancelled: string;
  /** Elapsed time of a generating cell. */
  elapsed(seconds: number): string;
  /** Why a cell failed. */
  failure(error: ImageGenError): string;
  /** Visible text of a failed or cancelled cell's Retry (the same input again). */
  retry: string;
  /** Its accessible name; starts with `retry` and says which image. */
  retryName(n: number, total: number): string;
  /** Visible text of the action that adds a cell's image to the references. */
  useAsReference: string;
  /** Its accessible name; contains `useAsReference` and says which image. */
  useAsReferenceName(n: number, total: number): string;
  /** Visible text of Download. */
  download: string;
  /** Its accessible name; starts with `download` and says which image. */
  downloadName(n: number, total: number): string;
  /** Visible text of Open (in a new tab). */
  open: string;
  /** Its accessible name; starts with `open` and says which image. */
  openName(n: number, total: number): string;
  /** Visible text of Regenerate this one (its input with a new seed). */
  regenerate: string;
  /** Its accessible name; starts with `regenerate` and says which image. */
  regenerateName(n: number, total: number): string;
  /** The batch's progress in the status region, e.g. "2 of 4 ready". */
  progress(progress: ImageBatchProgress): string;
  /**
   * The alert when a 402 (or 401/403) stopped the batch: `made` images were accepted, `uncertain` may
   * have used credits (a POST that failed with a network error or a 5xx, a task that timed out), the
   * rest cost nothing.
   */
  stopped(error: ImageGenError, made: number, total: number, uncertain: number): string;
}

/** The English defaults. */
export const defaultImageGalleryLabels: ImageGalleryLabels = {
  gallery: 'Variations',
  cell: (n, total) => `Image ${n} of ${total}`,
  image: (n, total, prompt) => `Image ${n} of ${total}: ${prompt}`,
  queued: 'Queued',
  waiting: 'Waiting: server busy',
  generating: 'Generating…',
  completed: 'Ready',
  failed: 'Failed',
  cancelled: 'Cancelled',
  elapsed: (seconds) => `${seconds} s`,
  failure: ({ message }) => message,
  retry: 'Retry',
  retryName: (n, total) => `Retry image ${n} of ${total}`,
  useAsReference: 'Reference',
  useAsReferenceName: (n, total) => `Use image ${n} of ${total} as reference`,
  download: 'Download',
  downloadName: (n, total) => `Download image ${n} of ${total}`,
  open: 'Open',
  openName: (n, total) => `Open image ${n} of ${total}`,
  regenerate: 'Regenerate',
  regenerateName: (n, total) => `Regenerate image ${n} of ${total} with a new seed`,
  progress: ({ completed, failed, cancelled, total }) =>
    `${completed} of ${total} ready${failed ? `, ${failed} failed` : ''}${cancelled ? `, ${cancelled} cancelled` : ''}`,
  stopped: ({ kind }, made, total, uncertain) =>
    `${kind === 'insufficient_credits' ? 'Not enough credits' : 'The image service refused the request'}: ${made} of ${total} images made; ${
      uncertain ? `${uncertain} may have used credits; ` : ''
    }the other ${total - made - uncertain} used no credits.`,
};
