import type { Meta, StoryObj } from '@storybook/react-vite';
import { http, HttpResponse } from 'msw';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { ImageGenerator } from '../src/components/ImageGenerator.js';
import { ImageGeneratorGallery } from '../src/components/ImageGeneratorGallery.js';
import { seedVariations } from '../src/core/batch.js';
import { useImageBatch } from '../src/react/use-image-batch.js';
import { API } from '../test/mock-api.js';
import { demoHandlers, demoUploads } from './demo-api.js';

const WAIT = { timeout: 15_000 };
const PROMPT = 'a paper crane on a desk, soft morning light';
const GENERATE_URL = `${API}/api/v2/image/generate`;

// Quicker tasks than the demo's for the stories that show a fault or a layout: their play tests
// wait for every image, and all of them run in `npm test`.
const QUICK = { processingAfterMs: 300, completeAfterMs: 1000 };

// POSTs the mock received in the current story; reset before each story by `beforeEach`.
let posts = 0;
const countPosts = http.post(GENERATE_URL, () => {
  posts += 1;
});

/**
 * `<ImageGenerator variations>`: one Generate makes several candidates of one prompt, side by side,
 * its cost on the button before it is pressed.
 */
const meta = {
  title: 'Components/ImageGenerator variations',
  component: ImageGenerator,
  args: {
    uploadFile: demoUploads.uploadFile,
    variations: { defaultValue: 4 },
    defaultValues: { prompt: PROMPT },
    onComplete: fn(),
  },
  argTypes: { uploadFile: { control: false }, renderResult: { control: false } },
  parameters: { msw: [countPosts, ...demoHandlers()] },
  beforeEach: () => {
    posts = 0;
  },
} satisfies Meta<typeof ImageGenerator>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Layout shifts not caused by an input, from now until `stop()`. */
function watchLayoutShift() {
  const shifts: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
      if (!entry.hadRecentInput) shifts.push(entry.value);
    }
  });
  observer.observe({ type: 'layout-shift' });
  return {
    stop: () => {
      observer.takeRecords();
      observer.disconnect();
      return shifts.reduce((a, b) => a + b, 0);
    },
  };
}

/** Waits until image `n` of `total` is on screen and loaded. */
async function imageLoaded(canvasElement: HTMLElement, n: number, total = 4) {
  const image = await within(canvasElement).findByRole<HTMLImageElement>('img', { name: `Image ${n} of ${total}: ${PROMPT}` }, WAIT);
  await waitFor(() => expect(image.naturalWidth).toBeGreaterThan(0), WAIT);
  return image;
}

async function generateFour(canvasElement: HTMLElement) {
  const canvas = within(canvasElement);
  await expect(canvas.getByRole('radio', { name: '4 images' })).toBeChecked();
  await userEvent.click(canvas.getByRole('button', { name: 'Generate 4 · 12 credits' }));
  await expect(canvas.getAllByRole('listitem', { name: /^Image \d of 4$/ })).toHaveLength(4);
}

/**
 * Four variations of one prompt on the mock: four cells in the images' shape from the start, each
 * with its own state and elapsed time, then four images; nothing moves as they land.
 */
export const FourVariations: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await generateFour(canvasElement);
    const cells = canvas.getAllByRole('listitem', { name: /^Image \d of 4$/ });
    const before = cells.map((cell) => cell.getBoundingClientRect().toJSON());
    // Square frames before any image: the images' shape is known from the start.
    const frames = cells.map((cell) => cell.querySelector('.fir-cell__frame')!);
    for (const frame of frames) await expect(frame.clientWidth / frame.clientHeight).toBeCloseTo(1, 2);
    const shift = watchLayoutShift();
    for (let n = 1; n <= 4; n++) await imageLoaded(canvasElement, n);
    await new Promise(requestAnimationFrame);
    await expect(shift.stop()).toBe(0);
    await expect(cells.map((cell) => cell.getBoundingClientRect().toJSON())).toEqual(before);
    // Each image fills its frame.
    for (const frame of frames) await expect(frame.querySelector('img')!.getBoundingClientRect().toJSON()).toEqual(frame.getBoundingClientRect().toJSON());
    await expect(canvas.getByRole('status')).toHaveTextContent('4 of 4 ready');
    await expect(posts).toBe(4);
    await expect(args.onComplete).toHaveBeenCalledTimes(4);
    // Two by two; the arrow keys move between cells.
    await expect(cells[1]!.getBoundingClientRect().top).toBe(before[0]!.top);
    await expect(cells[2]!.getBoundingClientRect().top).toBeGreaterThan(before[0]!.bottom);
    cells[0]!.focus();
    await userEvent.keyboard('{ArrowRight}');
    await expect(cells[1]).toHaveFocus();
    await userEvent.keyboard('{ArrowDown}');
    await expect(cells[3]).toHaveFocus();
    await userEvent.keyboard('{Home}');
    await expect(cells[0]).toHaveFocus();
  },
};

// The task of seed 101 in FailingCell: the first one fails, the one its Retry starts succeeds.
let failing: string | undefined;

