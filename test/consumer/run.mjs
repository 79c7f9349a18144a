#!/usr/bin/env node
// Installs flash-image-react the way a user gets it, from the packed tarball, into the app next to
// this file, once with React 19 and once with React 18, and checks that it type-checks, builds,
// renders on the server and serves the proxy. Exits non-zero on the first failure of any target.
//
//   node test/consumer/run.mjs            both targets
//   node test/consumer/run.mjs react18    one target
//   KEEP_CONSUMER=1 node test/consumer/run.mjs   keep the temporary directory
//   FLASH_IMAGE_TARBALL=x.tgz node test/consumer/run.mjs   use that tarball instead of packing
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const fixture = import.meta.dirname;
const root = resolve(fixture, '../..');

// The fixture's package.json pins the React 19 target; React 18 replaces these.
const TARGETS = {
  react19: { react: '19.3.1', overrides: {} },
  react18: {
    react: '18.3.1',
    overrides: { react: '18.3.1', 'react-dom': '18.3.1', '@types/react': '18.3.31', '@types/react-dom': '18.3.7' },
  },
};

const STEP_TIMEOUT_MS = 150_000;
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in TARGETS));
if (unknown.length > 0) {
  console.error(`Unknown target ${unknown.join(', ')}; choose from ${Object.keys(TARGETS).join(', ')}.`);
  process.exit(2);
}
const targets = requested.length > 0 ? requested : Object.keys(TARGETS);

function run(command, args, { cwd, env } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${STEP_TIMEOUT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, STEP_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ ok: code === 0, code: code ?? signal, output: output.trim() });
    });
  });
}

const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

class StepFailure extends Error {}

// Runs the steps of one target in order; prints one line per step, and the output of a failed one.
async function runSteps(label, steps) {
  for (const [name, command, args, options] of steps) {
    const start = performance.now();
    const result = await run(command, args, options);
    if (!result.ok) {
      console.log(`✗ ${label} ${name} (${seconds(start)}, exit ${result.code})\n${indent(result.output)}`);
      throw new StepFailure(`${label}: ${name}`);
    }
    const last = result.output.split('\n').filter(Boolean).at(-1);
    const note = options?.echo && last ? `: ${last}` : '';
    console.log(`✓ ${label} ${name} (${seconds(start)})${note}`);
  }
}

const indent = (text) => text.split('\n').map((line) => `    ${line}`).join('\n');

