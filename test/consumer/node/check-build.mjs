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

// One TanStack Query core in the app: the one @tanstack/react-query brings, which the library's
// engine (flash-image-react's React-free core) shares rather than bundling another.
const modules = JSON.parse(readFileSync('dist/modules.json', 'utf8'));
const cores = new Set(modules.filter((id) => /@tanstack\/query-core\/.+queryObserver\.js$/.test(id)).map((id) => id.replace(/\/build\/.*$/, '')));
assert.equal(cores.size, 1, `one copy of @tanstack/query-core in the bundle, found ${[...cores].join(', ') || 'none'}`);
assert.ok(modules.some((id) => /flash-image-react\/dist\/core\/generation-observer\.js$/.test(id)), 'the engine is in the bundle');
console.log(`one @tanstack/query-core (${[...cores][0].replace(/^.*node_modules\//, '')}); vite built ${assets.length} assets: JS ${(gzipSync(js).length / 1024).toFixed(1)} kB gzip (React included), CSS ${(gzipSync(css).length / 1024).toFixed(1)} kB gzip`);
