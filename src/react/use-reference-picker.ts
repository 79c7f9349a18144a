'use client';
import {
  useCallback,
  useEffect,
  useReducer,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type ChangeEvent,
  type ClipboardEvent,
  type DragEvent,
  type HTMLAttributes,
  type InputHTMLAttributes,
  type KeyboardEvent,
  type Ref,
  type RefCallback,
  type RefObject,
  type SyntheticEvent,
} from 'react';
import { checkReferenceUrl, clampMax, moveItem, sortFileBatch, type ReferenceRefusal } from '../core/references.js';
import { isHttpUrl } from '../core/validation.js';

/** Turns a picked file into a URL the image service can download (your upload endpoint, a signed URL…). */
export type UploadFile = (file: File, options: { signal: AbortSignal }) => Promise<string>;

/** Options of `useReferencePicker` (the props of `<ReferencePicker>` less the presentational ones). */
export interface UseReferencePickerOptions {
  /** Most references; default and ceiling 14. */
  max?: number;
  /** The URLs, when controlled. */
  value?: string[];
  /** The initial URLs, when uncontrolled. */
  defaultValue?: string[];
  /** Called with the new list whenever it changes; never more than `max` URLs, never a failed upload. */
  onChange?(urls: string[]): void;
  /** Enables file upload, drag-and-drop and paste. */
  uploadFile?: UploadFile;
  /** Accepted file types, in the file input's syntax. Default `image/*`. */
  accept?: string;
  /** Largest file accepted, in bytes. */
  maxFileBytes?: number;
  /** Disables every control. */
  disabled?: boolean;
}

/** A file on its way to becoming a reference URL. */
export interface ReferenceUpload {
  /** Stable key for the item. */
  id: string;
  /** The picked file. */
  file: File;
  /** A local object URL for the preview; revoked when the item goes. */
  previewUrl: string;
  /** `uploading` while `uploadFile` runs; `failed` until retried or removed. */
  status: 'uploading' | 'failed';
  /** What `uploadFile` threw, when failed. */
  error?: unknown;
}

type InputProps = InputHTMLAttributes<HTMLInputElement>;
type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement>;

/** What `getRootProps` takes: the root's own props, and where its ref goes. */
export interface ReferencePickerRootProps extends HTMLAttributes<HTMLElement> {
  /** The prop that gets the ref, e.g. `innerRef` for a styled component; default `'ref'`. */
  refKey?: string;
  /** Your ref to the root element; it gets the element too, as does the hook's `rootRef`. */
  ref?: Ref<HTMLElement>;
}

type RefKey<P> = P extends { refKey: infer K extends string } ? K : 'ref';

/** State the root shows as attributes you can style: present (`''`) when true. */
export interface ReferencePickerRootState {
  /** A file is being dragged over the root. */
  'data-dragging'?: string;
  /** Every control is disabled. */
  'data-disabled'?: string;
  /** No room for more. */
  'data-full'?: string;
}

/** What `getRootProps` returns: your props with our handlers composed in, and the ref under `refKey`. */
export type ReferencePickerRootPropsResult<P> = Omit<P, 'refKey' | RefKey<P>> &
  HTMLAttributes<HTMLElement> &
  ReferencePickerRootState &
  Record<RefKey<P>, RefCallback<HTMLElement>>;

/**
 * What `useReferencePicker` returns. The prop getters keep their identity while what they put in
 * the props is unchanged, so they can be effect or memo dependencies.
 */
