#!/usr/bin/env node
// Runs examples/next and examples/vite-express as their users do: installs the packed library into
// copies of them, builds them for production (the API key in the build environment, so that its
// absence from the bundles means something), serves them, points their proxies at a double of the
// vendor's API, and generates images in headless Chromium. Also checks that the README's snippets
// are the examples' files and that a Next.js build without the key works and answers 500.
//
//   node test/examples/run.mjs                      packs the library first
//   FLASH_IMAGE_TARBALL=x.tgz node test/examples/run.mjs   uses that tarball
//   KEEP_EXAMPLES=1 node test/examples/run.mjs      keeps the temporary directory
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright';
import { visit } from './browser.mjs';
import { readmeChecks } from './readme.mjs';
import { startVendorDouble } from './vendor-double.mjs';

const root = resolve(import.meta.dirname, '../..');
const INTERVAL_MS = 1000; // the hooks' and the component's default poll interval
const TASK_MS = 4500; // the double's task: pending, processing, then completed this long after its POST
const SETTLE_MS = 3000; // waited after the image shows: a poll still running would ask 3 more times
const STEP_TIMEOUT_MS = 240_000;
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
// A key no file may contain; random, so no fixture can hold it by chance.
const KEY = `sk_test_${randomBytes(16).toString('hex')}`;
// The one line the examples add to the README's route snippet: where the vendor's API is.
const UPSTREAM_LINE = /^\s*upstream: process\.env\.FLASH_IMAGE_UPSTREAM,/;
// Tall enough that the whole generator, its result frame included, is in view: layout shifts are
// only reported for what the viewport shows.
const VIEWPORTS = [
  { width: 1280, height: 1800 },
  { width: 320, height: 2400 },
];
const THEMES = ['light', 'dark'];
const BROWSER_CONCURRENCY = 5;
const VISIT_STAGGER_MS = 2000;

const started = performance.now();
const seconds = (since, until = performance.now()) => `${((until - since) / 1000).toFixed(1)} s`;
const indent = (text, by = '    ') => text.trim().split('\n').map((line) => by + line).join('\n');
const timings = {};

/** @type {{ name: string, ok: boolean, detail?: string }[]} */
const checks = [];
function check(name, ok, detail) {
  checks.push({ name, ok: Boolean(ok), detail });
  console.log(`${ok ? '✓' : '✗'} ${name}${detail ? ` — ${detail}` : ''}`);
  return Boolean(ok);
}

// Each child in its own process group, so stopping it stops what it started (next start's workers).
const children = new Set();
function run(command, args, { cwd, env, timeoutMs = STEP_TIMEOUT_MS } = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      stop(child);
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      done({ ok: code === 0, code: code ?? signal, output });
    });
  });
}

function serve(command, args, { cwd, env }) {
  const child = spawn(command, args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  const server = { child, output: '' };
  child.stdout.on('data', (chunk) => (server.output += chunk));
  child.stderr.on('data', (chunk) => (server.output += chunk));
  child.on('close', () => children.delete(child));
  return server;
}

function stop(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
// Detached children outlive an interrupted harness unless it stops them.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) stop(child);
    process.exit(130);
  });
}

// The harness's own environment, less any real key or upstream: each step gets exactly those it is given.
function cleanEnv(extra = {}) {
  const { FLASH_IMAGE_API_KEY, FLASH_IMAGE_UPSTREAM, ...env } = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

async function waitForHttp(url, server, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.child.exitCode !== null) throw new Error(`server exited (${server.child.exitCode}):\n${indent(server.output)}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${indent(server.output)}`);
}

async function step(name, command, args, options) {
  const since = performance.now();
  const result = await run(command, args, options);
  timings[name] = performance.now() - since;
  check(name, result.ok, `${seconds(since)}${result.ok ? '' : `, exit ${result.code}\n${indent(result.output.split('\n').slice(-40).join('\n'))}`}`);
  return result;
}

/** Files under `dir` whose bytes contain `needle`. */
function filesContaining(dir, needle) {
  const found = [];
  let scanned = 0;
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        scanned++;
        if (readFileSync(full).includes(needle)) found.push(full.slice(dir.length + 1));
      }
    }
  };
  walk(dir);
  return { found, scanned };
}

