import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

// One forked process per project with --expose-gc, so heap figures are taken after a full
// collection; its console goes straight out.
const common = {
  environment: 'jsdom',
  pool: 'forks',
  execArgv: ['--expose-gc'],
  testTimeout: 400_000,
};

// `npm run bench`: the polling benchmark, apart from the test suite. First the poll-cost comparison
// with React's development build, in a project of its own run before the main one (groupOrder), so
// that they never share the two cores; BENCH_DEV=0 leaves it out (half a minute less).
const withDevelopment = process.env.BENCH_DEV !== '0';
export default defineConfig({
  root,
  test: {
    fileParallelism: false,
    disableConsoleIntercept: true,
    projects: [
      // React's development build (what `vitest` and `vite dev` load): only the 500-task poll
      // cycle, written to bench/results.development.json for the main run's report.
      ...(withDevelopment
        ? [
            {
              root,
              plugins: [react()],
              test: { ...common, name: 'bench:development', include: ['bench/development.tsx'], sequence: { groupOrder: 0 } },
            },
          ]
        : []),
      // What apps ship: React, ReactDOM and the scheduler in their production builds (each picks its
      // build from NODE_ENV when first loaded, which bench/production.ts sets before anything loads
      // them; TanStack Query skips its development checks on the same variable), and JSX compiled
      // for production (`jsx`, not `jsxDEV`).
      {
        root,
        plugins: [react()],
        oxc: { jsx: { development: false } },
        test: { ...common, name: 'bench', include: ['bench/run-bench.tsx'], setupFiles: ['bench/production.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
