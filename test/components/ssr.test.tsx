// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { ImageGenerator } from '../../src/components/ImageGenerator.js';
import { ReferencePicker } from '../../src/components/ReferencePicker.js';
import { useGenerateImage } from '../../src/react/use-generate-image.js';
import { useImageBatch } from '../../src/react/use-image-batch.js';
import { useImageGeneration } from '../../src/react/use-image-generation.js';
import { useTaskStatus } from '../../src/react/use-task-status.js';
import { createTestProvider } from '../render.js';
import { memoryStorage } from '../memory-storage.js';
import { readsDuring } from '../render-reads.js';

const A = 'https://images.example.com/a.png';

describe('server rendering (no DOM)', () => {
  it('runs where there is no window or document', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
  });

  it('renders <ImageGenerator> to a string', () => {
    const { Wrapper } = createTestProvider();
    const html = renderToString(
      <Wrapper>
        <ImageGenerator
          defaultValues={{ prompt: 'a tree at dusk', size: '16:9', seed: 3, imageUrls: [A] }}
          uploadFile={async () => A}
          theme="dark"
        />
      </Wrapper>,
    );
    expect(html).toMatch(/^<form[^>]*class="fir-root fir-generator"[^>]*data-status="idle"/);
    expect(html).toContain('data-theme="dark"');
    expect(html).toContain('>Prompt</label>');
    expect(html).toMatch(/<textarea[^>]*>a tree at dusk<\/textarea>/);
    expect(html).toMatch(/<input[^>]*value="16:9"[^>]*checked=""|<input[^>]*checked=""[^>]*value="16:9"/);
    expect(html).toMatch(/<input[^>]*type="number"[^>]*value="3"/);
    expect(html).toContain(`src="${A}"`);
    expect(html).toContain('alt="Reference 1"');
    expect(html).toContain('1 / 14');
    expect(html).toContain('Upload images');
    expect(html).toContain('role="status"');
    expect(html).toMatch(/<button type="submit"[^>]*>Generate<\/button>/);
    expect(html).toContain('Your image will appear here.');
  });

  it('renders <ReferencePicker> to a string', () => {
    const html = renderToString(<ReferencePicker defaultValue={[A]} max={3} uploadFile={async () => A} />);
    expect(html).toContain('role="group"');
    expect(html).toContain('alt="Reference 1"');
    expect(html).toContain('aria-label="Remove reference 1"');
    expect(html).toContain('1 / 3');
    expect(html).toContain('Image URL');
    expect(html).toContain('type="file"');
  });

  // Next.js prerenders client components (`cacheComponents`, its default template) and refuses a
  // clock or random read while rendering; and whatever the server read, the first client render
  // must read the same, or hydration fails. So rendering reads none of them, nor storage.
  it('renders every component and hook without reading the clock, random numbers or storage', () => {
    const { storage } = memoryStorage();
    const getItem = vi.spyOn(storage, 'getItem');
    function Hooks() {
      useImageGeneration({ persist: { key: 'one', storage } });
      useImageBatch({ persist: { key: 'many', storage } });
      useGenerateImage();
      useTaskStatus('task_1');
      return null;
    }
    const { Wrapper } = createTestProvider();
    const { html, reads } = readsDuring(() =>
      renderToString(
        <Wrapper>
          <ImageGenerator persist={{ key: 'gen', storage }} uploadFile={async () => A} defaultValues={{ prompt: 'a fox' }} />
          <ReferencePicker defaultValue={[A]} uploadFile={async () => A} />
          <Hooks />
        </Wrapper>,
      ),
    );
    expect(html).toContain('data-status="idle"');
    expect(reads).toEqual([]);
    expect(getItem).not.toHaveBeenCalled();
  });
});
