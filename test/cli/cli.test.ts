// The CLI as a process: the JSON contract, exit codes, one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });

test('report --json prints exactly one JSON object with the contract fields', () => {
  const r = run('report', 'examples/chat-70b.yaml', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.file, 'examples/chat-70b.yaml');
  const d = j.deployments[0];
  assert.equal(d.name, 'chat-70b');
  assert.equal(d.format, 'native');
  assert.equal(d.model.id, 'meta-llama/Llama-3.1-70B-Instruct');
  assert.equal(d.model.params_total, 70553706496);
  assert.equal(d.model.params_active, 70553706496);
  assert.deepEqual(Object.keys(d.gpu).slice(0, 4).sort(), ['count', 'id', 'memory_bytes', 'name'].sort());
  assert.equal(d.gpu.id, 'H100-SXM');
  assert.equal(d.gpu.count, 8);
  assert.deepEqual(d.parallelism, { tp: 4, pp: 1, dp: 2, ep: 1 });
  for (const k of ['requested_bytes', 'weights_bytes', 'activation_peak_bytes', 'non_torch_bytes', 'cudagraph_bytes', 'kv_cache_bytes'])
    assert.equal(typeof d.memory_per_gpu[k], 'number', k);
  // 70B, 80 layers x 8 KV heads x 128 x 2 (K,V) x 2 bytes; per GPU at tp=4: 2 KV heads.
  assert.equal(d.kv_cache.bytes_per_token, 327680);
  assert.equal(d.kv_cache.bytes_per_token_per_gpu, 81920);
  assert.equal(d.kv_cache.block_size, 16);
  assert.equal(d.kv_cache.capacity_tokens, d.kv_cache.num_blocks * 16);
  assert.equal(d.kv_cache.num_blocks, Math.floor(d.memory_per_gpu.kv_cache_bytes / (16 * 81920)));
  // findings (additive, issue 13): every refusal vLLM meets, first one first; empty when it starts.
  assert.deepEqual(Object.keys(d.startup), ['ok', 'error', 'estimated_max_model_len', 'findings']);
  assert.deepEqual(d.startup.findings, []);
  assert.equal(d.startup.ok, true);
  for (const k of ['kv_cache_bytes', 'num_blocks', 'capacity_tokens', 'max_concurrency']) assert.equal(d.bands[k].length, 2, k);
  assert.ok(Array.isArray(j.diagnostics));
});

test('the text report says at how many replicas the SLO verdict holds when more are needed than deployed', () => {
  const r = run('report', 'examples/chat-70b.yaml');
  // 20 req/s against at most 5.29 req/s per replica (Little's Law with vLLM's fitted step costs, the littles-law-overload
  // warning): ceil(20 / 5.29) = 4 replicas, 2 deployed (data_parallel_size 2); the SLO is judged at the 4.
  assert.match(r.stdout, /replicas needed 4, deployed 2 \(overloaded\); SLO met with 4 replicas\n/);
  assert.match(r.stdout, /one replica serves at most 5\.29 requests\/s/);
});

test('without an arrival rate or a concurrency no replica count is judged: the report says so instead of "needed = deployed"', () => {
  // A Kubernetes Deployment of 2 replicas with no workload: the engine runs each replica saturated (batch_source
  // 'saturated'), so a 'replicas needed' figure would only repeat the deployed count.
  const r = run('report', 'test/real-world/k8s/aibrix-brixbench-vllm-qwen3-32b-tp4.yaml');
  assert.match(r.stdout, /; no arrival rate or concurrency, so no replica count is judged \(deployed 2\); no SLO set\n/);
  assert.doesNotMatch(r.stdout, /replicas needed/);
  const j = JSON.parse(run('report', 'test/real-world/k8s/aibrix-brixbench-vllm-qwen3-32b-tp4.yaml', '--json').stdout);
  assert.equal(j.deployments[0].performance.batch_source, 'saturated');
});

