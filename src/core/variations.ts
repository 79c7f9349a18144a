import { seedVariations } from './batch.js';
import { MAX_SEED } from './constants.js';
import type { GenerateImageInput } from './types.js';

/**
 * Credits the vendor bills for one image: a flat 3, whatever the size or the number of references.
 * `<ImageGenerator creditsPerImage>` overrides it when your backend bills otherwise.
 */
export const creditsPerImage = 3;

/** The most images one Generate may make: a typo such as `choices: [1, 2, 40]` must not cost 120 credits a click. */
export const MAX_VARIATIONS = 10;

/** The counts `<ImageGenerator variations>` offers by default. */
export const DEFAULT_VARIATION_CHOICES: readonly number[] = [1, 2, 3, 4];

/** Whether one Generate may make `count` images: a whole number from 1 to `MAX_VARIATIONS`. */
export function isVariationCount(count: unknown): count is number {
  return Number.isInteger(count) && (count as number) >= 1 && (count as number) <= MAX_VARIATIONS;
}

/**
 * The inputs of `count` variations of `input`, each with its own seed: from the input's seed on
 * (`seed`, `seed + 1`…, so a typed seed gives the same batch again) or, without one, random. Drawn
 * when called, so call it from an event handler, never while rendering.
 */
export function variationInputs(input: GenerateImageInput, count: number): GenerateImageInput[] {
  const { seed } = input;
  return seedVariations(input, seed === undefined ? count : Array.from({ length: count }, (_, i) => (seed + i) % (MAX_SEED + 1)));
}
