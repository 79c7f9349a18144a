import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { it } from 'vitest';
import { runPollCost } from './poll-cost.js';

/**
 * The poll-cost comparison with React's development build (what `vitest` and `vite dev` load), for
 * readers who measure there: fewer rounds and contenders than the production run, which puts it in
 * its report (bench/run-bench.tsx).
 */
it('poll cycle, React development build', async () => {
  const pollCost = await runPollCost({
    tasks: 500,
    intervalMs: 1000,
    latencyMs: 20,
    rounds: Number(process.env.BENCH_DEV_ROUNDS ?? 6),
    cycles: 2,
    contenders: ['useQuery', 'useImageGeneration', 'useImageBatch'],
  });
  const result = { generatedAt: new Date().toISOString(), build: 'development', pollCost };
  writeFileSync(resolve(process.cwd(), 'bench', 'results.development.json'), `${JSON.stringify(result, null, 2)}\n`);
  const line = pollCost.contenders.map((c) => `${c.name} ${c.cpuMs.median.toFixed(1)} ms (×${c.ratio.toFixed(2)})`).join(', ');
  process.stdout.write(`[bench] React development build, 500 tasks, JS per poll cycle: ${line}\n`);
});
