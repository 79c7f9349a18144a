import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { referenceUrl } from './demo-api.js';
import { MinimalGenerator } from './examples/MinimalGenerator.js';
import generatorSource from './examples/MinimalGenerator.tsx?raw';
import { MinimalPicker } from './examples/MinimalPicker.js';
import pickerSource from './examples/MinimalPicker.tsx?raw';

/** Minimal custom UIs built on the headless hooks; the Docs tab shows their full source to copy. */
const meta = {
  title: 'Hooks',
  parameters: { docs: { source: { language: 'tsx' } } },
} satisfies Meta;

export default meta;
type Story = StoryObj<typeof meta>;

/** `useImageGeneration`: one hook from prompt to image. */
export const UseImageGeneration: Story = {
  render: () => <MinimalGenerator />,
  parameters: { docs: { source: { code: generatorSource } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Make it' }));
    await expect(canvas.getByRole('button', { name: 'Stop' })).toBeVisible();
    const image = await canvas.findByRole<HTMLImageElement>('img', { name: 'a corgi astronaut, watercolor' }, { timeout: 10_000 });
    await waitFor(() => expect(image.naturalWidth).toBeGreaterThan(0), { timeout: 5000 });
    await expect(canvas.getByRole('status')).toHaveTextContent('Status: completed');
  },
};

const onChange = fn();

/** `useReferencePicker`: state, actions and prop getters for your own markup. */
export const UseReferencePicker: Story = {
  render: () => <MinimalPicker onChange={onChange} />,
  parameters: { docs: { source: { code: pickerSource } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Paste a picture URL'), `${referenceUrl('kite')}{Enter}`);
    await expect(canvas.getByRole('img', { name: 'Picture 1' })).toBeVisible();
    await userEvent.type(canvas.getByLabelText('Paste a picture URL'), 'not a url{Enter}');
    await expect(canvas.getByRole('alert')).toHaveTextContent('invalid_url');
    await expect(onChange).toHaveBeenCalledTimes(1);
  },
};
