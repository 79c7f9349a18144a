import type { Preview } from '@storybook/react-vite';
import { QueryClient } from '@tanstack/react-query';
import { mswLoader } from 'msw-storybook-addon/csf3';
import { useState, type ReactNode } from 'react';
import { createHttpFetcher } from '../src/core/http-fetcher.js';
import { ImageGenProvider } from '../src/react/provider.js';
import '../src/components/styles.css';
import { demoHandlers } from '../stories/demo-api.js';
import { LIVE_BASE_PATH } from './live-api.js';

const live = import.meta.env.STORYBOOK_FLASH_IMAGE_LIVE === '1';

// Mocked: the vendor's own URLs, answered by msw in the browser. Live: the dev server's route,
// which adds the key (see .storybook/live-api.ts).
const fetcher = createHttpFetcher(live ? { baseUrl: LIVE_BASE_PATH } : {});

// A fresh cache per story, so no story sees another's tasks.
function StoryProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => new QueryClient());
  return (
    <ImageGenProvider fetcher={fetcher} queryClient={queryClient}>
      {children}
    </ImageGenProvider>
  );
}

const preview: Preview = {
  loaders: live ? [] : [mswLoader()],
  decorators: [
    (Story) => (
      <StoryProvider>
        <Story />
      </StoryProvider>
    ),
  ],
  parameters: {
    msw: demoHandlers(),
    layout: 'padded',
    a11y: { test: 'error' },
    controls: { expanded: true },
  },
  tags: ['autodocs'],
};

export default preview;
