// The CLI reads `.llm-sizer/models` and `.llm-sizer/gpus` as the editor does: from the current directory and the
// file's folder, each up to its git root; the nearest definition of an id wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { catalogRootsFor, foldersUpToGitRoot } from '../../server/src/node/catalogRoots';

const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const run = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
const GiB = 1024 ** 3;

function repo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-sizer-ws-'));
  const w = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  fs.mkdirSync(path.join(dir, 'repo', '.git'), { recursive: true });
  // 48 GiB exactly, 1 TB/s, 300 TFLOP/s bf16: a GPU no catalog has.
  w(
    'repo/.llm-sizer/gpus/lab.yaml',
    'id: lab-gpu-48\nname: Lab accelerator 48GB\nvendor: amd\nmemory_bytes: 51539607552\nmemory_bandwidth_bytes_per_s: 1.0e12\nflops_dense: {bf16: 3.0e14, fp16: 3.0e14}\n',
  );
  // 16 layers x (q 2048x2048 + k,v 2048x512 + o 2048x2048 + 3 x 2048x8192) + 2 x 32000x2048 + norms
  w(
    'repo/.llm-sizer/models/tiny.yaml',
    'id: acme/tiny-llama\nsource: test fixture\nconfig: {model_type: llama, hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 16, num_key_value_heads: 4, intermediate_size: 8192, vocab_size: 32000, max_position_embeddings: 4096, torch_dtype: bfloat16}\n',
  );
  // The same id in a nearer folder wins: 24 layers.
  w(
    'repo/deploy/.llm-sizer/models/tiny.yaml',
    'id: acme/tiny-llama\nsource: test fixture (nearer)\nconfig: {model_type: llama, hidden_size: 2048, num_hidden_layers: 24, num_attention_heads: 16, num_key_value_heads: 4, intermediate_size: 8192, vocab_size: 32000, max_position_embeddings: 4096, torch_dtype: bfloat16}\n',
  );
  w('repo/deploy/plan.yaml', 'apiVersion: llm-sizer/v1\nkind: ServingPlan\nmodel: acme/tiny-llama\nhardware: {gpu: lab-gpu-48, count: 1}\n');
  w('repo/other/plan.yaml', 'apiVersion: llm-sizer/v1\nkind: ServingPlan\nmodel: acme/tiny-llama\nhardware: {gpu: lab-gpu-48, count: 1}\n');
  // Outside the repository: never read for files inside it.
  w(
    '.llm-sizer/gpus/outside.yaml',
    'id: outside-gpu\nname: Outside\nmemory_bytes: 1.0e10\nmemory_bandwidth_bytes_per_s: 1.0e11\nflops_dense: {bf16: 1.0e13}\n',
  );
  return dir;
}

const perLayer = 2048 * 2048 * 2 + 2048 * 512 * 2 + 3 * 2048 * 8192 + 2 * 2048;
const params = (layers: number) => layers * perLayer + 2 * 32000 * 2048 + 2048;

test('report reads the workspace GPU and the nearest workspace model, from any current directory', () => {
  const dir = repo();
  for (const cwd of [dir, path.join(dir, 'repo'), os.tmpdir()]) {
    const r = run(cwd, 'report', path.join(dir, 'repo', 'deploy', 'plan.yaml'), '--json');
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const d = JSON.parse(r.stdout).deployments[0];
    assert.equal(d.gpu.id, 'lab-gpu-48');
    assert.equal(d.gpu.memory_bytes, 48 * GiB); // vendor amd: no driver reservation taken off
    assert.equal(d.model.params_total, params(24), cwd);
  }
  // From another folder of the same repository the repository-level model (16 layers) applies.
  const r = run(path.join(dir, 'repo'), 'report', 'other/plan.yaml', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).deployments[0].model.params_total, params(16));
});

test('models and gpus list workspace entries of the current directory; folders outside the repository are not read', () => {
  const dir = repo();
  const gpus = JSON.parse(run(path.join(dir, 'repo', 'deploy'), 'gpus', '--json').stdout) as Array<{ id: string }>;
  assert.ok(gpus.some((g) => g.id === 'lab-gpu-48'));
  assert.ok(!gpus.some((g) => g.id === 'outside-gpu'));
  const models = JSON.parse(run(path.join(dir, 'repo', 'deploy'), 'models', '--json').stdout) as Array<{ id: string; params_total: number }>;
  assert.equal(models.find((m) => m.id === 'acme/tiny-llama')?.params_total, params(24));
  // Without a workspace catalog the GPU is unknown: exit 1 with the unknown-gpu error.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-sizer-bare-'));
  fs.copyFileSync(path.join(dir, 'repo', 'other', 'plan.yaml'), path.join(tmp, 'plan.yaml'));
  const bare = run(tmp, 'check', 'plan.yaml');
  assert.equal(bare.status, 1);
  assert.match(bare.stdout, /unknown-gpu/);
});

test('catalog roots: git root first, nearest folder last; outside a repository only the folder itself', () => {
  const dir = repo();
  const r = path.join(dir, 'repo');
  assert.deepEqual(foldersUpToGitRoot(path.join(r, 'deploy')), [r, path.join(r, 'deploy')]);
  assert.deepEqual(foldersUpToGitRoot(dir), [dir]);
  assert.deepEqual(catalogRootsFor('deploy/plan.yaml', r), [r, path.join(r, 'deploy')]);
  assert.deepEqual(catalogRootsFor(path.join(r, 'deploy', 'plan.yaml'), dir), [dir, r, path.join(r, 'deploy')]);
});
