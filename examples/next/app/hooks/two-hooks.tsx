'use client';

import { useGenerateImage, useTaskStatus } from 'flash-image-react';
import { useRef, useState } from 'react';
import { Frame } from './frame';

/** `useGenerateImage` sends the one POST; `useTaskStatus` polls the task it returns. */
export function TwoHooks() {
  const [prompt, setPrompt] = useState('a paper boat on a pond, watercolor');
  const submit = useGenerateImage();
  // A mutation sends every call: `isPending` reaches the render (and disables the button) only
  // after the click's event has ended, so a fast double click would pay twice. This flag is set at once.
  const sending = useRef(false);
  const task = useTaskStatus(submit.data?.taskId);
  // The POST's answer until the first poll answers.
  const latest = task.data ?? submit.data;
  const running = submit.isPending || latest?.status === 'pending' || latest?.status === 'processing';
  const status = submit.isPending ? 'submitting' : (latest?.status ?? 'idle');

  return (
    <form
      className="grid gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        if (sending.current) return;
        sending.current = true;
        submit.mutate({ prompt, size: '16:9' }, { onSettled: () => (sending.current = false) });
      }}
    >
      <label htmlFor="two-hooks-prompt" className="font-medium">
        Prompt
      </label>
      <input
        id="two-hooks-prompt"
        className="rounded border border-zinc-300 px-3 py-2 dark:border-zinc-700"
        value={prompt}
        onChange={(event) => setPrompt(event.target.value)}
      />
      <div className="flex gap-2">
        <button type="submit" className="rounded bg-black px-4 py-2 text-white disabled:opacity-50 dark:bg-white dark:text-black" disabled={running || !prompt.trim()}>
          Generate
        </button>
      </div>
      <Frame status={status} imageUrl={latest?.imageUrl} alt={prompt} error={(submit.error ?? task.error)?.message ?? latest?.error} />
    </form>
  );
}
