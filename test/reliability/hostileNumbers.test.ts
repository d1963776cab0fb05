// Hostile but plausible inputs through the real CLI (dist/cli.js): numbers far past any real model, a calibration of
// 1e300, a config.json that is a symlink to a secret, text that is not UTF-8 YAML, a file over the size cap and bad
// option values. Each gets a positioned diagnostic or a one-line error and the documented exit code (0/1/2); no
// output holds Infinity/NaN or the secret. They hung (1e6 layers), aborted V8 (4294967295 layers, exit 134), printed
// "Infinity GiB", echoed file bytes or were skipped in silence before; the per-test timeout fails a hang.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../../server/src/cli/cli';
import { MAX_TEXT_BYTES } from '../../server/src/yaml/yamlDoc';

const DIR = mkdtempSync(join(tmpdir(), 'llm-sizer-hostile-numbers-'));
// Hang guards (a regression to the old hang fails here), generous so a loaded machine is slow, not failing.
const TIMEOUT = { timeout: 300_000 };

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.signal, null, `killed by ${r.signal}`);
  return r;
}

interface JsonDiag {
  code: string;
  severity: string;
  message: string;
  range: { start: { line: number; character: number } };
}
/** `llm-sizer check --format json FILE` in this process (the spawned CLI is checked below for exit codes and crashes). */
function checkJson(file: string): { status: number | null; diagnostics: JsonDiag[]; stdout: string } {
  let stdout = '';
  const status = run(['check', '--format', 'json', file], (s) => (stdout += s));
  return { status, diagnostics: JSON.parse(stdout)[0].diagnostics, stdout };
}
const NOT_FINITE = /\b(Infinity|NaN)\b/;

const PLAN = (model: string, extra = '') =>
  `apiVersion: llm-sizer/v1\nkind: ServingPlan\nmetadata: {name: x}\nmodel: ${model}\nhardware: {gpu: H100, count: 1}\nserving: {max_model_len: 8192, max_num_seqs: 64}\n${extra}`;
const LLAMA_8B = {
  model_type: 'llama',
  hidden_size: 4096,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  intermediate_size: 14336,
  vocab_size: 128256,
  max_position_embeddings: 8192,
  torch_dtype: 'bfloat16',
};

/** A plan whose model is ./ next to a config.json with `fields` over Llama 3.1 8B's. */
function localModel(name: string, fields: Record<string, unknown>): string {
  const d = join(DIR, name);
  mkdirSync(d);
  writeFileSync(join(d, 'config.json'), JSON.stringify({ ...LLAMA_8B, ...fields }));
  writeFileSync(join(d, 'plan.yaml'), PLAN('./'));
  return join(d, 'plan.yaml');
}

describe('model config numbers past any real model: model-config-invalid on the model line, exit 1', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['layers-1e5', { num_hidden_layers: 1e5 }, 'num_hidden_layers', '100000; llm-sizer accepts at most 1,024'],
    ['layers-1e8', { num_hidden_layers: 1e8 }, 'num_hidden_layers', '100000000; llm-sizer accepts at most 1,024'],
    ['layers-u32', { num_hidden_layers: 4294967295 }, 'num_hidden_layers', '4294967295; llm-sizer accepts at most 1,024'],
    ['hidden-1e308', { hidden_size: 1e308 }, 'hidden_size', '1e+308; llm-sizer accepts at most 131,072'],
    ['vocab-1e308', { vocab_size: 1e308 }, 'vocab_size', '1e+308; llm-sizer accepts at most 4,194,304'],
    ['experts', { num_local_experts: 1e9, num_experts_per_tok: 2 }, 'num_local_experts', '1000000000; llm-sizer accepts at most 65,536'],
    [
      'rope-factor',
      { rope_scaling: { rope_type: 'yarn', factor: 1e300, original_max_position_embeddings: 8192 } },
      'rope_scaling.factor',
      '1e+300; llm-sizer accepts at most 1,024',
    ],
  ];
  for (const [name, fields, field, detail] of cases) {
    it(name, TIMEOUT, () => {
      const r = checkJson(localModel(name, fields));
      assert.equal(r.status, 1);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]),
        [['model-config-invalid', 'error', 3, 7]],
      );
      assert.equal(r.diagnostics[0].message, `Model "./": config field "${field}" is ${detail} (larger than any published model).`);
      assert.doesNotMatch(r.stdout, NOT_FINITE);
    });
  }
  it('the real CLI process: exit 1 with the diagnostic (4294967295 layers aborted V8 with exit 134), no Infinity in the report', TIMEOUT, () => {
    for (const name of ['layers-u32', 'hidden-1e308']) {
      const r = cli('report', join(DIR, name, 'plan.yaml'));
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /error \[model-config-invalid\]/);
      assert.doesNotMatch(r.stdout, NOT_FINITE);
    }
  });
});

it('a calibration of 1e300 GiB: invalid-value at the value, the deployment not sized, no Infinity', TIMEOUT, () => {
  const f = join(DIR, 'calibration.yaml');
  writeFileSync(f, PLAN('meta-llama/Llama-3.1-8B-Instruct', 'calibration: {weights_gib: 1e300}\n'));
  const r = checkJson(f);
  assert.equal(r.status, 1);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character, d.message]),
    [['invalid-value', 6, 27, 'calibration.weights_gib must be from 0 to 4,096 GiB, got 1.00e+300; this deployment is not sized.']],
  );
  const report = cli('report', f);
  assert.equal(report.status, 1);
  assert.doesNotMatch(report.stdout, NOT_FINITE);
});

