'use client';
// A client component: the fetcher and the callbacks are functions, which cannot cross from a
// Server Component. In Next.js's App Router, keep this in its own file (`app/image-studio.tsx`)
// and render <ImageStudio /> from any page; the page itself can stay a Server Component.
import { createHttpFetcher, ImageGenerator, ImageGenProvider } from 'flash-image-react';
import 'flash-image-react/styles.css';

// Requests go to your own backend, which adds the key (see flash-image-react/server below).
const fetcher = createHttpFetcher({ baseUrl: '/api/flash-image' });

export function ImageStudio() {
  return (
    <ImageGenProvider fetcher={fetcher}>
      <ImageGenerator onComplete={(task) => console.log('ready:', task.imageUrl)} />
    </ImageGenProvider>
  );
}
