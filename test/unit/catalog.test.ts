// Built-in catalogs: schema-valid, looked up by the names people paste, parameter totals matching model cards.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { BUILTIN_GPUS, BUILTIN_MODEL_FILES, builtinCatalog, normalizeName } from '../../server/src/catalog/index';
import { validateData } from '../../server/src/analysis/schemaValidation';
import { MIXED_PRECISION } from '../../server/src/catalog/engineSupport';
import { paramCounts, tensorsOf } from '../../server/src/engine/params';
import { weightsPerRank } from '../../server/src/engine/weights';

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
  assert.ok(n >= 150, `at least 150 model ids (aliases not counted), got ${n}`);
});

test('every built-in GPU entry is valid against schemas/hardware.schema.json and names its sources', () => {
  for (const g of BUILTIN_GPUS) {
    assert.deepEqual(validateData('hardware', g), [], g.id);
    assert.ok((g.sources ?? []).length > 0, `${g.id} has sources`);
  }
  assert.ok(BUILTIN_GPUS.length >= 40, `at least 40 GPUs, got ${BUILTIN_GPUS.length}`);
});

test('no normalized GPU alias maps to two GPUs, no model id or alias repeats', () => {
  const seen = new Map<string, string>();
  for (const g of BUILTIN_GPUS)
    for (const a of [g.id, g.name, ...(g.aliases ?? [])]) {
      const k = normalizeName(a);
      assert.ok(!seen.has(k) || seen.get(k) === g.id, `${a} maps to ${seen.get(k)} and ${g.id}`);
      seen.set(k, g.id);
    }
  const ids = new Map<string, string>();
  for (const m of cat.modelEntries())
    for (const a of [m.id, ...(m.aliases ?? [])]) {
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
    'meta-llama/Llama-3.1-8B-Instruct',
    'meta-llama/Llama-3.1-70B-Instruct',
    'meta-llama/Llama-3.1-405B-Instruct',
    'meta-llama/Llama-3.2-1B-Instruct',
    'meta-llama/Llama-3.2-3B-Instruct',
    'meta-llama/Llama-3.3-70B-Instruct',
    'meta-llama/Llama-4-Scout-17B-16E-Instruct',
    'meta-llama/Llama-4-Maverick-17B-128E-Instruct',
    'Qwen/Qwen2.5-7B-Instruct',
    'Qwen/Qwen2.5-14B-Instruct',
    'Qwen/Qwen2.5-32B-Instruct',
    'Qwen/Qwen2.5-72B-Instruct',
    'Qwen/Qwen3-0.6B',
    'Qwen/Qwen3-1.7B',
    'Qwen/Qwen3-4B',
    'Qwen/Qwen3-8B',
    'Qwen/Qwen3-14B',
    'Qwen/Qwen3-32B',
    'Qwen/Qwen3-30B-A3B',
    'Qwen/Qwen3-235B-A22B',
    'mistralai/Mistral-7B-v0.1',
    'mistralai/Mixtral-8x7B-v0.1',
    'mistralai/Mixtral-8x22B-v0.1',
    'deepseek-ai/DeepSeek-V2-Lite',
    'deepseek-ai/DeepSeek-V3',
    'deepseek-ai/DeepSeek-R1',
    'google/gemma-2-9b-it',
    'google/gemma-3-27b-it',
    'microsoft/Phi-3.5-mini-instruct',
    'microsoft/phi-4',
    'openai/gpt-oss-20b',
    'openai/gpt-oss-120b',
    'meta-llama/Llama-3.1-405B-Instruct-FP8',
    'Qwen/Qwen3-235B-A22B-FP8',
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
      // A checkpoint that stores its tied unembedding twice (Falcon) publishes the copy in its total.
      const counted = p.total + ((pub as { includes_tied_lm_head_copy?: boolean }).includes_tied_lm_head_copy ? p.byComponent.embedding : 0);
      const err = Math.abs(counted - pub.total) / pub.total;
      assert.ok(err < 0.01, `${e.id}: computed ${counted}, published ${pub.total} (${(err * 100).toFixed(2)}%)`);
    }
    if (pub.active) {
      const conv = pub as { active_excludes_lm_head?: boolean; active_excludes_embedding?: boolean; active_excludes_vision?: boolean };
      const active =
        p.active -
        (conv.active_excludes_lm_head ? p.byComponent.lm_head : 0) -
        (conv.active_excludes_embedding ? p.byComponent.embedding : 0) -
        (conv.active_excludes_vision ? (p.byComponent.vision ?? 0) : 0);
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

/**
 * Entries kept verbatim whose config the engine cannot size yet, each with the reason. The list is exact: an entry
 * that sizes must leave it, one that does not must be on it.
 */
/** Architectures the catalog refuses to size (server/src/catalog/engineSupport.ts), by model_type. */
const misSized = (type: string, ids: string[]) => Object.fromEntries(ids.map((id) => [id, `mis-sized model_type ${type}`]));
const EXPECTED_UNSUPPORTED: Record<string, string> = {
  'moonshotai/Kimi-K3': 'kimi_linear text_config: hidden_size 7168 is not divisible by its 96 heads and no head_dim is read (MLA / linear attention fields)',
  'google/gemma-4-26B-A4B': 'gemma-4 MoE field names (no num_experts_per_tok) are not read',
  'nvidia/Gemma-4-26B-A4B-NVFP4': 'gemma-4 MoE field names (no num_experts_per_tok) are not read',
  'nvidia/Qwen3.6-35B-A3B-NVFP4': 'mixed precision',
  'nvidia/Qwen3.6-27B-NVFP4': 'mixed precision',
  ...misSized('deepseek_v4', [
    'deepseek-ai/DeepSeek-V4-Flash',
    'deepseek-ai/DeepSeek-V4-Pro',
    'nvidia/DeepSeek-V4-Flash-NVFP4',
    'nvidia/DeepSeek-V4-Pro-NVFP4',
  ]),
  ...misSized('deepseek_ref', ['sgl-project/DeepSeek-V4-Flash-FP8', 'sgl-project/DeepSeek-V4-Pro-FP8']),
  ...misSized('mimo_v2_flash', ['XiaomiMiMo/MiMo-V2-Flash']),
  ...misSized('minimax_m3', ['MiniMaxAI/MiniMax-M3']),
  ...misSized('minimax_m3_vl', ['nvidia/MiniMax-M3-NVFP4']),
  ...misSized('nemotron-nas', ['nvidia/Llama-3_3-Nemotron-Super-49B-v1']),
  ...misSized('nemotron_h', [
    'nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16',
    'nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4',
    'nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8',
    'nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4',
    'nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16',
    'nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-FP8',
    'nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-NVFP4',
    'nvidia/NVIDIA-Nemotron-3.5-Lightning-30B-A3B-NVFP4',
    'nvidia/Nemotron-H-56B-Base-8K',
  ]),
  ...misSized('step3p7', ['stepfun-ai/Step-3.7-Flash', 'stepfun-ai/Step-3.7-Flash-FP8']),
  ...misSized('starcoder2', ['bigcode/starcoder2-7b']),
  ...misSized('cohere', ['CohereForAI/aya-23-8B']),
  'zai-org/glm-4-9b-chat': 'ChatGLM field names (padded_vocab_size, ffn_hidden_size, multi_query_group_num) are not read',
};

test('every catalog model sizes, or is listed as expected-unsupported with its reason', () => {
  const failures: string[] = [];
  const nowSized: string[] = [];
  for (const e of cat.modelEntries()) {
    let err: string | null = null;
    try {
      const p = paramCounts(cat.resolveModel(e.id)!.arch);
      if (!(p.total > 0) || !Number.isFinite(p.total)) err = `total ${p.total}`;
    } catch (x) {
      err = (x as Error).message;
    }
    if (err && !EXPECTED_UNSUPPORTED[e.id]) failures.push(`${e.id}: ${err}`);
    const type = /^mis-sized model_type (.+)$/.exec(EXPECTED_UNSUPPORTED[e.id] ?? '')?.[1];
    if (err && type) assert.ok(err.startsWith(`model_type "${type}": `) && err.length > type.length + 40, `${e.id}: ${err}`);
    if (err && EXPECTED_UNSUPPORTED[e.id] === 'mixed precision') assert.equal(err, MIXED_PRECISION, e.id);
    if (!err && EXPECTED_UNSUPPORTED[e.id]) nowSized.push(e.id);
  }
  assert.deepEqual(failures, [], 'entries that fail to size without a listed reason');
  assert.deepEqual(nowSized, [], 'entries listed as unsupported that now size: remove them from EXPECTED_UNSUPPORTED');
  for (const id of Object.keys(EXPECTED_UNSUPPORTED)) assert.ok(cat.findModelEntry(id), `${id} is listed but not in the catalog`);
});

test('a derived entry takes every field but quantization_config (and torch_dtype) from its base', () => {
  for (const e of cat.modelEntries()) {
    if (!e.base) continue;
    assert.ok(cat.findModelEntry(e.base), `${e.id}: base ${e.base} is in the catalog`);
    // AWQ/GPTQ checkpoints also state the dtype of their unquantized tensors (float16), which decides GPU support.
    assert.deepEqual(
      Object.keys(e.config).filter((k) => k !== 'quantization_config' && k !== 'torch_dtype'),
      [],
      `${e.id} overrides only quantization_config (and torch_dtype)`,
    );
  }
});

test('the models and GPUs of the measured silicon runs are all in the catalog', () => {
  const csv = readFileSync(join(__dirname, '..', 'data', 'calibration', 'silicon', 'silicon_train.csv'), 'utf8')
    .trim()
    .split('\n');
  const head = csv[0].split(',');
  const models = new Set<string>();
  const systems = new Set<string>();
  for (const line of csv.slice(1)) {
    const cells = line.split(',');
    models.add(cells[head.indexOf('model_path')]);
    systems.add(cells[head.indexOf('system')]);
  }
  assert.equal(models.size, 10);
  for (const m of models) assert.ok(paramCounts(cat.resolveModel(m)!.arch).total > 0, `${m} is in the catalog and sizes`);
  const want: Record<string, string> = { h100_sxm: 'H100-SXM', h200_sxm: 'H200-SXM', b200_sxm: 'B200', b300_sxm: 'B300', gb200: 'GB200', gb300: 'GB300' };
  assert.deepEqual([...systems].sort(), Object.keys(want).sort());
  for (const s of systems) assert.equal(cat.findGpuEntry(s)?.id, want[s], s);
});

test('nvidia-smi and rocm-smi names of the newer GPUs resolve', () => {
  const cases: Array<[string, string]> = [
    ['NVIDIA B300 SXM6 AC', 'B300'],
    ['NVIDIA GB300', 'GB300'],
    ['NVIDIA GB300 NVL', 'GB300'],
    ['NVIDIA H20', 'H20'],
    ['NVIDIA H800', 'H800-SXM'],
    ['NVIDIA H800 PCIe', 'H800-PCIe'],
    ['NVIDIA A800-SXM4-80GB', 'A800-SXM4-80GB'],
    ['NVIDIA GH200 480GB', 'GH200-96GB'],
    ['AMD Instinct MI355X', 'MI355X'],
    ['NVIDIA RTX PRO 6000 Blackwell Server Edition', 'RTX-PRO-6000-Server'],
    ['NVIDIA RTX PRO 6000 Blackwell Workstation Edition', 'RTX-PRO-6000-Workstation'],
    ['NVIDIA GeForce RTX 4090 D', 'RTX-4090D'],
    ['NVIDIA GeForce RTX 5090 D', 'RTX-5090D'],
  ];
  for (const [name, id] of cases) assert.equal(cat.findGpuEntry(name)?.id, id, name);
  // The 4090 D is its own card: the plain 4090 name must not land on it, nor the reverse.
  assert.equal(cat.findGpuEntry('NVIDIA GeForce RTX 4090')?.id, 'RTX-4090');
});

test('GPU memory as nvidia-smi reports it, from the public source each entry names', () => {
  const MiB = 1024 * 1024;
  // aiconfigurator systems/*.yaml: 'NNN MiB reported by nvidia-smi'
  assert.equal(cat.findGpuEntry('B300')!.memory_bytes, 275040 * MiB);
  assert.equal(cat.findGpuEntry('GB300')!.memory_bytes, 284208 * MiB);
  assert.equal(cat.findGpuEntry('RTX-PRO-6000-Server')!.memory_bytes, 97887 * MiB);
  // Blackwell Ultra dense FP4 14 PF (B300) / 15 PF (GB300), INT8 cut to 153.5 / 165 TOPS (same source).
  assert.equal(cat.resolveGpu('B300')!.flopsDense.fp4, 14e15);
  assert.equal(cat.resolveGpu('GB300')!.flopsDense.int8, 165e12);
});

// Weights per GPU of derived quantized entries, from the checkpoint layout (tp = 1, one GPU holds every tensor).
const weightsOf = (id: string) => {
  const arch = cat.resolveModel(id)!.arch;
  return weightsPerRank(arch, tensorsOf(arch), { tp: 1, pp: 1, dp: 1, expertParallel: false }, arch.dtype, arch.quant)[0].bytes;
};

test('AWQ (Qwen/Qwen2.5-7B-Instruct-AWQ): int4 packed weights plus an fp16 scale and a packed 4-bit zero per 128 inputs', () => {
  const [H, L, I, V, kv] = [3584, 28, 18944, 152064, 4 * 128];
  const linears = H * H + 2 * H * kv + H * H + 3 * H * I; // q, k, v, o, gate, up, down
  // AutoAWQ GEMM: qweight int32 (8 per word) = 0.5 B/param; scales fp16 and qzeros (4-bit) per group of 128 inputs.
  const awq = linears / 2 + (linears / 128) * (2 + 0.5);
  const fp16 = 2 * (H + 2 * kv /* q, k, v biases */ + 2 * H); /* norms */
  const perLayer = awq + fp16;
  const embedAndHead = 2 * (2 * V * H); // untied, fp16, vocab already a multiple of 64
  const rope = 32768 * 128 * 2; // vLLM cos/sin cache: max_position_embeddings x head_dim, fp16
  assert.equal(weightsOf('Qwen/Qwen2.5-7B-Instruct-AWQ'), L * perLayer + embedAndHead + 2 * H /* final norm */ + rope);
});

test('FP8 block-wise (Qwen/Qwen3-32B-FP8): one byte per weight plus one fp32 scale per 128x128 block', () => {
  const [H, L, I, V, q, kv] = [5120, 64, 25600, 151936, 64 * 128, 8 * 128];
  const linears = H * q + 2 * H * kv + q * H + 3 * H * I;
  const perLayer = linears + (linears / (128 * 128)) * 4 + 2 * (2 * H + 2 * 128); /* q_norm, k_norm */
  const embedAndHead = 2 * (2 * V * H); // bf16, untied (lm_head is not quantized by vLLM's Fp8Config)
  const rope = 40960 * 128 * 2;
  assert.equal(weightsOf('Qwen/Qwen3-32B-FP8'), L * perLayer + embedAndHead + 2 * H + rope);
});

test('NVFP4 (nvidia/Qwen3-235B-A22B-NVFP4, ModelOpt): half a byte per weight plus an fp8 scale per 16; router and lm_head stay bf16', () => {
  const [H, L, E, Im, V, q, kv] = [4096, 94, 128, 1536, 151936, 64 * 128, 4 * 128];
  const attn = H * q + 2 * H * kv + q * H;
  const experts = E * 3 * H * Im;
  const nvfp4 = (n: number) => n / 2 + n / 16;
  const bf16 = 2 * (H * E /* router (mlp.gate, excluded) */ + 2 * H + 2 * 128);
  const perLayer = nvfp4(attn + experts) + bf16;
  const rope = 40960 * 128 * 2;
  assert.equal(weightsOf('nvidia/Qwen3-235B-A22B-NVFP4'), L * perLayer + 2 * (2 * V * H) + 2 * H + rope);
});
