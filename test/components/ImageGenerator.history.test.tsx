import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { delay, http } from 'msw';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageGenerator, type ImageGeneratorProps } from '../../src/components/ImageGenerator.js';
import type { PersistedGeneration } from '../../src/core/history.js';
import { serializeRecord } from '../../src/persist/index.js';
import { API, createMockApi, type MockApiOptions } from '../mock-api.js';
import { memoryStorage } from '../memory-storage.js';
import { server } from '../msw-server.js';
import { createTestProvider } from '../render.js';

const KEY = 'app:generator';
const WAIT = { timeout: 4000 };
const resultUrl = (n: number) => `https://cdn.example.com/task${String(n).padStart(4, '0')}/0.png`;
const REF = 'https://images.example.com/ref.png';

function useMockApi(options: MockApiOptions = {}) {
  const api = createMockApi({ processingAfterMs: 20, completeAfterMs: 60, ...options });
  server.use(...api.handlers);
  return api;
}

/** Renders the generator in a page of its own (a fresh QueryClient); storage is what survives a reload. */
function renderPage(props: ImageGeneratorProps) {
  const { Wrapper } = createTestProvider();
  return render(<ImageGenerator pollIntervalMs={20} {...props} />, { wrapper: Wrapper });
}

function stored(n: number): PersistedGeneration {
  return {
    taskId: `old${n}`,
    input: { prompt: `old ${n}`, size: '9:16', seed: n, imageUrls: [REF] },
    startedAt: 1_700_000_000_000 + n,
    imageUrl: `https://cdn.example.com/old${n}.png`,
    completedAt: 1_700_000_001_000 + n,
  };
}

const history = () => screen.getByRole('region', { name: 'Recent images' });
const promptBox = () => screen.getByRole('textbox', { name: 'Prompt' });

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  expect(warn).not.toHaveBeenCalled();
});

