import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  ImageGenerator,
  ImageGeneratorPrompt,
  ImageGeneratorRoot,
  ImageGeneratorStatus,
  ImageGeneratorSubmit,
  useImageGeneratorContext,
  type ImageGeneratorProps,
} from '../../src/components/ImageGenerator.js';
import { ImageGeneratorGallery } from '../../src/components/ImageGeneratorGallery.js';
import { seedVariations } from '../../src/core/batch.js';
import { DEFAULT_MODEL } from '../../src/core/constants.js';
import { creditsPerImage } from '../../src/core/variations.js';
import { useImageBatch } from '../../src/react/use-image-batch.js';
import { API, createMockApi, type MockApiOptions } from '../mock-api.js';
import { memoryStorage } from '../memory-storage.js';
import { countAllRequests, server } from '../msw-server.js';
import { createTestProvider } from '../render.js';

const GENERATE_URL = `${API}/api/v2/image/generate`;
const WAIT = { timeout: 4000 };
const PROMPT = 'a paper crane on a desk';
/** The result URL the mock API gives task `n`. */
const resultUrl = (n: number) => `https://cdn.example.com/task${String(n).padStart(4, '0')}/0.png`;

/** The in-memory API with quick tasks: processing after 20 ms, done after 60 ms. */
function useMockApi(options: MockApiOptions = {}) {
  const api = createMockApi({ processingAfterMs: 20, completeAfterMs: 60, ...options });
  server.use(...api.handlers);
  return api;
}

function renderGenerator(props: ImageGeneratorProps = {}) {
  const { Wrapper } = createTestProvider();
  const user = userEvent.setup();
  const result = render(<ImageGenerator intervalMs={20} defaultValues={{ prompt: PROMPT }} variations {...props} />, { wrapper: Wrapper });
  return { user, ...result };
}

const generateButton = () => screen.getByRole('button', { name: /^Generate/ });
const gallery = () => screen.getByRole('list', { name: 'Variations' });
const cells = () => within(gallery()).getAllByRole('listitem');
const cell = (n: number, total = 4) => within(gallery()).getByRole('listitem', { name: `Image ${n} of ${total}` });
const seeds = (api: ReturnType<typeof createMockApi>) => api.posts().map((p) => p.body?.seed);

async function allImages(total: number) {
  for (let n = 1; n <= total; n++) await screen.findByRole('img', { name: `Image ${n} of ${total}: ${PROMPT}` }, WAIT);
}

