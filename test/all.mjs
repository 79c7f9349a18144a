#!/usr/bin/env node
// `npm test` after the type check: two lanes side by side, so the package checks' waits (npm
// installs, production builds, browsers generating images) overlap the test suites' work on a
// 2-core CI machine. Each line is prefixed with its lane; a summary with each step's time ends the
// run, which fails when any step failed (a failed step ends its own lane).
import { spawn } from 'node:child_process';

const LANES = {
  suites: [['vitest: unit, stories in Chromium, server', 'npx', ['vitest', 'run', '--project', 'unit', '--project', 'storybook', '--project', 'server']]],
  package: [
    ['Storybook smoke test', 'npm', ['run', 'test:smoke']],
    ['package checks, consumer app, examples, size', 'npm', ['run', 'test:package']],
  ],
};

const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

function run(lane, [label, command, args]) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const prefix = `[${lane}] `;
    let rest = '';
    const write = (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    };
    child.stdout.on('data', write);
    child.stderr.on('data', write);
    child.on('close', (code, signal) => {
      if (rest) process.stdout.write(prefix + rest + '\n');
      resolve({ lane, label, ok: code === 0, code: code ?? signal, time: seconds(started) });
    });
  });
}

async function lane(name, steps) {
  const results = [];
  for (const step of steps) {
    const result = await run(name, step);
    results.push(result);
    if (!result.ok) break;
  }
  return results;
}

const started = performance.now();
const results = (await Promise.all(Object.entries(LANES).map(([name, steps]) => lane(name, steps)))).flat();
console.log('\nnpm test:');
for (const { lane: name, label, ok, code, time } of results) console.log(`  ${ok ? '✓' : '✗'} [${name}] ${label} (${time}${ok ? '' : `, exit ${code}`})`);
const failed = results.some((result) => !result.ok) || results.length < Object.values(LANES).flat().length;
console.log(`${failed ? 'FAIL' : 'PASS'} in ${seconds(started)} after the type check`);
process.exitCode = failed ? 1 : 0;
