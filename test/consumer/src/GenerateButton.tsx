import type { ReactElement } from 'react';

// A plain component of the app's own, so the JSX namespace of whichever @types/react is installed is exercised too.
export function GenerateButton({ disabled, onGenerate }: { disabled: boolean; onGenerate(): void }): ReactElement {
  return (
    <button type="button" disabled={disabled} onClick={onGenerate}>
      Generate
    </button>
  );
}
