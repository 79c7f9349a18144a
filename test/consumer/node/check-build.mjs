// What `vite build` produced from the installed package: the app, the library's components and its CSS.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const assets = readdirSync('dist/assets');
const read = (ext) => assets.filter((file) => file.endsWith(ext)).map((file) => readFileSync(`dist/assets/${file}`, 'utf8')).join('\n');
const js = read('.js');
const css = read('.css');

assert.ok(readFileSync('dist/index.html', 'utf8').includes('/assets/'), 'index.html links the bundle');
assert.ok(js.includes('fir-generator') && js.includes('fir-picker'), 'the components are in the bundle');
assert.match(css, /\.fir-generator\b/, 'flash-image-react/styles.css is in the CSS bundle');
console.log(`vite built ${assets.length} assets: JS ${(gzipSync(js).length / 1024).toFixed(1)} kB gzip (React included), CSS ${(gzipSync(css).length / 1024).toFixed(1)} kB gzip`);
