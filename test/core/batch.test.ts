import { describe, expect, it } from 'vitest';
import { batchProgress, isSettledItem, seedVariations, type ImageBatchItemStatus } from '../../src/core/batch.js';
import { MAX_SEED } from '../../src/core/constants.js';

const items = (...statuses: ImageBatchItemStatus[]) => statuses.map((status) => ({ status }));

describe('batchProgress', () => {
  it('counts by status; pending and processing are running', () => {
    expect(batchProgress(items('queued', 'submitting', 'pending', 'processing', 'completed', 'completed', 'failed', 'cancelled'))).toEqual({
      total: 8,
      queued: 1,
      submitting: 1,
      running: 2,
      completed: 2,
      failed: 1,
      cancelled: 1,
      done: 4,
      fraction: 0.5,
    });
  });

  it('is all zero for an empty batch', () => {
    expect(batchProgress([])).toMatchObject({ total: 0, done: 0, fraction: 0 });
  });
});

describe('isSettledItem', () => {
  it('is true only for completed, failed and cancelled', () => {
    const all: ImageBatchItemStatus[] = ['queued', 'submitting', 'pending', 'processing', 'completed', 'failed', 'cancelled'];
    expect(all.filter(isSettledItem)).toEqual(['completed', 'failed', 'cancelled']);
  });
});

describe('seedVariations', () => {
  it('copies the input once per given seed', () => {
    const input = { prompt: 'a fox', size: '16:9' as const, imageUrls: ['https://images.example.com/a.png'] };
    expect(seedVariations(input, [3, 1, 2])).toEqual([
      { ...input, seed: 3 },
      { ...input, seed: 1 },
      { ...input, seed: 2 },
    ]);
  });

  it('picks random valid seeds for a count', () => {
    const list = seedVariations({ prompt: 'a fox', seed: 5 }, 6);
    expect(list).toHaveLength(6);
    for (const input of list) {
      expect(input.prompt).toBe('a fox');
      expect(Number.isInteger(input.seed)).toBe(true);
      expect(input.seed).toBeGreaterThanOrEqual(0);
      expect(input.seed).toBeLessThanOrEqual(MAX_SEED);
    }
    expect(new Set(list.map((i) => i.seed)).size).toBeGreaterThan(1);
    expect(seedVariations({ prompt: 'x' }, 0)).toEqual([]);
  });
});
