'use client';
import {
  useCallback,
  useEffect,
  useReducer,
  useRef,
  useState,
  type ChangeEvent,
  type ClipboardEvent,
  type DragEvent,
  type ButtonHTMLAttributes,
  type HTMLAttributes,
  type InputHTMLAttributes,
  type KeyboardEvent,
  type SyntheticEvent,
} from 'react';
import {
  checkReferenceUrl,
  clampMax,
  moveItem,
  sortFileBatch,
  type ReferenceRefusal,
} from '../core/references.js';
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

/**
 * The logic of `<ReferencePicker>` without its markup: state, actions and prop getters that
 * compose your own handlers. Spread `getRootProps()` on the drop zone, `getUrlInputProps()` on a
 * text input, `getAddButtonProps()` on a button and `getFileInputProps()` on a file input.
 */
export function useReferencePicker(options: UseReferencePickerOptions = {}) {
  const max = clampMax(options.max);
  const { uploadFile, maxFileBytes, accept = 'image/*', disabled = false } = options;
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
  // Entered minus left: dragging over a child enters it before leaving the root.
  const [dragDepth, setDragDepth] = useState(0);
  const isDragging = dragDepth > 0;

  // Uploads live in a ref so async completions read and write the current list; a counter re-renders.
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

  const count = urls.length + uploads.current.length;
  const isFull = count >= max;
  const blocked = disabled || isFull;
  const canUpload = !!uploadFile;

  return {
    /** The reference URLs, in the order they are sent. */
    urls,
    /** Files uploading or failed, after the URLs. */
    uploads: uploads.current as readonly ReferenceUpload[],
    /** The effective limit (1 to 14). */
    max,
    /** URLs plus uploads. */
    count,
    /** No room for more. */
    isFull,
    /** Every control is disabled. */
    disabled,
    /** Whether files can be added (an `uploadFile` was given). */
    canUpload,
    /** Why the last addition was refused, one entry per refused URL or file. */
    refusals,
    /** A file is being dragged over the root. */
    isDragging,
    /** The URL typed so far. */
    draftUrl,
    setDraftUrl,
    addUrl,
    addFiles,
    remove,
    move,
    removeUpload,
    retryUpload,
    clearRefusals: useStable(() => setRefusals([])),

    /** Props for the drop zone: drag-and-drop and paste of image files. */
    getRootProps<P extends RootProps>(props: P = {} as P) {
      const active = canUpload && !disabled;
      const carriesFiles = (event: DragEvent<HTMLElement>) => active && event.dataTransfer?.types.includes('Files');
      const take = (event: SyntheticEvent, data: DataTransfer | null) => {
        // Text pastes (a URL into the input) go through untouched.
        if (!active || !data?.files?.length) return;
        event.preventDefault();
        addFiles(data.files);
      };
      return {
        ...props,
        'data-dragging': isDragging ? '' : undefined,
        'data-disabled': disabled ? '' : undefined,
        'data-full': isFull ? '' : undefined,
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
      };
    },

    /** Props for the URL text input: Enter adds. */
    getUrlInputProps<P extends UrlInputProps>(props: P = {} as P) {
      return {
        ...props,
        type: 'url' as const,
        inputMode: 'url' as const,
        autoComplete: 'off',
        value: draftUrl,
        disabled: blocked,
        'aria-invalid': refusals.some((r) => r.code === 'invalid-url' || r.code === 'duplicate') || undefined,
        onChange: compose(props.onChange, (event: ChangeEvent<HTMLInputElement>) => setDraftUrl(event.target.value)) as InputChangeHandler,
        onKeyDown: compose(props.onKeyDown, (event: KeyboardEvent<HTMLInputElement>) => {
          if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
          // Inside a form, Enter would submit it (and start a paid generation).
          event.preventDefault();
          addUrl();
        }),
      };
    },

    /** Props for the Add button. */
    getAddButtonProps<P extends ButtonProps>(props: P = {} as P) {
      return {
        ...props,
        type: 'button' as const,
        disabled: blocked,
        onClick: compose(props.onClick, () => addUrl()),
      };
    },

    /** Props for the file input (`multiple`, `accept`); only meaningful when `uploadFile` is given. */
    getFileInputProps<P extends FileInputProps>(props: P = {} as P) {
      return {
        ...props,
        type: 'file' as const,
        multiple: true,
        accept,
        disabled: blocked || !canUpload,
        onChange: compose(props.onChange, (event: ChangeEvent<HTMLInputElement>) => {
          addFiles(event.target.files ?? []);
          // Clear it so that picking the same file again fires another change.
          event.target.value = '';
        }) as InputChangeHandler,
      };
    },
  };
}

type RootProps = HTMLAttributes<HTMLElement>;
type UrlInputProps = InputHTMLAttributes<HTMLInputElement>;
type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement>;
type FileInputProps = InputHTMLAttributes<HTMLInputElement>;
// Named so that the .d.ts refers to the app's own React types: `ChangeEvent` takes one type argument
// in React 18 and two in 19, and an inferred type would be written out with 19's two.
type InputChangeHandler = NonNullable<InputHTMLAttributes<HTMLInputElement>['onChange']>;

/** What `useReferencePicker` returns. */
export type UseReferencePickerResult = ReturnType<typeof useReferencePicker>;
