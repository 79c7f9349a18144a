#!/usr/bin/env node
// Proves that a consumer pays only for what it imports: bundles single imports from the built
// package with Vite (as an app would, peers external) and looks for code that must not be there.
// The cases with `present` are controls: they must contain the markers, or the markers prove nothing.
// Persistence is loaded on first use: the app's own chunks lack it, a lazy chunk has it.
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
const entryFile = resolve(root, 'dist/index.js');
const persistFile = resolve(root, 'dist/persist/index.js');
const PEERS = [/^react(?:\/|$)/, /^react-dom(?:\/|$)/, /^@tanstack\/(?:react-query|query-core)(?:\/|$)/];

// Strings only the components and the headless picker contain.
const COMPONENT_CODE = [/fir-/, /Upload images/, /dataTransfer/];
const REACT_IMPORT = /from\s*["'](?:react|react\/jsx-runtime|react-dom|@tanstack\/react-query)["']/;
// Strings only the persistence code contains.
const PERSIST_CODE = [/saved generations/];
// A string only the batch engine contains.
const BATCH_ENGINE = /an earlier image in this batch/;

const CASES = [
  { imports: ['useImageGeneration'], absent: [...COMPONENT_CODE, ...PERSIST_CODE], lazy: PERSIST_CODE },
  { imports: ['useImageBatch'], absent: [...COMPONENT_CODE, ...PERSIST_CODE], lazy: PERSIST_CODE },
  { file: persistFile, imports: ['createGenerationPersister'], present: PERSIST_CODE, absent: [...COMPONENT_CODE, REACT_IMPORT] },
  { imports: ['useGenerateImage', 'useTaskStatus', 'ImageGenProvider'], absent: COMPONENT_CODE },
  { imports: ['createHttpFetcher', 'ImageGenError', 'validateGenerateInput'], absent: [...COMPONENT_CODE, REACT_IMPORT] },
  { imports: ['ReferencePicker'], present: [/fir-picker/, /dataTransfer/], absent: [/fir-generator/] },
  // Parts are plain named exports: a layout without the picker or the history carries neither.
  {
    imports: ['ImageGeneratorRoot', 'ImageGeneratorPrompt', 'ImageGeneratorSubmit'],
    present: [/fir-generator/],
    absent: [/fir-picker/, /fir-history/, /dataTransfer/],
  },
  { imports: ['ImageGenerator'], present: [/fir-generator/, /fir-picker/, /fir-history/, /fir-gallery/, BATCH_ENGINE, REACT_IMPORT], absent: PERSIST_CODE },
  // The gallery part alone takes a batch: it brings no engine, no generator, no picker.
  {
    imports: ['ImageGeneratorGallery'],
    present: [/fir-gallery/, REACT_IMPORT],
    absent: [/fir-generator/, /fir-picker/, /fir-history/, /dataTransfer/, BATCH_ENGINE, ...PERSIST_CODE],
  },
];

/** The app's own code (entry chunks) and what it loads only on demand (the other chunks). */
async function bundle(names, file = entryFile) {
  const id = '\0tree-shaking-entry';
  const code = `import { ${names.join(', ')} } from ${JSON.stringify(file)};\nconsole.log(${names.join(', ')});\n`;
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
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((result) => result.output).filter((chunk) => chunk.type === 'chunk');
  const join = (list) => list.map((chunk) => chunk.code).join('\n');
  return { code: join(chunks.filter((chunk) => chunk.isEntry)), lazy: join(chunks.filter((chunk) => !chunk.isEntry)) };
}

let failed = false;
for (const { file, imports, present = [], absent = [], lazy: inLazy = [] } of CASES) {
  const { code, lazy } = await bundle(imports, file);
  const problems = [
    ...absent.filter((pattern) => pattern.test(code)).map((pattern) => `contains ${pattern}`),
    ...present.filter((pattern) => !pattern.test(code)).map((pattern) => `lacks ${pattern}`),
    ...inLazy.filter((pattern) => !pattern.test(lazy)).map((pattern) => `no lazy chunk with ${pattern}`),
  ];
  const size = `${(gzipSync(code).length / 1024).toFixed(2)} kB gzip${lazy ? `, ${(gzipSync(lazy).length / 1024).toFixed(2)} kB loaded on demand` : ''}`;
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
