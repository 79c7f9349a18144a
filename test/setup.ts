import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { server } from './msw-server.js';

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