describe('<ImageGenerator variations>: how many images one Generate makes', () => {
  it.each([2, 4])('says the cost before anything is sent, then sends exactly %i POSTs with distinct seeds and shows each image', async (n) => {
    const api = useMockApi();
    const onComplete = vi.fn();
    const { user, container } = renderGenerator({ onComplete });
    const group = screen.getByRole('radiogroup', { name: 'Images' });
    expect(within(group).getAllByRole('radio').map((r) => r.getAttribute('aria-label'))).toEqual(['1 image', '2 images', '3 images', '4 images']);
    expect(screen.getByRole('radio', { name: '1 image' })).toBeChecked();
    expect(generateButton()).toHaveAccessibleName('Generate 1 · 3 credits');

    await user.click(screen.getByRole('radio', { name: `${n} images` }));
    expect(generateButton()).toHaveAccessibleName(`Generate ${n} · ${n * creditsPerImage} credits`);
    expect(api.posts()).toHaveLength(0);

    await user.click(generateButton());
    // Every cell is there at once, with the chosen shape, before any image.
    expect(cells()).toHaveLength(n);
    await allImages(n);
    expect(api.posts()).toHaveLength(n);
    for (const post of api.posts()) expect(post.body).toMatchObject({ prompt: PROMPT, model: DEFAULT_MODEL, size: '1:1' });
    expect(new Set(seeds(api)).size).toBe(n);
    for (const seed of seeds(api)) expect(Number.isInteger(seed)).toBe(true);
    expect(screen.getByRole('status')).toHaveTextContent(`${n} of ${n} ready`);
    // The gallery replaces the single result frame.
    expect(container.querySelector('.fir-frame')).toBeNull();
    // Each image is reported once, as a single generation is.
    await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(n));
    expect(onComplete.mock.calls.map(([task]) => task.imageUrl).sort()).toEqual(Array.from({ length: n }, (_, i) => resultUrl(i + 1)));
    await delay(100);
    expect(api.posts()).toHaveLength(n);
  });

  it('starts from a typed seed: seed, seed + 1… so the same batch can be made again', async () => {
    const api = useMockApi();
    const { user } = renderGenerator({ defaultValues: { prompt: PROMPT, seed: 41 }, variations: { defaultValue: 3 } });
    await user.click(generateButton());
    await allImages(3);
    expect(seeds(api)).toEqual([41, 42, 43]);
  });

  it('with 1 image it is the single generation, unchanged: one POST, the result frame, no gallery', async () => {
    const api = useMockApi();
    const { user, container } = renderGenerator();
    await user.click(generateButton());
    expect(await screen.findByRole('img', { name: PROMPT }, WAIT)).toHaveAttribute('src', resultUrl(1));
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toEqual({ prompt: PROMPT, model: DEFAULT_MODEL, size: '1:1' });
    expect(container.querySelector('.fir-frame')).not.toBeNull();
    expect(screen.queryByRole('list', { name: 'Variations' })).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Your image is ready.');
  });

  it('takes the choices, the start count, a price and translated labels', async () => {
    useMockApi();
    renderGenerator({
      variations: { choices: [1, 2, 4], defaultValue: 2 },
      creditsPerImage: 5,
      labels: { variations: 'Bilder', variationsOption: (n) => `${n} Bilder`, generateVariations: (n, credits) => `${n} erzeugen · ${credits} Credits` },
    });
    const group = screen.getByRole('radiogroup', { name: 'Bilder' });
    expect(within(group).getAllByRole('radio').map((r) => r.getAttribute('value'))).toEqual(['1', '2', '4']);
    expect(screen.getByRole('radio', { name: '2 Bilder' })).toBeChecked();
    expect(screen.getByRole('button', { name: '2 erzeugen · 10 Credits' })).toBeEnabled();
  });

  it('is controlled by value / onValueChange', async () => {
    useMockApi();
    const onValueChange = vi.fn();
    const { user, rerender } = renderGenerator({ variations: { value: 2, onValueChange } });
    await user.click(screen.getByRole('radio', { name: '4 images' }));
    expect(onValueChange).toHaveBeenCalledWith(4);
    // Controlled: the app has not changed `value` yet.
    expect(screen.getByRole('radio', { name: '2 images' })).toBeChecked();
    rerender(<ImageGenerator intervalMs={20} defaultValues={{ prompt: PROMPT }} variations={{ value: 4, onValueChange }} />);
    expect(screen.getByRole('radio', { name: '4 images' })).toBeChecked();
    expect(generateButton()).toHaveAccessibleName('Generate 4 · 12 credits');
  });
});

