import type { ImageTask, TaskStatus } from './types.js';

/**
 * The part of a task that a status display depends on. Polls whose answers differ only elsewhere
 * (a `progress` field in the raw body, say) leave it equal, so components that read only these
 * fields are not re-rendered by them.
 */
export interface TaskView {
  taskId: string;
  status: TaskStatus;
  imageUrl?: string;
  error?: string;
}

/** A task's view: the same fields, none of the raw body. */
export function toTaskView({ taskId, status, imageUrl, error }: ImageTask): TaskView {
  return { taskId, status, imageUrl, error };
}
