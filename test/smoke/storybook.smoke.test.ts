// @vitest-environment node
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, expect, test } from 'vitest';

// The built Storybook (`npm run build-storybook`), served as static files the way a user would host it.
const ROOT = resolve('storybook-static');
const SCREENSHOT = resolve('test-results/storybook-smoke.png');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

let server: Server;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'iframe.html')), 'storybook-static is missing: run `npm run build-storybook` first').toBe(true);
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(ROOT, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(ROOT) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
});

test('the built Storybook generates an image end to end on the embedded mock', async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 1300 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(`${origin}/iframe.html?id=components-imagegenerator--with-presets&viewMode=story`);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 5000 }).toMatch(/Queued|Generating/);

  const image = page.getByRole('img', { name: 'place all three products on a marble table, studio lighting' });
  await image.waitFor({ timeout: 15_000 });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 5000 }).toBeGreaterThan(0);
  await expect(page.getByRole('status').textContent()).resolves.toBe('Your image is ready.');
  await expect(page.getByRole('button', { name: 'Use as reference' }).isEnabled()).resolves.toBe(true);

  mkdirSync(resolve('test-results'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  expect(errors).toEqual([]);
});