describe('<ImageGenerator variations>: a count that is not offered is refused, and nothing is sent', () => {
  it.each([
    ['0, as the start count', { defaultValue: 0 }, 'Cannot make 0 images at once: choose 1, 2, 3, 4.'],
    ['a fraction, from a controlled value', { value: 2.5 }, 'Cannot make 2.5 images at once: choose 1, 2, 3, 4.'],
    ['more than offered, from a controlled value', { value: 5 }, 'Cannot make 5 images at once: choose 1, 2, 3, 4.'],
    ['one the choices leave out', { choices: [1, 2, 4], value: 3 }, 'Cannot make 3 images at once: choose 1, 2, 4.'],
  ])('%s', async (_, variations, message) => {
    const seen = countAllRequests();
    const { user } = renderGenerator({ variations });
    // No cost is promised for a count that cannot be made.
    expect(generateButton()).toHaveAccessibleName('Generate');
    await user.click(generateButton());
    expect(screen.getByRole('alert')).toHaveTextContent(message);
    expect(screen.getByRole('radiogroup', { name: 'Images' })).toHaveAttribute('aria-invalid', 'true');
    // Ctrl+Enter in the prompt is refused the same way.
    await user.type(screen.getByRole('textbox', { name: 'Prompt' }), '{Control>}{Enter}{/Control}');
    await delay(100);
    expect(seen).toEqual([]);
    expect(screen.queryByRole('list', { name: 'Variations' })).toBeNull();
  });

  it('from a part of your own (the context): refused, and cleared by picking a count that is offered', async () => {
    const api = useMockApi();
    const seen = countAllRequests();
    const user = userEvent.setup();
    function SevenPlease() {
      const { setVariations } = useImageGeneratorContext();
      return (
        <button type="button" onClick={() => setVariations(7)}>
          Seven
        </button>
      );
    }
    const { Wrapper } = createTestProvider();
    render(
      <ImageGeneratorRoot intervalMs={20} defaultValues={{ prompt: PROMPT }} variations>
        <ImageGeneratorPrompt />
        <SevenPlease />
        <ImageGeneratorSubmit />
        <ImageGeneratorStatus />
        <ImageGeneratorGallery />
      </ImageGeneratorRoot>,
      { wrapper: Wrapper },
    );
    await user.click(screen.getByRole('button', { name: 'Seven' }));
    await user.click(generateButton());
    expect(screen.getByRole('alert')).toHaveTextContent('Cannot make 7 images at once: choose 1, 2, 3, 4.');
    await delay(100);
    expect(seen).toEqual([]);
  });

  it('leaves choices out that are not whole numbers from 1 to 10, with a warning, and offers the rest', async () => {
    const api = useMockApi();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { user } = renderGenerator({ variations: { choices: [0, 2, 2.5, 3, 40] } });
    expect(screen.getAllByRole('radio', { name: /images?$/ }).map((r) => r.getAttribute('value'))).toEqual(['2', '3']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('variations choices 0, 2.5, 40 left out'));
    expect(screen.getByRole('radio', { name: '2 images' })).toBeChecked();
    await user.click(generateButton());
    await allImages(2);
    expect(api.posts()).toHaveLength(2);
  });

  it('a refused count is cleared when the app changes it, and the next Generate sends that many', async () => {
    const api = useMockApi();
    const { user, rerender } = renderGenerator({ variations: { value: 0 } });
    await user.click(generateButton());
    expect(screen.getByRole('alert')).toBeInTheDocument();
    rerender(<ImageGenerator intervalMs={20} defaultValues={{ prompt: PROMPT }} variations={{ value: 2 }} />);
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(generateButton());
    await allImages(2);
    expect(api.posts()).toHaveLength(2);
  });
});

