import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { demoUploads } from './demo-api.js';
import { TwoColumnGenerator } from './examples/TwoColumnGenerator.js';
import source from './examples/TwoColumnGenerator.tsx?raw';

const WAIT = { timeout: 10_000 };

/** `<ImageGenerator>` is one arrangement of its parts; these stories lay the same parts out otherwise. */
const meta = {
  title: 'Components/ImageGenerator parts',
  parameters: { docs: { source: { language: 'tsx' } } },
} satisfies Meta;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * Prompt and settings on the left; status, result, its actions and the recent images on the right.
 * Shown 960 px wide (the Narrow story of `<ImageGenerator>` shows 320 px the same way).
 */
export const TwoColumns: Story = {
  render: () => <TwoColumnGenerator uploadFile={demoUploads.uploadFile} />,
  decorators: [
    (Story) => (
      <div style={{ width: 960 }}>
        <Story />
      </div>
    ),
  ],
  parameters: { docs: { source: { code: source } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const settings = within(canvas.getByRole('region', { name: 'Settings' }));
    const result = within(canvas.getByRole('region', { name: 'Result' }));
    const left = canvas.getByRole('region', { name: 'Settings' }).getBoundingClientRect();
    const right = canvas.getByRole('region', { name: 'Result' }).getBoundingClientRect();
    // Side by side, tops aligned.
    await expect(right.left).toBeGreaterThanOrEqual(left.right);
    await expect(right.top).toBeCloseTo(left.top, 0);

    await userEvent.click(settings.getByRole('button', { name: 'Generate' }));
    await expect(result.getByRole('status')).toHaveTextContent(/Sending|Queued|Generating/);
    const frame = canvasElement.querySelector('.fir-frame')!;
    const frameBefore = frame.getBoundingClientRect();
    const image = await result.findByRole<HTMLImageElement>('img', { name: 'a lighthouse at dusk, watercolor' }, WAIT);
    await waitFor(() => expect(image.naturalWidth).toBeGreaterThan(0), WAIT);
    // The frame had the chosen 16:9 shape while waiting: nothing moved when the image landed.
    const frameAfter = frame.getBoundingClientRect();
    await expect(frameAfter.top).toBe(frameBefore.top);
    await expect(frameAfter.width / frameAfter.height).toBeCloseTo(16 / 9, 1);
    await expect(result.getByRole('region', { name: 'Recent images' })).toBeVisible();

    await userEvent.click(result.getByRole('button', { name: 'Use as reference' }));
    await expect(settings.getByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', image.src);
  },
};
