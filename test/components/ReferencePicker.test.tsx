import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ReferencePicker } from '../../src/components/ReferencePicker.js';

const A = 'https://images.example.com/a.png';
const B = 'https://images.example.com/b.png';
const C = 'https://images.example.com/c.png';

/** `count` distinct reference URLs. */
function urls(count: number, prefix = 'ref'): string[] {
  return Array.from({ length: count }, (_, i) => `https://images.example.com/${prefix}-${i + 1}.png`);
}

function png(name: string, bytes = 16): File {
  return new File([new Uint8Array(bytes)], name, { type: 'image/png' });
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The `src` of every reference thumbnail, in order. */
function referenceSrcs(): (string | null)[] {
  return screen.queryAllByRole('img', { name: /^Reference \d+$/ }).map((img) => img.getAttribute('src'));
}

function urlInput() {
  return screen.getByRole('textbox', { name: 'Image URL' });
}

function addButton() {
  return screen.getByRole('button', { name: 'Add' });
}

function pickerGroup() {
  return screen.getByRole('group', { name: 'Reference images' });
}

function onChangeSpy() {
  return vi.fn<(urls: string[]) => void>();
}

beforeEach(() => {
  vi.mocked(URL.createObjectURL).mockClear();
  vi.mocked(URL.revokeObjectURL).mockClear();
});

describe('ReferencePicker: adding by URL', () => {
  it('adds a URL with the Add button, clears the input and updates the count', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker onChange={onChange} />);
    expect(screen.getByText('0 / 14')).toBeInTheDocument();
    expect(screen.queryAllByRole('img')).toHaveLength(0);

    await user.type(urlInput(), A);
    expect(onChange).not.toHaveBeenCalled();
    await user.click(addButton());

    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenLastCalledWith([A]);
    expect(screen.getByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', A);
    expect(urlInput()).toHaveValue('');
    expect(screen.getByText('1 / 14')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('adds a URL with Enter, without submitting a surrounding form', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const onSubmit = vi.fn((event: { preventDefault(): void }) => event.preventDefault());
    render(
      <form onSubmit={onSubmit}>
        <ReferencePicker onChange={onChange} />
      </form>,
    );
    await user.type(urlInput(), `${A}{Enter}`);
    await user.type(urlInput(), `  ${B}  {Enter}`);

    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange).toHaveBeenLastCalledWith([A, B]);
    expect(referenceSrcs()).toEqual([A, B]);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it.each([
    ['a relative path', '/images/a.png'],
    ['a host without a scheme', 'images.example.com/a.png'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['an ftp: URL', 'ftp://images.example.com/a.png'],
    ['a data: URL', 'data:image/png;base64,AAAA'],
  ])('refuses %s with an alert and does not call onChange', async (_, bad) => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker onChange={onChange} />);

    await user.type(urlInput(), bad);
    await user.click(addButton());

    expect(screen.getByRole('alert')).toHaveTextContent('Enter an absolute image URL starting with http:// or https://.');
    expect(urlInput()).toHaveAttribute('aria-invalid', 'true');
    expect(urlInput()).toHaveValue(bad);
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.queryAllByRole('img')).toHaveLength(0);
    expect(screen.getByText('0 / 14')).toBeInTheDocument();

    await user.keyboard('{Enter}');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('refuses an empty URL', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker onChange={onChange} />);
    await user.click(addButton());
    expect(screen.getByRole('alert')).toHaveTextContent('Enter an absolute image URL');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('does not add a duplicate twice, and says so', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker onChange={onChange} />);

    await user.type(urlInput(), `${A}{Enter}`);
    await user.type(urlInput(), `${A}{Enter}`);

    expect(onChange).toHaveBeenCalledTimes(1);
    expect(referenceSrcs()).toEqual([A]);
    expect(screen.getByRole('alert')).toHaveTextContent('That image is already a reference.');
    expect(screen.getByText('1 / 14')).toBeInTheDocument();
  });

  it('clears the alert once a valid URL is added', async () => {
    const user = userEvent.setup();
    render(<ReferencePicker />);
    await user.type(urlInput(), 'nope{Enter}');
    expect(screen.getByRole('alert')).toBeInTheDocument();
    await user.clear(urlInput());
    await user.type(urlInput(), `${A}{Enter}`);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(urlInput()).not.toHaveAttribute('aria-invalid');
  });
});

describe('ReferencePicker: removing and reordering', () => {
  it('removes a reference and moves focus to the next Remove button', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker defaultValue={[A, B, C]} onChange={onChange} />);
    expect(referenceSrcs()).toEqual([A, B, C]);

    await user.click(screen.getByRole('button', { name: 'Remove reference 2' }));

    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenLastCalledWith([A, C]);
    expect(referenceSrcs()).toEqual([A, C]);
    expect(screen.getByText('2 / 14')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove reference 3' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove reference 2' })).toHaveFocus();
  });

  it('moves focus to the URL input when the last reference is removed', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker defaultValue={[A]} onChange={onChange} />);
    await user.click(screen.getByRole('button', { name: 'Remove reference 1' }));
    expect(onChange).toHaveBeenLastCalledWith([]);
    expect(referenceSrcs()).toEqual([]);
    expect(screen.getByText('0 / 14')).toBeInTheDocument();
    expect(urlInput()).toHaveFocus();
  });

  it('reorders by keyboard with the move buttons, focus following the moved item', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker defaultValue={[A, B, C]} onChange={onChange} />);
    expect(screen.getByRole('button', { name: 'Move reference 1 earlier' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Move reference 3 later' })).toBeDisabled();

    // Tab from the start of the page: the first item's "earlier" is disabled, so "later" is first.
    await user.tab();
    expect(screen.getByRole('button', { name: 'Move reference 1 later' })).toHaveFocus();

    await user.keyboard('{Enter}');
    expect(onChange).toHaveBeenLastCalledWith([B, A, C]);
    expect(referenceSrcs()).toEqual([B, A, C]);
    // The moved image is now reference 2; focus went with it.
    expect(screen.getByRole('button', { name: 'Move reference 2 later' })).toHaveFocus();

    await user.keyboard(' ');
    expect(onChange).toHaveBeenLastCalledWith([B, C, A]);
    expect(referenceSrcs()).toEqual([B, C, A]);
    // At the end "later" is disabled, so focus lands on the same item's "earlier".
    expect(screen.getByRole('button', { name: 'Move reference 3 later' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Move reference 3 earlier' })).toHaveFocus();

    await user.keyboard('{Enter}');
    expect(onChange).toHaveBeenLastCalledWith([B, A, C]);
    expect(screen.getByRole('button', { name: 'Move reference 2 earlier' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(onChange).toHaveBeenLastCalledWith([A, B, C]);
    expect(referenceSrcs()).toEqual([A, B, C]);
    expect(screen.getByRole('button', { name: 'Move reference 1 later' })).toHaveFocus();
    expect(onChange).toHaveBeenCalledTimes(4);
  });
});

describe('ReferencePicker: the limit', () => {
  it('stops at 14: count "14 / 14", URL input, Add and file input disabled', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker defaultValue={urls(13)} onChange={onChange} uploadFile={vi.fn()} />);
    expect(screen.getByText('13 / 14')).toBeInTheDocument();
    expect(urlInput()).toBeEnabled();
    expect(screen.getByLabelText('Upload images')).toBeEnabled();

    await user.type(urlInput(), `${A}{Enter}`);

    expect(onChange).toHaveBeenLastCalledWith([...urls(13), A]);
    expect(screen.getByText('14 / 14')).toBeInTheDocument();
    expect(screen.getAllByRole('img', { name: /^Reference \d+$/ })).toHaveLength(14);
    expect(urlInput()).toBeDisabled();
    expect(addButton()).toBeDisabled();
    expect(screen.getByLabelText('Upload images')).toBeDisabled();

    // Enabled again once one is removed.
    await user.click(screen.getByRole('button', { name: 'Remove reference 14' }));
    expect(screen.getByText('13 / 14')).toBeInTheDocument();
    expect(urlInput()).toBeEnabled();
    expect(addButton()).toBeEnabled();
    expect(screen.getByLabelText('Upload images')).toBeEnabled();
  });

  it('honours a smaller max', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker max={3} onChange={onChange} />);
    expect(screen.getByText('0 / 3')).toBeInTheDocument();
    for (const url of [A, B, C]) await user.type(urlInput(), `${url}{Enter}`);
    expect(screen.getByText('3 / 3')).toBeInTheDocument();
    expect(onChange).toHaveBeenLastCalledWith([A, B, C]);
    expect(urlInput()).toBeDisabled();
    expect(addButton()).toBeDisabled();
    for (const [args] of onChange.mock.calls) expect(args.length).toBeLessThanOrEqual(3);
  });

  it('clamps max={50} to 14', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    render(<ReferencePicker max={50} defaultValue={urls(14)} onChange={onChange} />);
    expect(screen.getByText('14 / 14')).toBeInTheDocument();
    expect(urlInput()).toBeDisabled();
    expect(addButton()).toBeDisabled();
    // Enter in a disabled input cannot add either.
    fireEvent.keyDown(urlInput(), { key: 'Enter' });
    expect(onChange).not.toHaveBeenCalled();
  });

  it('shows max={50} as "/ 14" while empty', () => {
    render(<ReferencePicker max={50} />);
    expect(screen.getByText('0 / 14')).toBeInTheDocument();
  });
});

