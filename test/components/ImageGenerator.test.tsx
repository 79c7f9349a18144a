import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageGenerator, type ImageGeneratorProps } from '../../src/components/ImageGenerator.js';
import { DEFAULT_MODEL, MAX_SEED } from '../../src/core/constants.js';
import type { ImageGenError } from '../../src/core/errors.js';
import type { GenerateImageInput, ImageFetcher, ImageTask } from '../../src/core/types.js';
import { API, createMockApi, type MockApiOptions } from '../mock-api.js';
import { server } from '../msw-server.js';
import { createTestProvider } from '../render.js';

const GENERATE_URL = `${API}/api/v2/image/generate`;
const A = 'https://images.example.com/a.png';
const B = 'https://images.example.com/b.png';
/** The result URL the mock API gives task `n`. */
const resultUrl = (n: number) => `https://cdn.example.com/task${String(n).padStart(4, '0')}/0.png`;
/** Long enough for a slow CI machine; the mock tasks themselves finish in well under 100 ms. */
const WAIT = { timeout: 4000 };

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The in-memory API with quick tasks: processing after 20 ms, done after 60 ms. */
function useMockApi(options: MockApiOptions = {}) {
  const api = createMockApi({ processingAfterMs: 20, completeAfterMs: 60, ...options });
  server.use(...api.handlers);
  return api;
}

/**
 * Records the body of every POST, answering with `respond(n)` for the n-th one (1-based); when that
 * returns undefined the request goes on to the mock API. Call after `useMockApi`: msw tries the
 * handlers added last first.
 */
function interceptPosts(respond: (n: number) => Response | undefined) {
  const bodies: unknown[] = [];
  server.use(
    http.post(GENERATE_URL, async ({ request }) => {
      bodies.push(await request.clone().json());
      return respond(bodies.length);
    }),
  );
  return bodies;
}

function renderGenerator(props: ImageGeneratorProps = {}, options: { fetcher?: ImageFetcher; strict?: boolean } = {}) {
  const { Wrapper } = createTestProvider(options.fetcher);
  const user = userEvent.setup();
  const ui = <ImageGenerator pollIntervalMs={20} {...props} />;
  const result = render(options.strict ? <StrictMode>{ui}</StrictMode> : ui, { wrapper: Wrapper });
  return { user, ...result };
}

const promptBox = () => screen.getByRole('textbox', { name: 'Prompt' });
const seedInput = () => screen.getByRole('spinbutton', { name: 'Seed' });
const generateButton = () => screen.getByRole('button', { name: 'Generate' });
const statusRegion = () => screen.getByRole('status');
/** The elapsed seconds the ticking counter beside the status region shows. */
const elapsedShown = () =>
  Number(/^(\d+) s$/.exec(statusRegion().parentElement?.querySelector('[aria-hidden="true"]')?.textContent ?? '')?.[1] ?? Number.NaN);

async function addReference(user: UserEvent, url: string) {
  await user.click(screen.getByRole('textbox', { name: 'Image URL' }));
  await user.paste(url);
  await user.keyboard('{Enter}');
}

/** Every attribute in the document whose value is a `javascript:` URL, as browsers would read it. */
function javascriptUrlsInDom(): string[] {
  const found: string[] = [];
  for (const element of Array.from(document.querySelectorAll('*'))) {
    for (const attribute of Array.from(element.attributes)) {
      // Browsers drop ASCII whitespace and control characters before reading the scheme.
      const normalised = attribute.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (normalised.startsWith('javascript:')) found.push(`<${element.tagName.toLowerCase()} ${attribute.name}="${attribute.value}">`);
    }
  }
  return found;
}

beforeEach(() => {
  vi.mocked(URL.createObjectURL).mockClear();
});

