import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { server } from './msw-server.js';
// Loaded up front, as in an app that imports `flash-image-react/persist`: a `persist` key then
// restores at once. test/core/persist-on-demand.test.ts covers loading it on first use.
import '../src/persist/index.js';

// jsdom has no object URLs; the picker's previews need them. Spies, so tests can check revocation.
let objectUrls = 0;
URL.createObjectURL = vi.fn(() => `blob:http://localhost/preview-${++objectUrls}`);
URL.revokeObjectURL = vi.fn();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());