describe('ReferencePicker: controlled and uncontrolled', () => {
  it('controlled: the parent owns the list', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    function Parent() {
      const [value, setValue] = useState<string[]>([A]);
      return (
        <>
          <ReferencePicker
            value={value}
            onChange={(next) => {
              onChange(next);
              setValue(next);
            }}
          />
          <output data-testid="parent-value">{value.join(' ')}</output>
          <button type="button" onClick={() => setValue([C])}>
            Replace from parent
          </button>
        </>
      );
    }
    render(<Parent />);
    expect(referenceSrcs()).toEqual([A]);

    await user.type(urlInput(), `${B}{Enter}`);
    expect(onChange).toHaveBeenLastCalledWith([A, B]);
    expect(screen.getByTestId('parent-value')).toHaveTextContent(`${A} ${B}`);
    expect(referenceSrcs()).toEqual([A, B]);

    await user.click(screen.getByRole('button', { name: 'Replace from parent' }));
    expect(referenceSrcs()).toEqual([C]);
    expect(screen.getByText('1 / 14')).toBeInTheDocument();
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('controlled: nothing changes on screen unless the parent passes a new value', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const { rerender } = render(<ReferencePicker value={[A]} onChange={onChange} />);

    await user.type(urlInput(), `${B}{Enter}`);
    expect(onChange).toHaveBeenLastCalledWith([A, B]);
    expect(referenceSrcs()).toEqual([A]);

    await user.click(screen.getByRole('button', { name: 'Remove reference 1' }));
    expect(onChange).toHaveBeenLastCalledWith([]);
    expect(referenceSrcs()).toEqual([A]);

    rerender(<ReferencePicker value={[B, A]} onChange={onChange} />);
    expect(referenceSrcs()).toEqual([B, A]);
  });

  it('uncontrolled: starts from defaultValue and keeps its own state', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const { rerender } = render(<ReferencePicker defaultValue={[A]} onChange={onChange} />);
    expect(referenceSrcs()).toEqual([A]);

    await user.type(urlInput(), `${B}{Enter}`);
    expect(referenceSrcs()).toEqual([A, B]);
    expect(onChange).toHaveBeenLastCalledWith([A, B]);

    // A later defaultValue is ignored, as with an input's defaultValue.
    rerender(<ReferencePicker defaultValue={[C]} onChange={onChange} />);
    expect(referenceSrcs()).toEqual([A, B]);
  });

  it('uncontrolled without onChange still works', async () => {
    const user = userEvent.setup();
    render(<ReferencePicker />);
    await user.type(urlInput(), `${A}{Enter}`);
    expect(referenceSrcs()).toEqual([A]);
  });
});

