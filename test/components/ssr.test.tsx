// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ImageGenerator } from '../../src/components/ImageGenerator.js';
import { ReferencePicker } from '../../src/components/ReferencePicker.js';
import { createTestProvider } from '../render.js';

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
});
