import react from '@vitejs/plugin-react';
import { writeFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

// Writes every module the bundle contains to dist/modules.json, for node/check-build.mjs: proof of
// which copies of a package an app ships, not a guess from minified text.
const listModules = (): Plugin => ({
  name: 'list-modules',
  apply: 'build',
  generateBundle(_options, bundle) {
    const modules = Object.values(bundle).flatMap((output) => (output.type === 'chunk' ? Object.keys(output.modules) : []));
    this.emitFile({ type: 'asset', fileName: 'modules.json', source: JSON.stringify(modules) });
  },
});

export default defineConfig({
  plugins: [react(), listModules()],
  logLevel: 'warn',
});