function copyExample(name, to, tarball) {
  const from = join(root, 'examples', name);
  cpSync(from, to, { recursive: true, filter: (source) => !/[/\\](?:node_modules|\.next|dist|package-lock\.json|next-env\.d\.ts)$/.test(source) });
  const manifest = JSON.parse(readFileSync(join(to, 'package.json'), 'utf8'));
  manifest.dependencies['flash-image-react'] = `file:${tarball}`;
  writeFileSync(join(to, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

async function pack(work) {
  if (process.env.FLASH_IMAGE_TARBALL) return resolve(process.env.FLASH_IMAGE_TARBALL);
  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  // `npm pack` runs `prepack`, so this builds the package exactly as publishing would.
  const result = await step('npm pack (prepack builds)', 'npm', ['pack', '--pack-destination', packDir, '--loglevel=error'], { cwd: root });
  if (!result.ok) return undefined;
  return join(packDir, readdirSync(packDir).find((file) => file.endsWith('.tgz')));
}

/** When the page itself sent the GETs of a form's task, seconds after the double click. */
function asked(result, form, calls) {
  const taskId = calls.find((call) => call.taskId)?.taskId;
  const gets = result.requests.filter((request) => request.method === 'GET' && taskId && request.url.includes(taskId));
  return gets.map((request) => `+${((request.at - form.clickedAt) / 1000).toFixed(1)}`).join(' ') || 'never';
}

/** The page's long tasks after the click: while one runs, no timer of the page fires. */
function busy(result) {
  const after = result.longTasks.filter(([at]) => at >= result.clickedAt);
  return after.length ? `; main thread busy ${after.map(([at, ms]) => `${ms} ms at +${((at - result.clickedAt) / 1000).toFixed(1)} s`).join(', ')}` : '';
}

/** The issue's requirements for one visit, as checks; returns figures for the summary. */
function judgeVisit(label, result, double) {
  if (!check(`${label}: an image is generated`, result.ok, result.ok ? seconds(0, result.ms) : result.failure)) {
    if (result.errors.length) console.log(indent(result.errors.join('\n')));
    return undefined;
  }
  check(`${label}: no console error or hydration warning`, result.errors.length === 0, result.errors.join(' | ') || 'none');
  const cls = result.cls;
  check(
    `${label}: cumulative layout shift 0 from load to finished image`,
    cls === 0,
    cls === 0 ? 'CLS 0' : `CLS ${cls.toFixed(5)}: ${result.shifts.map((s) => `${s.value.toFixed(5)} ${s.afterClick < 0 ? `${-Math.round(s.afterClick)} ms before` : `${Math.round(s.afterClick)} ms after`} the click, by ${s.sources.join(', ')}`).join('; ')}`,
  );
  const figures = { cls, forms: [] };
  for (const form of result.forms) {
    const name = `${label}${result.forms.length > 1 ? ` [${form.section ?? form.kind}]` : ''}`;
    const calls = double.callsFor(form.prompt);
    const posts = calls.filter((call) => call.method === 'POST');
    const gets = calls.filter((call) => call.method === 'GET');
    const done = gets.findIndex((call) => call.taskStatus === 'completed');
    const times = gets.map((call) => `+${((call.at - posts[0]?.at) / 1000).toFixed(1)}`).join(' ');
    check(`${name}: image shows (naturalWidth > 0)`, form.naturalWidth > 0, `naturalWidth ${form.naturalWidth}`);
    check(`${name}: exactly 1 POST for a double click`, posts.length === 1, `${posts.length} POST`);
    const expected = TASK_MS / INTERVAL_MS;
    check(
      `${name}: about one GET per ${INTERVAL_MS} ms while the task runs`,
      done !== -1 && Math.abs(done + 1 - expected) <= 1,
      `${done + 1} GETs up to completion for a ${TASK_MS} ms task (expected ${expected} ± 1), at ${times} s after the POST${done + 1 - expected < -1 ? `; the page asked at ${asked(result, form, calls)} s after the click${result.visibility.length ? `, page ${result.visibility.join(', ')}` : ''}${busy(result)}` : ''}`,
    );
    check(`${name}: no GET after completion`, done !== -1 && gets.length === done + 1, `${gets.length - done - 1} in the ${SETTLE_MS} ms after`);
    check(`${name}: every upstream request carried the key`, calls.every((call) => call.authorized), `${calls.length} requests`);
    if (form.kind === 'generator') {
      const fills = ({ width, container, maxWidth }) => Math.abs(width - Math.min(container, maxWidth)) < 1;
      const describe = ({ width, container, maxWidth }) =>
        `${width.toFixed(1)} px in ${container.toFixed(1)} px${Number.isFinite(maxWidth) ? ` (max-width ${maxWidth} px)` : ''}`;
      check(
        `${name}: the generator fills its container, idle and busy`,
        fills(form.idle) && fills(form.busy),
        `idle ${describe(form.idle)}, busy ${describe(form.busy)}`,
      );
      check(`${name}: labels are not centred by the host page`, ['start', 'left'].includes(form.idle.labelAlign), `text-align: ${form.idle.labelAlign}`);
    }
    figures.forms.push({ posts: posts.length, gets: gets.length, showMs: form.shownAt - form.clickedAt });
  }
  return figures;
}

const work = mkdtempSync(join(tmpdir(), 'fir-examples-'));
const servers = [];
let browser;
let double;
const summary = [];
try {
  // README first: it takes a second and says most about what a user will paste.
  for (const { name, ok, detail } of readmeChecks(root, { allowedExtra: UPSTREAM_LINE })) check(name, ok, detail);

  const tarball = await pack(work);
  if (!tarball) throw new Error('no tarball');
  const nextDir = join(work, 'next');
  const nextNoKeyDir = join(work, 'next-no-key');
  const viteDir = join(work, 'vite-express');
  copyExample('next', nextDir, tarball);
  copyExample('vite-express', viteDir, tarball);

  const [nextInstall, viteInstall] = await Promise.all([
    step('examples/next: npm install (tarball + pinned deps)', 'npm', ['install', ...NPM_FLAGS], { cwd: nextDir }),
    step('examples/vite-express: npm install (tarball + pinned deps)', 'npm', ['install', ...NPM_FLAGS], { cwd: viteDir }),
  ]);

  // A second copy of the Next.js app for the build without a key, sharing the installed packages
  // (hard links: a build only reads node_modules).
  if (nextInstall.ok) {
    copyExample('next', nextNoKeyDir, tarball);
    const link = await run('cp', ['-al', join(nextDir, 'node_modules'), nextNoKeyDir]);
    if (!link.ok) throw new Error(`could not link node_modules for the build without a key: ${link.output}`);
  }
  const next = (dir) => join(dir, 'node_modules/.bin/next');
  // All three at once: the builds have single-threaded phases (type check, prerender) that overlap
  // well on two cores. The browser checks wait for them, so that their timing is not starved.
  const buildsSince = performance.now();
  const [nextBuild, noKeyBuild, viteBuild] = await Promise.all([
    nextInstall.ok ? step('examples/next: next build, key in the environment', next(nextDir), ['build'], { cwd: nextDir, env: { FLASH_IMAGE_API_KEY: KEY } }) : undefined,
    nextInstall.ok ?
      step('examples/next: next build with no key in the environment', next(nextNoKeyDir), ['build'], { cwd: nextNoKeyDir })
    : undefined,
    viteInstall.ok ? step('examples/vite-express: npm run build (tsc -b && vite build), key in the environment', 'npm', ['run', 'build'], { cwd: viteDir, env: { FLASH_IMAGE_API_KEY: KEY } }) : undefined,
  ]);
  timings['builds (concurrent)'] = performance.now() - buildsSince;
  for (const [label, build, dir] of [
    ['examples/next: .next/static', nextBuild, join(nextDir, '.next/static')],
    ['examples/vite-express: dist', viteBuild, join(viteDir, 'dist')],
  ]) {
    if (!build?.ok) continue;
    const { found, scanned } = filesContaining(dir, KEY);
    check(`${label}: no file contains the API key`, found.length === 0 && scanned > 0, found.length ? found.join(', ') : `${scanned} files scanned`);
  }

  double = await startVendorDouble({ apiKey: KEY, durationMs: TASK_MS });
  const apps = [];
  if (nextBuild?.ok) {
    const port = await freePort();
    const server = serve(next(nextDir), ['start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: nextDir,
      env: { FLASH_IMAGE_API_KEY: KEY, FLASH_IMAGE_UPSTREAM: double.origin },
    });
    servers.push(server);
    apps.push({ name: 'next', origin: `http://127.0.0.1:${port}`, server, pages: ['/', '/hooks'] });
  }
  if (viteBuild?.ok) {
    const port = await freePort();
    const server = serve('node', ['server.js'], {
      cwd: viteDir,
      env: { FLASH_IMAGE_API_KEY: KEY, FLASH_IMAGE_UPSTREAM: double.origin, PORT: String(port), HOST: '127.0.0.1' },
    });
    servers.push(server);
    apps.push({ name: 'vite-express', origin: `http://127.0.0.1:${port}`, server, pages: ['/'] });
  }
  for (const app of apps) {
    const since = performance.now();
    try {
      await waitForHttp(app.origin, app.server);
      check(`examples/${app.name}: production server answers`, true, seconds(since));
    } catch (error) {
      check(`examples/${app.name}: production server answers`, false, error.message);
      app.broken = true;
    }
  }

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
  const visits = [];
  for (const app of apps.filter((candidate) => !candidate.broken)) {
    for (const path of app.pages) {
      const forms =
        path === '/hooks' ?
          [
            { kind: 'section', section: 'useImageGeneration' },
            { kind: 'section', section: 'useGenerateImage + useTaskStatus' },
          ]
        : [{ kind: 'generator' }];
      const combos =
        path === '/hooks' ?
          [
            [VIEWPORTS[0], 'light'],
            [VIEWPORTS[1], 'dark'],
          ]
        : VIEWPORTS.flatMap((viewport) => THEMES.map((theme) => [viewport, theme]));
      for (const [{ width, height }, theme] of combos) {
        const label = `examples/${app.name} ${path} at ${width} px, ${theme}`;
        const prompts = forms.map((form, n) => ({ ...form, prompt: `${app.name}${path} ${width} ${theme} #${n + 1}: a lighthouse at dusk` }));
        visits.push({ label, app, path, width, height, theme, forms: prompts });
      }
    }
  }
  // Each server loads a page's and the proxy route's code on its first request: done here, once,
  // not inside the first visits, whose polls are counted. (The GET reaches the double, which knows
  // no such task; no visit counts it.)
  for (const app of apps.filter((candidate) => !candidate.broken)) {
    for (const path of [...app.pages, '/api/flash-image/api/v2/tasks/warm-up']) await fetch(app.origin + path).then((response) => response.arrayBuffer());
  }
  const browserSince = performance.now();
  // A few at a time, each in its own context, started a little apart: ten pages at once on two
  // cores, or five loading and hydrating in the same instant, starve the pages' own timers for
  // seconds (CI once saw a page's first poll two intervals late), and with them the polls counted.
  const results = [];
  let nextVisit = 0;
  await Promise.all(
    Array.from({ length: BROWSER_CONCURRENCY }, async (_, worker) => {
      await new Promise((done) => setTimeout(done, worker * VISIT_STAGGER_MS));
      while (nextVisit < visits.length) {
        const n = nextVisit++;
        const v = visits[n];
        results[n] = await visit(browser, { url: v.app.origin + v.path, width: v.width, height: v.height, theme: v.theme, forms: v.forms, settleMs: SETTLE_MS });
      }
    }),
  );
  timings['browser visits (concurrent)'] = performance.now() - browserSince;
  for (const [n, v] of visits.entries()) {
    const figures = judgeVisit(v.label, results[n], double);
    if (figures) summary.push({ label: v.label, ...figures });
  }

  // Problem 4: a build made without the key (CI, a Docker image given secrets at run time) starts,
  // and the route answers in the vendor's error shape instead of crashing or leaking.
  if (noKeyBuild?.ok) {
    const port = await freePort();
    const server = serve(next(nextNoKeyDir), ['start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: nextNoKeyDir,
      env: { FLASH_IMAGE_API_KEY: undefined, FLASH_IMAGE_UPSTREAM: double.origin },
    });
    servers.push(server);
    const origin = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(origin, server);
      const before = double.requests.length;
      for (const [method, path, body] of [
        ['POST', '/api/flash-image/api/v2/image/generate', JSON.stringify({ prompt: 'no key' })],
        ['GET', '/api/flash-image/api/v2/tasks/abc123', undefined],
      ]) {
        const response = await fetch(origin + path, { method, body, headers: body ? { 'Content-Type': 'application/json' } : {} });
        const text = await response.text();
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const error = json?.error;
        check(
          `examples/next built without a key: ${method} ${path} answers 500 missing_api_key in the vendor's error shape`,
          response.status === 500 && error?.code === 'missing_api_key' && typeof error.type === 'string' && /\bkey\b/i.test(error.message ?? ''),
          `${response.status} ${text.slice(0, 200)}`,
        );
        check(`examples/next built without a key: ${method} answer does not contain a key`, !text.includes(KEY) && !/sk_\w+/.test(text), 'no sk_… in the body');
      }
      check('examples/next built without a key: nothing was sent upstream', double.requests.length === before, `${double.requests.length - before} requests`);
    } catch (error) {
      check('examples/next built without a key: production server answers', false, error.message);
    }
  }
} catch (error) {
  check('harness', false, error.stack);
} finally {
  await browser?.close();
  for (const server of servers) stop(server.child);
  for (const child of children) stop(child);
  await double?.close();
}

const failed = checks.filter((c) => !c.ok);
console.log('\nFigures');
for (const { label, cls, forms } of summary) {
  const requests = forms.map(({ posts, gets, showMs }) => `${posts} POST, ${gets} GET, image ${seconds(0, showMs)} after the click`).join('; ');
  console.log(`  ${label}: CLS ${cls.toFixed(5)}; ${requests}`);
}
for (const [name, ms] of Object.entries(timings)) console.log(`  ${name}: ${seconds(0, ms)}`);
console.log(`  total: ${seconds(started)}`);
if (failed.length || process.env.KEEP_EXAMPLES) console.log(`(kept ${work})`);
else rmSync(work, { recursive: true, force: true });
if (failed.length) console.log(`\nFailed:\n${failed.map((c) => `  ✗ ${c.name}`).join('\n')}`);
console.log(`\nexamples: ${checks.length - failed.length} passed, ${failed.length} failed`);
process.exitCode = failed.length ? 1 : 0;