test('a max_model_len that does not fit: exit 1, the error vLLM prints and the length that fits', () => {
  const r = run('report', 'test/fixtures/cli/too-long.yaml', '--json');
  assert.equal(r.status, 1);
  const j = JSON.parse(r.stdout);
  const d = j.deployments[0];
  assert.equal(d.startup.ok, false);
  assert.match(d.startup.error, /^The model's max seq len \(29000\) is larger than the maximum number of tokens that can be stored in KV cache \(\d+\)\./);
  assert.equal(d.startup.estimated_max_model_len, d.kv_cache.capacity_tokens);
  const diag = j.diagnostics.find((x: { code: string }) => x.code === 'max-model-len-too-long');
  assert.ok(diag);
  assert.deepEqual(diag.range.start, { line: 7, character: 17 });
});

test('bad input gets positioned diagnostics naming the field, with the closest names', () => {
  const r = run('report', 'test/fixtures/cli/broken.yaml', '--json');
  assert.equal(r.status, 1);
  const j = JSON.parse(r.stdout);
  const by = (code: string) => j.diagnostics.filter((x: { code: string }) => x.code === code);
  assert.equal(by('unknown-model')[0].message.includes('Did you mean "meta-llama/Llama-3.1-8B-Instruct"'), true);
  assert.deepEqual(by('unknown-model')[0].range.start, { line: 3, character: 7 });
  assert.match(by('unknown-gpu')[0].message, /Unknown GPU "H1000"\. Did you mean "H100-SXM"/);
  assert.equal(by('schema-unknown-key')[0].message, 'Unknown key "tensor_parallel_sise" in "serving". Did you mean "tensor_parallel_size"?');
  assert.deepEqual(by('schema-unknown-key')[0].range, { start: { line: 6, character: 2 }, end: { line: 6, character: 22 } });
  assert.equal(by('schema-range')[0].message, '"serving.max_model_len" must be at least 1; got -5.');
});

test('vllm serve --config files are read (kebab-case options) and sized on the default GPU', () => {
  const r = run('report', 'test/fixtures/cli/vllm-config.yaml', '--json', '--gpu', 'A100-80GB');
  const j = JSON.parse(r.stdout);
  const d = j.deployments[0];
  assert.equal(d.format, 'vllm-config');
  assert.equal(d.model.id, 'Qwen/Qwen3-14B');
  assert.equal(d.parallelism.tp, 2);
  assert.equal(d.serving.max_model_len, 32768);
  assert.equal(d.serving.gpu_memory_utilization, 0.92);
  assert.equal(d.gpu.id, 'A100-SXM4-80GB');
  assert.equal(d.gpu.origin, 'default');
});

test('exit 2 and one line for missing files, directories and bad usage; never a stack trace', () => {
  for (const args of [['report', 'no/such/file.yaml'], ['report', 'examples'], ['report'], ['frobnicate'], ['report', 'examples/chat-70b.yaml', '--bogus']]) {
    const r = run(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^llm-sizer: /);
  }
});

test('models and gpus list the catalogs', () => {
  const models = JSON.parse(run('models', '--json').stdout);
  assert.ok(models.length >= 40);
  const l8 = models.find((m: { id: string }) => m.id === 'meta-llama/Llama-3.1-8B-Instruct');
  assert.equal(l8.kv_bytes_per_token, 131072);
  const gpus = JSON.parse(run('gpus', '--json').stdout);
  assert.ok(gpus.length >= 25);
  assert.ok(run('gpus').stdout.includes('H100-SXM'));
});

test('calibrate reads a vLLM log and emits the calibration block', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-sizer-'));
  const log = path.join(dir, 'vllm.log');
  fs.writeFileSync(
    log,
    [
      'INFO 02-26 09:54:02 model_runner.py:1115] Loading model weights took 5.2032 GB',
      'INFO 02-26 09:54:05 worker.py:267] the current vLLM instance can use total_gpu_memory (8.00GiB) x gpu_memory_utilization (0.70) = 5.60GiB',
      'INFO 02-26 09:54:05 worker.py:267] model weights take 5.20GiB; non_torch_memory takes 0.03GiB; PyTorch activation peak memory takes 1.42GiB; the rest of the memory reserved for KV Cache is -1.05GiB.',
    ].join('\n'),
  );
  const r = run('calibrate', log);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes('calibration:\n  total_memory_gib: 8\n  weights_gib: 5.2\n  activation_peak_gib: 1.42\n  non_torch_gib: 0.03'));
});
