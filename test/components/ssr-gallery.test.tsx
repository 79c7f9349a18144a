// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { ImageGenerator } from '../../src/components/ImageGenerator.js';
import { ImageGeneratorGallery } from '../../src/components/ImageGeneratorGallery.js';
import { batchProgress, type ImageBatchItem } from '../../src/core/batch.js';
import { ImageGenError } from '../../src/core/errors.js';
import type { UseImageBatchResult } from '../../src/react/use-image-batch.js';
import { memoryStorage } from '../memory-storage.js';
import { createTestProvider } from '../render.js';
import { readsDuring } from '../render-reads.js';

const PROMPT = 'a paper crane';

/** A batch in every state a cell can show, as `useImageBatch` would return it mid-way. */
function batchInEveryState(): UseImageBatchResult {
  const input = { prompt: PROMPT, size: '16:9' as const };
  const items: ImageBatchItem[] = [
    { index: 0, input, status: 'queued' },
    { index: 1, input, status: 'submitting', startedAt: 1_000 },
    { index: 2, input, status: 'processing', taskId: 't3', startedAt: 1_000 },
    { index: 3, input, status: 'completed', taskId: 't4', imageUrl: 'https://cdn.example.com/t4.png', startedAt: 1_000 },
    { index: 4, input, status: 'failed', taskId: 't5', error: new ImageGenError({ kind: 'task_failed', message: 'Content policy violation.' }) },
    { index: 5, input, status: 'cancelled', taskId: 't6' },
  ];
  const never = () => new Promise<ImageBatchItem[]>(() => undefined);
  return { items, progress: batchProgress(items), isBusy: true, generate: never, retry: never, cancel: vi.fn(), reset: vi.fn() };
}

describe('the gallery and variations on the server (no window)', () => {
  it('runs where there is no window or document', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
  });

  it('renders a batch in every cell state to a string, without reading the clock or random numbers', () => {
    const { html, reads } = readsDuring(() => renderToString(<ImageGeneratorGallery batch={batchInEveryState()} />));
    expect(reads).toEqual([]);
    expect(html).toContain('<div class="fir-gallery fir-root">');
    expect(html).toContain('role="status">1 of 6 ready, 1 failed, 1 cancelled</div>');
    expect(html).toMatch(/<ul class="fir-gallery__grid" aria-label="Variations" data-size="16:9"/);
    // Six cells, each with the images' shape from the start; the first in the tab order.
    expect(html.match(/<li class="fir-cell"/g)).toHaveLength(6);
    expect(html.match(/style="aspect-ratio:16 \/ 9"/g)).toHaveLength(6);
    expect(html).toMatch(/<li class="fir-cell" data-status="queued" tabindex="0" aria-label="Image 1 of 6"/);
    expect(html).toMatch(/<li class="fir-cell" data-status="processing" tabindex="-1" aria-label="Image 3 of 6"/);
    for (const state of ['Queued', 'Generating…', 'Ready', 'Failed', 'Cancelled']) expect(html).toContain(`>${state}</p>`);
    expect(html).toContain('alt="Image 4 of 6: a paper crane"');
    expect(html).toContain('href="https://cdn.example.com/t4.png" download="" aria-label="Download image 4 of 6"');
    expect(html).toContain('<p>Content policy violation.</p>');
    expect(html).toContain('aria-label="Retry image 5 of 6"');
    expect(html).toContain('aria-label="Retry image 6 of 6"');
    // Alone and without onUseAsReference, there is nothing to add a reference to.
    expect(html).not.toContain('as reference');
  });

  it('renders <ImageGenerator variations persist> without reading the clock, random numbers or storage', () => {
    const { storage } = memoryStorage();
    const getItem = vi.spyOn(storage, 'getItem');
    const { Wrapper } = createTestProvider();
    const { html, reads } = readsDuring(() =>
      renderToString(
        <Wrapper>
          <ImageGenerator variations={{ defaultValue: 4 }} persist={{ key: 'gen', storage }} defaultValues={{ prompt: PROMPT }} />
        </Wrapper>,
      ),
    );
    expect(reads).toEqual([]);
    expect(getItem).not.toHaveBeenCalled();
    expect(html).toMatch(/role="radiogroup" aria-labelledby="[^"]+-variations"/);
    expect(html).toContain('aria-label="4 images"');
    expect(html).toMatch(/<button type="submit"[^>]*>Generate 4 · 12 credits<\/button>/);
    // No batch yet: the empty result frame, no gallery.
    expect(html).toContain('Your image will appear here.');
    expect(html).not.toContain('fir-gallery');
  });
});