describe('<ImageGenerator variations>: each cell', () => {
  it('a failing cell shows its reason; its Retry sends that one input again, once, only when clicked', async () => {
    const api = useMockApi({ failWith: (taskId) => (taskId === 'task0002' ? 'Content policy violation.' : undefined) });
    const { user } = renderGenerator({ variations: { defaultValue: 4 } });
    await user.click(generateButton());
    await waitFor(() => expect(cell(2)).toHaveAttribute('data-status', 'failed'), WAIT);
    expect(within(cell(2)).getByText('Content policy violation.')).toBeInTheDocument();
    expect(within(cell(2)).getByText('Failed')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('3 of 4 ready, 1 failed'), WAIT);
    // Nothing is sent again by itself.
    await delay(150);
    expect(api.posts()).toHaveLength(4);

    await user.click(within(cell(2)).getByRole('button', { name: 'Retry image 2 of 4' }));
    // Focus stays on the cell when its Retry goes away.
    expect(cell(2)).toHaveFocus();
    await screen.findByRole('img', { name: `Image 2 of 4: ${PROMPT}` }, WAIT);
    expect(api.posts()).toHaveLength(5);
    expect(api.posts()[4]!.body).toEqual(api.posts()[1]!.body);
    expect(screen.getByRole('status')).toHaveTextContent('4 of 4 ready');
  });

  it('Regenerate this one sends one POST with a new seed, for that image only', async () => {
    const api = useMockApi();
    const { user } = renderGenerator({ variations: { defaultValue: 4 } });
    await user.click(generateButton());
    await allImages(4);
    const before = cells().map((c) => within(c).getByRole('img').getAttribute('src'));
    await user.click(screen.getByRole('button', { name: 'Regenerate image 3 of 4 with a new seed' }));
    await waitFor(() => expect(within(cell(3)).getByRole('img')).toHaveAttribute('src', resultUrl(5)), WAIT);
    expect(api.posts()).toHaveLength(5);
    expect(api.posts()[4]!.body).toMatchObject({ prompt: PROMPT });
    expect(api.posts()[4]!.body?.seed).not.toBe(api.posts()[2]!.body?.seed);
    const after = cells().map((c) => within(c).getByRole('img').getAttribute('src'));
    expect(after).toEqual([before[0], before[1], resultUrl(5), before[3]]);
  });

  it('every action names the image it acts on; Reference adds that image to the picker', async () => {
    useMockApi();
    const { user } = renderGenerator({ variations: { defaultValue: 4 } });
    await user.click(generateButton());
    await allImages(4);
    for (let n = 1; n <= 4; n++) {
      const src = within(cell(n)).getByRole('img').getAttribute('src');
      expect(within(cell(n)).getByRole('link', { name: `Download image ${n} of 4` })).toHaveAttribute('href', src);
      expect(within(cell(n)).getByRole('link', { name: `Open image ${n} of 4` })).toHaveAttribute('href', src);
      expect(within(cell(n)).getByRole('button', { name: `Use image ${n} of 4 as reference` })).toHaveTextContent('Reference');
      expect(within(cell(n)).getByRole('button', { name: `Regenerate image ${n} of 4 with a new seed` })).toHaveTextContent('Regenerate');
    }
    await user.click(screen.getByRole('button', { name: 'Use image 2 of 4 as reference' }));
    expect(screen.getByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', within(cell(2)).getByRole('img').getAttribute('src'));
    // The button is now disabled; keyboard focus stays on its cell, not on the page's body.
    expect(cell(2)).toHaveFocus();
    // Already a reference: not twice.
    expect(screen.getByRole('button', { name: 'Use image 2 of 4 as reference' })).toBeDisabled();
  });

  it('arrow keys, Home and End move between cells; only the active cell and its actions are in the tab order', async () => {
    useMockApi();
    const { user } = renderGenerator({ variations: { defaultValue: 4 } });
    await user.click(generateButton());
    await allImages(4);
    const tabIndexes = () => cells().map((c) => c.tabIndex);
    expect(tabIndexes()).toEqual([0, -1, -1, -1]);
    cell(1).focus();
    await user.keyboard('{ArrowRight}');
    expect(cell(2)).toHaveFocus();
    expect(tabIndexes()).toEqual([-1, 0, -1, -1]);
    await user.keyboard('{End}');
    expect(cell(4)).toHaveFocus();
    await user.keyboard('{ArrowRight}');
    expect(cell(4)).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(cell(3)).toHaveFocus();
    await user.keyboard('{Home}');
    expect(cell(1)).toHaveFocus();
    // With a modifier the key is the browser's (Alt+Left is Back): the focus stays.
    await user.keyboard('{Alt>}{ArrowRight}{/Alt}{Control>}{End}{/Control}');
    expect(cell(1)).toHaveFocus();
    // Tab goes into the active cell's actions, then out of the gallery: the other cells' are skipped.
    for (const c of cells().slice(1)) {
      for (const action of [...within(c).getAllByRole('button'), ...within(c).getAllByRole('link')]) expect(action).toHaveAttribute('tabindex', '-1');
    }
    await user.tab();
    expect(screen.getByRole('button', { name: 'Use image 1 of 4 as reference' })).toHaveFocus();
    await user.tab();
    await user.tab();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Regenerate image 1 of 4 with a new seed' })).toHaveFocus();
    await user.tab();
    expect(gallery().contains(document.activeElement)).toBe(false);
  });

  it('shows each cell’s state: queued, generating with the elapsed time, then ready', async () => {
    useMockApi({ processingAfterMs: 0, completeAfterMs: 1300 });
    server.use(
      http.post(GENERATE_URL, async () => {
        await delay(100);
        return undefined;
      }),
    );
    const { user } = renderGenerator({ variations: { defaultValue: 2 }, defaultValues: { prompt: PROMPT, size: '16:9' } });
    await user.click(generateButton());
    // POSTs go one at a time: the second waits for the first.
    expect(cell(2, 2)).toHaveAccessibleDescription('Queued');
    // The cells have the chosen shape from the start.
    for (const c of cells()) expect(c.querySelector('.fir-cell__frame')).toHaveStyle({ aspectRatio: '16 / 9' });
    await waitFor(() => expect(cell(1, 2)).toHaveAccessibleDescription('Generating… 1 s'), WAIT);
    await screen.findByRole('img', { name: `Image 1 of 2: ${PROMPT}` }, WAIT);
    expect(cell(1, 2)).toHaveAccessibleDescription('Ready');
  });
});

describe('<ImageGenerator variations>: the batch as a whole', () => {
  it('announces progress politely, and only when the count of ready images changes, not on every poll', async () => {
    const api = useMockApi({ processingAfterMs: 20, completeAfterMs: 500 });
    const { user } = renderGenerator({ variations: { defaultValue: 4 } });
    const status = screen.getByRole('status');
    expect(status).toHaveAttribute('aria-live', 'polite');
    const texts: string[] = [];
    const observer = new MutationObserver(() => texts.push(status.textContent ?? ''));
    observer.observe(status, { subtree: true, childList: true, characterData: true });
    await user.click(generateButton());
    await allImages(4);
    await waitFor(() => expect(status).toHaveTextContent('4 of 4 ready'));
    observer.disconnect();
    const shown = texts.filter((text, i) => text !== texts[i - 1]);
    expect(shown[0]).toBe('0 of 4 ready');
    expect(shown.at(-1)).toBe('4 of 4 ready');
    expect(shown.every((text) => /^\d of 4 ready$/.test(text))).toBe(true);
    // Each change of the region says more are ready: the polls in between changed nothing there.
    const counts = shown.map((text) => Number(text[0]));
    expect(counts).toEqual([...counts].sort());
    expect(texts.length).toBe(shown.length);
    expect(api.polls().length).toBeGreaterThan(texts.length);
  });

  it('a 402 on the second POST stops the rest without sending them, and says how many were made and that no more credits were used', async () => {
    const api = useMockApi({ processingAfterMs: 20, completeAfterMs: 400 });
    const onError = vi.fn();
    let posted = 0;
    server.use(
      http.post(GENERATE_URL, () =>
        ++posted === 2
          ? HttpResponse.json({ error: { code: 'insufficient_credits', message: 'Insufficient credits', required: 3, balance: 1 } }, { status: 402 })
          : undefined,
      ),
    );
    const { user } = renderGenerator({ variations: { defaultValue: 4 }, onError });
    await user.click(generateButton());
    const alert = await screen.findByRole('alert', {}, WAIT);
    // Said at once: the first image, accepted and still generating, is made (and billed when it completes).
    expect(cell(1)).toHaveAttribute('data-status', expect.stringMatching(/pending|processing/));
    expect(alert).toHaveTextContent('Not enough credits: 1 of 4 images made; the other 3 used no credits.');
    await screen.findByRole('img', { name: `Image 1 of 4: ${PROMPT}` }, WAIT);
    expect(alert).toHaveTextContent('Not enough credits: 1 of 4 images made; the other 3 used no credits.');
    await delay(100);
    // Two POSTs on the wire: the first (accepted) and the refused second; the last two never left.
    expect(posted).toBe(2);
    expect(api.posts()).toHaveLength(1);
    for (const n of [3, 4]) expect(within(cell(n)).getByText(/^Not sent: an earlier image in this batch was refused/)).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('1 of 4 ready, 3 failed');
    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError.mock.calls.every(([error]) => error.kind === 'insufficient_credits')).toBe(true);
  });

  it('a 402 after a POST that failed with a 5xx says that one may have used credits', async () => {
    useMockApi();
    let posted = 0;
    server.use(
      http.post(GENERATE_URL, () =>
        ++posted === 1
          ? HttpResponse.json({ error: { message: 'Bad gateway' } }, { status: 502 })
          : HttpResponse.json({ error: { code: 'insufficient_credits', message: 'Insufficient credits' } }, { status: 402 }),
      ),
    );
    const { user } = renderGenerator({ variations: { defaultValue: 4 } });
    await user.click(generateButton());
    const alert = await screen.findByRole('alert', {}, WAIT);
    expect(alert).toHaveTextContent('Not enough credits: 0 of 4 images made; 1 may have used credits; the other 3 used no credits.');
    expect(posted).toBe(2);
  });

  it('Retry on a cell cancelled after the server accepted it sends no POST: that task is shown again', async () => {
    const api = useMockApi({ processingAfterMs: 0, completeAfterMs: 600 });
    const seen = countAllRequests();
    const posts = () => seen.filter((r) => r.method === 'POST').length;
    const { user } = renderGenerator({ variations: { defaultValue: 2 } });
    await user.click(generateButton());
    await waitFor(() => expect(cell(2, 2)).toHaveAttribute('data-status', 'pending'), WAIT);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(cells().map((c) => c.getAttribute('data-status'))).toEqual(['cancelled', 'cancelled']);
    await user.click(within(cell(1, 2)).getByRole('button', { name: 'Retry image 1 of 2' }));
    await screen.findByRole('img', { name: `Image 1 of 2: ${PROMPT}` }, WAIT);
    expect(within(cell(1, 2)).getByRole('img')).toHaveAttribute('src', resultUrl(1));
    expect(posts()).toBe(2);
    expect(api.posts()).toHaveLength(2);
    expect(cell(2, 2)).toHaveAttribute('data-status', 'cancelled');
  });

  it("with renderResult, the gallery takes the custom result area's place while there is a batch", async () => {
    useMockApi();
    const { user } = renderGenerator({ variations: { defaultValue: 2 }, renderResult: () => <p>My result area</p> });
    expect(screen.getByText('My result area')).toBeInTheDocument();
    await user.click(generateButton());
    await allImages(2);
    expect(screen.queryByText('My result area')).not.toBeInTheDocument();
  });

  it('Cancel stops the rest: nothing more is sent, unfinished cells are cancelled with a Retry', async () => {
    useMockApi({ processingAfterMs: 0, completeAfterMs: 60_000 });
    server.use(
      http.post(GENERATE_URL, async () => {
        await delay(50);
        return undefined;
      }),
    );
    const seen = countAllRequests();
    const posts = () => seen.filter((r) => r.method === 'POST').length;
    const { user } = renderGenerator({ variations: { defaultValue: 4 } });
    await user.click(generateButton());
    await waitFor(() => expect(cell(1)).toHaveAttribute('data-status', 'pending'), WAIT);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    // The first was accepted, the second was in flight (aborted); the last two never left.
    const sent = posts();
    expect(sent).toBeLessThan(4);
    await delay(200);
    expect(posts()).toBe(sent);
    expect(cells().map((c) => c.getAttribute('data-status'))).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(screen.getByRole('status')).toHaveTextContent('0 of 4 ready, 4 cancelled');
    expect(within(cell(3)).getByRole('button', { name: 'Retry image 3 of 4' })).toBeInTheDocument();
    expect(generateButton()).toBeEnabled();
  });

  it('a new single generation replaces the gallery, and a batch replaces the single result', async () => {
    const api = useMockApi();
    const { user, container } = renderGenerator({ variations: { defaultValue: 2 } });
    await user.click(generateButton());
    await allImages(2);
    await user.click(screen.getByRole('radio', { name: '1 image' }));
    await user.click(generateButton());
    await screen.findByRole('img', { name: PROMPT }, WAIT);
    expect(screen.queryByRole('list', { name: 'Variations' })).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Your image is ready.');
    await user.click(screen.getByRole('radio', { name: '2 images' }));
    await user.click(generateButton());
    expect(container.querySelector('.fir-frame')).toBeNull();
    await allImages(2);
    expect(api.posts()).toHaveLength(5);
  });

  it('refuses an invalid form as a single generation does: the field is named and nothing is sent', async () => {
    const seen = countAllRequests();
    const { user } = renderGenerator({ variations: { defaultValue: 4 }, defaultValues: { prompt: PROMPT, seed: -1 } });
    await user.click(generateButton());
    expect(await screen.findByRole('alert')).toHaveTextContent('Check the seed');
    expect(screen.getByRole('spinbutton', { name: 'Seed' })).toHaveAttribute('aria-invalid', 'true');
    await delay(50);
    expect(seen).toEqual([]);
  });
});