describe('ImageGenerator: generating', () => {
  it('turns the form into one POST and shows the finished image with Download and Open', async () => {
    const api = useMockApi();
    const { user, container } = renderGenerator();
    const prompt = 'a corgi under cherry blossoms';

    expect(screen.getByRole('radiogroup', { name: 'Size' })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: '1:1 square' })).toBeChecked();
    await user.type(promptBox(), prompt);
    await user.click(screen.getByRole('radio', { name: '16:9 landscape' }));
    expect(screen.getByRole('radio', { name: '16:9 landscape' })).toBeChecked();
    await user.type(seedInput(), '42');
    await addReference(user, A);
    await addReference(user, B);
    await user.click(screen.getByRole('button', { name: 'Move reference 2 earlier' }));
    expect(api.posts()).toHaveLength(0);

    await user.click(generateButton());

    const image = await screen.findByRole('img', { name: prompt }, WAIT);
    expect(image).toHaveAttribute('src', resultUrl(1));
    const download = screen.getByRole('link', { name: 'Download' });
    expect(download).toHaveAttribute('href', resultUrl(1));
    expect(download).toHaveAttribute('download');
    const open = screen.getByRole('link', { name: 'Open' });
    expect(open).toHaveAttribute('href', resultUrl(1));
    expect(open).toHaveAttribute('target', '_blank');
    expect(open.getAttribute('rel')).toContain('noopener');
    expect(statusRegion()).toHaveTextContent('Your image is ready.');
    expect(container.querySelector('form')).toHaveAttribute('data-status', 'completed');
    // The frame keeps the chosen aspect ratio, so nothing jumps when the image lands.
    const frame = image.parentElement!;
    expect(frame).toHaveAttribute('data-size', '16:9');
    expect(frame.style.aspectRatio).toBe('16 / 9');

    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toEqual({ prompt, model: DEFAULT_MODEL, size: '16:9', seed: 42, image_urls: [B, A] });
    expect(api.polls().length).toBeGreaterThanOrEqual(1);
    for (const poll of api.polls()) expect(poll.url).toBe(`${API}/api/v2/tasks/task0001`);
    expect(generateButton()).toBeEnabled();
  });

  it('sends the defaults: size 1:1, no seed, no references, the prompt trimmed', async () => {
    const api = useMockApi();
    const { user } = renderGenerator();
    await user.type(promptBox(), '  a fox  ');
    await user.click(generateButton());
    // The alt text is the prompt as typed; its accessible name is trimmed.
    await screen.findByRole('img', { name: 'a fox' }, WAIT);
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toEqual({ prompt: 'a fox', model: DEFAULT_MODEL, size: '1:1' });
  });

  it('starts from defaultValues', async () => {
    const api = useMockApi();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a harbour', size: '9:16', seed: 7, imageUrls: [A] } });
    expect(promptBox()).toHaveValue('a harbour');
    expect(screen.getByRole('radio', { name: '9:16 portrait' })).toBeChecked();
    expect(seedInput()).toHaveValue(7);
    expect(screen.getByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', A);
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a harbour' }, WAIT);
    expect(api.posts()[0]!.body).toEqual({ prompt: 'a harbour', model: DEFAULT_MODEL, size: '9:16', seed: 7, image_urls: [A] });
  });

  it('fills the seed with Random seed, and sends that seed', async () => {
    const api = useMockApi();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a kite' } });
    expect(seedInput()).toHaveValue(null);
    await user.click(screen.getByRole('button', { name: 'Random seed' }));
    const seed = (seedInput() as HTMLInputElement).valueAsNumber;
    expect(Number.isInteger(seed)).toBe(true);
    expect(seed).toBeGreaterThanOrEqual(0);
    expect(seed).toBeLessThanOrEqual(MAX_SEED);
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a kite' }, WAIT);
    expect(api.posts()[0]!.body?.seed).toBe(seed);
  });

  it('keeps Generate disabled while the prompt is blank', async () => {
    const api = useMockApi();
    const { user } = renderGenerator();
    expect(generateButton()).toBeDisabled();
    await user.type(promptBox(), '   ');
    expect(generateButton()).toBeDisabled();
    await user.keyboard('{Control>}{Enter}{/Control}');
    await user.click(generateButton());
    await sleep(50);
    expect(api.posts()).toHaveLength(0);
    expect(statusRegion().textContent).toBe('');

    await user.type(promptBox(), 'x');
    expect(generateButton()).toBeEnabled();
  });

  it('disables Generate while a generation is in flight: a double click sends one POST', async () => {
    const api = useMockApi({ completeAfterMs: 400 });
    const { user } = renderGenerator({ defaultValues: { prompt: 'a teapot' } });

    await user.dblClick(generateButton());

    expect(generateButton()).toBeDisabled();
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a teapot' }, WAIT);
    expect(api.posts()).toHaveLength(1);
    expect(generateButton()).toBeEnabled();
  });

  it('sends one POST and reports once when the form is submitted twice in the same tick', async () => {
    const api = useMockApi();
    const onComplete = vi.fn();
    const { container } = renderGenerator({ defaultValues: { prompt: 'a lamp' }, onComplete });
    const form = container.querySelector('form')!;
    act(() => {
      form.requestSubmit();
      form.requestSubmit();
    });
    await screen.findByRole('img', { name: 'a lamp' }, WAIT);
    expect(api.posts()).toHaveLength(1);
    await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1));
  });

  it('submits with Ctrl+Enter and Cmd+Enter in the prompt; plain Enter is a new line', async () => {
    const api = useMockApi();
    const { user } = renderGenerator();
    await user.type(promptBox(), 'a red{Enter}door');
    await sleep(50);
    expect(promptBox()).toHaveValue('a red\ndoor');
    expect(api.posts()).toHaveLength(0);

    await user.keyboard('{Control>}{Enter}{/Control}');
    await screen.findByRole('img', { name: 'a red\ndoor' }, WAIT);
    expect(api.posts()).toHaveLength(1);
    expect(promptBox()).toHaveValue('a red\ndoor');

    await user.keyboard('{Meta>}{Enter}{/Meta}');
    await screen.findByRole('img', { name: 'a red\ndoor' }, WAIT);
    await waitFor(() => expect(api.posts()).toHaveLength(2), WAIT);
    await waitFor(() => expect(screen.getByRole('img', { name: 'a red\ndoor' })).toHaveAttribute('src', resultUrl(2)), WAIT);
  });

  it('adding a reference with Enter inside the form does not start a generation', async () => {
    const api = useMockApi();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a bridge' } });
    await addReference(user, A);
    await sleep(50);
    expect(screen.getByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', A);
    expect(api.posts()).toHaveLength(0);
  });

  it('names no button but the submit button "Generate…"', async () => {
    useMockApi();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a boat', imageUrls: [A] } });
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a boat' }, WAIT);
    const named = [...screen.queryAllByRole('button'), ...screen.queryAllByRole('link')].filter((el) =>
      /^generate/i.test(el.textContent?.trim() ?? '') || /^generate/i.test(el.getAttribute('aria-label') ?? ''),
    );
    expect(named).toEqual([generateButton()]);
    expect(screen.getAllByRole('button', { name: /^generate/i })).toEqual([generateButton()]);
  });
});

