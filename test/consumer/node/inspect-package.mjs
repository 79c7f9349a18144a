// Reads the installed package's files: what a bundler or Node will load, not what the repository has.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const pkgDir = dirname(createRequire(import.meta.url).resolve('flash-image-react/package.json'));
const dist = join(pkgDir, 'dist');

// Static `import`/`export … from` and dynamic `import()` specifiers of an emitted module.
function specifiers(code) {
  const found = [];
  for (const match of code.matchAll(/(?:^|[\s;}])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g)) {
    found.push(match[1] ?? match[2]);
  }
  return found;
}

function code(file) {
  return readFileSync(file, 'utf8');
}

// 1. The server entry and everything it loads: no React, no package outside Node, no DOM globals.
const DOM_GLOBALS = /\b(?:window|document|navigator|localStorage|sessionStorage|HTMLElement|requestAnimationFrame|FileReader|matchMedia)\b/;
const seen = new Set();
const bare = new Set();
const queue = [join(dist, 'server/index.js')];
while (queue.length > 0) {
  const file = queue.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const source = code(file);
  assert.doesNotMatch(source, DOM_GLOBALS, `${relative(pkgDir, file)} mentions a DOM global`);
  for (const spec of specifiers(source)) {
    if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
    else bare.add(spec);
  }
}
const foreign = [...bare].filter((spec) => !spec.startsWith('node:'));
assert.deepEqual(foreign, [], `flash-image-react/server imports ${foreign.join(', ')}`);
const serverFiles = [...seen].map((file) => relative(dist, file)).sort();
assert.ok(serverFiles.every((file) => file.startsWith('server/') || file.startsWith('core/')), serverFiles.join(', '));

// 2. 'use client' is the first statement of every module that uses React, and only React code uses
// React. The engine in core/ takes TanStack Query's core through one module, core/query-core.js,
// from @tanstack/react-query's re-exports (so the app's one copy), and nothing else React.
const REACT = /^(?:react|react-dom|@tanstack\/react-query)(?:\/|$)/;
const QUERY_CORE_GATE = 'core/query-core.js';
const files = readdirSync(dist, { recursive: true }).filter((file) => file.endsWith('.js'));
let clientModules = 0;
for (const file of files) {
  const source = code(join(dist, file));
  if (file === QUERY_CORE_GATE) {
    assert.deepEqual(specifiers(source), ['@tanstack/react-query'], `${file} imports only @tanstack/react-query`);
    continue;
  }
  const usesReact = specifiers(source).some((spec) => REACT.test(spec));
  if (file.startsWith('core/') || file.startsWith('server/') || file.startsWith('persist/')) {
    assert.ok(!usesReact, `${file} imports React`);
  }
  if (usesReact) {
    clientModules += 1;
    assert.match(source, /^'use client';\r?\n/, `${file} uses React but does not start with 'use client'`);
  }
}
assert.ok(clientModules >= 6, `only ${clientModules} modules import React: did the scan find the imports?`);

console.log(
  `server entry loads ${serverFiles.length} modules, imports ${bare.size === 0 ? 'nothing outside the package' : [...bare].join(', ')}; ` +
    `'use client' tops all ${clientModules} React modules`,
);
