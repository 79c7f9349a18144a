'use client'; // creates the fetcher (a function-bearing object): it cannot cross from a Server Component

import { createHttpFetcher, ImageGenProvider } from 'flash-image-react';
import type { ReactNode } from 'react';

const fetcher = createHttpFetcher({ baseUrl: '/api/flash-image' });

export function ImageGen({ children }: { children: ReactNode }) {
  return <ImageGenProvider fetcher={fetcher}>{children}</ImageGenProvider>;
}