export interface UseReferencePickerResult {
  /** The reference URLs, in the order they are sent. */
  urls: string[];
  /** Files uploading or failed, after the URLs. */
  uploads: readonly ReferenceUpload[];
  /** The effective limit (1 to 14). */
  max: number;
  /** URLs plus uploads. */
  count: number;
  /** No room for more. */
  isFull: boolean;
  /** Every control is disabled. */
  disabled: boolean;
  /** Whether files can be added (an `uploadFile` was given). */
  canUpload: boolean;
  /** Why the last addition was refused, one entry per refused URL or file. */
  refusals: ReferenceRefusal[];
  /** A file is being dragged over the root. */
  isDragging: boolean;
  /** The URL typed so far. */
  draftUrl: string;
  /** Replaces the URL typed so far. */
  setDraftUrl(url: string): void;
  /** Adds `url` (default: the typed one); false, with `refusals` set, when it is refused. */
  addUrl(url?: string): boolean;
  /** Uploads files through `uploadFile`; those of the wrong type or size, or over the limit, are refused. */
  addFiles(files: Iterable<File>): void;
  /** Removes the reference at `index`. */
  remove(index: number): void;
  /** Moves the reference at `from` to `to`. */
  move(from: number, to: number): void;
  /** Removes an upload, aborting it if it is still running. */
  removeUpload(id: string): void;
  /** Starts a failed upload again. */
  retryUpload(id: string): void;
  /** Empties `refusals`. */
  clearRefusals(): void;
  /** The root element, once `getRootProps()` is spread on one. */
  rootRef: RefObject<HTMLElement | null>;
  /** Props for the drop zone: drag-and-drop and paste of image files. */
  getRootProps<const P extends ReferencePickerRootProps = {}>(props?: P): ReferencePickerRootPropsResult<P>;
  /** Props for the URL text input: Enter adds. */
  getUrlInputProps<P extends InputProps = {}>(props?: P): P & InputProps;
  /** Props for the Add button. */
  getAddButtonProps<P extends ButtonProps = {}>(props?: P): P & ButtonProps;
  /** Props for the file input (`multiple`, `accept`); only meaningful when `uploadFile` is given. */
  getFileInputProps<P extends InputProps = {}>(props?: P): P & InputProps;
}

type Handler<E> = ((event: E) => void) | undefined;

// Calls the app's handler first; it can stop ours with preventDefault, as in react-dropzone.
function compose<E extends { defaultPrevented: boolean }>(theirs: Handler<E>, ours: (event: E) => void) {
  return (event: E) => {
    theirs?.(event);
    if (!event.defaultPrevented) ours(event);
  };
}

interface UploadEntry extends ReferenceUpload {
  controller: AbortController;
  /** Set when the upload finished, until every earlier upload has settled. */
  url?: string;
}

function dropUpload(entry: UploadEntry) {
  entry.controller.abort();
  URL.revokeObjectURL(entry.previewUrl);
}

let uploadSequence = 0;

// A function whose identity never changes but which always runs the latest render's code, so the
// actions can be effect dependencies without listing what they read.
function useStable<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ref = useRef(fn);
  ref.current = fn;
  return useCallback((...args: A) => ref.current(...args), []);
}

// Files on their way to becoming reference URLs. They live in a ref so async completions read and
// write the current list; a counter re-renders.
function useUploads(
  { uploadFile, maxFileBytes, accept, disabled }: UseReferencePickerOptions & { accept: string },
  max: number,
  latest: { current: string[] },
  setUrls: (next: string[]) => void,
  setRefusals: (refusals: ReferenceRefusal[]) => void,
) {
  const uploads = useRef<UploadEntry[]>([]);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const room = () => max - latest.current.length - uploads.current.length;
  const setUploads = (next: UploadEntry[]) => {
    uploads.current = next;
    rerender();
  };
  const replaceUpload = (entry: UploadEntry, next: UploadEntry) => setUploads(uploads.current.map((e) => (e === entry ? next : e)));

  // Finished uploads join the list in the order they were picked: each waits for the ones before it
  // that are still uploading. Failed ones do not hold the queue.
  const flush = useStable(() => {
    let next = latest.current;
    const refused: ReferenceRefusal[] = [];
    let waiting = false;
    const left = uploads.current.filter((entry) => {
      waiting ||= entry.status === 'uploading' && !entry.url;
      if (waiting || !entry.url) return true;
      const refusal = checkReferenceUrl(entry.url, next, max - next.length);
      if (refusal) refused.push({ ...refusal, fileName: entry.file.name });
      else next = [...next, entry.url];
      dropUpload(entry);
      return false;
    });
    if (left.length === uploads.current.length) return;
    setUploads(left);
    setUrls(next);
    if (refused.length) setRefusals(refused);
  });

  // Only started once addFiles found an uploadFile; should the app drop it before a Retry, the
  // TypeError makes that attempt fail like any other.
  const runUpload = async (entry: UploadEntry) => {
    let failed: UploadEntry | undefined;
    try {
      const url = await uploadFile!(entry.file, { signal: entry.controller.signal });
      if (!isHttpUrl(url)) {
        throw new Error(`uploadFile must resolve with an http(s) URL the image service can download; got ${String(url)}`);
      }
      entry.url = url;
    } catch (error) {
      failed = { ...entry, status: 'failed', error };
    }
    // A removed upload's outcome is ignored.
    if (!uploads.current.includes(entry)) return;
    if (failed) replaceUpload(entry, failed);
    flush();
  };

  const addFiles = useStable((files: Iterable<File>) => {
    if (disabled || !uploadFile) return;
    const { accepted, refused } = sortFileBatch(files, { accept, maxFileBytes, room: room() });
    setRefusals(refused);
    if (!accepted.length) return;
    const entries = accepted.map<UploadEntry>((file) => ({
      id: `upload-${++uploadSequence}`,
      file,
      previewUrl: URL.createObjectURL(file),
      status: 'uploading',
      controller: new AbortController(),
    }));
    setUploads([...uploads.current, ...entries]);
    entries.forEach(runUpload);
  });

  const findUpload = (id: string) => uploads.current.find((e) => e.id === id);

  const removeUpload = useStable((id: string) => {
    const entry = findUpload(id);
    if (!entry || disabled) return;
    dropUpload(entry);
    setUploads(uploads.current.filter((e) => e !== entry));
    flush();
  });

  const retryUpload = useStable((id: string) => {
    const entry = findUpload(id);
    if (entry?.status !== 'failed' || disabled) return;
    const fresh: UploadEntry = { ...entry, status: 'uploading', error: undefined, controller: new AbortController() };
    replaceUpload(entry, fresh);
    runUpload(fresh);
  });

  // Abort running uploads and free previews on unmount. StrictMode's rehearsal unmount happens
  // before any upload can start, so nothing real is lost there.
  useEffect(
    () => () => {
      uploads.current.forEach(dropUpload);
      uploads.current = [];
    },
    [],
  );

  return { list: uploads.current as readonly ReferenceUpload[], room, addFiles, removeUpload, retryUpload };
}