describe('ReferencePicker: uploads', () => {
  it('shows a local preview and progress while uploading, then the returned URL', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const upload = deferred<string>();
    const uploadFile = vi.fn((_file: File, _options: { signal: AbortSignal }) => upload.promise);
    const { container } = render(<ReferencePicker uploadFile={uploadFile} onChange={onChange} />);
    const file = png('cat.png');

    await user.upload(screen.getByLabelText('Upload images'), file);

    expect(uploadFile).toHaveBeenCalledTimes(1);
    expect(uploadFile.mock.calls[0]![0]).toBe(file);
    const { signal } = uploadFile.mock.calls[0]![1];
    expect(signal.aborted).toBe(false);
    expect(URL.createObjectURL).toHaveBeenCalledWith(file);
    const previewUrl = vi.mocked(URL.createObjectURL).mock.results[0]!.value as string;
    expect(previewUrl).toMatch(/^blob:/);

    const item = screen.getByRole('listitem');
    expect(within(item).getByRole('progressbar', { name: 'Uploading cat.png' })).toBeInTheDocument();
    expect(item.querySelector('img')).toHaveAttribute('src', previewUrl);
    expect(screen.getByText('1 / 14')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    expect(URL.revokeObjectURL).not.toHaveBeenCalled();

    await act(async () => upload.resolve('https://uploads.example.com/cat.png'));

    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenLastCalledWith(['https://uploads.example.com/cat.png']);
    expect(referenceSrcs()).toEqual(['https://uploads.example.com/cat.png']);
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(container.querySelector(`img[src="${previewUrl}"]`)).toBeNull();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith(previewUrl);
    expect(screen.getByText('1 / 14')).toBeInTheDocument();
  });

  it('shows a failed upload on its item with Retry and Remove, never in onChange; Retry can succeed', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const uploadFile = vi
      .fn<(file: File, options: { signal: AbortSignal }) => Promise<string>>()
      .mockRejectedValueOnce(new Error('503 from the upload endpoint'))
      .mockResolvedValueOnce('https://uploads.example.com/dog.png');
    render(<ReferencePicker uploadFile={uploadFile} onChange={onChange} />);
    const file = png('dog.png');

    await user.upload(screen.getByLabelText('Upload images'), file);

    const item = await screen.findByRole('listitem');
    expect(await within(item).findByText('Could not upload dog.png.')).toBeInTheDocument();
    expect(item).toHaveAttribute('data-state', 'failed');
    expect(within(item).getByRole('button', { name: 'Retry uploading dog.png' })).toBeEnabled();
    expect(within(item).getByRole('button', { name: 'Remove dog.png' })).toBeEnabled();
    expect(within(item).queryByRole('progressbar')).not.toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    expect(referenceSrcs()).toEqual([]);

    await user.click(within(item).getByRole('button', { name: 'Retry uploading dog.png' }));

    expect(await screen.findByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', 'https://uploads.example.com/dog.png');
    expect(uploadFile).toHaveBeenCalledTimes(2);
    expect(uploadFile.mock.calls[1]![0]).toBe(file);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenLastCalledWith(['https://uploads.example.com/dog.png']);
    expect(screen.queryByText('Could not upload dog.png.')).not.toBeInTheDocument();
  });

  it('removes a failed upload, revoking its preview, without calling onChange', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const uploadFile = vi.fn(() => Promise.reject(new Error('nope')));
    render(<ReferencePicker uploadFile={uploadFile} onChange={onChange} />);

    await user.upload(screen.getByLabelText('Upload images'), png('fox.png'));
    await screen.findByText('Could not upload fox.png.');
    const previewUrl = vi.mocked(URL.createObjectURL).mock.results[0]!.value as string;

    await user.click(screen.getByRole('button', { name: 'Remove fox.png' }));

    expect(screen.queryByRole('listitem')).not.toBeInTheDocument();
    expect(screen.getByText('0 / 14')).toBeInTheDocument();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith(previewUrl);
    expect(onChange).not.toHaveBeenCalled();
    expect(uploadFile).toHaveBeenCalledTimes(1);
  });

  it('treats an upload that resolves with a URL that is not http(s) as failed, and never renders it', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const uploadFile = vi.fn(async () => 'javascript:alert(1)');
    const { container } = render(<ReferencePicker uploadFile={uploadFile} onChange={onChange} />);
    await user.upload(screen.getByLabelText('Upload images'), png('evil.png'));
    expect(await screen.findByText('Could not upload evil.png.')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    expect(container.innerHTML).not.toContain('javascript:');
  });

  it('aborts an upload that is removed while running, and ignores its result', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const upload = deferred<string>();
    const uploadFile = vi.fn((_file: File, _options: { signal: AbortSignal }) => upload.promise);
    render(<ReferencePicker uploadFile={uploadFile} onChange={onChange} />);
    await user.upload(screen.getByLabelText('Upload images'), png('owl.png'));
    const { signal } = uploadFile.mock.calls[0]![1];
    const previewUrl = vi.mocked(URL.createObjectURL).mock.results[0]!.value as string;

    await user.click(screen.getByRole('button', { name: 'Remove owl.png' }));
    expect(signal.aborted).toBe(true);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith(previewUrl);

    await act(async () => upload.resolve('https://uploads.example.com/owl.png'));
    expect(onChange).not.toHaveBeenCalled();
    expect(referenceSrcs()).toEqual([]);
  });

  it('aborts running uploads and revokes their previews on unmount', async () => {
    const user = userEvent.setup();
    const uploadFile = vi.fn((_file: File, _options: { signal: AbortSignal }) => new Promise<string>(() => undefined));
    const { unmount } = render(<ReferencePicker uploadFile={uploadFile} />);
    await user.upload(screen.getByLabelText('Upload images'), [png('a.png'), png('b.png')]);
    expect(uploadFile).toHaveBeenCalledTimes(2);
    const previews = vi.mocked(URL.createObjectURL).mock.results.map((r) => r.value as string);
    expect(previews).toHaveLength(2);

    unmount();

    for (const [, { signal }] of uploadFile.mock.calls) expect(signal.aborted).toBe(true);
    for (const preview of previews) expect(URL.revokeObjectURL).toHaveBeenCalledWith(preview);
  });

  it('keeps the first files of a batch that fit, in order, and refuses the rest', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const pending = new Map<string, ReturnType<typeof deferred<string>>>();
    const uploadFile = vi.fn((file: File) => {
      const d = deferred<string>();
      pending.set(file.name, d);
      return d.promise;
    });
    const existing = urls(12);
    render(<ReferencePicker defaultValue={existing} uploadFile={uploadFile} onChange={onChange} />);

    await user.upload(screen.getByLabelText('Upload images'), [png('one.png'), png('two.png'), png('three.png'), png('four.png')]);

    expect(uploadFile.mock.calls.map(([file]) => file.name)).toEqual(['one.png', 'two.png']);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('You can add up to 14 reference images');
    expect(alert).toHaveTextContent('three.png');
    expect(alert).toHaveTextContent('four.png');
    expect(alert).not.toHaveTextContent('one.png');
    expect(screen.getByText('14 / 14')).toBeInTheDocument();
    expect(screen.getByLabelText('Upload images')).toBeDisabled();

    // The second finishes first; it still lands after the first.
    await act(async () => pending.get('two.png')!.resolve('https://uploads.example.com/two.png'));
    expect(onChange).not.toHaveBeenCalled();
    await act(async () => pending.get('one.png')!.resolve('https://uploads.example.com/one.png'));

    expect(onChange).toHaveBeenLastCalledWith([...existing, 'https://uploads.example.com/one.png', 'https://uploads.example.com/two.png']);
    expect(referenceSrcs()).toEqual([...existing, 'https://uploads.example.com/one.png', 'https://uploads.example.com/two.png']);
    for (const [args] of onChange.mock.calls) expect(args.length).toBeLessThanOrEqual(14);
    expect(screen.getByText('14 / 14')).toBeInTheDocument();
  });

  it('refuses a batch over a smaller max the same way', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const uploadFile = vi.fn(async (file: File) => `https://uploads.example.com/${file.name}`);
    render(<ReferencePicker max={2} uploadFile={uploadFile} onChange={onChange} />);

    await user.upload(screen.getByLabelText('Upload images'), [png('1.png'), png('2.png'), png('3.png')]);

    expect(await screen.findByRole('img', { name: 'Reference 2' })).toHaveAttribute('src', 'https://uploads.example.com/2.png');
    expect(referenceSrcs()).toEqual(['https://uploads.example.com/1.png', 'https://uploads.example.com/2.png']);
    expect(screen.getByRole('alert')).toHaveTextContent('You can add up to 2 reference images; 3.png was not added.');
    expect(uploadFile).toHaveBeenCalledTimes(2);
    for (const [args] of onChange.mock.calls) expect(args.length).toBeLessThanOrEqual(2);
    expect(screen.getByText('2 / 2')).toBeInTheDocument();
  });

  it('counts running uploads toward the limit for URLs typed meanwhile', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const upload = deferred<string>();
    render(<ReferencePicker max={2} defaultValue={[A]} uploadFile={() => upload.promise} onChange={onChange} />);
    await user.upload(screen.getByLabelText('Upload images'), png('late.png'));
    expect(screen.getByText('2 / 2')).toBeInTheDocument();
    expect(urlInput()).toBeDisabled();
    await act(async () => upload.resolve('https://uploads.example.com/late.png'));
    expect(onChange).toHaveBeenLastCalledWith([A, 'https://uploads.example.com/late.png']);
  });

  it('refuses a file of the wrong type with an alert naming it', async () => {
    // applyAccept: false, so the file reaches the picker as it would by drop or paste.
    const user = userEvent.setup({ applyAccept: false });
    const uploadFile = vi.fn(async () => 'https://uploads.example.com/x.png');
    render(<ReferencePicker uploadFile={uploadFile} />);
    expect(screen.getByLabelText('Upload images')).toHaveAttribute('accept', 'image/*');

    await user.upload(screen.getByLabelText('Upload images'), new File(['hello'], 'notes.txt', { type: 'text/plain' }));

    expect(screen.getByRole('alert')).toHaveTextContent('notes.txt is not an image type this picker accepts.');
    expect(uploadFile).not.toHaveBeenCalled();
    expect(URL.createObjectURL).not.toHaveBeenCalled();
    expect(screen.getByText('0 / 14')).toBeInTheDocument();
  });

  it('refuses a file over maxFileBytes with an alert naming it, and uploads the rest', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const uploadFile = vi.fn(async (file: File) => `https://uploads.example.com/${file.name}`);
    render(<ReferencePicker uploadFile={uploadFile} maxFileBytes={1024} onChange={onChange} />);

    await user.upload(screen.getByLabelText('Upload images'), [png('big.png', 2048), png('small.png', 1024)]);

    expect(screen.getByRole('alert')).toHaveTextContent('big.png is larger than 1 KB.');
    expect(uploadFile).toHaveBeenCalledTimes(1);
    expect(uploadFile.mock.calls[0]![0].name).toBe('small.png');
    expect(await screen.findByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', 'https://uploads.example.com/small.png');
    expect(onChange).toHaveBeenLastCalledWith(['https://uploads.example.com/small.png']);
  });

  it('accepts files dropped on the picker', async () => {
    const uploadFile = vi.fn(async (file: File) => `https://uploads.example.com/${file.name}`);
    const onChange = onChangeSpy();
    render(<ReferencePicker uploadFile={uploadFile} onChange={onChange} />);
    const file = png('dropped.png');
    const group = pickerGroup();

    fireEvent.dragEnter(group, { dataTransfer: { types: ['Files'], files: [] } });
    expect(group).toHaveAttribute('data-dragging');
    // preventDefault on dragover is what lets the browser drop here instead of opening the file.
    expect(fireEvent.dragOver(group, { dataTransfer: { types: ['Files'], files: [] } })).toBe(false);
    expect(fireEvent.drop(group, { dataTransfer: { types: ['Files'], files: [file] } })).toBe(false);

    expect(group).not.toHaveAttribute('data-dragging');
    expect(uploadFile).toHaveBeenCalledTimes(1);
    expect(uploadFile.mock.calls[0]![0]).toBe(file);
    expect(await screen.findByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', 'https://uploads.example.com/dropped.png');
    expect(onChange).toHaveBeenLastCalledWith(['https://uploads.example.com/dropped.png']);
  });

  it('accepts images pasted into the picker, and leaves text pastes alone', async () => {
    const uploadFile = vi.fn(async (file: File) => `https://uploads.example.com/${file.name}`);
    render(<ReferencePicker uploadFile={uploadFile} />);

    expect(fireEvent.paste(urlInput(), { clipboardData: { files: [], getData: () => A } })).toBe(true);
    expect(uploadFile).not.toHaveBeenCalled();

    const file = png('pasted.png');
    expect(fireEvent.paste(pickerGroup(), { clipboardData: { files: [file], getData: () => '' } })).toBe(false);

    expect(uploadFile).toHaveBeenCalledTimes(1);
    expect(uploadFile.mock.calls[0]![0]).toBe(file);
    expect(await screen.findByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', 'https://uploads.example.com/pasted.png');
  });

  it('refuses dropped files of the wrong type with an alert naming them', () => {
    const uploadFile = vi.fn(async () => 'https://uploads.example.com/x.png');
    render(<ReferencePicker uploadFile={uploadFile} />);
    fireEvent.drop(pickerGroup(), { dataTransfer: { types: ['Files'], files: [new File(['%PDF'], 'doc.pdf', { type: 'application/pdf' })] } });
    expect(screen.getByRole('alert')).toHaveTextContent('doc.pdf is not an image type this picker accepts.');
    expect(uploadFile).not.toHaveBeenCalled();
  });

  it('has no file input, and ignores dropped and pasted files, without uploadFile', () => {
    const onChange = onChangeSpy();
    const { container } = render(<ReferencePicker onChange={onChange} />);
    expect(screen.queryByLabelText('Upload images')).not.toBeInTheDocument();
    expect(container.querySelector('input[type="file"]')).toBeNull();

    expect(fireEvent.drop(pickerGroup(), { dataTransfer: { types: ['Files'], files: [png('a.png')] } })).toBe(true);
    expect(fireEvent.paste(pickerGroup(), { clipboardData: { files: [png('b.png')], getData: () => '' } })).toBe(true);
    expect(URL.createObjectURL).not.toHaveBeenCalled();
    expect(screen.queryByRole('listitem')).not.toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
  });
});