describe('<ImageGenerator variations persist>: resume after reload', () => {
  it('shows the batch again and resumes its unfinished cells with no new POST, under `${key}:variations`', async () => {
    // Tasks finish when the test says so.
    const finished = new Set<string>();
    let posts = 0;
    server.use(
      http.post(GENERATE_URL, () => HttpResponse.json({ task_id: `v${++posts}`, status: 'pending' }, { status: 202 })),
      http.get(`${API}/api/v2/tasks/:id`, ({ params }) => {
        const id = String(params.id);
        return HttpResponse.json(finished.has(id) ? { status: 'completed', imageUrl: `https://cdn.example.com/${id}.png` } : { status: 'processing' });
      }),
    );
    const mem = memoryStorage();
    const persist = { key: 'app:gen', storage: mem.storage };
    const page = () => {
      const { Wrapper } = createTestProvider();
      return render(<ImageGenerator intervalMs={20} defaultValues={{ prompt: PROMPT }} variations={{ defaultValue: 3 }} persist={persist} />, {
        wrapper: Wrapper,
      });
    };
    const user = userEvent.setup();
    const first = page();
    await user.click(generateButton());
    await waitFor(() => expect(mem.entries('app:gen:variations')).toHaveLength(3), WAIT);
    finished.add('v1');
    await screen.findByRole('img', { name: `Image 1 of 3: ${PROMPT}` }, WAIT);
    await waitFor(() => expect(mem.entries('app:gen:variations')[0]).toHaveProperty('imageUrl', 'https://cdn.example.com/v1.png'));
    first.unmount();

    page();
    // The batch is back: the finished image from storage, the others generating again.
    expect(await screen.findByRole('img', { name: `Image 1 of 3: ${PROMPT}` }, WAIT)).toHaveAttribute('src', 'https://cdn.example.com/v1.png');
    await waitFor(() => expect(cells().map((c) => c.getAttribute('data-status'))).toEqual(['completed', 'processing', 'processing']), WAIT);
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeVisible();
    finished.add('v2').add('v3');
    await allImages(3);
    expect(posts).toBe(3);
    // The generator's own record holds no batch item.
    expect(mem.entries('app:gen').map((e) => e.taskId)).toEqual([]);
  });

  it('with a string key, stores the batch in localStorage under `${key}:variations`', async () => {
    useMockApi({ processingAfterMs: 0, completeAfterMs: 60_000 });
    const { user } = renderGenerator({ variations: { defaultValue: 2 }, persist: 'studio' });
    try {
      await user.click(generateButton());
      await waitFor(() => expect(JSON.parse(localStorage.getItem('studio:variations') ?? '{}').entries).toHaveLength(2), WAIT);
      expect(localStorage.getItem('studio')).toBeNull();
    } finally {
      localStorage.clear();
    }
  });
});