describe('ImageGenerator: while waiting', () => {
  it('says what is happening in a status region, with the elapsed seconds, in a frame of the chosen size', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const gate = deferred<void>();
    const api = createMockApi({ processingAfterMs: 2000, completeAfterMs: 4000 });
    // Holds the POST until the test lets it through, then hands it on to the mock API.
    server.use(
      http.post(GENERATE_URL, async () => {
        await gate.promise;
      }),
      ...api.handlers,
    );
    const { Wrapper } = createTestProvider();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const { container } = render(
      <ImageGenerator pollIntervalMs={500} defaultValues={{ prompt: 'a lighthouse', size: '9:16' }} />,
      { wrapper: Wrapper },
    );
    expect(statusRegion()).toHaveAttribute('aria-live', 'polite');
    expect(statusRegion().textContent).toBe('');
    expect(screen.getByText('Your image will appear here.')).toBeInTheDocument();

    await user.click(generateButton());

    expect(statusRegion()).toHaveTextContent(/^Sending your prompt… 0 s$/);
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
    const frame = container.querySelector<HTMLElement>('.fir-frame')!;
    expect(frame).toHaveAttribute('data-status', 'submitting');
    expect(frame).toHaveAttribute('data-size', '9:16');
    expect(frame.style.aspectRatio).toBe('9 / 16');
    expect(frame.querySelector('[aria-hidden="true"]')).not.toBeNull();
    expect(screen.queryByText('Your image will appear here.')).not.toBeInTheDocument();

    // The fake clock also moves with real time (shouldAdvanceTime), so a slow machine may show a
    // second more than the time advanced here; never less.
    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(statusRegion()).toHaveTextContent(/^Sending your prompt… \d+ s$/);
    const afterOneSecond = elapsedShown();
    expect(afterOneSecond).toBeGreaterThanOrEqual(1);

    await act(async () => gate.resolve());
    await waitFor(() => expect(statusRegion()).toHaveTextContent(/^Queued… \d+ s$/));
    expect(api.posts()).toHaveLength(1);

    await act(() => vi.advanceTimersByTimeAsync(2600));
    expect(statusRegion()).toHaveTextContent(/^Generating… \d+ s$/);
    expect(elapsedShown()).toBeGreaterThanOrEqual(afterOneSecond + 2);
    // Screen readers hear the time in steps of 10 s, not every tick.
    expect(statusRegion()).toHaveTextContent(/^Generating… 0 s$/);
    expect(frame).toHaveAttribute('data-status', 'processing');

    await act(() => vi.advanceTimersByTimeAsync(2000));
    await waitFor(() => expect(statusRegion()).toHaveTextContent(/^Your image is ready\.$/));
    expect(screen.getByRole('img', { name: 'a lighthouse' })).toHaveAttribute('src', resultUrl(1));
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
  });

  it('Cancel stops waiting: no more polls, back to idle, with a note about credits while busy', async () => {
    const api = useMockApi({ processingAfterMs: 20, completeAfterMs: 60_000 });
    const onError = vi.fn();
    const onComplete = vi.fn();
    const { user, container } = renderGenerator({ defaultValues: { prompt: 'a glacier' }, onError, onComplete });
    expect(screen.queryByText(/may still finish and use credits/)).not.toBeInTheDocument();

    await user.click(generateButton());
    await waitFor(() => expect(statusRegion()).toHaveTextContent('Generating…'), WAIT);
    expect(api.polls().length).toBeGreaterThanOrEqual(1);
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    expect(screen.getByText(/may still finish and use credits/)).toBeInTheDocument();
    expect(cancel).toHaveAccessibleDescription(/may still finish and use credits/);

    await user.click(cancel);

    expect(statusRegion().textContent).toBe('');
    expect(container.querySelector('form')).toHaveAttribute('data-status', 'idle');
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
    expect(screen.queryByText(/may still finish and use credits/)).not.toBeInTheDocument();
    expect(screen.getByText('Your image will appear here.')).toBeInTheDocument();
    expect(generateButton()).toBeEnabled();
    // A poll already on the wire when Cancel was clicked may still land; none may start after.
    await sleep(30);
    const polls = api.polls().length;
    await sleep(200);
    expect(api.polls()).toHaveLength(polls);
    expect(api.posts()).toHaveLength(1);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(onError).not.toHaveBeenCalled();
    expect(onComplete).not.toHaveBeenCalled();
  });

  // A shift counts as layout shift unless it follows an input at once: the Cancel appearing at the
  // click does not count, anything that appears or disappears when the image lands does.
  it('keeps every element around the result frame in place when the image lands', async () => {
    useMockApi({ processingAfterMs: 20, completeAfterMs: 200 });
    const { user, container } = renderGenerator({ defaultValues: { prompt: 'a harbour' } });
    const frame = () => container.querySelector('.fir-frame')!;
    // Every element outside the frame, in document order, with whether it takes part in layout.
    const layout = () =>
      [...container.querySelectorAll('*')]
        .filter((element) => !frame().contains(element))
        .map((element) => `${element.tagName.toLowerCase()}.${element.className}${getComputedStyle(element).display === 'none' ? ' (none)' : ''}`);
    await user.click(generateButton());
    await waitFor(() => expect(statusRegion()).toHaveTextContent('Generating…'), WAIT);
    const busy = layout();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeVisible();
    await waitFor(() => expect(screen.getByRole('img', { name: 'a harbour' })).toBeInTheDocument(), WAIT);
    expect(layout()).toEqual(busy);
    // Kept in place, but hidden from sight and from assistive technology.
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
    expect(screen.getByText(/may still finish and use credits/)).not.toBeVisible();
    expect(screen.getByRole('link', { name: 'Download' })).toBeVisible();
  });

  it('Cancel while the POST is in flight: no task is polled', async () => {
    const api = useMockApi();
    const gate = deferred<void>();
    server.use(
      http.post(GENERATE_URL, async () => {
        await gate.promise;
      }),
    );
    const { user } = renderGenerator({ defaultValues: { prompt: 'a comet' } });
    await user.click(generateButton());
    expect(statusRegion()).toHaveTextContent('Sending your prompt…');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(statusRegion().textContent).toBe('');
    gate.resolve();
    await sleep(200);
    expect(api.polls()).toHaveLength(0);
    expect(statusRegion().textContent).toBe('');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

type ErrorCase = {
  kind: ImageGenError['kind'];
  /** What the alert must say. */
  text: RegExp;
  /** Sets up the failure; returns the number of POSTs sent so far. */
  arrange(): () => number;
  /** Whether the retry goes through to a finished image. */
  retrySucceeds: boolean;
  props?: ImageGeneratorProps;
};

/** The first POST fails with `response`; later ones reach the mock API and succeed. */
const failFirstPost = (response: () => Response) => () => {
  useMockApi();
  const bodies = interceptPosts((n) => (n === 1 ? response() : undefined));
  return () => bodies.length;
};

const errorCases: ErrorCase[] = [
  {
    kind: 'unauthorized',
    text: /Check the API key/,
    arrange: failFirstPost(() =>
      HttpResponse.json({ error: { code: 'invalid_api_key', type: 'authentication_error', message: 'Invalid API key' } }, { status: 401 }),
    ),
    retrySucceeds: true,
  },
  {
    kind: 'insufficient_credits',
    text: /Not enough credits/,
    arrange: failFirstPost(() =>
      HttpResponse.json({ error: { code: 'insufficient_credits', message: 'Insufficient credits', required: 2, balance: 0 } }, { status: 402 }),
    ),
    retrySucceeds: true,
  },
  {
    kind: 'rate_limited',
    text: /Too many requests right now\. Retry in 30 seconds\./,
    arrange: failFirstPost(() =>
      HttpResponse.json({ error: { code: 'rate_limited', message: 'Slow down' } }, { status: 429, headers: { 'Retry-After': '30' } }),
    ),
    retrySucceeds: true,
  },
  {
    kind: 'network',
    text: /Could not reach the image service\. Check your connection/,
    arrange: failFirstPost(() => HttpResponse.error()),
    retrySucceeds: true,
  },
  {
    kind: 'server',
    text: /The image service had a problem/,
    arrange: failFirstPost(() => HttpResponse.json({ error: { message: 'upstream exploded' } }, { status: 500 })),
    retrySucceeds: true,
  },
  {
    kind: 'task_failed',
    text: /The image could not be generated: The prompt was blocked by the safety filter\./,
    arrange: () => {
      const api = useMockApi({ failWith: 'The prompt was blocked by the safety filter.' });
      return () => api.posts().length;
    },
    retrySucceeds: false,
  },
  {
    kind: 'timeout',
    text: /The image took too long/,
    arrange: () => {
      const api = useMockApi({ processingAfterMs: 10, completeAfterMs: 60_000 });
      return () => api.posts().length;
    },
    retrySucceeds: false,
    props: { timeoutMs: 100 },
  },
];

describe('ImageGenerator: errors', () => {
  it.each(errorCases)('shows $kind in an alert with a Retry that re-sends the same input only when clicked', async ({
    kind,
    text,
    arrange,
    retrySucceeds,
    props,
  }) => {
    const postCount = arrange();
    const onError = vi.fn();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a whale', size: '16:9', seed: 5, imageUrls: [A] }, onError, ...props });

    await user.click(generateButton());

    const alert = await screen.findByRole('alert', {}, WAIT);
    expect(alert).toHaveTextContent(text);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toMatchObject({ kind });
    const retry = within(alert).getByRole('button', { name: 'Retry' });
    // A keyboard user lands on the next step.
    expect(retry).toHaveFocus();
    expect(generateButton()).toBeEnabled();
    expect(statusRegion().textContent).toBe('');
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();

    // Nothing is re-sent by itself.
    expect(postCount()).toBe(1);
    await sleep(200);
    expect(postCount()).toBe(1);

    // Retry sends the failed input, even after the form was edited.
    await user.clear(promptBox());
    await user.type(promptBox(), 'something else');
    await user.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(postCount()).toBe(2), WAIT);

    if (retrySucceeds) {
      expect(await screen.findByRole('img', { name: 'a whale' }, WAIT)).toHaveAttribute('src', resultUrl(1));
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      expect(onError).toHaveBeenCalledTimes(1);
    } else {
      await waitFor(() => expect(onError).toHaveBeenCalledTimes(2), WAIT);
      expect(screen.getByRole('alert')).toHaveTextContent(text);
    }
    await sleep(100);
    expect(postCount()).toBe(2);
  });

  it('re-sends exactly the first body on Retry', async () => {
    const api = useMockApi();
    const bodies = interceptPosts((n) => (n === 1 ? HttpResponse.json({ error: { message: 'busy' } }, { status: 503 }) : undefined));
    const { user } = renderGenerator({ defaultValues: { prompt: 'a kiln', size: '9:16', seed: 99, imageUrls: [A, B] } });
    await user.click(generateButton());
    await user.click(await screen.findByRole('button', { name: 'Retry' }, WAIT));
    await screen.findByRole('img', { name: 'a kiln' }, WAIT);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toEqual({ prompt: 'a kiln', model: DEFAULT_MODEL, size: '9:16', seed: 99, image_urls: [A, B] });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(api.posts()).toHaveLength(1);
  });

  it.each([
    ['1.5', 'a fraction'],
    ['-1', 'a negative number'],
    ['2147483648', 'a number over the limit'],
  ])('refuses a seed of %s (%s) naming the field, without sending anything', async (seed) => {
    const api = useMockApi();
    const onError = vi.fn();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a moth' }, onError });
    await user.type(seedInput(), seed);
    expect(seedInput()).toHaveDisplayValue(seed);

    await user.click(generateButton());

    const alert = await screen.findByRole('alert', {}, WAIT);
    expect(alert).toHaveTextContent(/Check the seed: Seed must be a whole number from 0 to 2147483647\./);
    expect(seedInput()).toHaveAttribute('aria-invalid', 'true');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toMatchObject({ kind: 'validation', field: 'seed' });
    // Re-sending the same invalid input cannot help; fixing the field can.
    expect(within(alert).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    await sleep(50);
    expect(api.posts()).toHaveLength(0);

    await user.clear(seedInput());
    await user.type(seedInput(), '3');
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a moth' }, WAIT);
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body?.seed).toBe(3);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(seedInput()).not.toHaveAttribute('aria-invalid');
  });

  it('shows a validation error from the server in the server’s words', async () => {
    useMockApi();
    const bodies = interceptPosts(() =>
      HttpResponse.json({ error: { code: 'invalid_request', message: 'image_urls[0] could not be downloaded' } }, { status: 400 }),
    );
    const { user } = renderGenerator({ defaultValues: { prompt: 'a kettle', imageUrls: [A] } });
    await user.click(generateButton());
    expect(await screen.findByRole('alert', {}, WAIT)).toHaveTextContent('image_urls[0] could not be downloaded');
    expect(bodies).toHaveLength(1);
  });
});

describe('ImageGenerator: after the image', () => {
  it('Use as reference adds the result to the picker, and the next POST sends it', async () => {
    const api = useMockApi();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a castle' } });
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a castle' }, WAIT);
    expect(screen.getByText('0 / 14')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Use as reference' }));

    expect(screen.getByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', resultUrl(1));
    expect(screen.getByText('1 / 14')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Use as reference' })).toBeDisabled();
    expect(api.posts()).toHaveLength(1);

    await user.clear(promptBox());
    await user.type(promptBox(), 'the castle at night');
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'the castle at night' }, WAIT);
    expect(api.posts()).toHaveLength(2);
    expect(api.posts()[1]!.body).toEqual({ prompt: 'the castle at night', model: DEFAULT_MODEL, size: '1:1', image_urls: [resultUrl(1)] });
  });

  it('Use as reference is disabled when the picker is full', async () => {
    useMockApi();
    const full = Array.from({ length: 14 }, (_, i) => `https://images.example.com/full-${i}.png`);
    const { user } = renderGenerator({ defaultValues: { prompt: 'a collage', imageUrls: full } });
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a collage' }, WAIT);
    expect(screen.getByRole('button', { name: 'Use as reference' })).toBeDisabled();
    expect(screen.getByText('14 / 14')).toBeInTheDocument();
  });

  it('Regenerate sends exactly one new POST: same inputs, a new seed', async () => {
    const api = useMockApi();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a heron', size: '9:16', seed: 42, imageUrls: [A] } });
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a heron' }, WAIT);
    expect(api.posts()).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Regenerate' }));

    await waitFor(() => expect(screen.getByRole('img', { name: 'a heron' })).toHaveAttribute('src', resultUrl(2)), WAIT);
    await sleep(100);
    expect(api.posts()).toHaveLength(2);
    const [first, second] = api.posts().map((post) => post.body!);
    expect(second!.seed).not.toBe(first!.seed);
    expect(Number.isInteger(second!.seed)).toBe(true);
    expect(second).toEqual({ ...first, seed: second!.seed });
    expect(first).toEqual({ prompt: 'a heron', model: DEFAULT_MODEL, size: '9:16', seed: 42, image_urls: [A] });
    // The form shows the seed that was used.
    expect(seedInput()).toHaveValue(second!.seed as number);
  });

  it('calls onComplete once with the task, and onError once with the error', async () => {
    const api = useMockApi();
    const onComplete = vi.fn<(task: ImageTask) => void>();
    const onError = vi.fn<(error: ImageGenError) => void>();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a gull' }, onComplete, onError }, { strict: true });
    await user.click(generateButton());
    await screen.findByRole('img', { name: 'a gull' }, WAIT);
    await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1));
    expect(onComplete.mock.calls[0]![0]).toMatchObject({ taskId: 'task0001', status: 'completed', imageUrl: resultUrl(1) });
    await sleep(100);
    expect(onComplete).toHaveBeenCalledTimes(1);
    expect(onError).not.toHaveBeenCalled();
    expect(api.posts()).toHaveLength(1);
  });

  it('calls onError once when the task fails, and not onComplete', async () => {
    useMockApi({ failWith: 'No capacity.' });
    const onComplete = vi.fn<(task: ImageTask) => void>();
    const onError = vi.fn<(error: ImageGenError) => void>();
    const { user } = renderGenerator({ defaultValues: { prompt: 'a crab' }, onComplete, onError }, { strict: true });
    await user.click(generateButton());
    await screen.findByRole('alert', {}, WAIT);
    await waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    expect(onError.mock.calls[0]![0]).toMatchObject({ kind: 'task_failed', message: 'No capacity.' });
    await sleep(100);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onComplete).not.toHaveBeenCalled();
  });
});