describe('ReferencePicker: disabled', () => {
  it('disables every control and ignores drops and pastes', async () => {
    const user = userEvent.setup();
    const onChange = onChangeSpy();
    const uploadFile = vi.fn(async () => 'https://uploads.example.com/x.png');
    render(<ReferencePicker disabled defaultValue={[A, B]} uploadFile={uploadFile} onChange={onChange} />);

    expect(pickerGroup()).toHaveAttribute('data-disabled');
    expect(urlInput()).toBeDisabled();
    expect(screen.getByLabelText('Upload images')).toBeDisabled();
    const buttons = screen.getAllByRole('button');
    expect(buttons.length).toBeGreaterThanOrEqual(7);
    for (const button of buttons) expect(button).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Remove reference 1' }));
    fireEvent.drop(pickerGroup(), { dataTransfer: { types: ['Files'], files: [png('a.png')] } });
    fireEvent.paste(pickerGroup(), { clipboardData: { files: [png('b.png')], getData: () => '' } });

    expect(uploadFile).not.toHaveBeenCalled();
    expect(onChange).not.toHaveBeenCalled();
    expect(referenceSrcs()).toEqual([A, B]);
  });

  it('disables the controls of a failed upload too', async () => {
    const user = userEvent.setup();
    const uploadFile = vi.fn(() => Promise.reject(new Error('nope')));
    const { rerender } = render(<ReferencePicker uploadFile={uploadFile} />);
    await user.upload(screen.getByLabelText('Upload images'), png('bat.png'));
    await screen.findByText('Could not upload bat.png.');

    rerender(<ReferencePicker uploadFile={uploadFile} disabled />);

    for (const button of screen.getAllByRole('button')) expect(button).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Remove bat.png' }));
    expect(screen.getByText('Could not upload bat.png.')).toBeInTheDocument();
  });
});

