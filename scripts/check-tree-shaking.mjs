#!/usr/bin/env node
// Proves that a consumer pays only for what it imports: bundles single imports from the built
// package with Vite (as an app would, peers external) and looks for code that must not be there.
// The last two cases are controls: they must contain the markers, or the markers prove nothing.
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
const entryFile = resolve(root, 'dist/index.js');
const PEERS = [/^react(?:\/|$)/, /^react-dom(?:\/|$)/, /^@tanstack\/react-query(?:\/|$)/];

// Strings only the components and the headless picker contain.
const COMPONENT_CODE = [/fir-/, /Upload images/, /dataTransfer/];
const REACT_IMPORT = /from\s*["'](?:react|react\/jsx-runtime|react-dom|@tanstack\/react-query)["']/;

const CASES = [
  { imports: ['useImageGeneration'], absent: COMPONENT_CODE },
  { imports: ['useGenerateImage', 'useTaskStatus', 'ImageGenProvider'], absent: COMPONENT_CODE },
  { imports: ['createHttpFetcher', 'ImageGenError', 'validateGenerateInput'], absent: [...COMPONENT_CODE, REACT_IMPORT] },
  { imports: ['ReferencePicker'], present: [/fir-picker/, /dataTransfer/], absent: [/fir-generator/] },
  // Parts are plain named exports: a layout without the picker or the history carries neither.
  {
    imports: ['ImageGeneratorRoot', 'ImageGeneratorPrompt', 'ImageGeneratorSubmit'],
    present: [/fir-generator/],
    absent: [/fir-picker/, /fir-history/, /dataTransfer/],
  },
  { imports: ['ImageGenerator'], present: [/fir-generator/, /fir-picker/, /fir-history/, REACT_IMPORT] },
];

async function bundle(names) {
  const id = '\0tree-shaking-entry';
  const code = `import { ${names.join(', ')} } from ${JSON.stringify(entryFile)};\nconsole.log(${names.join(', ')});\n`;
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    plugins: [
      {
        name: 'tree-shaking-entry',
        resolveId: (source) => (source === 'entry' ? id : undefined),
        load: (source) => (source === id ? code : undefined),
      },
    ],
    build: {
      write: false,
      minify: true,
      modulePreload: false,
      rollupOptions: { input: 'entry', external: (source) => PEERS.some((peer) => peer.test(source)) },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  return results.flatMap((result) => result.output).map((chunk) => chunk.code ?? '').join('\n');
}

let failed = false;
for (const { imports, present = [], absent = [] } of CASES) {
  const code = await bundle(imports);
  const problems = [
    ...absent.filter((pattern) => pattern.test(code)).map((pattern) => `contains ${pattern}`),
    ...present.filter((pattern) => !pattern.test(code)).map((pattern) => `lacks ${pattern}`),
  ];
  const size = `${(gzipSync(code).length / 1024).toFixed(2)} kB gzip`;
  const label = `import { ${imports.join(', ')} }`;
  if (problems.length > 0) {
    failed = true;
    console.log(`✗ ${label} (${size}): ${problems.join('; ')}`);
  } else {
    console.log(`✓ ${label} (${size})`);
  }
}
console.log(failed ? '\ntree-shaking check: FAIL' : '\ntree-shaking check: PASS');
process.exitCode = failed ? 1 : 0;
