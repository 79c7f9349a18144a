/** Query keys this library uses in the TanStack Query cache, for apps that invalidate or read them. */
export const imageGenKeys = {
  /** Every query of this library. */
  all: ['flash-image-react'] as const,
  /** One task's status. */
  task: (taskId: string) => ['flash-image-react', 'task', taskId] as const,
};