describe('ReferencePicker: names', () => {
  it('has no control but the URL Add button whose name starts with "Add"', async () => {
    const user = userEvent.setup();
    const uploadFile = vi.fn(() => Promise.reject(new Error('nope')));
    render(<ReferencePicker defaultValue={[A, B]} uploadFile={uploadFile} />);
    await user.upload(screen.getByLabelText('Upload images'), png('mole.png'));
    await screen.findByRole('button', { name: 'Retry uploading mole.png' });
    await user.type(urlInput(), 'nope{Enter}');
    expect(screen.getByRole('alert')).toBeInTheDocument();

    const startsWithAdd = (name: string) => /^add/i.test(name.trim());
    const roles = ['button', 'textbox', 'link', 'checkbox', 'radio', 'spinbutton', 'combobox', 'menuitem', 'tab', 'switch'] as const;
    const named = roles.flatMap((role) => screen.queryAllByRole(role, { name: startsWithAdd }));
    expect(named).toEqual([addButton()]);
    expect(addButton()).toHaveAccessibleName('Add');
    // Inputs without an implicit role (the file input) are found by label.
    expect(screen.queryAllByLabelText(/^\s*add/i)).toEqual([]);
    expect(screen.getByLabelText('Upload images')).toHaveAttribute('type', 'file');
    expect(screen.getByLabelText('Upload images')).toHaveAttribute('multiple');
  });

  it('takes translated labels', async () => {
    const user = userEvent.setup();
    render(
      <ReferencePicker
        defaultValue={[A]}
        labels={{
          title: 'Referenzbilder',
          urlInput: 'Bild-URL',
          add: 'Hinzufügen',
          count: (count, max) => `${count} von ${max}`,
          reference: (n) => `Referenz ${n}`,
          remove: (n) => `Referenz ${n} entfernen`,
          refusal: () => 'Ungültige Adresse.',
        }}
      />,
    );
    expect(screen.getByRole('group', { name: 'Referenzbilder' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Referenz 1' })).toHaveAttribute('src', A);
    expect(screen.getByRole('button', { name: 'Referenz 1 entfernen' })).toBeInTheDocument();
    expect(screen.getByText('1 von 14')).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Bild-URL' }), 'kaputt');
    await user.click(screen.getByRole('button', { name: 'Hinzufügen' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Ungültige Adresse.');
    expect(screen.queryByRole('button', { name: 'Add' })).not.toBeInTheDocument();
  });
});
