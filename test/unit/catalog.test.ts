// Built-in catalogs: schema-valid, looked up by the names people paste, parameter totals matching model cards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_GPUS, BUILTIN_MODEL_FILES, builtinCatalog, normalizeName } from '../../server/src/catalog/index';
import { validateData } from '../../server/src/schemaValidation';
import { paramCounts } from '../../server/src/engine/params';

const cat = builtinCatalog();

test('every built-in model entry is valid against schemas/model.schema.json', () => {
  let n = 0;
  for (const [file, f] of Object.entries(BUILTIN_MODEL_FILES)) {
    for (const m of f.models) {
      assert.deepEqual(validateData('model', m), [], `${file}: ${m.id}`);
      assert.ok(m.source && m.source.length > 10, `${m.id} names its source`);
      n++;
    }
  }
  assert.ok(n >= 40, `at least 40 models, got ${n}`);
});

test('every built-in GPU entry is valid against schemas/hardware.schema.json and names its sources', () => {
  for (const g of BUILTIN_GPUS) {
    assert.deepEqual(validateData('hardware', g), [], g.id);
    assert.ok((g.sources ?? []).length > 0, `${g.id} has sources`);
  }
  assert.ok(BUILTIN_GPUS.length >= 25, `at least 25 GPUs, got ${BUILTIN_GPUS.length}`);
});

test('no normalized GPU alias maps to two GPUs, no model id or alias repeats', () => {
  const seen = new Map<string, string>();
  for (const g of BUILTIN_GPUS) for (const a of [g.id, g.name, ...(g.aliases ?? [])]) {
    const k = normalizeName(a);
    assert.ok(!seen.has(k) || seen.get(k) === g.id, `${a} maps to ${seen.get(k)} and ${g.id}`);
    seen.set(k, g.id);
  }
  const ids = new Map<string, string>();
  for (const m of cat.modelEntries()) for (const a of [m.id, ...(m.aliases ?? [])]) {
    const k = a.toLowerCase();
    assert.ok(!ids.has(k) || ids.get(k) === m.id, `${a} repeats`);
    ids.set(k, m.id);
  }
});

test('GPU names people paste resolve: nvidia-smi names, short names, any case and punctuation', () => {
  const cases: Array<[string, string]> = [
    ['NVIDIA H100 80GB HBM3', 'H100-SXM'],
    ['NVIDIA A100-SXM4-80GB', 'A100-SXM4-80GB'],
    ['NVIDIA GeForce RTX 3090', 'RTX-3090'],
    ['NVIDIA RTX A6000', 'RTX-A6000'],
    ['NVIDIA L40', 'L40'],
    ['H100', 'H100-SXM'],
    ['h100-sxm', 'H100-SXM'],
    ['A100-80GB', 'A100-SXM4-80GB'],
    ['l4', 'L4'],
    ['MI300X', 'MI300X'],
    ['amd instinct mi300x', 'MI300X'],
  ];
  for (const [name, id] of cases) assert.equal(cat.findGpuEntry(name)?.id, id, name);
  assert.equal(cat.findGpuEntry('H1000'), undefined);
  assert.ok(cat.closestGpus('H1000').includes('H100-SXM'));
});

test('model lookups are case-insensitive and suggest close names', () => {
  assert.equal(cat.findModelEntry('META-LLAMA/llama-3.1-8b-instruct')?.id, 'meta-llama/Llama-3.1-8B-Instruct');
  assert.equal(cat.findModelEntry('meta-llama/Llama-3.1-8B-Instrukt'), undefined);
  assert.equal(cat.closestModels('meta-llama/Llama-3.1-8B-Instrukt')[0], 'meta-llama/Llama-3.1-8B-Instruct');
});

test('the models the issue names are all in the catalog', () => {
  const want = [
    'meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-405B-Instruct', 'meta-llama/Llama-3.2-1B-Instruct',
    'meta-llama/Llama-3.2-3B-Instruct', 'meta-llama/Llama-3.3-70B-Instruct', 'meta-llama/Llama-4-Scout-17B-16E-Instruct', 'meta-llama/Llama-4-Maverick-17B-128E-Instruct',
    'Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2.5-14B-Instruct', 'Qwen/Qwen2.5-32B-Instruct', 'Qwen/Qwen2.5-72B-Instruct', 'Qwen/Qwen3-0.6B', 'Qwen/Qwen3-1.7B',
    'Qwen/Qwen3-4B', 'Qwen/Qwen3-8B', 'Qwen/Qwen3-14B', 'Qwen/Qwen3-32B', 'Qwen/Qwen3-30B-A3B', 'Qwen/Qwen3-235B-A22B', 'mistralai/Mistral-7B-v0.1',
    'mistralai/Mixtral-8x7B-v0.1', 'mistralai/Mixtral-8x22B-v0.1', 'deepseek-ai/DeepSeek-V2-Lite', 'deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-R1',
    'google/gemma-2-9b-it', 'google/gemma-3-27b-it', 'microsoft/Phi-3.5-mini-instruct', 'microsoft/phi-4', 'openai/gpt-oss-20b', 'openai/gpt-oss-120b',
    'meta-llama/Llama-3.1-405B-Instruct-FP8', 'Qwen/Qwen3-235B-A22B-FP8',
  ];
  for (const id of want) assert.ok(cat.findModelEntry(id), id);
});

test('parameter totals match published counts within 1% (vision towers and unembedding conventions accounted)', () => {
  let checked = 0;
  for (const e of cat.modelEntries()) {
    const pub = e.published_params;
    if (!pub?.total) continue;
    const r = cat.resolveModel(e.id)!;
    const p = paramCounts(r.arch);
    if ((pub as { includes_vision?: boolean }).includes_vision) {
      // The card counts a vision tower the text model lacks: text params are below the total, within 3%.
      assert.ok(p.total < pub.total && p.total > 0.97 * pub.total, `${e.id}: ${p.total} vs ${pub.total}`);
    } else {
      const err = Math.abs(p.total - pub.total) / pub.total;
      assert.ok(err < 0.01, `${e.id}: computed ${p.total}, published ${pub.total} (${(err * 100).toFixed(2)}%)`);
    }
    if (pub.active) {
      const conv = pub as { active_excludes_lm_head?: boolean; active_excludes_embedding?: boolean };
      const active = p.active - (conv.active_excludes_lm_head ? p.byComponent.lm_head : 0) - (conv.active_excludes_embedding ? p.byComponent.embedding : 0);
      assert.ok(Math.abs(active - pub.active) / pub.active < 0.03, `${e.id} active: ${active} vs ${pub.active}`);
    }
    checked++;
  }
  assert.ok(checked >= 25, `checked ${checked}`);
});

test('exact totals where the model card gives them', () => {
  const exact: Record<string, number> = {
    'meta-llama/Llama-3.1-8B-Instruct': 8030261248,
    'meta-llama/Llama-3.1-70B-Instruct': 70553706496,
    'meta-llama/Llama-2-7b-hf': 6738415616,
    'mistralai/Mistral-7B-v0.1': 7241732096,
    'Qwen/Qwen2.5-72B-Instruct': 72706203648,
    'deepseek-ai/DeepSeek-V2-Lite': 15706484224,
  };
  for (const [id, n] of Object.entries(exact)) assert.equal(paramCounts(cat.resolveModel(id)!.arch).total, n, id);
});
