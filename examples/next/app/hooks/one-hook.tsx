'use client';

import { useImageGeneration } from 'flash-image-react';
import { useState } from 'react';
import { Frame } from './frame';

/** `useImageGeneration`: the whole flow, from prompt to image, in one hook. */
export function OneHook() {
  const [prompt, setPrompt] = useState('a lighthouse at dusk, oil painting');
  const { generate, status, imageUrl, error, isBusy, cancel } = useImageGeneration();

  return (
    <form
      className="grid gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        // While a generation is in flight, generate() sends nothing: a double click is one POST.
        void generate({ prompt, size: '16:9' });
      }}
    >
      <label htmlFor="one-hook-prompt" className="font-medium">
        Prompt
      </label>
      <input
        id="one-hook-prompt"
        className="rounded border border-zinc-300 px-3 py-2 dark:border-zinc-700"
        value={prompt}
        onChange={(event) => setPrompt(event.target.value)}
      />
      <div className="flex gap-2">
        <button type="submit" className="rounded bg-black px-4 py-2 text-white disabled:opacity-50 dark:bg-white dark:text-black" disabled={isBusy || !prompt.trim()}>
          Generate
        </button>
        <button type="button" className="rounded border px-4 py-2 disabled:opacity-50" onClick={cancel} disabled={!isBusy}>
          Cancel
        </button>
      </div>
      <Frame status={status} imageUrl={imageUrl} alt={prompt} error={error?.message} />
    </form>
  );
}
