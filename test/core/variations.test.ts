import { describe, expect, it, vi } from 'vitest';
import { MAX_SEED } from '../../src/core/constants.js';
import { creditsPerImage, isVariationCount, MAX_VARIATIONS, variationInputs } from '../../src/core/variations.js';

describe('variations', () => {
  it('prices an image at the vendor’s flat 3 credits', () => {
    expect(creditsPerImage).toBe(3);
  });

  it('accepts whole counts from 1 to MAX_VARIATIONS only', () => {
    expect([1, 2, 4, MAX_VARIATIONS].every(isVariationCount)).toBe(true);
    for (const bad of [0, -1, 2.5, MAX_VARIATIONS + 1, Number.NaN, Infinity, '2', undefined]) expect(isVariationCount(bad)).toBe(false);
  });

  it('counts on from a given seed, wrapping at the largest seed, and keeps everything else', () => {
    const input = { prompt: 'p', size: '9:16' as const, imageUrls: ['https://a.example/x.png'] };
    expect(variationInputs({ ...input, seed: 7 }, 3)).toEqual([7, 8, 9].map((seed) => ({ ...input, seed })));
    expect(variationInputs({ ...input, seed: MAX_SEED - 1 }, 3).map((i) => i.seed)).toEqual([MAX_SEED - 1, MAX_SEED, 0]);
  });

  it('draws distinct random seeds without one', () => {
    const random = vi.spyOn(Math, 'random');
    const inputs = variationInputs({ prompt: 'p' }, 4);
    expect(random).toHaveBeenCalled();
    expect(new Set(inputs.map((i) => i.seed)).size).toBe(4);
    expect(inputs.every((i) => Number.isInteger(i.seed) && i.prompt === 'p')).toBe(true);
  });
});
