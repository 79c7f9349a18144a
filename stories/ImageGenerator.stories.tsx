import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { ImageGenerator } from '../src/components/ImageGenerator.js';
import { MAX_REFERENCE_IMAGES } from '../src/core/constants.js';
import { demoHandlers, demoUploads, generateFailsWith, networkDown, referenceUrl } from './demo-api.js';

const WAIT = { timeout: 10_000 };

const meta = {
  title: 'Components/ImageGenerator',
  component: ImageGenerator,
  args: {
    uploadFile: demoUploads.uploadFile,
    onComplete: fn(),
    onError: fn(),
  },
  argTypes: { uploadFile: { control: false }, renderResult: { control: false } },
} satisfies Meta<typeof ImageGenerator>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Clicks Generate and waits for the result image to be on screen and actually loaded. */
async function generateAndSeeImage(canvasElement: HTMLElement, alt: string) {
  const canvas = within(canvasElement);
  await userEvent.click(canvas.getByRole('button', { name: 'Generate' }));
  await expect(await canvas.findByRole('status')).toHaveTextContent(/Sending|Queued|Generating/);
  const image = await canvas.findByRole<HTMLImageElement>('img', { name: alt }, WAIT);
  await waitFor(() => expect(image.naturalWidth).toBeGreaterThan(0), WAIT);
  return image;
}

async function generateAndSeeAlert(canvasElement: HTMLElement, text: RegExp) {
  const canvas = within(canvasElement);
  await userEvent.click(canvas.getByRole('button', { name: 'Generate' }));
  const alert = await canvas.findByRole('alert', {}, WAIT);
  await expect(alert).toHaveTextContent(text);
  await expect(canvas.getByRole('button', { name: 'Retry' })).toBeVisible();
}

/** Type a prompt, add a reference, pick 16:9, generate: the image lands in a 16:9 frame. */
export const Default: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Prompt'), 'a corgi under cherry blossoms, cinematic');
    await userEvent.type(canvas.getByLabelText('Image URL'), `${referenceUrl('corgi')}{Enter}`);
    await expect(canvas.getByRole('img', { name: 'Reference 1' })).toBeVisible();
    await userEvent.click(canvas.getByRole('radio', { name: /16:9/ }));
    const image = await generateAndSeeImage(canvasElement, 'a corgi under cherry blossoms, cinematic');
    await expect(image.naturalWidth / image.naturalHeight).toBeCloseTo(16 / 9, 1);
    await expect(canvas.getByRole('link', { name: 'Download' })).toHaveAttribute('href', image.src);
    await expect(args.onComplete).toHaveBeenCalledTimes(1);
  },
};

/** Starting values from the app: prompt, size, seed and references. */
export const WithPresets: Story = {
  args: {
    defaultValues: {
      prompt: 'place all three products on a marble table, studio lighting',
      size: '9:16',
      seed: 42,
      imageUrls: [referenceUrl('lamp'), referenceUrl('vase'), referenceUrl('clock')],
    },
  },
  play: async ({ canvasElement }) => {
    const image = await generateAndSeeImage(canvasElement, 'place all three products on a marble table, studio lighting');
    await expect(image.naturalHeight / image.naturalWidth).toBeCloseTo(16 / 9, 1);
  },
};

/** A task that takes a while: the status counts seconds, and Cancel stops waiting. */
export const SlowTask: Story = {
  args: { defaultValues: { prompt: 'a lighthouse in a storm, oil painting' } },
  parameters: { msw: demoHandlers({ processingAfterMs: 1000, completeAfterMs: 60_000 }) },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(canvas.getByRole('status')).toHaveTextContent('Generating'), WAIT);
    await expect(canvas.getByText(/may still finish and use credits/)).toBeVisible();
    await userEvent.click(canvas.getByRole('button', { name: 'Cancel' }));
    await expect(canvas.getByRole('status')).toHaveTextContent('');
    await expect(canvas.getByRole('button', { name: 'Generate' })).toBeEnabled();
  },
};

/** The task itself fails; its own message is shown. */
export const FailedTask: Story = {
  args: { defaultValues: { prompt: 'a famous cartoon mouse' } },
  parameters: {
    msw: demoHandlers({ processingAfterMs: 500, completeAfterMs: 1500, failWith: 'Content policy violation: the prompt was flagged.' }),
  },
  play: async ({ canvasElement, args }) => {
    await generateAndSeeAlert(canvasElement, /Content policy violation/);
    await expect(args.onError).toHaveBeenCalledTimes(1);
  },
};

/** 401: the key is wrong, or the backend does not add it. */
export const Unauthorized: Story = {
  args: { defaultValues: { prompt: 'a red fox' } },
  parameters: {
    msw: generateFailsWith(401, { error: { code: 'invalid_api_key', type: 'authentication_error', message: 'Invalid API key' } }),
  },
  play: ({ canvasElement }) => generateAndSeeAlert(canvasElement, /API key/),
};

