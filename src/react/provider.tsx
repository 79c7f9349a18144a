'use client';
import { QueryClient, QueryClientContext } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { ImageFetcher } from '../core/types.js';

/** Props of `ImageGenProvider`. */
export interface ImageGenProviderProps {
  /** The transport every request goes through, e.g. `createHttpFetcher({ baseUrl: '/api/flash-image' })`. */
  fetcher: ImageFetcher;
  /** The cache to use. Default: the app's surrounding `QueryClientProvider`, else a private client. */
  queryClient?: QueryClient;
  /** The part of the app that generates images. */
  children?: ReactNode;
}

interface ImageGenContextValue {
  fetcher: ImageFetcher;
  queryClient: QueryClient;
}

const ImageGenContext = createContext<ImageGenContextValue | null>(null);

/**
 * Gives the hooks and components below it a fetcher and a query cache. It does not replace the
 * app's own `QueryClientProvider` for the app's queries: the client is passed to this library's
 * hooks directly.
 */
export function ImageGenProvider({ fetcher, queryClient, children }: ImageGenProviderProps) {
  const appClient = useContext(QueryClientContext);
  const ownClient = useRef<QueryClient | null>(null);
  let client = queryClient ?? appClient;
  if (!client) {
    ownClient.current ??= new QueryClient();
    client = ownClient.current;
  }

  // Mounting is reference-counted in TanStack Query: this subscribes the cache to focus and
  // reconnect events for a private client, and is harmless for a client the app already mounted.
  useEffect(() => {
    client.mount();
    return () => client.unmount();
  }, [client]);

  const value = useMemo(() => ({ fetcher, queryClient: client }), [fetcher, client]);
  return <ImageGenContext.Provider value={value}>{children}</ImageGenContext.Provider>;
}

/** The provider's fetcher and cache; throws a clear error outside `ImageGenProvider`. */
export function useImageGenContext(hookName: string): ImageGenContextValue {
  const value = useContext(ImageGenContext);
  if (!value) {
    throw new Error(`${hookName} must be used inside <ImageGenProvider fetcher={…}>.`);
  }
  return value;
}