// The drop zone's drag state, its ref, and the prop getters, each memoised on what it puts in the props.
function usePropGetters({ draftUrl, setDraftUrl, addUrl, addFiles, disabled, isFull, canUpload, refusals }: PickerState, accept: string) {
  // Entered minus left: dragging over a child enters it before leaving the root.
  const [dragDepth, setDragDepth] = useState(0);
  const isDragging = dragDepth > 0;
  const rootRef = useRef<HTMLElement | null>(null);
  // One merged ref per ref of yours, so React does not detach and re-attach it on every render.
  const mergedRef = useRef<{ theirs?: Ref<HTMLElement>; ref: RefCallback<HTMLElement> } | null>(null);
  const blocked = disabled || isFull;
  const active = canUpload && !disabled;
  const invalid = refusals.some((r) => r.code === 'invalid_url' || r.code === 'duplicate');

  const getRootProps = useCallback(
    <P extends ReferencePickerRootProps>({ refKey = 'ref', ...props }: P = {} as P) => {
      const carriesFiles = (event: DragEvent<HTMLElement>) => active && event.dataTransfer?.types.includes('Files');
      const take = (event: SyntheticEvent, data: DataTransfer | null) => {
        // Text pastes (a URL into the input) go through untouched.
        if (!active || !data?.files?.length) return;
        event.preventDefault();
        addFiles(data.files);
      };
      const theirs = (props as Record<string, unknown>)[refKey] as Ref<HTMLElement> | undefined;
      if (!mergedRef.current || mergedRef.current.theirs !== theirs) {
        mergedRef.current = {
          theirs,
          ref: (node) => {
            rootRef.current = node;
            if (typeof theirs === 'function') theirs(node);
            else if (theirs) (theirs as { current: HTMLElement | null }).current = node;
          },
        };
      }
      return {
        'data-dragging': isDragging ? '' : undefined,
        'data-disabled': disabled ? '' : undefined,
        'data-full': isFull ? '' : undefined,
        ...props,
        [refKey]: mergedRef.current.ref,
        onDragEnter: compose(props.onDragEnter, (event: DragEvent<HTMLElement>) => {
          if (carriesFiles(event)) setDragDepth((depth) => depth + 1);
        }),
        onDragOver: compose(props.onDragOver, (event: DragEvent<HTMLElement>) => {
          // Without this the browser would open a dropped file in place of the app.
          if (carriesFiles(event)) event.preventDefault();
        }),
        onDragLeave: compose(props.onDragLeave, () => setDragDepth((depth) => Math.max(0, depth - 1))),
        onDrop: compose(props.onDrop, (event: DragEvent<HTMLElement>) => {
          setDragDepth(0);
          take(event, event.dataTransfer);
        }),
        onPaste: compose(props.onPaste, (event: ClipboardEvent<HTMLElement>) => take(event, event.clipboardData)),
      } as ReferencePickerRootPropsResult<P>;
    },
    [active, isDragging, disabled, isFull, addFiles],
  );

  const getUrlInputProps = useCallback(
    <P extends InputProps>(props: P = {} as P) => ({
      type: 'url',
      inputMode: 'url' as const,
      autoComplete: 'off',
      ...props,
      value: draftUrl,
      disabled: blocked || props.disabled,
      'aria-invalid': invalid || props['aria-invalid'],
      onChange: compose(props.onChange, (event: ChangeEvent<HTMLInputElement>) => setDraftUrl(event.target.value)),
      onKeyDown: compose(props.onKeyDown, (event: KeyboardEvent<HTMLInputElement>) => {
        if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
        // Inside a form, Enter would submit it (and start a paid generation).
        event.preventDefault();
        addUrl();
      }),
    }),
    [draftUrl, blocked, invalid, addUrl],
  );

  const getAddButtonProps = useCallback(
    <P extends ButtonProps>(props: P = {} as P) => ({
      ...props,
      type: 'button' as const,
      disabled: blocked || props.disabled,
      onClick: compose(props.onClick, () => addUrl()),
    }),
    [blocked, addUrl],
  );

  const getFileInputProps = useCallback(
    <P extends InputProps>(props: P = {} as P) => ({
      multiple: true,
      ...props,
      type: 'file',
      accept,
      disabled: blocked || !canUpload || props.disabled,
      onChange: compose(props.onChange, (event: ChangeEvent<HTMLInputElement>) => {
        addFiles(event.target.files ?? []);
        // Clear it so that picking the same file again fires another change.
        event.target.value = '';
      }),
    }),
    [accept, blocked, canUpload, addFiles],
  );

  return { isDragging, rootRef, getRootProps, getUrlInputProps, getAddButtonProps, getFileInputProps };
}

