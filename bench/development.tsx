import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { it } from 'vitest';
import { runSteady } from './scenarios.js';

/**
 * The 500-task poll cycle with React's development build, for readers who measure in `vite dev` or
 * tests; bench/run-bench.tsx (production build) puts it in its report.
 */
it('poll cycle, React development build', async () => {
  const library = await runSteady('library', 500, 1000, 20);
  const tanstack = await runSteady('tanstack', 500, 1000, 20);
  const result = { generatedAt: new Date().toISOString(), build: 'development', library, tanstack };
  writeFileSync(resolve(process.cwd(), 'bench', 'results.development.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`[bench] React development build, 500 tasks: JS per poll cycle ${library.jsMsPerPollCycle.toFixed(1)} ms (TanStack Query alone ${tanstack.jsMsPerPollCycle.toFixed(1)} ms)\n`);
});
