import type { QueryClient } from './query-core.js';
import type { ImageGenError } from './errors.js';
import type { GenerationRun, RunContext, RunSettings } from './generation-run.js';
import type { PersistedGeneration } from './history.js';
import { persistKey, resolvePersister, type GenerationPersister, type PersistOption } from './persister.js';

/** A promise with its resolve and reject: what a generation or a batch hands out while it runs. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: ImageGenError): void;
}

/** A new `Deferred`. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: ImageGenError) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Options every engine observer takes. */
export interface EngineOptions extends RunSettings {
  /** Resume after reload: see `PersistOption`. */
  persist?: PersistOption;
}

/**
 * What `GenerationObserver` and `BatchObserver` share, in the manner of TanStack Query's
 * observers: a result for `useSyncExternalStore` (`subscribe`, `getCurrentResult`), polling only
 * while someone listens, a real stop when the last listener leaves and none comes back at once (a
 * StrictMode remount does), and `persist`: restore once per key, then save whenever what is
 * stored would change.
 */
export abstract class EngineObserver<TResult, TOptions extends Omit<EngineOptions, 'concurrency'>> {
  protected readonly client: QueryClient;
  /** What its runs share: the cache, the settings, and whom to tell of a change. */
  protected readonly context: RunContext;
  protected options: TOptions;
  /** True while someone listens: runs poll only then. */
  protected listening = false;
  protected result!: TResult;
  readonly #listeners = new Set<() => void>();
  #stopTimer: ReturnType<typeof setTimeout> | undefined;
  /** The `persist` key restored from; null until options were first applied. */
  #persistKey: string | undefined | null = null;
  #persister: GenerationPersister | undefined;
  #saved = '';
  #unmounted = false;
  /** The last listener left and none came back yet: an unmount, unless a remount follows at once. */
  #leaving = false;
  /** While a persister loads: `generate()` waits for it, so a stored generation is never started again. */
  protected restoring: Promise<void> | undefined;
  /** Counts stops (Cancel, reset, unmount): a `generate()` waiting for the persister sends nothing if one came meanwhile. */
  protected stops = 0;

  constructor(client: QueryClient, options: TOptions) {
    this.client = client;
    this.options = options;
    const context: RunContext = {
      client,
      settings: options,
      wholeTasks: false,
      changed: () => this.update(),
      watchWholeTasks: () => {
        if (context.wholeTasks) return;
        context.wholeTasks = true;
        for (const run of this.runs()) run.refresh();
      },
    };
    this.context = context;
  }

  /** For `useSyncExternalStore`: the same object until something shown changes. */
  getCurrentResult = (): TResult => this.result;

  /** For `useSyncExternalStore`: polling runs while there are listeners. */
  subscribe = (listener: () => void): (() => void) => {
    // Called directly, not through TanStack Query's batched scheduler: a `generate()` in an event
    // handler (or in `act()`) shows `submitting` in the same turn; React batches the renders.
    const own = () => listener();
    this.#listeners.add(own);
    clearTimeout(this.#stopTimer);
    this.#leaving = false;
    // Options given only to the constructor (kept free of side effects, for server rendering) take
    // effect here: `persist` restores.
    if (this.#persistKey === null) this.setOptions(this.options);
    if (this.#listeners.size === 1) this.#listen(true);
    return () => {
      this.#listeners.delete(own);
      if (this.#listeners.size > 0) return;
      this.#listen(false);
      // Deferred a tick: StrictMode unmounts and remounts at once, and work in flight must survive
      // that. A real unmount leaves storage as it was: the page may be going away, and a reload
      // must find the task in flight to resume it.
      this.#leaving = true;
      this.#stopTimer = setTimeout(() => {
        if (this.#listeners.size > 0) return;
        this.#unmounted = true;
        this.stop();
        this.#unmounted = this.#leaving = false;
      }, 0);
    };
  };

  /** Takes new options; a new `persist` key restores what it holds (at once when the persister is loaded). */
  setOptions(options: TOptions): void {
    const before = this.context.settings;
    this.options = this.context.settings = options;
    if (options.fetcher !== before.fetcher || options.intervalMs !== before.intervalMs || options.timeoutMs !== before.timeoutMs) {
      for (const run of this.runs()) run.refresh();
    }
    const key = persistKey(options.persist);
    if (key === this.#persistKey) return;
    this.#persistKey = key;
    this.#persister = undefined;
    this.restoring = undefined;
    if (!key) return;
    const persister = resolvePersister(options.persist!);
    if (!(persister instanceof Promise)) return this.#restore(persister);
    const restoring = persister.then(
      (loaded) => {
        if (this.restoring === restoring) this.#restore(loaded);
      },
      (error: unknown) => {
        // E.g. a chunk that failed to load: generations go on, only unsaved.
        console.warn(`flash-image-react: could not load persistence (${String(error)}).`);
        if (this.restoring === restoring) this.restoring = undefined;
      },
    );
    this.restoring = restoring;
  }

  /** Stops whatever is in flight: what a real unmount does. */
  abstract stop(): void;

  /**
   * Calls `go` once the persister has loaded (a stored generation may resume first), unless a stop
   * came meanwhile or the last listener just left: a Cancel, reset or unmount before the POST left
   * must send nothing.
   */
  protected afterRestore<T>(restoring: Promise<void>, go: () => Promise<T>, stopped: () => Promise<T>): Promise<T> {
    const stops = this.stops;
    return restoring.then(() => (this.stops === stops && !this.#leaving ? go() : stopped()));
  }

  /** Every run it shows. */
  protected abstract runs(): readonly GenerationRun[];

  /** Shows what storage held; returns the entries now shown (what storage should hold). */
  protected abstract restoreEntries(entries: PersistedGeneration[]): readonly PersistedGeneration[];

  /** What storage should hold now. */
  protected abstract entries(): readonly PersistedGeneration[];

  /** Builds the result from the current state. */
  protected abstract buildResult(): TResult;

  /** Rebuilds the result, tells the listeners, and saves. */
  protected update(): void {
    this.result = this.buildResult();
    for (const listener of this.#listeners) listener();
    if (!this.#persister || this.#unmounted) return;
    const entries = this.entries();
    const text = JSON.stringify(entries);
    if (text !== this.#saved) this.#persister.save(entries);
    this.#saved = text;
  }

  #listen(on: boolean): void {
    this.listening = on;
    for (const run of this.runs()) run.listen(on);
  }

  #restore(persister: GenerationPersister): void {
    this.restoring = undefined;
    this.#saved = JSON.stringify(this.restoreEntries(persister.restore()));
    this.#persister = persister;
    this.update();
  }
}
