// The one build script: bundles the extension client, the language server, the CLI and the webview code.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const builds = [{ ...common, entryPoints: ['server/src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }];
if (existsSync('server/src/lsp/server.ts')) builds.push({ ...common, entryPoints: ['server/src/lsp/server.ts'], outfile: 'dist/server.js' });
if (existsSync('client/src/extension.ts'))
  builds.push({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] });
if (existsSync('media/src/report.ts'))
  builds.push({
    ...common,
    platform: 'browser',
    target: 'es2020',
    format: 'iife',
    entryPoints: ['media/src/report.ts'],
    outfile: 'dist/media/report.js',
    sourcemap: false,
  });

// Test files rebuild in parallel (node --test runs two at a time) while others spawn dist/server.js: each output is
// written to a temporary file and renamed, so a reader sees the old file or the new one, never half of one.
const results = await Promise.all(builds.map((b) => esbuild.build({ ...b, write: false })));
for (const r of results) {
  for (const f of r.outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}
// Webview stylesheet: served from dist/media (the only localResourceRoot) and inlined into exported reports.
if (existsSync('media/report.css')) {
  mkdirSync('dist/media', { recursive: true });
  copyFileSync('media/report.css', 'dist/media/report.css');
}
