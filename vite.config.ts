import react from '@vitejs/plugin-react';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const storybookConfigDir = fileURLToPath(new URL('./.storybook', import.meta.url));

// Debian's Chromium (apt-get install chromium); browsers cannot be downloaded here. CI runs as root,
// which Chromium only accepts without its sandbox.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [react()],
        test: {
          name: 'unit',
          environment: 'jsdom',
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['test/smoke/**', 'test/consumer/**', 'test/server/loopback/**', '**/node_modules/**'],
          setupFiles: ['test/setup.ts'],
          restoreMocks: true,
        },
      },
      {
        plugins: [storybookTest({ configDir: storybookConfigDir })],
        // Pre-bundled up front, so the first browser run does not discover them and reload.
        optimizeDeps: {
          include: [
            'react',
            'react-dom',
            'react-dom/client',
            'react/jsx-runtime',
            'react/jsx-dev-runtime',
            '@tanstack/react-query',
            'msw',
            'msw/browser',
            'msw-storybook-addon/csf3',
            'storybook/test',
            'axe-core',
          ],
        },
        test: {
          name: 'storybook',
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromium }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
      {
        // The proxy against real parts: upstream doubles on loopback ports, a real redis-server, a
        // soak. No msw (it would sit between the proxy and the sockets these tests watch), and
        // `--expose-gc` so the soak can measure the heap after a full collection.
        test: {
          name: 'server',
          environment: 'node',
          include: ['test/server/loopback/**/*.test.ts'],
          pool: 'forks',
          execArgv: ['--expose-gc'],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Needs `npm run build-storybook` first; `npm test` does that.
        test: { name: 'smoke', environment: 'node', include: ['test/smoke/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
      },
    ],
  },
});
