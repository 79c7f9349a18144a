export type {
  GenerateImageField,
  GenerateImageInput,
  HeadersOption,
  HttpFetcherOptions,
  ImageFetcher,
  ImageGenErrorKind,
  ImageSize,
  ImageTask,
  PollInterval,
  RequestOptions,
  TaskStatus,
} from './core/types.js';
export { DEFAULT_MODEL, IMAGE_SIZES, MAX_REFERENCE_IMAGES } from './core/constants.js';
export { ImageGenError, type ImageGenErrorInit } from './core/errors.js';
export { createHttpFetcher } from './core/http-fetcher.js';
export { isHttpUrl, validateGenerateInput } from './core/validation.js';
export { ImageGenProvider, type ImageGenProviderProps } from './react/provider.js';
export { imageGenKeys } from './core/query-keys.js';
export { useGenerateImage, type UseGenerateImageOptions } from './react/use-generate-image.js';
export { useTaskStatus, type UseTaskStatusOptions } from './react/use-task-status.js';
export { taskQueryOptions, type TaskQueryConfig, type TaskQueryKey, type TaskQueryOptions, type TaskQueryState } from './core/task-query.js';
export { generateMutationOptions, type GenerateMutationConfig, type GenerateMutationOptions } from './core/generate-mutation.js';
export {
  GenerationObserver,
  type GenerationObserverOptions,
  type GenerationResult,
} from './core/generation-observer.js';
export { BatchObserver, type BatchObserverOptions, type BatchResult } from './core/batch-observer.js';
export {
  useImageGeneration,
  type ImageGenerationStatus,
  type UseImageGenerationOptions,
  type UseImageGenerationResult,
} from './react/use-image-generation.js';
export { useImageBatch, type UseImageBatchOptions, type UseImageBatchResult } from './react/use-image-batch.js';
export { seedVariations, type ImageBatchItem, type ImageBatchItemStatus, type ImageBatchProgress } from './core/batch.js';
export { creditsPerImage } from './core/variations.js';
export type { GenerationPersister, PersistConfig, PersistOption, PersistStorage } from './core/persister.js';
export type { PersistedGeneration } from './core/history.js';
export {
  ImageGenerator,
  ImageGeneratorActions,
  ImageGeneratorHistory,
  ImageGeneratorPrompt,
  ImageGeneratorReferences,
  ImageGeneratorResult,
  ImageGeneratorRoot,
  ImageGeneratorSeed,
  ImageGeneratorSize,
  ImageGeneratorStatus,
  ImageGeneratorSubmit,
  ImageGeneratorVariations,
  useImageGeneratorContext,
  type ImageGeneratorAllLabels,
  type ImageGeneratorContextValue,
  type ImageGeneratorFormValues,
  type ImageGeneratorProps,
  type ImageGeneratorReferencesProps,
  type ImageGeneratorResultProps,
  type ImageGeneratorRootProps,
  type ImageGeneratorValues,
  type ImageGeneratorVariationsOptions,
} from './components/ImageGenerator.js';
export { ImageGeneratorGallery, type ImageGeneratorGalleryProps } from './components/ImageGeneratorGallery.js';
export { ReferencePicker, type ReferencePickerProps } from './components/ReferencePicker.js';
export {
  useReferencePicker,
  type ReferencePickerRootProps,
  type ReferencePickerRootPropsResult,
  type ReferenceUpload,
  type UploadFile,
  type UseReferencePickerOptions,
  type UseReferencePickerResult,
} from './react/use-reference-picker.js';
export {
  defaultImageGalleryLabels,
  defaultImageGeneratorLabels,
  defaultReferencePickerLabels,
  type ImageGalleryLabels,
  type ImageGeneratorLabels,
  type ReferencePickerLabels,
} from './components/labels.js';
export type { ReferenceRefusal, ReferenceRefusalCode } from './core/references.js';
