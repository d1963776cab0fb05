// Every quick fix applied to its file and the file checked again: the diagnostic it fixes is gone, no new problem
// appears, and the edit lands where the format reads the setting (native serving:, vLLM config keys, container args in
// both `--flag=value` and `--flag value` forms, production-stack vllmConfig/extraArgs, Ray engine_kwargs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver';
import { LanguageService } from '../../server/src/lsp/languageService';
import { analyzeText } from '../../server/src/analysis/analysis';
import { offsetAt } from '../../server/src/lsp/features/settingEdits';

const svc = new LanguageService();
let version = 0;
const doc = (text: string, uri = 'file:///w/plan.yaml') => ({ uri, version: ++version, getText: () => text });

function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetAt(out, e.range.start)) + e.newText + out.slice(offsetAt(out, e.range.end));
  return out;
}

function diagnostics(text: string): Diagnostic[] {
  return svc.diagnostics(doc(text));
}

function fixesFor(text: string, code: string): { diag: Diagnostic; actions: CodeAction[] } {
  const d = doc(text);
  const diag = svc.diagnostics(d).find((x) => x.code === code);
  assert.ok(
    diag,
    `no ${code} in ${svc
      .diagnostics(d)
      .map((x) => x.code)
      .join(', ')}`,
  );
  const actions = svc.codeActions(d, { textDocument: { uri: d.uri }, range: diag.range, context: { diagnostics: [diag] } });
  return { diag, actions };
}

/** Applies the fix titled `title` for `code` and checks the result; returns the new text. */
function applyFix(text: string, code: string, title: RegExp): string {
  const before = diagnostics(text).map((x) => String(x.code));
  const { actions } = fixesFor(text, code);
  const a = actions.find((x) => title.test(x.title));
  assert.ok(a, `no fix ${title} for ${code}: ${actions.map((x) => x.title).join(' | ')}`);
  const edits = Object.values(a.edit!.changes!)[0];
  const after = applyEdits(text, edits);
  const now = diagnostics(after).map((x) => String(x.code));
  assert.ok(!now.includes(code), `${code} still there after "${a.title}":\n${after}`);
  const added = now.filter((c) => !before.includes(c));
  assert.deepEqual(added, [], `"${a.title}" added problems:\n${after}`);
  return after;
}

const PLAN = (serving: string, extra = '') => `apiVersion: llm-sizer/v1
kind: ServingPlan
metadata: {name: p}
model: meta-llama/Llama-3.1-70B-Instruct
hardware:
  gpu: H100
  count: 6
serving:
  engine_version: "0.11.0"
${serving}${extra}`;

test('native plan: tp 6 on 64 heads is set to 4 with the GPU count in step', () => {
  // max_num_seqs 64: the KV cache of 4 GPUs still holds every running request, so the fix adds no other warning.
  const text = PLAN('  tensor_parallel_size: 6\n  max_num_seqs: 64\n');
  const after = applyFix(text, 'heads-not-divisible', /^Set tensor_parallel_size to 4$/);
  assert.equal(after, text.replace('tensor_parallel_size: 6', 'tensor_parallel_size: 4').replace('count: 6', 'count: 4'));
});

test("native plan: Little's Law overload gets data_parallel_size and the GPU count for the replicas needed", () => {
  const text = PLAN(
    '  tensor_parallel_size: 4\n  data_parallel_size: 1\n',
    'workload: {requests_per_second: 20, input_tokens: 2000, output_tokens: 300}\n',
  ).replace('count: 6', 'count: 4');
  const { diag } = fixesFor(text, 'littles-law-overload');
  const n = (diag.data as { replicasNeeded: number }).replicasNeeded;
  assert.ok(n > 1);
  const after = applyFix(text, 'littles-law-overload', /^Set data_parallel_size to \d+/);
  assert.equal(after, text.replace('data_parallel_size: 1', `data_parallel_size: ${n}`).replace('count: 4', `count: ${4 * n}`));
});