describe('<ImageGeneratorGallery> alone, with useImageBatch', () => {
  it('shows the batch with its own status region, and calls onUseAsReference', async () => {
    const api = useMockApi();
    const onUseAsReference = vi.fn();
    const user = userEvent.setup();
    function Page() {
      const batch = useImageBatch({ intervalMs: 20 });
      return (
        <>
          <button type="button" onClick={() => void batch.generate(seedVariations({ prompt: PROMPT, size: '9:16' }, [1, 2, 3]))}>
            Make three
          </button>
          <ImageGeneratorGallery batch={batch} onUseAsReference={onUseAsReference} theme="dark" />
        </>
      );
    }
    const { Wrapper } = createTestProvider();
    const { container } = render(<Page />, { wrapper: Wrapper });
    expect(container.querySelector('.fir-gallery')).toHaveClass('fir-root');
    expect(container.querySelector('.fir-gallery')).toHaveAttribute('data-theme', 'dark');
    expect(screen.getByRole('status')).toHaveTextContent('');
    await user.click(screen.getByRole('button', { name: 'Make three' }));
    await allImages(3);
    expect(screen.getByRole('status')).toHaveTextContent('3 of 3 ready');
    expect(api.posts().map((p) => p.body?.seed)).toEqual([1, 2, 3]);
    await user.click(screen.getByRole('button', { name: 'Use image 3 of 3 as reference' }));
    expect(onUseAsReference).toHaveBeenCalledWith(resultUrl(3), expect.objectContaining({ index: 2, status: 'completed' }));
  });

  it('says where it belongs when it has no batch', () => {
    const { Wrapper } = createTestProvider();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<ImageGeneratorGallery />, { wrapper: Wrapper })).toThrow(
      '<ImageGeneratorGallery> needs batch={useImageBatch()}, or an <ImageGeneratorRoot> around it.',
    );
  });

  it('has no axe violations in any cell state', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    useMockApi({ failWith: (taskId) => (taskId === 'task0002' ? 'Content policy violation.' : undefined), completeAfterMs: 60 });
    const user = userEvent.setup();
    const { container } = renderGenerator({ variations: { defaultValue: 3 } });
    await user.click(generateButton());
    // Mid-batch: generating and queued cells.
    let results = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' ')}`)).toEqual([]);
    await waitFor(() => expect(cell(3, 3)).toHaveAttribute('data-status', 'completed'), WAIT);
    // Ready and failed cells.
    results = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' ')}`)).toEqual([]);
    expect(results.passes.length).toBeGreaterThan(5);
  });
});