describe('<ImageGenerator> recent results', () => {
  it('shows no history without persist, unless showHistory is set', async () => {
    useMockApi();
    const user = userEvent.setup();
    const { unmount } = renderPage({ defaultValues: { prompt: 'a fox' } });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByRole('img', { name: 'a fox' }, WAIT);
    expect(screen.queryByRole('region', { name: 'Recent images' })).toBeNull();
    unmount();

    renderPage({ defaultValues: { prompt: 'a cat' }, showHistory: true });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByRole('img', { name: 'Recent image 1: a cat' }, WAIT);
  });

  it('lists finished results newest first, each with named actions, and stores them', async () => {
    useMockApi();
    const mem = memoryStorage();
    const user = userEvent.setup();
    renderPage({ persist: { key: KEY, storage: mem.storage } });
    for (const prompt of ['first', 'second']) {
      await user.clear(promptBox());
      await user.type(promptBox(), prompt);
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      await screen.findByRole('img', { name: prompt }, WAIT);
    }
    const items = within(history()).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByRole('img')).toHaveAccessibleName('Recent image 1: second');
    expect(within(items[0]!).getByRole('img')).toHaveAttribute('src', resultUrl(2));
    expect(within(items[1]!).getByRole('img')).toHaveAccessibleName('Recent image 2: first');
    // The one in the result frame is marked current.
    expect(items[0]).toHaveAttribute('aria-current', 'true');
    expect(items[1]).not.toHaveAttribute('aria-current');
    for (const n of [1, 2]) {
      expect(screen.getByRole('button', { name: `Re-use settings of recent image ${n}` })).toHaveTextContent('Re-use');
      expect(screen.getByRole('button', { name: `Use recent image ${n} as reference` })).toHaveTextContent('Reference');
      expect(screen.getByRole('button', { name: `Remove recent image ${n}` })).toHaveTextContent('Remove');
    }
    await waitFor(() => expect(mem.entries(KEY).map((e) => e.imageUrl)).toEqual([resultUrl(2), resultUrl(1)]));
  });

  it('Re-use puts prompt, size, seed and references back and focuses the prompt; Reference adds the image; Remove forgets it', async () => {
    const api = useMockApi();
    const mem = memoryStorage({ [KEY]: serializeRecord([stored(1), stored(2)]) });
    const user = userEvent.setup();
    renderPage({ persist: { key: KEY, storage: mem.storage } });
    // The last result is shown after the reload, without a request.
    expect(await screen.findByRole('img', { name: 'old 1' })).toHaveAttribute('src', 'https://cdn.example.com/old1.png');
    expect(api.requests).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Re-use settings of recent image 2' }));
    expect(promptBox()).toHaveValue('old 2');
    expect(promptBox()).toHaveFocus();
    expect(screen.getByRole('radio', { name: '9:16 portrait' })).toBeChecked();
    expect(screen.getByRole('spinbutton', { name: 'Seed' })).toHaveValue(2);
    expect(screen.getByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', REF);

    await user.click(screen.getByRole('button', { name: 'Use recent image 2 as reference' }));
    expect(screen.getByRole('img', { name: 'Reference 2' })).toHaveAttribute('src', 'https://cdn.example.com/old2.png');
    expect(screen.getByRole('button', { name: 'Use recent image 2 as reference' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Remove recent image 1' }));
    expect(within(history()).getAllByRole('listitem')).toHaveLength(1);
    expect(screen.getByRole('heading', { name: 'Recent images' })).toHaveFocus();
    expect(mem.entries(KEY).map((e) => e.taskId)).toEqual(['old2']);
    expect(api.requests).toHaveLength(0);
  });

  it('keeps at most 12 (historySize), dropping the oldest', async () => {
    useMockApi();
    const mem = memoryStorage({ [KEY]: serializeRecord(Array.from({ length: 15 }, (_, i) => stored(i + 1))) });
    const user = userEvent.setup();
    renderPage({ persist: { key: KEY, storage: mem.storage }, defaultValues: { prompt: 'newest' } });
    expect(await within(history()).findAllByRole('listitem')).toHaveLength(12);
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByRole('img', { name: 'newest' }, WAIT);
    const alts = within(history())
      .getAllByRole('img')
      .map((img) => img.getAttribute('alt'));
    expect(alts).toHaveLength(12);
    expect(alts[0]).toBe('Recent image 1: newest');
    expect(alts.at(-1)).toBe('Recent image 12: old 11');
    await waitFor(() => expect(mem.entries(KEY)).toHaveLength(12));
    expect(mem.entries(KEY)[0]!.input).toEqual({ prompt: 'newest', size: '1:1' });
  });

  it('honours a smaller historySize', async () => {
    const mem = memoryStorage({ [KEY]: serializeRecord([stored(1), stored(2), stored(3)]) });
    renderPage({ persist: { key: KEY, storage: mem.storage }, historySize: 2 });
    expect(await within(history()).findAllByRole('listitem')).toHaveLength(2);
  });
});

describe('<ImageGenerator persist>: resume after reload', () => {
  it('resumes the generation in flight with no new POST, and shows its image', async () => {
    const api = useMockApi({ processingAfterMs: 0, completeAfterMs: 600 });
    const mem = memoryStorage();
    const user = userEvent.setup();
    const first = renderPage({ persist: { key: KEY, storage: mem.storage }, defaultValues: { prompt: 'a harbour at dawn', size: '16:9' } });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(mem.entries(KEY)).toHaveLength(1), WAIT);
    first.unmount();

    const onComplete = vi.fn();
    renderPage({ persist: { key: KEY, storage: mem.storage }, onComplete });
    // Busy again: status, Cancel, and the frame in the stored size.
    expect(await screen.findByRole('button', { name: 'Cancel' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Generate' })).toBeDisabled();
    const image = await screen.findByRole('img', { name: 'a harbour at dawn' }, WAIT);
    expect(image).toHaveAttribute('src', resultUrl(1));
    expect(image.parentElement).toHaveAttribute('data-size', '16:9');
    expect(api.posts()).toHaveLength(1);
    expect(within(history()).getAllByRole('listitem')).toHaveLength(1);
    // The app hears of it: a paid image finished after a reload is not lost to onComplete either.
    await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1));
    expect(onComplete.mock.calls[0]![0]).toMatchObject({ taskId: 'task0001', status: 'completed', imageUrl: resultUrl(1) });
  });

  it('does not report a result restored as already finished again', async () => {
    const mem = memoryStorage({ [KEY]: serializeRecord([stored(1)]) });
    const onComplete = vi.fn();
    renderPage({ persist: { key: KEY, storage: mem.storage }, onComplete });
    await screen.findByRole('img', { name: 'old 1' });
    await delay(50);
    expect(onComplete).not.toHaveBeenCalled();
  });

  it('a reload while the POST itself is in flight loses only that request: nothing is resumed', async () => {
    useMockApi();
    server.use(
      http.post(`${API}/api/v2/image/generate`, async () => {
        await delay('infinite');
        return undefined;
      }),
    );
    const mem = memoryStorage();
    const user = userEvent.setup();
    const first = renderPage({ persist: { key: KEY, storage: mem.storage }, defaultValues: { prompt: 'x' } });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(mem.data.has(KEY)).toBe(false);
    first.unmount();
    const { container } = renderPage({ persist: { key: KEY, storage: mem.storage } });
    await delay(50);
    expect(container.querySelector('form')).toHaveAttribute('data-status', 'idle');
    expect(screen.getByRole('button', { name: 'Generate' })).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('hydrates server HTML without a mismatch, then shows what was stored', async () => {
    const api = useMockApi();
    const mem = memoryStorage({ [KEY]: serializeRecord([stored(1)]) });
    const { Wrapper } = createTestProvider();
    const ui = (
      <Wrapper>
        <ImageGenerator persist={{ key: KEY, storage: mem.storage }} />
      </Wrapper>
    );
    const container = document.body.appendChild(document.createElement('div'));
    container.innerHTML = renderToString(ui);
    expect(container.innerHTML).not.toContain('old1.png');
    const recoverable = vi.fn();
    const consoleError = vi.spyOn(console, 'error');
    const root = await act(async () => hydrateRoot(container, ui, { onRecoverableError: recoverable }));
    try {
      expect(recoverable).not.toHaveBeenCalled();
      expect(consoleError).not.toHaveBeenCalled();
      expect(await within(container).findByRole('img', { name: 'old 1' })).toHaveAttribute('src', 'https://cdn.example.com/old1.png');
      expect(api.requests).toHaveLength(0);
    } finally {
      act(() => root.unmount());
      container.remove();
    }
  });

  it('has no axe violations with a history', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const mem = memoryStorage({ [KEY]: serializeRecord([stored(1), stored(2), stored(3)]) });
    const { container } = renderPage({ persist: { key: KEY, storage: mem.storage } });
    await within(history()).findAllByRole('listitem');
    const results = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' ')}`)).toEqual([]);
    expect(results.passes.length).toBeGreaterThan(5);
  });
});
