// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { ImageGenerator } from '../../src/components/ImageGenerator.js';
import { serializeRecord } from '../../src/persist/index.js';
import { useImageBatch } from '../../src/react/use-image-batch.js';
import { createTestProvider } from '../render.js';

describe('persist on the server (no window, no localStorage)', () => {
  it('renders <ImageGenerator persist="key"> to a string without touching storage', () => {
    expect(typeof window).toBe('undefined');
    expect('localStorage' in globalThis && (globalThis as { localStorage?: unknown }).localStorage !== undefined).toBe(false);
    const { Wrapper } = createTestProvider();
    const html = renderToString(
      <Wrapper>
        <ImageGenerator persist="app:generator" defaultValues={{ prompt: 'a tree' }} />
      </Wrapper>,
    );
    expect(html).toMatch(/data-status="idle"/);
  });

  it('does not read a given storage during a server render: what was stored shows only after hydration', () => {
    const getItem = vi.fn(() =>
      serializeRecord([
        { taskId: 't1', input: { prompt: 'stored' }, startedAt: 1, imageUrl: 'https://cdn.example.com/t1.png', completedAt: 2 },
      ]),
    );
    const storage = { getItem, setItem: vi.fn(), removeItem: vi.fn() };
    const { Wrapper } = createTestProvider();
    const html = renderToString(
      <Wrapper>
        <ImageGenerator persist={{ key: 'k', storage }} />
      </Wrapper>,
    );
    expect(getItem).not.toHaveBeenCalled();
    expect(storage.setItem).not.toHaveBeenCalled();
    expect(html).not.toContain('https://cdn.example.com/t1.png');
  });
});

describe('useImageBatch on the server', () => {
  it('renders with persist without touching storage', () => {
    const getItem = vi.fn(() => null);
    const storage = { getItem, setItem: vi.fn(), removeItem: vi.fn() };
    function Gallery() {
      const { progress, items } = useImageBatch({ persist: { key: 'g', storage } });
      return <p>{`${progress.done}/${progress.total} ${items.length}`}</p>;
    }
    const { Wrapper } = createTestProvider();
    const html = renderToString(
      <Wrapper>
        <Gallery />
      </Wrapper>,
    );
    expect(html).toBe('<p>0/0 0</p>');
    expect(getItem).not.toHaveBeenCalled();
  });
});
