#!/usr/bin/env node
// Packs the library once (`npm pack` runs `prepack`, which builds it as publishing would) and runs
// each script given with FLASH_IMAGE_TARBALL pointing at that tarball, one after the other; each
// script also packs by itself when run alone. Exits non-zero when any script failed, after all ran.
//
//   node test/pack.mjs test/consumer/run.mjs test/examples/run.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const scripts = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'fir-pack-'));
let failed = [];
try {
  const since = performance.now();
  const pack = spawnSync('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (pack.status !== 0) throw new Error(`npm pack failed (exit ${pack.status})`);
  const tarball = join(dir, readdirSync(dir).find((file) => file.endsWith('.tgz')));
  console.log(`✓ npm pack (prepack builds) (${((performance.now() - since) / 1000).toFixed(1)} s): ${tarball}\n`);
  for (const script of scripts) {
    const run = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit', env: { ...process.env, FLASH_IMAGE_TARBALL: tarball } });
    if (run.status !== 0) failed.push(script);
    console.log('');
  }
} catch (error) {
  console.error(error.message);
  failed = ['npm pack'];
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed.length) console.log(`failed: ${failed.join(', ')}`);
process.exitCode = failed.length ? 1 : 0;
