import { useReferencePicker } from '../../src/index.js';

/** A custom picker on the headless hook: spread the prop getters on your own elements. */
export function MinimalPicker({ onChange }: { onChange?: (urls: string[]) => void }) {
  const picker = useReferencePicker({ max: 4, onChange });

  return (
    <div {...picker.getRootProps({ style: { display: 'grid', gap: 8, maxWidth: 420, fontFamily: 'system-ui' } })}>
      <label htmlFor="minimal-url">Paste a picture URL</label>
      <div style={{ display: 'flex', gap: 8 }}>
        <input id="minimal-url" {...picker.getUrlInputProps()} />
        <button {...picker.getAddButtonProps()}>Add it</button>
      </div>
      <p aria-live="polite">
        {picker.count} of {picker.max}
      </p>
      <ul style={{ display: 'flex', gap: 8, listStyle: 'none', padding: 0 }}>
        {picker.urls.map((url, i) => (
          <li key={url}>
            <img src={url} alt={`Picture ${i + 1}`} width={64} height={64} />
            <button type="button" onClick={() => picker.remove(i)}>
              Drop picture {i + 1}
            </button>
          </li>
        ))}
      </ul>
      {picker.refusals.length > 0 && <p role="alert">That picture cannot be added ({picker.refusals[0]!.code}).</p>}
    </div>
  );
}
