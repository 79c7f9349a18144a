'use client';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { ImageGenError } from '../core/errors.js';
import { taskQueryOptions, type TaskQueryConfig } from '../core/task-query.js';
import type { ImageTask } from '../core/types.js';
import { useImageGenContext } from './provider.js';

/** Options of `useTaskStatus`: how to poll (the fetcher comes from `ImageGenProvider`). */
export type UseTaskStatusOptions = Omit<TaskQueryConfig, 'fetcher'>;

/**
 * Polls one task until it completes or fails: `useQuery(taskQueryOptions(taskId, …))` with the
 * provider's fetcher and cache. Observers of the same task share one poll (one request per
 * interval); no task id, no request.
 */
export function useTaskStatus(
  taskId: string | null | undefined,
  options: UseTaskStatusOptions = {},
): UseQueryResult<ImageTask, ImageGenError> {
  const { fetcher, queryClient } = useImageGenContext('useTaskStatus');
  return useQuery(taskQueryOptions(taskId, { ...options, fetcher }), queryClient);
}
