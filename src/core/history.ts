import type { GenerateImageInput, ImageTask } from './types.js';

/** One generation as kept in a history or in storage: accepted by the server, and either still running or finished. */
export interface PersistedGeneration {
  /** The server's task id: what a reload resumes polling. */
  taskId: string;
  /** What was asked for: prompt, size, seed, references (and model). */
  input: GenerateImageInput;
  /** When the generation was started, ms since the epoch. */
  startedAt: number;
  /** The finished image; absent while the task runs. */
  imageUrl?: string;
  /** When the finished image was seen, ms since the epoch; present with `imageUrl`. */
  completedAt?: number;
}

/** The most finished results `useImageGeneration` keeps by default. */
export const DEFAULT_HISTORY_SIZE = 12;

/** The stored form of an input: only its own fields, copied, so later edits by the caller do not leak in. */
export function persistableInput({ prompt, model, size, seed, imageUrls }: GenerateImageInput): GenerateImageInput {
  // JSON leaves out the fields that are undefined.
  return { prompt, model, size, seed, imageUrls: imageUrls?.length ? [...imageUrls] : undefined };
}

/** Adds a finished result at the front of a history, replacing an older copy of the same task, and keeps at most `limit`. */
export function addToHistory(
  history: readonly PersistedGeneration[],
  entry: PersistedGeneration,
  limit: number = DEFAULT_HISTORY_SIZE,
): PersistedGeneration[] {
  return [entry, ...removeFromHistory(history, entry.taskId)].slice(0, Math.max(0, limit));
}

/** A history without the given task. */
export function removeFromHistory(history: readonly PersistedGeneration[], taskId: string): PersistedGeneration[] {
  return history.filter((e) => e.taskId !== taskId);
}

/** The task a stored entry stands for until the server is asked again: finished, or pending. `raw` is null. */
export function entryTask({ taskId, imageUrl }: PersistedGeneration): ImageTask {
  return imageUrl ? { taskId, status: 'completed', imageUrl, raw: null } : { taskId, status: 'pending', raw: null };
}