describe('ImageGenerator: javascript: URLs', () => {
  it('never renders a javascript: image URL from the API (a bad response)', async () => {
    const api = useMockApi({ imageUrl: () => 'javascript:alert(1)' });
    const onComplete = vi.fn();
    const { user } = renderGenerator({ defaultValues: { prompt: 'an owl' }, onComplete });
    await user.click(generateButton());

    expect(await screen.findByRole('alert', {}, WAIT)).toHaveTextContent('The image service sent an unexpected answer.');
    expect(api.polls().length).toBeGreaterThanOrEqual(1);
    expect(javascriptUrlsInDom()).toEqual([]);
    expect(screen.queryByRole('img', { name: 'an owl' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(onComplete).not.toHaveBeenCalled();
  });

  function javascriptFetcher() {
    const calls = { generate: 0, getTask: 0 };
    const fetcher: ImageFetcher = {
      async generate(input: GenerateImageInput) {
        calls.generate += 1;
        return { taskId: 'evil-1', status: 'pending', raw: { input } };
      },
      async getTask(taskId: string) {
        calls.getTask += 1;
        return { taskId, status: 'completed', imageUrl: 'javascript:alert(document.cookie)', raw: {} };
      },
    };
    return { fetcher, calls };
  }

  it('never renders a javascript: image URL from a custom fetcher', async () => {
    const { fetcher, calls } = javascriptFetcher();
    const onComplete = vi.fn();
    const { user, container } = renderGenerator({ defaultValues: { prompt: 'an owl' }, onComplete }, { fetcher });
    await user.click(generateButton());

    // A "completed" task without an http(s) image is a bad response, whoever the fetcher is.
    await waitFor(() => expect(container.querySelector('form')).toHaveAttribute('data-status', 'failed'), WAIT);
    expect(screen.getByRole('alert')).toHaveTextContent('The image service sent an unexpected answer.');
    expect(onComplete).not.toHaveBeenCalled();
    expect(calls.generate).toBe(1);
    expect(calls.getTask).toBeGreaterThanOrEqual(1);
    expect(javascriptUrlsInDom()).toEqual([]);
    expect(screen.queryByRole('img', { name: 'an owl' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Use as reference' })).not.toBeInTheDocument();
  });

  it('does not let a custom result area add a javascript: URL to the references', async () => {
    const { fetcher } = javascriptFetcher();
    const { user, container } = renderGenerator(
      {
        defaultValues: { prompt: 'an owl' },
        renderResult: ({ useAsReference }) => (
          <button type="button" onClick={useAsReference}>
            Keep it
          </button>
        ),
      },
      { fetcher },
    );
    await user.click(generateButton());
    await waitFor(() => expect(container.querySelector('form')).toHaveAttribute('data-status', 'failed'), WAIT);

    await user.click(screen.getByRole('button', { name: 'Keep it' }));

    expect(screen.getByText('0 / 14')).toBeInTheDocument();
    expect(screen.queryByRole('img', { name: 'Reference 1' })).not.toBeInTheDocument();
    expect(javascriptUrlsInDom()).toEqual([]);
  });
});

describe('ImageGenerator: customising', () => {
  it('renderResult replaces the result area and gets the generation and its actions', async () => {
    const api = useMockApi();
    const { user } = renderGenerator({
      defaultValues: { prompt: 'a robin' },
      renderResult: ({ generation, regenerate }) => (
        <section aria-label="My result" data-status={generation.status}>
          <p>Custom {generation.status}</p>
          {generation.imageUrl && <p>Result at {generation.imageUrl}</p>}
          <button type="button" onClick={regenerate}>
            Once more
          </button>
        </section>
      ),
    });
    expect(screen.getByText('Custom idle')).toBeInTheDocument();
    expect(screen.queryByText('Your image will appear here.')).not.toBeInTheDocument();

    await user.click(generateButton());

    expect(await screen.findByText(`Result at ${resultUrl(1)}`, {}, WAIT)).toBeInTheDocument();
    expect(screen.getByText('Custom completed')).toBeInTheDocument();
    expect(screen.queryByRole('img', { name: 'a robin' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Download' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Regenerate' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Once more' }));
    expect(await screen.findByText(`Result at ${resultUrl(2)}`, {}, WAIT)).toBeInTheDocument();
    expect(api.posts()).toHaveLength(2);
  });

  it('renderResult: a finished generation keeps its elapsed time through later renders', async () => {
    useMockApi();
    const { user } = renderGenerator({
      defaultValues: { prompt: 'a wren' },
      renderResult: ({ generation, elapsedSeconds }) => (
        <p>
          {generation.status} after {elapsedSeconds} s
        </p>
      ),
    });
    await user.click(generateButton());
    expect(await screen.findByText('completed after 0 s', {}, WAIT)).toBeInTheDocument();
    await sleep(1100);
    // Typing re-renders the component well over a second after the generation finished.
    await user.type(screen.getByRole('textbox', { name: 'Prompt' }), ' in snow');
    expect(screen.getByText('completed after 0 s')).toBeInTheDocument();
  });

  it('takes translated labels for every visible string', async () => {
    useMockApi();
    const bodies = interceptPosts((n) => (n === 1 ? HttpResponse.json({ error: { message: 'no' } }, { status: 402 }) : undefined));
    const { user } = renderGenerator({
      labels: {
        prompt: 'Beschreibung',
        size: 'Format',
        sizeOption: (size) => `Format ${size}`,
        seed: 'Startwert',
        randomSeed: 'Zufälliger Startwert',
        generate: 'Erzeugen',
        cancel: 'Abbrechen',
        completed: 'Dein Bild ist fertig.',
        emptyResult: 'Hier erscheint dein Bild.',
        download: 'Herunterladen',
        open: 'Öffnen',
        useAsReference: 'Als Referenz verwenden',
        regenerate: 'Neu erzeugen',
        retry: 'Erneut versuchen',
        error: (error) => (error.kind === 'insufficient_credits' ? 'Nicht genug Guthaben.' : 'Fehler.'),
        picker: { title: 'Referenzbilder', urlInput: 'Bild-URL', add: 'Hinzufügen', count: (count, max) => `${count} von ${max}` },
      },
    });
    expect(screen.getByText('Hier erscheint dein Bild.')).toBeInTheDocument();
    expect(screen.getByRole('radiogroup', { name: 'Format' })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Format 16:9' })).toBeInTheDocument();
    expect(screen.getByRole('spinbutton', { name: 'Startwert' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Zufälliger Startwert' })).toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'Referenzbilder' })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Bild-URL' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Hinzufügen' })).toBeInTheDocument();
    expect(screen.getByText('0 von 14')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Generate' })).not.toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Beschreibung' }), 'ein Leuchtturm');
    await user.click(screen.getByRole('button', { name: 'Erzeugen' }));
    expect(await screen.findByRole('alert', {}, WAIT)).toHaveTextContent('Nicht genug Guthaben.');
    await user.click(screen.getByRole('button', { name: 'Erneut versuchen' }));

    await screen.findByRole('img', { name: 'ein Leuchtturm' }, WAIT);
    expect(statusRegion()).toHaveTextContent('Dein Bild ist fertig.');
    expect(screen.getByRole('link', { name: 'Herunterladen' })).toHaveAttribute('href', resultUrl(1));
    expect(screen.getByRole('link', { name: 'Öffnen' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Als Referenz verwenden' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Neu erzeugen' })).toBeInTheDocument();
    for (const english of ['Download', 'Open', 'Use as reference', 'Regenerate', 'Retry', 'Add']) {
      expect(screen.queryByRole('button', { name: english })).not.toBeInTheDocument();
      expect(screen.queryByRole('link', { name: english })).not.toBeInTheDocument();
    }
    expect(bodies).toHaveLength(2);
  });

  it('passes uploadFile to its picker', async () => {
    useMockApi();
    const uploadFile = vi.fn(async (file: File) => `https://uploads.example.com/${file.name}`);
    const { user } = renderGenerator({ defaultValues: { prompt: 'a mix' }, uploadFile });
    await user.upload(screen.getByLabelText('Upload images'), new File(['x'], 'me.png', { type: 'image/png' }));
    expect(await screen.findByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', 'https://uploads.example.com/me.png');
    expect(uploadFile).toHaveBeenCalledTimes(1);
  });

  it('has no file input without uploadFile', () => {
    useMockApi();
    const { container } = renderGenerator();
    expect(container.querySelector('input[type="file"]')).toBeNull();
  });

  it('adds className and theme to the root', () => {
    useMockApi();
    const { container } = renderGenerator({ className: 'my-generator', theme: 'dark' });
    const form = container.querySelector('form')!;
    expect(form).toHaveClass('fir-root', 'my-generator');
    expect(form).toHaveAttribute('data-theme', 'dark');
  });

  it('hydrates server HTML without a mismatch, and then works', async () => {
    const api = useMockApi();
    const { Wrapper } = createTestProvider();
    const ui = (
      <Wrapper>
        <ImageGenerator pollIntervalMs={20} defaultValues={{ prompt: 'a pier', imageUrls: [A] }} uploadFile={async () => B} />
      </Wrapper>
    );
    const container = document.body.appendChild(document.createElement('div'));
    container.innerHTML = renderToString(ui);
    const recoverable = vi.fn();
    const consoleError = vi.spyOn(console, 'error');
    const root = await act(async () => hydrateRoot(container, ui, { onRecoverableError: recoverable }));
    try {
      expect(recoverable).not.toHaveBeenCalled();
      expect(consoleError).not.toHaveBeenCalled();
      const user = userEvent.setup();
      await user.click(within(container).getByRole('button', { name: 'Generate' }));
      expect(await within(container).findByRole('img', { name: 'a pier' }, WAIT)).toHaveAttribute('src', resultUrl(1));
      expect(api.posts()).toHaveLength(1);
    } finally {
      act(() => root.unmount());
      container.remove();
    }
  });
});