test('native plan: a GPU count that does not match tp x pp x dp is set to the product', () => {
  const text = PLAN('  tensor_parallel_size: 8\n').replace('count: 6', 'count: 4');
  const after = applyFix(text, 'gpu-count-mismatch', /^Set the GPU count to 8/);
  assert.equal(after, text.replace('count: 4', 'count: 8'));
});

test('vLLM config: max_model_len past the model is set to its max_position_embeddings; kv_cache_dtype is added as a key', () => {
  const text = 'model: meta-llama/Llama-3.1-8B-Instruct\nmax-model-len: 200000\n';
  const after = applyFix(text, 'context-beyond-model', /^Set max_model_len to 131072$/);
  assert.equal(after, 'model: meta-llama/Llama-3.1-8B-Instruct\nmax-model-len: 131072\n');
  const kv = 'model: meta-llama/Llama-3.1-70B-Instruct\ntensor-parallel-size: 4\nmax-num-seqs: 512\n';
  const fixed = applyFix(kv, 'kv-limits-concurrency', /^Set kv_cache_dtype to fp8/);
  assert.equal(fixed, `${kv}kv-cache-dtype: fp8\n`);
});

test('vLLM config: `no-enable-prefix-caching` is never renamed to its opposite; an unknown model gets no model-swapping fix', () => {
  const neg = 'model: meta-llama/Llama-3.1-8B-Instruct\nno-enable-prefix-caching: true\n';
  for (const d of diagnostics(neg).filter((x) => x.code === 'schema-unknown-key')) {
    const actions = svc.codeActions(doc(neg), { textDocument: { uri: 'file:///w/plan.yaml' }, range: d.range, context: { diagnostics: [d] } });
    assert.ok(!actions.some((a) => /Rename to "enable-prefix-caching"/.test(a.title)), actions.map((a) => a.title).join(' | '));
  }
  // A different model (other size or family) is never offered; a misspelling of a catalog name is.
  const { diag, actions } = fixesFor(
    PLAN('  tensor_parallel_size: 2\n').replace('meta-llama/Llama-3.1-70B-Instruct', 'google/gemma-2-27b-instruct'),
    'unknown-model',
  );
  assert.ok(((diag.data as { candidates: string[] }).candidates ?? []).length > 0, 'the diagnostic still names similar models');
  assert.deepEqual(
    actions.map((a) => a.title),
    [],
  );
  const typo = fixesFor(PLAN('  tensor_parallel_size: 2\n').replace('Llama-3.1-70B-Instruct', 'Llama-3.1-70B-Instruc'), 'unknown-model');
  assert.deepEqual(
    typo.actions.map((a) => a.title),
    ['Change to "meta-llama/Llama-3.1-70B-Instruct" (spelling)'],
  );
});

const DEPLOYMENT = (args: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: vllm}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: vllm
        image: vllm/vllm-openai:v0.11.0
        args:
${args}        resources:
          limits:
            nvidia.com/gpu: 4
      nodeSelector:
        nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
