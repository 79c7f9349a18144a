/** Keys this library uses in the TanStack Query cache, for apps that read, invalidate or count them. */
export const imageGenKeys = {
  /** Every query and mutation of this library. */
  all: ['flash-image-react'] as const,
  /** The key of every generation's POST (a mutation): `useIsMutating({ mutationKey: imageGenKeys.generate })`. */
  generate: ['flash-image-react', 'generate'] as const,
  /** One task's status. */
  task: (taskId: string) => ['flash-image-react', 'task', taskId] as const,
};
