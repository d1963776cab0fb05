// The test command (`npm test`), in this order, serially and once:
//   1. prerequisites: Debian packages and the code-server editor (test/e2e/setup.sh; installs as root, otherwise
//      stops with exit 2 and the one command to run), so no two test files ever run apt-get at the same time;
//   2. one esbuild build (test files read dist/ and never build themselves);
//   3. the typecheck, the linter (eslint) and the formatter check (prettier), the whole suite only;
//   4. every test/**/*.test.ts (or the files named) under node's test runner.
// `node scripts/test.mjs FILE...` runs steps 1, 2 and 4 for those files. Node 20 has no --test globs.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

function find(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (n === 'fixtures' || n === 'node_modules') return [];
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

/** Runs one step; a failing step ends the run with its exit code (setup's 2 stays 2). */
function step(name, cmd, args) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`llm-sizer test: ${name} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`# ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

// Longest first (measured: the code-server editor test takes ~4 minutes, the browser files ~1 minute each), so with
// two files at a time the editor test runs beside all the others instead of after them.
const LONGEST = ['test/e2e/vscode.test.ts', 'test/browser/escaping.test.ts', 'test/browser/webview.test.ts', 'test/lsp/hostile.test.ts'];
const rank = (f) => (LONGEST.indexOf(f) < 0 ? LONGEST.length : LONGEST.indexOf(f));
const only = process.argv.slice(2);
const files = (only.length ? only : find('test')).sort().sort((a, b) => rank(a) - rank(b));
step('prerequisites (OS packages, code-server)', 'bash', ['test/e2e/setup.sh']);
step('build', process.execPath, ['scripts/build.mjs']);
if (!only.length) {
  step('typecheck (tsc -b: core, server, media, client, tests)', process.execPath, ['node_modules/typescript/bin/tsc', '-b']);
  step('lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
  step('format', process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '**/*.{ts,mjs,cjs,js,json}']);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
