// No network by default: the CLI (every command) and the language server (open, hover, completion, report,
// compare) run with a preload that makes any socket, HTTP, DNS or fetch call throw and print NETWORK ATTEMPT.
// llm-sizer offers no Hugging Face fetching: an unknown model is a diagnostic, never a download.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LspClient } from '../lsp/lspClient';

const PRELOAD = resolve(__dirname, 'noNetwork.cjs');
const FIX = readdirSync('test/fixtures/formats')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join('test/fixtures/formats', f));

test('the preload really denies network access (self-check)', () => {
  const r = spawnSync(process.execPath, ['--require', PRELOAD, '-e', "require('node:http').get('http://127.0.0.1:9/')"], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /NETWORK ATTEMPT: node:http\.get/);
});

test('CLI: report, check, compare, models, gpus, calibrate open no socket', () => {
  const runs = [
    ['check', '--format', 'json', ...FIX],
    ['report', '--json', 'examples/chat-70b.yaml'],
    ['compare', 'examples/chat-70b.yaml'],
    ['models'],
    ['gpus'],
    ['report', 'test/fixtures/formats/kserve-hf-runtime.yaml'],
  ];
  for (const args of runs) {
    const r = spawnSync(process.execPath, ['--require', PRELOAD, 'dist/cli.js', ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.doesNotMatch(r.stderr, /NETWORK ATTEMPT/, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.status === 0 || r.status === 1, `${args[0]} exit ${r.status}: ${r.stderr}`);
  }
});

test('language server: open, hover, completion, report and compare open no socket', async () => {
  const c = await LspClient.start({ args: ['--require', PRELOAD, 'dist/server.js', '--stdio'], settings: null });
  let stderr = '';
  c.proc.stderr!.on('data', (d) => (stderr += String(d)));
  try {
    for (const [i, f] of FIX.slice(0, 12).entries()) {
      const uri = `file:///ws/net${i}.yaml`;
      await c.open(uri, readFileSync(f, 'utf8'));
      await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 10 } });
      await c.request('textDocument/completion', { textDocument: { uri }, position: { line: 4, character: 2 } });
      await c.request('llmSizer/report', { uri });
    }
    const uri = 'file:///ws/unknown.yaml';
    const p = await c.open(
      uri,
      'apiVersion: llm-sizer/v1\nkind: ServingPlan\nmetadata: {name: x}\nmodel: some-org/not-in-any-catalog-7B\nhardware: {gpu: H100, count: 1}\n',
    );
    assert.ok(
      p.diagnostics.some((d) => d.code === 'unknown-model'),
      'an unknown model is a diagnostic, not a download',
    );
    await c.request('llmSizer/compare', { uri: 'file:///ws/net0.yaml' });
  } finally {
    await c.stop();
  }
  assert.doesNotMatch(stderr, /NETWORK ATTEMPT/, stderr);
});
