// One serving-key table (issue 15 item 2): the native plan schema, the adapters, the hover and quick fixes read the
// same names, kinds and effective values; a setting written in any of its name forms reaches the same engine field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis/analysis';
import { CHART_KEY_OF_OPTION, SERVING_KEY_TABLE, SERVING_KEYS, VLLM_SIZING_OPTIONS, servingValue } from '../../server/src/formats/servingKeys';
import { CHART_VLLM_CONFIG } from '../../server/src/formats/productionStack';
import { servingKeyMarkdown } from '../../server/src/lsp/features/hover';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'deployment.schema.json'), 'utf8'));
const props: Record<
  string,
  { type?: string | string[]; enum?: unknown[]; minimum?: number; exclusiveMinimum?: number; maximum?: number; description?: string }
> = schema.properties.serving.properties;

test('the native plan schema documents exactly the native keys of the table, with the kind the adapters read', () => {
  assert.deepEqual(Object.keys(props).sort(), Object.keys(SERVING_KEYS).sort());
  const schemaType: Record<string, string> = {
    int: 'integer',
    fraction: 'number',
    gib: 'number',
    bool: 'boolean',
    engine: 'string',
    version: 'string',
    str: 'string',
    json: 'string',
  };
  for (const k of SERVING_KEY_TABLE.filter((r) => r.native)) {
    const p = props[k.name];
    assert.ok(p.description && p.description.length > 10, `${k.name} has a description`);
    // An enum's values say its type (engine: vllm | sglang | trtllm).
    const types = p.enum ? [...new Set(p.enum.map((e) => (Number.isInteger(e) ? 'integer' : typeof e)))] : Array.isArray(p.type) ? p.type : [p.type];
    assert.ok(types.includes(schemaType[k.kind]), `${k.name}: schema type ${types} holds ${k.kind}`);
    if (k.kind === 'engine') assert.deepEqual(p.enum, ['vllm', 'sglang', 'trtllm']);
    if (k.kind === 'int') assert.ok(p.minimum === 1 || p.enum?.every((e) => Number.isInteger(e) && (e as number) >= 1), k.name);
    if (k.kind === 'fraction') assert.deepEqual([p.exclusiveMinimum, p.maximum], [0, 1], k.name);
    if (k.kind === 'gib') assert.equal(p.minimum, 0, k.name);
  }
});

test('every name is unique across forms; vLLM aliases and chart keys map back to one field', () => {
  const names = SERVING_KEY_TABLE.flatMap((k) => [k.name, ...(k.aliases ?? [])]);
  assert.equal(new Set(names).size, names.length);
  assert.equal(VLLM_SIZING_OPTIONS.kv_cache_memory, 'kvCacheMemoryBytes');
  assert.equal(VLLM_SIZING_OPTIONS.kv_cache_memory_bytes, 'kvCacheMemoryBytes');
  assert.equal(Object.hasOwn(VLLM_SIZING_OPTIONS, 'mem_fraction_static'), false, 'SGLang-only, not a vLLM option');
  for (const [opt, chart] of Object.entries(CHART_KEY_OF_OPTION)) assert.equal(CHART_VLLM_CONFIG[chart], opt);
  assert.equal(CHART_KEY_OF_OPTION.max_num_seqs, 'maxNumSeqs');
});

test('values are read by kind: whole numbers >= 1, fractions in (0, 1], GiB >= 0, booleans, JSON or mappings', () => {
  assert.equal(servingValue('maxNumSeqs', 64), 64);
  assert.equal(servingValue('maxNumSeqs', 0), undefined);
  assert.equal(servingValue('maxNumSeqs', 2.5), undefined);
  assert.equal(servingValue('gpuMemoryUtilization', 1), 1);
  assert.equal(servingValue('gpuMemoryUtilization', 1.2), undefined);
  assert.equal(servingValue('cpuOffloadGb', 0), 0);
  assert.equal(servingValue('enforceEager', 'true'), undefined);
  assert.equal(servingValue('quantization', null), null);
  assert.deepEqual(servingValue('speculativeConfig', { method: 'ngram' }), { method: 'ngram' });
  assert.equal(servingValue('speculativeConfig', '  '), undefined);
  assert.equal(servingValue('engine', 'tgi'), undefined);
});

const NATIVE = (serving: string) => `apiVersion: llm-sizer/v1
kind: ServingPlan
metadata: {name: lora}
model: meta-llama/Llama-3.1-8B-Instruct
hardware: {gpu: L40S, count: 1}
serving:
  engine_version: "0.11.0"
  max_model_len: 16384
${serving}
`;
const VLLM_CONFIG = (extra: string) => `# vllm serve --config
model: meta-llama/Llama-3.1-8B-Instruct
max-model-len: 16384
${extra}
`;

test('LoRA, offload and KV-memory settings in a native plan size exactly as the same vLLM options do', () => {
  const plan = analyzeText(NATIVE('  enable_lora: true\n  max_loras: 4\n  max_lora_rank: 64\n  cpu_offload_gb: 2\n'), {
    defaultGpu: 'L40S',
    defaultEngineVersion: '0.11.0',
  });
  const cfg = analyzeText(VLLM_CONFIG('enable-lora: true\nmax-loras: 4\nmax-lora-rank: 64\ncpu-offload-gb: 2'), {
    defaultGpu: 'L40S',
    defaultEngineVersion: '0.11.0',
  });
  assert.deepEqual(
    plan.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const a = plan.deployments[0].sizing!;
  const b = cfg.deployments[0].sizing!;
  // Llama-3.1-8B: 4 slots x rank 64 x 81,920 (in + out per layer, see extras.test.ts) x 32 layers x 2 B.
  assert.equal(a.terms.find((t) => t.key === 'lora')?.bytes, 4 * 64 * 81920 * 32 * 2);
  assert.equal(a.memory.weightsBytes, b.memory.weightsBytes);
  assert.equal(a.kv.numBlocks, b.kv.numBlocks);
  // Before the table these keys were schema errors in a native plan.
  assert.equal(
    plan.diagnostics.some((d) => d.code === 'schema'),
    false,
  );
});

test('a speculative_config mapping in a native plan is read as vLLM reads the JSON text', () => {
  const spec = '{"method":"ngram","num_speculative_tokens":4}';
  const m = analyzeText(NATIVE('  speculative_config:\n    method: ngram\n    num_speculative_tokens: 4\n'), { defaultGpu: 'L40S' });
  const j = analyzeText(NATIVE(`  speculative_config: '${spec}'\n`), { defaultGpu: 'L40S' });
  assert.deepEqual(m.deployments[0].deployment.serving.speculativeConfig, { method: 'ngram', num_speculative_tokens: 4 });
  assert.equal(j.deployments[0].deployment.serving.speculativeConfig, spec);
});

test('the hover shows the effective value from the table for native and vLLM-config spellings alike', () => {
  const plan = analyzeText(NATIVE('  max_num_seqs: 48\n'), { defaultGpu: 'L40S' }).deployments[0];
  const cfg = analyzeText(VLLM_CONFIG('max-num-seqs: 48'), { defaultGpu: 'L40S' }).deployments[0];
  assert.match(servingKeyMarkdown(plan, 'max_num_seqs')!, /Effective value: `48`/);
  assert.match(servingKeyMarkdown(cfg, 'max-num-seqs')!, /\*\*max-num-seqs\*\* \(`--max-num-seqs`\)[\s\S]*Effective value: `48`/);
  // A key outside the table has no effective value (and never reaches Object.prototype).
  assert.equal(servingKeyMarkdown(plan, '__proto__'), null);
});
