import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run bench`: the polling benchmark, apart from the test suite. One forked process with
// --expose-gc, so heap figures are taken after a full collection; its console goes straight out.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [react()],
  test: {
    name: 'bench',
    include: ['bench/run-bench.tsx'],
    environment: 'jsdom',
    pool: 'forks',
    execArgv: ['--expose-gc'],
    fileParallelism: false,
    testTimeout: 170_000,
    disableConsoleIntercept: true,
  },
});