/** 402: not enough credits. */
export const InsufficientCredits: Story = {
  args: { defaultValues: { prompt: 'a red fox' } },
  parameters: {
    msw: generateFailsWith(402, {
      error: { code: 'insufficient_credits', type: 'billing_error', message: 'Insufficient credits', required: 3, balance: 1 },
    }),
  },
  play: ({ canvasElement }) => generateAndSeeAlert(canvasElement, /credits/),
};

/** 429 with Retry-After: says when to retry. */
export const RateLimited: Story = {
  args: { defaultValues: { prompt: 'a red fox' } },
  parameters: {
    msw: generateFailsWith(429, { error: { code: 'rate_limited', type: 'rate_limit_error', message: 'Slow down' } }, { 'Retry-After': '30' }),
  },
  play: ({ canvasElement }) => generateAndSeeAlert(canvasElement, /Retry in 30 seconds/),
};

/** 500: the service had a problem. */
export const ServerError: Story = {
  args: { defaultValues: { prompt: 'a red fox' } },
  parameters: { msw: generateFailsWith(500, { error: { code: 'internal', type: 'server_error', message: 'Internal error' } }) },
  play: ({ canvasElement }) => generateAndSeeAlert(canvasElement, /had a problem/),
};

/** The network is down. */
export const NetworkDown: Story = {
  args: { defaultValues: { prompt: 'a red fox' } },
  parameters: { msw: networkDown() },
  play: ({ canvasElement }) => generateAndSeeAlert(canvasElement, /Could not reach/),
};

/** The task never finishes within `timeoutMs`. */
export const Timeout: Story = {
  args: { defaultValues: { prompt: 'a red fox' }, timeoutMs: 2500 },
  parameters: { msw: demoHandlers({ processingAfterMs: 500, completeAfterMs: 600_000 }) },
  play: ({ canvasElement }) => generateAndSeeAlert(canvasElement, /took too long/),
};

const fourteen = Array.from({ length: MAX_REFERENCE_IMAGES }, (_, i) => referenceUrl(`ref${i + 1}`));

/** All 14 references: the picker is full, and all 14 are sent in order. */
export const FourteenReferences: Story = {
  args: { defaultValues: { prompt: 'a collage of every reference', size: '16:9', imageUrls: fourteen } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('14 / 14')).toBeVisible();
    await expect(canvas.getByLabelText('Image URL')).toBeDisabled();
    await expect(canvas.getByLabelText('Upload images')).toBeDisabled();
    await generateAndSeeImage(canvasElement, 'a collage of every reference');
  },
};

/** Forced dark look. */
export const DarkTheme: Story = {
  args: { theme: 'dark', defaultValues: { prompt: 'neon koi in a night market' } },
  parameters: { backgrounds: { value: '#09090b' } },
  play: ({ canvasElement }) => generateAndSeeImage(canvasElement, 'neon koi in a night market').then(() => undefined),
};

/** At 320 px wide everything still fits and works. */
export const Narrow: Story = {
  args: { defaultValues: { prompt: 'a paper boat', imageUrls: [referenceUrl('boat'), referenceUrl('sea')] } },
  decorators: [
    (Story) => (
      <div style={{ width: 320 }}>
        <Story />
      </div>
    ),
  ],
  play: async ({ canvasElement }) => {
    const form = canvasElement.querySelector('form')!;
    await expect(form.scrollWidth).toBeLessThanOrEqual(320);
    await generateAndSeeImage(canvasElement, 'a paper boat');
  },
};

/** Every string can be replaced, here in German. */
export const Localized: Story = {
  args: {
    labels: {
      prompt: 'Beschreibung',
      promptPlaceholder: 'Beschreiben Sie das Bild',
      size: 'Format',
      seed: 'Startwert',
      seedHint: 'Optional. Gleicher Startwert, ähnliches Bild.',
      randomSeed: 'Zufälliger Startwert',
      generate: 'Erzeugen',
      cancel: 'Abbrechen',
      submitting: 'Wird gesendet…',
      pending: 'In der Warteschlange…',
      processing: 'Wird erzeugt…',
      completed: 'Ihr Bild ist fertig.',
      emptyResult: 'Hier erscheint Ihr Bild.',
      download: 'Herunterladen',
      open: 'Öffnen',
      useAsReference: 'Als Referenz verwenden',
      regenerate: 'Neu erzeugen',
      retry: 'Erneut versuchen',
      picker: {
        title: 'Referenzbilder',
        urlInput: 'Bild-URL',
        add: 'Hinzufügen',
        upload: 'Bilder hochladen',
        dropHint: 'Bilder hier ablegen oder einfügen',
      },
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Beschreibung'), 'ein Fuchs im Schnee');
    await userEvent.click(canvas.getByRole('button', { name: 'Erzeugen' }));
    await canvas.findByRole('img', { name: 'ein Fuchs im Schnee' }, WAIT);
    await expect(canvas.getByRole('status')).toHaveTextContent('Ihr Bild ist fertig.');
    await expect(canvas.getByRole('button', { name: 'Als Referenz verwenden' })).toBeVisible();
  },
};