/** One cell's task fails: its reason shows in the cell, and its Retry sends that one input again. */
export const FailingCell: Story = {
  args: { defaultValues: { prompt: PROMPT, seed: 100 } },
  parameters: {
    msw: [
      countPosts,
      // Seeds 100 to 103.
      ...demoHandlers({
        ...QUICK,
        failWith: (taskId, body) => {
          if (body.seed === 101) failing ??= taskId;
          return taskId === failing ? 'Content policy violation: the prompt was flagged.' : undefined;
        },
      }),
    ],
  },
  beforeEach: () => {
    failing = undefined;
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await generateFour(canvasElement);
    const second = canvas.getByRole('listitem', { name: 'Image 2 of 4' });
    await waitFor(() => expect(second).toHaveAttribute('data-status', 'failed'), WAIT);
    await expect(within(second).getByText(/Content policy violation/)).toBeVisible();
    for (const n of [1, 3, 4]) await imageLoaded(canvasElement, n);
    await expect(canvas.getByRole('status')).toHaveTextContent('3 of 4 ready, 1 failed');
    await expect(posts).toBe(4);
    await userEvent.click(within(second).getByRole('button', { name: 'Retry image 2 of 4' }));
    await imageLoaded(canvasElement, 2);
    await expect(posts).toBe(5);
  },
};

/**
 * The server answers the second POST with a 429 (Retry-After: 1 s): that cell waits and says why,
 * every submit pauses, then the refused one is sent again (a 429 is not billed) and all four land.
 */
export const RateLimitedMidBatch: Story = {
  parameters: {
    msw: [
      http.post(GENERATE_URL, () => {
        posts += 1;
        if (posts === 2) {
          return HttpResponse.json(
            { error: { code: 'rate_limited', type: 'rate_limit_error', message: 'Slow down' } },
            { status: 429, headers: { 'Retry-After': '1' } },
          );
        }
        return undefined;
      }),
      ...demoHandlers(QUICK),
    ],
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await generateFour(canvasElement);
    const second = canvas.getByRole('listitem', { name: 'Image 2 of 4' });
    await waitFor(() => expect(second).toHaveAccessibleDescription('Waiting: server busy'), WAIT);
    for (let n = 1; n <= 4; n++) await imageLoaded(canvasElement, n);
    await expect(canvas.getByRole('status')).toHaveTextContent('4 of 4 ready');
    // Four images, five POSTs: the refused one was sent once more.
    await expect(posts).toBe(5);
  },
};

/** At 320 px the grid is two by two, and nothing overflows. */
export const Narrow: Story = {
  parameters: { msw: [countPosts, ...demoHandlers(QUICK)] },
  decorators: [
    (Story) => (
      <div style={{ width: 320 }}>
        <Story />
      </div>
    ),
  ],
  play: async ({ canvasElement }) => {
    const form = canvasElement.querySelector('form')!;
    await generateFour(canvasElement);
    for (let n = 1; n <= 4; n++) await imageLoaded(canvasElement, n);
    await expect(form.scrollWidth).toBeLessThanOrEqual(320);
    const [first, second, third] = within(canvasElement)
      .getAllByRole('listitem', { name: /^Image \d of 4$/ })
      .map((cell) => cell.getBoundingClientRect());
    await expect(second!.top).toBe(first!.top);
    await expect(third!.top).toBeGreaterThan(first!.bottom);
    // Two columns: Down and Up move by two.
    const cells = within(canvasElement).getAllByRole('listitem', { name: /^Image \d of 4$/ });
    cells[0]!.focus();
    await userEvent.keyboard('{ArrowDown}');
    await expect(cells[2]).toHaveFocus();
    await userEvent.keyboard('{ArrowRight}{ArrowUp}');
    await expect(cells[1]).toHaveFocus();
  },
};

/** Forced dark look. */
export const Dark: Story = {
  args: { theme: 'dark' },
  parameters: { backgrounds: { value: '#09090b' }, msw: [countPosts, ...demoHandlers(QUICK)] },
  play: async ({ canvasElement }) => {
    await generateFour(canvasElement);
    for (let n = 1; n <= 4; n++) await imageLoaded(canvasElement, n);
  },
};

function BatchWithGallery() {
  const batch = useImageBatch();
  return (
    <div style={{ display: 'grid', gap: 12, maxWidth: 720 }}>
      <button
        type="button"
        className="fir-button fir-button--primary"
        disabled={batch.isBusy}
        onClick={() => void batch.generate(seedVariations({ prompt: PROMPT, size: '16:9' }, 4))}
      >
        Make four
      </button>
      <ImageGeneratorGallery batch={batch} />
    </div>
  );
}

/** The gallery part alone, over `useImageBatch`: it shows the progress in a status region of its own. */
export const GalleryAlone: StoryObj = {
  render: () => <BatchWithGallery />,
  parameters: { msw: [countPosts, ...demoHandlers(QUICK)] },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Make four' }));
    for (let n = 1; n <= 4; n++) await imageLoaded(canvasElement, n);
    await expect(canvas.getByRole('status')).toHaveTextContent('4 of 4 ready');
  },
};