`;

test('Deployment args: `--tensor-parallel-size=3` is fixed in its `--flag=value` form, the GPU request in step', () => {
  // Llama-3.1-8B: 32 heads, 8 KV heads; tp 3 divides neither, 2 is the largest valid size below it.
  const text = DEPLOYMENT('        - --model=meta-llama/Llama-3.1-8B-Instruct\n        - --tensor-parallel-size=3\n        - --max-num-seqs=64\n').replace(
    'nvidia.com/gpu: 4',
    'nvidia.com/gpu: 3',
  );
  const after = applyFix(text, 'heads-not-divisible', /^Set tensor_parallel_size to 2$/);
  assert.equal(after, text.replace('--tensor-parallel-size=3', '--tensor-parallel-size=2').replace('nvidia.com/gpu: 3', 'nvidia.com/gpu: 2'));
});

test('Deployment args: `--max-model-len 200000` (two items) is fixed in place; kv_cache_dtype is added as a new argument', () => {
  const text = DEPLOYMENT('        - --model\n        - meta-llama/Llama-3.1-8B-Instruct\n        - --max-model-len\n        - "200000"\n').replace(
    'nvidia.com/gpu: 4',
    'nvidia.com/gpu: 1',
  );
  const after = applyFix(text, 'context-beyond-model', /^Set max_model_len to 131072$/);
  // The value keeps its quotes (argv items are strings either way).
  assert.equal(after, text.replace('"200000"', '"131072"'));
  const kv = DEPLOYMENT(
    '        - --model\n        - meta-llama/Llama-3.1-70B-Instruct\n        - --tensor-parallel-size\n        - "4"\n        - --max-num-seqs\n        - "512"\n',
  );
  const fixed = applyFix(kv, 'kv-limits-concurrency', /^Set kv_cache_dtype to fp8/);
  assert.equal(fixed, kv.replace('        - "512"\n', '        - "512"\n        - "--kv-cache-dtype=fp8"\n'));
});

const STACK = (vllmConfig: string) => `servingEngineSpec:
  modelSpec:
  - name: "llama"
    repository: "vllm/vllm-openai"
    tag: "v0.11.0"
    modelURL: "meta-llama/Llama-3.1-70B-Instruct"
    replicaCount: 1
    requestGPU: 4
    vllmConfig:
${vllmConfig}`;

test('production-stack: kv_cache_dtype goes to vllmConfig.extraArgs (the chart has no key for it), never a top-level serving:', () => {
  const text = STACK('      tensorParallelSize: 4\n      maxNumSeqs: 512\n      extraArgs: ["--disable-log-requests"]\n');
  const after = applyFix(text, 'kv-limits-concurrency', /^Set kv_cache_dtype to fp8/);
  assert.equal(after, text.replace('["--disable-log-requests"]', '["--disable-log-requests", "--kv-cache-dtype=fp8"]'));
});

test('production-stack: a vllmConfig key the chart ignores moves to extraArgs; a sizing flag in extraArgs is honoured, not flagged', () => {
  const text = STACK('      tensorParallelSize: 4\n      maxNumBatchedTokens: 8192\n      extraArgs: ["--disable-log-requests"]\n');
  const after = applyFix(text, 'setting-ignored', /^Move to vllmConfig\.extraArgs as --max-num-batched-tokens=8192$/);
  assert.equal(
    after,
    text.replace('      maxNumBatchedTokens: 8192\n', '').replace('["--disable-log-requests"]', '["--disable-log-requests", "--max-num-batched-tokens=8192"]'),
  );
  // A sizing flag in extraArgs is honoured (the chart appends extraArgs last; checked against
  // helm/templates/deployment-vllm-multi.yaml by issue 11), so it is no longer setting-ignored: no fix to offer.
  const flag = STACK('      maxModelLen: 8192\n      extraArgs:\n      - "--tensor-parallel-size=4"\n');
  assert.ok(!analyzeText(flag, { defaultGpu: 'H100' }).diagnostics.some((d) => d.code === 'setting-ignored'));
});

test('Ray Serve: a setting is added under engine_kwargs of its llm_config', () => {
  const text = `applications:
- name: llms
  import_path: ray.serve.llm:build_openai_app
  args:
    llm_configs:
    - model_loading_config:
        model_id: llama
        model_source: meta-llama/Llama-3.1-70B-Instruct
      accelerator_type: H100
      engine_kwargs:
        tensor_parallel_size: 4
        max_num_seqs: 512
`;
  const after = applyFix(text, 'kv-limits-concurrency', /^Set kv_cache_dtype to fp8/);
  assert.equal(after, text.replace('        max_num_seqs: 512\n', '        max_num_seqs: 512\n        kv_cache_dtype: fp8\n'));
});
