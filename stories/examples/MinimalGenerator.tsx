import { useState } from 'react';
import { useImageGeneration } from '../../src/index.js';

/** A custom UI on the headless hook: your markup, the library's flow. */
export function MinimalGenerator() {
  const [prompt, setPrompt] = useState('a corgi astronaut, watercolor');
  const { generate, status, imageUrl, error, isBusy, cancel, reset } = useImageGeneration();

  return (
    <div style={{ display: 'grid', gap: 8, maxWidth: 420, fontFamily: 'system-ui' }}>
      <label htmlFor="minimal-prompt">Describe it</label>
      <input id="minimal-prompt" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      <div style={{ display: 'flex', gap: 8 }}>
        <button type="button" disabled={isBusy || !prompt.trim()} onClick={() => generate({ prompt, size: '16:9' })}>
          Make it
        </button>
        {isBusy ? (
          <button type="button" onClick={cancel}>
            Stop
          </button>
        ) : (
          <button type="button" onClick={reset}>
            Clear
          </button>
        )}
      </div>
      <p role="status">Status: {status}</p>
      {error && <p role="alert">{error.message}</p>}
      {imageUrl && <img src={imageUrl} alt={prompt} style={{ width: '100%' }} />}
    </div>
  );
}
