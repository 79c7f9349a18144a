import { performance } from 'node:perf_hooks';
import { ImageGenError } from '../src/core/errors.js';
import type { ImageFetcher, ImageTask, TaskStatus } from '../src/core/types.js';

/** How the test double behaves. */
export interface DoubleOptions {
  /** Round trip of every request, ms; the server handles it half-way. */
  latencyMs: number;
  /** How long task `n` (from 0) runs on the server, ms. */
  durationMs(n: number): number;
  /** Adds a `progress` field that changes on every read, as some task APIs do. */
  progress?: boolean;
  /** Answers the POST of task `n` with a 429 (Retry-After in ms) the first time, when set. */
  rateLimit?(n: number): number | undefined;
}

/** One task as the server sees it. */
export interface ServerTask {
  n: number;
  createdAt: number;
  doneAt: number;
  /** Status of the last answer about this task (the POST's answer is `pending`). */
  lastStatus: TaskStatus;
  /** Reads answered. */
  reads: number;
  /** Reads answered with the same status as the one before. */
  unchangedReads: number;
  /** When the POST's answer reached the client. */
  acceptedAt: number;
  /** When the last read's answer reached the client. */
  lastReadAt: number;
}

// Node's clock, not the jsdom window's (a getter and a wrapper on every call): the double's own
// cost is in every contender's figure, so it is kept small.
const now = () => performance.now();

/**
 * A fetcher with controlled latency and completion times, counting what it is asked. Times are
 * `performance.now()` values; a task is created when the server handles its POST.
 */
export function createDouble(options: DoubleOptions) {
  const tasks = new Map<string, ServerTask>();
  const half = options.latencyMs / 2;
  const stats = { posts: 0, gets: 0, answered: 0, refused: 0, firstGetAt: Infinity, lastGetAt: 0 };
  // Resolved when `stats.answered` reaches the count: lets a measurement wait for reads without a
  // polling loop of its own on the measured thread.
  const waiters: { count: number; resolve: () => void }[] = [];
  let created = 0;
  const postsByPrompt = new Map<string, number>();

  const later = <T,>(ms: number, value: () => T, signal?: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      const id = setTimeout(() => {
        try {
          resolve(value());
        } catch (error) {
          reject(error);
        }
      }, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(id);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });

  const fetcher: ImageFetcher = {
    async generate(input, { signal } = {}) {
      stats.posts += 1;
      const seen = postsByPrompt.get(input.prompt) ?? 0;
      postsByPrompt.set(input.prompt, seen + 1);
      const at = now() + half;
      const index = Number(/\d+/.exec(input.prompt)?.[0] ?? created);
      const wait = seen === 0 ? options.rateLimit?.(index) : undefined;
      if (wait !== undefined) {
        stats.refused += 1;
        return later(
          options.latencyMs,
          () => {
            throw new ImageGenError({ kind: 'rate_limited', status: 429, retryAfterMs: wait, message: 'Slow down' });
          },
          signal,
        );
      }
      const n = created++;
      const taskId = `task-${n}`;
      const task: ServerTask = {
        n,
        createdAt: at,
        doneAt: at + options.durationMs(n),
        lastStatus: 'pending',
        reads: 0,
        unchangedReads: 0,
        acceptedAt: 0,
        lastReadAt: 0,
      };
      tasks.set(taskId, task);
      return later(
        options.latencyMs,
        (): ImageTask => {
          task.acceptedAt = now();
          return { taskId, status: 'pending', raw: { task_id: taskId, status: 'pending' } };
        },
        signal,
      );
    },
    async getTask(taskId, { signal } = {}) {
      stats.gets += 1;
      const task = tasks.get(taskId);
      if (!task) throw new ImageGenError({ kind: 'not_found', status: 404, message: 'Task not found' });
      const at = now() + half;
      stats.firstGetAt = Math.min(stats.firstGetAt, at);
      stats.lastGetAt = Math.max(stats.lastGetAt, at);
      const status: TaskStatus = at >= task.doneAt ? 'completed' : at - task.createdAt < 500 ? 'pending' : 'processing';
      task.reads += 1;
      if (status === task.lastStatus) task.unchangedReads += 1;
      task.lastStatus = status;
      const raw: Record<string, unknown> = { task_id: taskId, status };
      if (options.progress && status !== 'completed') raw.progress = task.reads;
      const result: ImageTask = { taskId, status, raw };
      if (status === 'completed') result.imageUrl = `https://cdn.example.com/${taskId}.png`;
      return later(
        options.latencyMs,
        () => {
          task.lastReadAt = now();
          stats.answered += 1;
          if (waiters.length > 0 && waiters[0]!.count <= stats.answered) waiters.shift()!.resolve();
          return result;
        },
        signal,
      );
    },
  };

  /** Resolves once `count` reads in all have been answered (one waiter at a time). */
  const whenAnswered = (count: number) =>
    new Promise<void>((resolve) => {
      if (stats.answered >= count) resolve();
      else waiters.push({ count, resolve });
    });

  return { fetcher, tasks, stats, whenAnswered, postsOf: (prompt: string) => postsByPrompt.get(prompt) ?? 0 };
}

/** A small seeded generator (mulberry32), so every run draws the same completion times. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