it('a config.json that is a symlink to a secret: "not valid JSON", the secret never printed (text, JSON, SARIF)', TIMEOUT, () => {
  const d = join(DIR, 'secret-model');
  mkdirSync(d);
  const secret = 'SECRET_TOKEN=hunter2-do-not-print';
  writeFileSync(join(DIR, 'secret.env'), `${secret}\n`);
  symlinkSync(join(DIR, 'secret.env'), join(d, 'config.json'));
  writeFileSync(join(d, 'plan.yaml'), PLAN('./'));
  for (const format of ['text', 'json', 'sarif']) {
    const r = cli('check', '--format', format, join(d, 'plan.yaml'));
    // Not sized (an information line, issue 11: an unreadable model is not a fault of the deployment): exit 0.
    assert.equal(r.status, 0, format);
    assert.ok(r.stdout.includes('config.json\\" is not valid JSON.') || r.stdout.includes('config.json" is not valid JSON.'), `${format}: ${r.stdout}`);
    for (const part of ['SECRET', 'hunter2', 'TOKEN']) assert.ok(!r.stdout.includes(part) && !r.stderr.includes(part), `${format} echoes ${part}`);
  }
});

describe('text that is not UTF-8 YAML is reported, never skipped in silence', () => {
  const manifest = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vllm\nspec:\n  template:\n    spec:\n      containers:\n        - name: vllm\n          image: vllm/vllm-openai:v0.11.0\n          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--tensor-parallel-size", "3"]\n          resources:\n            limits: {nvidia.com/gpu: 3}\n`;
  it('the manifest itself is read (baseline): 32 heads do not divide by tp 3', TIMEOUT, () => {
    const f = join(DIR, 'manifest.yaml');
    writeFileSync(f, manifest);
    assert.ok(checkJson(f).diagnostics.some((d) => d.severity === 'error'));
  });
  it('UTF-16 (LE with BOM, BE without): file-not-utf8, exit 1', TIMEOUT, () => {
    const le = join(DIR, 'utf16le.yaml');
    const be = join(DIR, 'utf16be.yaml');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(manifest, 'utf16le')]));
    writeFileSync(be, Buffer.from(manifest, 'utf16le').swap16());
    for (const f of [le, be]) {
      const r = checkJson(f);
      assert.equal(r.status, 1);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.message]),
        [['file-not-utf8', 'This file is not UTF-8 YAML (it looks like UTF-16), so llm-sizer did not check it. Save it as UTF-8.']],
      );
    }
  });
  it('tab indentation: yaml-tab-indent on the first tab, exit 1', TIMEOUT, () => {
    const f = join(DIR, 'tabs.yaml');
    writeFileSync(
      f,
      manifest.replace(/^( +)/gm, (m) => '\t'.repeat(m.length / 2)),
    );
    const r = checkJson(f);
    assert.equal(r.status, 1);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character]),
      [['yaml-tab-indent', 3, 0]],
    );
  });
  it('CR-only line endings: read with CR as a line break (the error is found) plus a cr-line-endings note', TIMEOUT, () => {
    const f = join(DIR, 'cr.yaml');
    writeFileSync(f, manifest.replace(/\n/g, '\r'));
    const lf = join(DIR, 'manifest.yaml');
    const expected = checkJson(lf).diagnostics;
    const r = checkJson(f);
    assert.equal(r.status, 1);
    assert.deepEqual(r.diagnostics[0].code, 'cr-line-endings');
    assert.deepEqual(r.diagnostics.slice(1), expected);
  });
});

it('a file over the 5 MB analysis cap exits 1 (not checked), one over the 50 MB read cap exits 2 with one line', TIMEOUT, () => {
  const f = join(DIR, 'big.yaml');
  writeFileSync(f, PLAN('meta-llama/Llama-3.1-8B-Instruct') + '#'.repeat(MAX_TEXT_BYTES));
  const r = checkJson(f);
  assert.equal(r.status, 1);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['file-too-large'],
  );
  const huge = join(DIR, 'huge.yaml');
  writeFileSync(huge, Buffer.alloc(51 * 1024 * 1024, 0x23));
  const h = cli('check', huge);
  assert.equal(h.status, 2);
  assert.equal(h.stderr, `llm-sizer: cannot read ${huge}: larger than 50 MB\n`);
});

it('bad option values are usage errors: exit 2 with one line, before any file is read', TIMEOUT, () => {
  const gpu = cli('check', '--gpu', 'NOPE', 'examples/chat-70b.yaml');
  assert.equal(gpu.status, 2);
  assert.match(gpu.stderr, /^llm-sizer: unknown --gpu "NOPE" .*`llm-sizer gpus` lists them\n$/);
  const ver = cli('report', '--engine-version', 'banana', 'examples/chat-70b.yaml');
  assert.equal(ver.status, 2);
  assert.equal(ver.stderr, 'llm-sizer: --engine-version "banana" is not a vLLM version like 0.11.0\n');
  assert.equal(gpu.stdout + ver.stdout, '');
  // Good values still work: a catalog alias in any case, and a version.
  assert.equal(cli('check', '--gpu', 'h100', '--engine-version', '0.11.0', 'examples/chat-70b.yaml').status, 0);
});
