import type { Meta, StoryObj } from '@storybook/react-vite';
import { QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createHttpFetcher } from '../src/core/http-fetcher.js';
import type { ImageFetcher } from '../src/core/types.js';
import { ImageGenProvider } from '../src/react/provider.js';
import { seedVariations } from '../src/core/batch.js';
import { useImageBatch } from '../src/react/use-image-batch.js';
import { useImageGeneration } from '../src/react/use-image-generation.js';
import { useTaskStatus } from '../src/react/use-task-status.js';

const PROMPT = 'a paper crane on a desk, soft morning light';
const SEEDS = [11, 22, 33, 44];
const INTERVAL_MS = 500;

/** Counts what goes over the wire: POSTs, and status reads per task. */
function countingFetcher() {
  const inner = createHttpFetcher();
  const counts = { posts: 0, reads: new Map<string, number>() };
  const listeners = new Set<() => void>();
  const fetcher: ImageFetcher = {
    generate(input, options) {
      counts.posts += 1;
      listeners.forEach((l) => l());
      return inner.generate(input, options);
    },
    getTask(taskId, options) {
      counts.reads.set(taskId, (counts.reads.get(taskId) ?? 0) + 1);
      listeners.forEach((l) => l());
      return inner.getTask(taskId, options);
    },
  };
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };
  return { fetcher, counts, subscribe };
}

/** A second observer of the same task, as a sidebar or a notification badge would be. */
function Watcher({ taskId }: { taskId: string | undefined }) {
  const { data } = useTaskStatus(taskId, { intervalMs: INTERVAL_MS });
  return <span>{data ? `watcher sees ${data.status}` : 'watcher waiting'}</span>;
}

function Variation({ seed }: { seed: number }) {
  const { generate, status, imageUrl, task } = useImageGeneration({ intervalMs: INTERVAL_MS });
  useEffect(() => {
    void generate({ prompt: PROMPT, seed, size: '1:1' });
  }, [generate, seed]);
  return (
    <figure className="fir-root" style={{ margin: 0, display: 'grid', gap: 4 }} data-status={status}>
      <div style={{ aspectRatio: '1 / 1', background: 'var(--_surface)', borderRadius: 8, overflow: 'hidden' }}>
        {imageUrl && <img src={imageUrl} alt={`Seed ${seed}`} style={{ width: '100%', height: '100%' }} />}
      </div>
      <figcaption>
        Seed {seed}: {status} · <Watcher taskId={task?.taskId} />
      </figcaption>
    </figure>
  );
}

function Gallery({ children }: { children: (counts: ReturnType<typeof countingFetcher>) => ReactNode }) {
  const counting = useMemo(countingFetcher, []);
  const [queryClient] = useState(() => new QueryClient());
  const [, setTick] = useState(0);
  useEffect(() => counting.subscribe(() => setTick((t) => t + 1)), [counting]);
  return (
    <ImageGenProvider fetcher={counting.fetcher} queryClient={queryClient}>
      {children(counting)}
    </ImageGenProvider>
  );
}

const meta = { title: 'Gallery' } satisfies Meta;
export default meta;

/**
 * Four variations of one prompt (one task per seed) running at once, each watched by two
 * components. The counter shows the two observers of a task share one poll.
 */
export const Variations: StoryObj<typeof meta> = {
  render: () => (
    <Gallery>
      {({ counts }) => (
        <div style={{ display: 'grid', gap: 12, fontFamily: 'system-ui' }}>
          <p aria-label="Requests">
            {counts.posts} POSTs · {[...counts.reads.values()].reduce((a, b) => a + b, 0)} status reads for {counts.reads.size} tasks
          </p>
          <div style={{ display: 'grid', gap: 12, gridTemplateColumns: 'repeat(auto-fill, minmax(160px, 1fr))' }}>
            {SEEDS.map((seed) => (
              <Variation key={seed} seed={seed} />
            ))}
          </div>
        </div>
      )}
    </Gallery>
  ),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const started = Date.now();
    for (const seed of SEEDS) await canvas.findByRole('img', { name: `Seed ${seed}` }, { timeout: 10_000 });
    const elapsed = Date.now() - started;
    await waitFor(() => expect(canvas.getAllByText(/watcher sees completed/)).toHaveLength(SEEDS.length));
    const text = canvas.getByLabelText('Requests').textContent ?? '';
    const [, posts, reads, tasks] = /(\d+) POSTs · (\d+) status reads for (\d+) tasks/.exec(text) ?? [];
    await expect(Number(posts)).toBe(SEEDS.length);
    await expect(Number(tasks)).toBe(SEEDS.length);
    // One read per task per interval, not one per observer: two observers would double this.
    await expect(Number(reads)).toBeLessThanOrEqual(SEEDS.length * (Math.ceil(elapsed / INTERVAL_MS) + 1));
  },
};

const BATCH = 6;

function BatchGallery() {
  const batch = useImageBatch({ intervalMs: INTERVAL_MS, concurrency: 4 });
  const { progress } = batch;
  return (
    <div className="fir-root" style={{ display: 'grid', gap: 12 }}>
      <button
        type="button"
        className="fir-button fir-button--primary"
        disabled={batch.isBusy}
        onClick={() => void batch.generate(seedVariations({ prompt: PROMPT, size: '16:9' }, BATCH))}
      >
        Generate {BATCH} variations
      </button>
      <label>
        Progress {progress.completed + progress.failed} / {progress.total || BATCH}
        <progress value={progress.completed + progress.failed} max={progress.total || BATCH} style={{ width: '100%' }} />
      </label>
      <ul style={{ display: 'grid', gap: 12, gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', listStyle: 'none', padding: 0, margin: 0 }}>
        {batch.items.map((item) => (
          <li key={item.index} data-status={item.status}>
            <div style={{ aspectRatio: '16 / 9', background: 'var(--_surface)', borderRadius: 8, overflow: 'hidden' }}>
              {item.imageUrl && <img src={item.imageUrl} alt={`Variation ${item.index + 1}`} style={{ width: '100%', height: '100%' }} />}
            </div>
            Variation {item.index + 1}: {item.status}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** `useImageBatch`: one prompt, six seeds, at most four POSTs in flight, per-item status and overall progress. */
export const Batch: StoryObj<typeof meta> = {
  render: () => (
    <Gallery>
      {({ counts }) => (
        <div style={{ display: 'grid', gap: 12, fontFamily: 'system-ui' }}>
          <p aria-label="Requests">{counts.posts} POSTs</p>
          <BatchGallery />
        </div>
      )}
    </Gallery>
  ),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: `Generate ${BATCH} variations` }));
    for (let i = 1; i <= BATCH; i++) await canvas.findByRole('img', { name: `Variation ${i}` }, { timeout: 15_000 });
    await expect(canvas.getByText(`Progress ${BATCH} / ${BATCH}`)).toBeVisible();
    await expect(canvas.getByLabelText('Requests')).toHaveTextContent(`${BATCH} POSTs`);
  },
};
