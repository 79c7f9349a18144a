import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { ReferencePicker } from '../src/components/ReferencePicker.js';
import { createMockUploads } from '../test/mock-uploads.js';
import { demoHandlers, demoUploads, referenceUrl } from './demo-api.js';

const meta = {
  title: 'Components/ReferencePicker',
  component: ReferencePicker,
  args: { onChange: fn(), uploadFile: demoUploads.uploadFile },
  argTypes: { uploadFile: { control: false } },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: 640 }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof ReferencePicker>;

export default meta;
type Story = StoryObj<typeof meta>;

/** A picture file, as a user would pick or drop it. */
function pngFile(name: string): File {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="teal"/></svg>`;
  return new File([svg], name, { type: 'image/svg+xml' });
}

/** Drops files the way a browser does: a real DragEvent carrying a real DataTransfer. */
function dropFiles(target: Element, files: File[]) {
  const dataTransfer = new DataTransfer();
  files.forEach((file) => dataTransfer.items.add(file));
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true }));
  }
}

const names = ['chair', 'lamp', 'vase', 'clock', 'rug', 'plant', 'book', 'cup', 'sofa', 'desk', 'shelf', 'mirror', 'bowl', 'frame'];

/** Nothing yet: add by URL (button or Enter); a bad URL is refused. */
export const Empty: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Image URL'), 'javascript:alert(1){Enter}');
    await expect(await canvas.findByRole('alert')).toHaveTextContent(/http/);
    await expect(args.onChange).not.toHaveBeenCalled();
    await userEvent.clear(canvas.getByLabelText('Image URL'));
    await userEvent.type(canvas.getByLabelText('Image URL'), referenceUrl('chair'));
    await userEvent.click(canvas.getByRole('button', { name: 'Add' }));
    await expect(args.onChange).toHaveBeenLastCalledWith([referenceUrl('chair')]);
    await expect(canvas.getByText('1 / 14')).toBeVisible();
  },
};

/** A few references, reordered by keyboard. */
export const Some: Story = {
  args: { defaultValue: [referenceUrl('chair'), referenceUrl('lamp'), referenceUrl('vase')] },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    canvas.getByRole('button', { name: 'Move reference 1 later' }).focus();
    await userEvent.keyboard('{Enter}');
    await expect(args.onChange).toHaveBeenLastCalledWith([referenceUrl('lamp'), referenceUrl('chair'), referenceUrl('vase')]);
    await userEvent.click(canvas.getByRole('button', { name: 'Remove reference 3' }));
    await expect(canvas.getByText('2 / 14')).toBeVisible();
  },
};

/** Full at 14: the inputs are disabled and a 15th image, even dropped, is refused. */
export const FullAt14: Story = {
  args: { defaultValue: names.map(referenceUrl) },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('14 / 14')).toBeVisible();
    await expect(canvas.getByLabelText('Image URL')).toBeDisabled();
    await expect(canvas.getByRole('button', { name: 'Add' })).toBeDisabled();
    await expect(canvas.getByLabelText('Upload images')).toBeDisabled();
    dropFiles(canvas.getByRole('group', { name: 'Reference images' }), [pngFile('fifteenth.png')]);
    await expect(await canvas.findByRole('alert')).toHaveTextContent('You can add up to 14 reference images');
    await expect(args.onChange).not.toHaveBeenCalled();
  },
};

/** `max={3}`: of a batch of four dropped files, the first that fit are kept. */
export const MaxThree: Story = {
  args: { max: 3, defaultValue: [referenceUrl('chair')] },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('1 / 3')).toBeVisible();
    dropFiles(canvas.getByRole('group', { name: 'Reference images' }), ['a.png', 'b.png', 'c.png', 'd.png'].map(pngFile));
    await expect(await canvas.findByRole('alert')).toHaveTextContent('You can add up to 3 reference images');
    await waitFor(() => expect(args.onChange).toHaveBeenCalled(), { timeout: 5000 });
    const last = (args.onChange as ReturnType<typeof fn>).mock.lastCall?.[0] as string[];
    await expect(last).toHaveLength(3);
    await expect(last[1]).toMatch(/a\.png$/);
    await expect(last[2]).toMatch(/b\.png$/);
  },
};

const slowUploads = createMockUploads({ durationMs: 600_000 });

/** Files uploading: each shows its preview and progress until `uploadFile` resolves. */
export const UploadsInProgress: Story = {
  args: { uploadFile: slowUploads.uploadFile, defaultValue: [referenceUrl('chair')] },
  parameters: { msw: [...demoHandlers(), slowUploads.handler] },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await userEvent.upload(canvas.getByLabelText('Upload images'), [pngFile('sofa.png'), pngFile('desk.png')]);
    await expect(await canvas.findByRole('progressbar', { name: 'Uploading sofa.png' })).toBeVisible();
    await expect(canvas.getByRole('progressbar', { name: 'Uploading desk.png' })).toBeVisible();
    await expect(canvas.getByText('3 / 14')).toBeVisible();
    await expect(args.onChange).not.toHaveBeenCalled();
  },
};

const failingUploads = createMockUploads({ durationMs: 300, failName: /broken/ });

/** An upload fails: the item says so, with retry and remove; it never reaches onChange. */
export const UploadFailing: Story = {
  args: { uploadFile: failingUploads.uploadFile },
  parameters: { msw: [...demoHandlers(), failingUploads.handler] },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await userEvent.upload(canvas.getByLabelText('Upload images'), [pngFile('broken.png'), pngFile('fine.png')]);
    await expect(await canvas.findByText('Could not upload broken.png.', {}, { timeout: 5000 })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Retry uploading broken.png' })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Remove broken.png' })).toBeVisible();
    await waitFor(() => expect(args.onChange).toHaveBeenCalledTimes(1), { timeout: 5000 });
    const urls = (args.onChange as ReturnType<typeof fn>).mock.lastCall?.[0] as string[];
    await expect(urls).toHaveLength(1);
    await expect(urls[0]).toMatch(/fine\.png$/);
    const uploaded = await canvas.findByRole<HTMLImageElement>('img', { name: 'Reference 1' });
    await waitFor(() => expect(uploaded.naturalWidth).toBeGreaterThan(0), { timeout: 5000 });
  },
};

/** Disabled: every control is off. */
export const Disabled: Story = {
  args: { disabled: true, defaultValue: [referenceUrl('chair'), referenceUrl('lamp')] },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    for (const button of canvas.getAllByRole('button')) await expect(button).toBeDisabled();
    await expect(canvas.getByLabelText('Image URL')).toBeDisabled();
  },
};

function ControlledPicker() {
  const [urls, setUrls] = useState([referenceUrl('chair')]);
  return (
    <div style={{ display: 'grid', gap: 12 }}>
      <ReferencePicker value={urls} onChange={setUrls} />
      <output aria-label="Sent to the API">{JSON.stringify(urls.map((u) => u.split('/').pop()))}</output>
    </div>
  );
}

/** Controlled: the app owns the list (shown below it) and receives every change. */
export const Controlled: Story = {
  render: () => <ControlledPicker />,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Image URL'), `${referenceUrl('lamp')}{Enter}`);
    await expect(canvas.getByLabelText('Sent to the API')).toHaveTextContent('["chair.png","lamp.png"]');
    await userEvent.click(canvas.getByRole('button', { name: 'Move reference 2 earlier' }));
    await expect(canvas.getByLabelText('Sent to the API')).toHaveTextContent('["lamp.png","chair.png"]');
  },
};
