'use client';
import { createContext, useContext } from 'react';
import type { ImageSize } from '../core/types.js';
import type { UseImageBatchResult } from '../react/use-image-batch.js';
import type { UseImageGenerationResult } from '../react/use-image-generation.js';
import type { ImageGalleryLabels, ImageGeneratorLabels, ReferencePickerLabels } from './labels.js';

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

/** Every visible string of the generator: its own, the picker's and the gallery's. */
export type ImageGeneratorAllLabels = ImageGeneratorLabels & { picker?: Partial<ReferencePickerLabels>; gallery?: Partial<ImageGalleryLabels> };

/** What the parts share through `<ImageGeneratorRoot>`; read it with `useImageGeneratorContext()` to write your own part. */
export interface ImageGeneratorContextValue extends ImageGeneratorResultProps {
  /** The form's current values. */
  values: ImageGeneratorFormValues;
  /** Changes some or all of the form's values. */
  setValues(patch: Partial<ImageGeneratorFormValues>): void;
  /**
   * Sends the form as Generate does: one generation, or with `variations` above 1 one batch of that
   * many seeds. Nothing while the prompt is blank, while anything is in flight, or for a count that
   * is not offered (then `variationsError` says why).
   */
  submit(): void;
  /** Puts a new random seed in the form and returns it. */
  randomizeSeed(): number;
  /** Whether `url` may join the references: an http(s) URL, not there yet, and room left. */
  canAddReference(url: string | undefined): url is string;
  /** Adds `url` to the references when `canAddReference(url)`. */
  addReference(url: string | undefined): void;
  /** Every visible string: the defaults with the root's `labels` over them. */
  labels: ImageGeneratorAllLabels;
  /** Prefix of the ids the parts give their elements (`${id}-prompt`…), from `useId`. */
  id: string;
  /** The prompt's textarea, focused by Re-use of a recent result. */
  promptRef: { current: HTMLTextAreaElement | null };
  /** The batch Generate sends when more than one image is asked for (`useImageBatch`); empty otherwise. */
  batch: UseImageBatchResult;
  /** True while a single generation or a batch is in flight. */
  isBusy: boolean;
  /** How many images one Generate makes, as chosen (1 without `variations`). */
  variations: number;
  /** The counts offered; empty without `variations`. */
  variationChoices: readonly number[];
  /** Chooses how many images one Generate makes. */
  setVariations(count: number): void;
  /** Why the last Generate sent nothing: the chosen count is not offered. Cleared when the count changes. */
  variationsError?: string;
  /** Credits one image costs, for the Generate button's label (`creditsPerImage`, 3 by default). */
  creditsPerImage: number;
}

/** The root's state, for its parts; null outside a root. */
export const ImageGeneratorContext = createContext<ImageGeneratorContextValue | null>(null);

/** The state and actions of the surrounding `<ImageGeneratorRoot>`, for parts of your own. */
export function useImageGeneratorContext(): ImageGeneratorContextValue {
  const value = useContext(ImageGeneratorContext);
  if (!value) throw new Error('ImageGenerator parts must be rendered inside <ImageGeneratorRoot>.');
  return value;
}