type PickerState = Omit<UseReferencePickerResult, 'isDragging' | 'rootRef' | `get${string}Props`>;

/**
 * The logic of `<ReferencePicker>` without its markup: state, actions and prop getters, in the
 * style of react-dropzone. Spread `getRootProps()` on the drop zone, `getUrlInputProps()` on a text
 * input, `getAddButtonProps()` on a button and `getFileInputProps()` on a file input.
 *
 * Your props win, except these, which the picker needs in order to work: event handlers are
 * composed (yours runs first; `event.preventDefault()` skips ours), the ref is merged, `disabled`
 * and `aria-invalid` are ours or yours (either one sets them), and the URL input's `value`, the file
 * input's `type` and `accept` (set `accept` as an option) and the Add button's `type` (a submit
 * inside a form would start a paid generation) are ours.
 */
export function useReferencePicker(options: UseReferencePickerOptions = {}): UseReferencePickerResult {
  const max = clampMax(options.max);
  const { disabled = false, accept = 'image/*' } = options;
  // Controlled (`value`) and uncontrolled (`defaultValue`) share one code path, as in Radix's
  // useControllableState. `latest` runs ahead of renders, so two updates in one tick build on each
  // other even before a controlling parent re-renders with the new `value`.
  const [internal, setInternal] = useState(options.defaultValue ?? []);
  const urls = options.value ?? internal;
  const latest = useRef(urls);
  latest.current = urls;
  const setUrls = (next: string[]) => {
    if (next === latest.current) return;
    latest.current = next;
    if (!options.value) setInternal(next);
    options.onChange?.(next);
  };
  const [draftUrl, setDraftUrl] = useState('');
  const [refusals, setRefusals] = useState<ReferenceRefusal[]>([]);
  const { list, room, ...uploadActions } = useUploads({ ...options, accept }, max, latest, setUrls, setRefusals);
  const addUrl = useStable((url: string = draftUrl): boolean => {
    if (disabled) return false;
    const trimmed = url.trim();
    const refusal = checkReferenceUrl(trimmed, latest.current, room());
    setRefusals(refusal ? [refusal] : []);
    if (!refusal) {
      setUrls([...latest.current, trimmed]);
      setDraftUrl('');
    }
    return !refusal;
  });

  const remove = useStable((index: number) => {
    if (disabled) return;
    setUrls(latest.current.filter((_, i) => i !== index));
    setRefusals([]);
  });

  const move = useStable((from: number, to: number) => {
    if (!disabled) setUrls(moveItem(latest.current, from, to) as string[]);
  });

  const count = urls.length + list.length;
  const isFull = count >= max;
  const canUpload = !!options.uploadFile;
  const clearRefusals = useStable(() => setRefusals([]));
  const state = { urls, uploads: list, max, count, isFull, disabled, canUpload, refusals, draftUrl };
  const picker = { ...state, setDraftUrl, addUrl, remove, move, clearRefusals, ...uploadActions };
  return { ...picker, ...usePropGetters(picker, accept) };
}