// What `npm pack` put in the tarball: the built package and its sources, nothing else.
function checkTarball(tarball) {
  return run('tar', ['-tzf', tarball]).then(({ ok, output }) => {
    if (!ok) throw new StepFailure(`could not list ${tarball}: ${output}`);
    const files = output.split('\n').map((line) => line.replace(/^package\//, ''));
    const required = ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/server/index.js', 'dist/server/index.d.ts', 'dist/styles.css'];
    const missing = required.filter((file) => !files.includes(file));
    const stray = files.filter(
      (file) => !/^(?:package\.json|README\.md|LICENSE)$/.test(file) && !/^(?:dist|src)\//.test(file),
    );
    const tests = files.filter((file) => /(?:^|\/)(?:test|tests|__tests__|stories)\/|\.(?:test|spec|stories)\.|\.test-d\./.test(file));
    // Source maps point into src/, which ships so that they (and "go to definition") resolve.
    const maps = files.filter((file) => file.endsWith('.map'));
    const unresolved = maps.filter((map) => {
      const { sources } = JSON.parse(readFileSync(join(extracted, map), 'utf8'));
      return sources.some((source) => !files.includes(join(map, '..', source).replace(/\\/g, '/')));
    });
    const problems = [
      missing.length && `missing: ${missing.join(', ')}`,
      stray.length && `unexpected: ${stray.join(', ')}`,
      tests.length && `tests or stories: ${tests.join(', ')}`,
      unresolved.length && `source maps pointing at files not in the package: ${unresolved.join(', ')}`,
    ].filter(Boolean);
    if (problems.length > 0) {
      console.log(`✗ tarball contents\n${indent(problems.join('\n'))}`);
      throw new StepFailure('tarball contents');
    }
    const kb = (statSync(tarball).size / 1024).toFixed(1);
    console.log(`✓ tarball ${basename(tarball)}: ${files.length} files, ${kb} kB packed, no tests, every source map resolves`);
  });
}

const started = performance.now();
const work = mkdtempSync(join(tmpdir(), 'fir-consumer-'));
const extracted = join(work, 'package-contents');
let failed = false;
try {
  // `npm pack` runs `prepack`, so this builds the package exactly as publishing would. `test/pack.mjs`
  // packs once for this and the examples' test, and passes the tarball in FLASH_IMAGE_TARBALL.
  let tarball = process.env.FLASH_IMAGE_TARBALL && resolve(process.env.FLASH_IMAGE_TARBALL);
  if (!tarball) {
    const packDir = join(work, 'pack');
    mkdirSync(packDir);
    await runSteps('package', [['npm pack (prepack builds)', 'npm', ['pack', '--pack-destination', packDir, '--loglevel=error'], { cwd: root }]]);
    tarball = join(packDir, readdirSync(packDir).find((file) => file.endsWith('.tgz')));
  }
  mkdirSync(extracted);
  const untar = await run('tar', ['-xzf', tarball, '-C', extracted, '--strip-components=1']);
  if (!untar.ok) throw new StepFailure(`could not extract ${tarball}: ${untar.output}`);
  await checkTarball(tarball);

  const results = await Promise.allSettled(
    targets.map(async (name) => {
      const target = TARGETS[name];
      const dir = join(work, name);
      cpSync(fixture, dir, {
        recursive: true,
        filter: (source) => !/(?:^|[/\\])(?:node_modules|dist|run\.mjs)$/.test(source.slice(fixture.length)),
      });
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      manifest.dependencies['flash-image-react'] = `file:${tarball}`;
      for (const [dep, version] of Object.entries(target.overrides)) {
        const group = dep in manifest.dependencies ? manifest.dependencies : manifest.devDependencies;
        group[dep] = version;
      }
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      // The library's own sources, as shipped, against this target's React types: the repository
      // type-checks them against React 19 only.
      writeFileSync(
        join(dir, 'tsconfig.library-src.json'),
        JSON.stringify({
          extends: join(root, 'tsconfig.json'),
          compilerOptions: { noEmit: true, types: ['node'] },
          include: [join(dir, 'node_modules/flash-image-react/src')],
          exclude: [],
        }),
      );

      const tsc = join(dir, 'node_modules/.bin/tsc');
      const opts = { cwd: dir, env: { EXPECT_REACT: target.react } };
      await runSteps(name, [
        ['npm install (tarball + pinned deps)', 'npm', ['install', ...NPM_FLAGS], opts],
        ['installed package', 'node', ['node/inspect-package.mjs'], { ...opts, echo: true }],
        ['tsc strict, moduleResolution bundler', tsc, ['-p', 'tsconfig.json'], opts],
        ['tsc strict, moduleResolution node16', tsc, ['-p', 'tsconfig.node16.json'], opts],
        ['tsc server file, no DOM lib', tsc, ['-p', 'tsconfig.server.json'], opts],
        // The repository type-checks src/ against React 19's types itself: only other versions need it here.
        ...(name === 'react19' ? [] : [['tsc library src/ against these React types', tsc, ['-p', 'tsconfig.library-src.json'], opts]]),
        ['vite build', join(dir, 'node_modules/.bin/vite'), ['build'], opts],
        ['vite output', 'node', ['node/check-build.mjs'], { ...opts, echo: true }],
        ['node: import flash-image-react/server', 'node', ['node/server.mjs'], { ...opts, echo: true }],
        ['node: require() both entries', 'node', ['node/server.cjs'], { ...opts, echo: true }],
        ['node: renderToString(<ImageGenerator>)', 'node', ['node/ssr.mjs'], { ...opts, echo: true }],
      ]);
    }),
  );
  const rejected = results.filter((result) => result.status === 'rejected');
  for (const { reason } of rejected) if (!(reason instanceof StepFailure)) console.error(reason);
  failed = rejected.length > 0;
} catch (error) {
  if (!(error instanceof StepFailure)) console.error(error);
  failed = true;
} finally {
  if (failed || process.env.KEEP_CONSUMER) console.log(`(kept ${work})`);
  else rmSync(work, { recursive: true, force: true });
}

console.log(
  failed
    ? `\nconsumer check: FAIL (${targets.join(', ')}; ${seconds(started)})`
    : `\nconsumer check: PASS (${targets.join(', ')}; ${seconds(started)})`,
);
process.exitCode = failed ? 1 : 0;
