import { act, fireEvent, render, renderHook, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createRef, type ReactNode, type Ref, type RefCallback } from 'react';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { useReferencePicker, type UseReferencePickerOptions } from '../../src/react/use-reference-picker.js';

const A = 'https://images.example.com/a.png';
const uploadFile = async (file: File) => `https://uploads.example.com/${file.name}`;

/** Every prop getter, called without props, as a custom picker would each render. */
function getters(picker: ReturnType<typeof useReferencePicker>) {
  const { getRootProps, getUrlInputProps, getAddButtonProps, getFileInputProps } = picker;
  return { getRootProps, getUrlInputProps, getAddButtonProps, getFileInputProps };
}

describe('useReferencePicker: prop getters keep their identity', () => {
  it('across renders that change nothing they put in the props', () => {
    const { result, rerender } = renderHook((options: UseReferencePickerOptions) => useReferencePicker(options), {
      initialProps: { uploadFile, onChange: () => undefined },
    });
    const first = { ...getters(result.current), addUrl: result.current.addUrl, addFiles: result.current.addFiles };
    // A parent re-rendering with new callbacks, as parents do.
    rerender({ uploadFile, onChange: () => undefined });
    const second = { ...getters(result.current), addUrl: result.current.addUrl, addFiles: result.current.addFiles };
    for (const name of Object.keys(first) as (keyof typeof first)[]) expect(second[name], name).toBe(first[name]);
  });

  it('a getter changes only when its own output does', () => {
    const { result } = renderHook(() => useReferencePicker({ uploadFile, max: 1 }));
    const before = getters(result.current);

    act(() => result.current.setDraftUrl('https://images.example.com/typ'));
    // Only the URL input shows the draft.
    expect(result.current.getUrlInputProps).not.toBe(before.getUrlInputProps);
    expect(result.current.getRootProps).toBe(before.getRootProps);
    expect(result.current.getAddButtonProps).toBe(before.getAddButtonProps);
    expect(result.current.getFileInputProps).toBe(before.getFileInputProps);

    act(() => void result.current.addUrl(A));
    // Full now: every control and the root's data-full change.
    const full = getters(result.current);
    expect(full.getRootProps).not.toBe(before.getRootProps);
    expect(full.getAddButtonProps).not.toBe(before.getAddButtonProps);
    expect(full.getFileInputProps).not.toBe(before.getFileInputProps);
    expect(full.getRootProps()['data-full']).toBe('');
    expect(full.getAddButtonProps().disabled).toBe(true);
  });
});

function Root({ innerRef, ...props }: { innerRef?: Ref<HTMLDivElement>; children?: ReactNode }) {
  return <div ref={innerRef} data-testid="root" {...props} />;
}

describe('useReferencePicker: the root ref', () => {
  it('puts the element in rootRef and in your object or function ref, with a ref identity that holds', () => {
    const objectRef = createRef<HTMLElement>();
    const callbackRef = vi.fn<(node: HTMLElement | null) => void>();
    const refs: RefCallback<HTMLElement>[] = [];
    function Picker({ mine }: { mine: Ref<HTMLElement> }) {
      const picker = useReferencePicker();
      const props = picker.getRootProps({ ref: mine });
      refs.push(props.ref);
      return <div {...props} data-testid="root" />;
    }
    const { rerender } = render(<Picker mine={objectRef} />);
    const element = screen.getByTestId('root');
    expect(objectRef.current).toBe(element);
    rerender(<Picker mine={objectRef} />);
    expect(new Set(refs).size).toBe(1);

    rerender(<Picker mine={callbackRef} />);
    expect(callbackRef).toHaveBeenLastCalledWith(element);
    // The previous ref is let go of.
    expect(objectRef.current).toBeNull();
  });

  it('puts the ref under refKey, e.g. innerRef for a styled component, and no `ref` beside it', () => {
    const mine = createRef<HTMLDivElement>();
    let rootRef: { current: HTMLElement | null } = { current: null };
    function Picker() {
      const picker = useReferencePicker();
      rootRef = picker.rootRef;
      const props = picker.getRootProps({ refKey: 'innerRef', innerRef: mine });
      expectTypeOf(props.innerRef).toEqualTypeOf<RefCallback<HTMLElement>>();
      expect(props).not.toHaveProperty('ref');
      expect(props).not.toHaveProperty('refKey');
      return <Root {...props} />;
    }
    render(<Picker />);
    expect(mine.current).toBe(screen.getByTestId('root'));
    expect(rootRef.current).toBe(screen.getByTestId('root'));
  });
});

describe('useReferencePicker: whose props win', () => {
  it('yours, for what is yours to choose: role, ids, classes, the URL input type, multiple, data attributes', () => {
    const { result } = renderHook(() => useReferencePicker({ uploadFile, max: 1, defaultValue: [A] }));
    const root = result.current.getRootProps({ role: 'region', 'aria-label': 'Drop zone', 'data-full': 'no' });
    expect(root).toMatchObject({ role: 'region', 'aria-label': 'Drop zone', 'data-full': 'no' });
    const url = result.current.getUrlInputProps({ id: 'u', type: 'text', inputMode: 'text', autoComplete: 'url', className: 'mine' });
    expect(url).toMatchObject({ id: 'u', type: 'text', inputMode: 'text', autoComplete: 'url', className: 'mine' });
    expect(result.current.getFileInputProps({ multiple: false }).multiple).toBe(false);
  });

  it('ours, for what the picker needs: value, disabled, aria-invalid, the file input type and accept, the Add button type', () => {
    const { result } = renderHook(() => useReferencePicker({ uploadFile, max: 1, defaultValue: [A], accept: 'image/png' }));
    act(() => result.current.setDraftUrl('not a url'));
    act(() => void result.current.addUrl());
    const url = result.current.getUrlInputProps({ value: 'theirs', disabled: false, 'aria-invalid': false });
    expect(url).toMatchObject({ value: 'not a url', disabled: true, 'aria-invalid': true });
    const file = result.current.getFileInputProps({ type: 'text', accept: 'text/plain', disabled: false });
    expect(file).toMatchObject({ type: 'file', accept: 'image/png', disabled: true });
    expect(result.current.getAddButtonProps({ type: 'submit' }).type).toBe('button');
  });

  it('either side can disable a control', () => {
    const { result } = renderHook(() => useReferencePicker());
    expect(result.current.getUrlInputProps().disabled).toBeFalsy();
    expect(result.current.getUrlInputProps({ disabled: true }).disabled).toBe(true);
    expect(result.current.getAddButtonProps({ disabled: true }).disabled).toBe(true);
  });

  it('composes handlers: yours runs first, and preventDefault in yours skips ours', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    const theirKeyDown = vi.fn();
    let skip = false;
    function Picker() {
      const picker = useReferencePicker({ onChange });
      return (
        <input
          aria-label="URL"
          {...picker.getUrlInputProps({
            onKeyDown: (event) => {
              theirKeyDown(event.key);
              if (skip && event.key === 'Enter') event.preventDefault();
            },
          })}
        />
      );
    }
    render(<Picker />);
    skip = true;
    await user.type(screen.getByRole('textbox', { name: 'URL' }), `${A}{Enter}`);
    expect(theirKeyDown).toHaveBeenLastCalledWith('Enter');
    expect(onChange).not.toHaveBeenCalled();
    skip = false;
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'URL' }), { key: 'Enter' });
    expect(onChange).toHaveBeenCalledWith([A]);
  });
});
