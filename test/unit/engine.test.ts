// Engine I: KV bytes, weights under tp/pp/ep, vLLM's block arithmetic and startup errors, from first principles.
import { textConfigOf } from '../../server/src/engine/model';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog/index';
import { kvLayers } from '../../server/src/engine/kvcache';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { LATEST_VLLM } from '../../server/src/engine/vllmVersion';
import type { ServingInput } from '../../server/src/engine/memory';
import { modelFromConfig } from '../../server/src/engine/model';
import { paramCounts, tensorsOf } from '../../server/src/engine/params';
import { ppLayerRanges, weightsPerRank } from '../../server/src/engine/weights';
import { GiB, MiB } from '../../server/src/engine/units';

const cat = builtinCatalog();
const H100 = cat.resolveGpu('H100')!;
const serve = (over: Partial<ServingInput>): ServingInput => ({ ...defaultServing(), engineVersion: '0.11.0', ...over });

test('KV bytes per token for every catalog model equal the formula over its config fields', () => {
  for (const e of cat.modelEntries()) {
    let resolved;
    try {
      resolved = cat.resolveModel(e.id)!;
    } catch {
      continue; // not sizable yet: test/unit/catalog.test.ts holds the exact list with reasons
    }
    const { config, arch } = resolved;
    // Multimodal wrappers keep the text model's fields under text_config (read as vLLM reads them).
    const c = textConfigOf(config as Record<string, unknown>).text as Record<string, number | boolean | string>;
    let L = (c.num_hidden_layers ?? c.n_layer) as number;
    // Gated DeltaNet hybrids (Qwen3-Next, Qwen3.5/3.6): only full-attention layers hold per-token KV.
    const types = (c as Record<string, unknown>).layer_types;
    if (Array.isArray(types) && types.some((t) => t === 'linear_attention')) L = types.filter((t) => t === 'full_attention').length;
    else if (c.full_attention_interval) L = Math.floor(L / (c.full_attention_interval as number));
    let expected: number;
    if (c.kv_lora_rank) {
      // MLA caches the latent: (kv_lora_rank + qk_rope_head_dim) elements per layer, bf16.
      expected = L * ((c.kv_lora_rank as number) + (c.qk_rope_head_dim as number)) * 2;
    } else {
      const heads = (c.num_attention_heads ?? c.n_head) as number;
      // Falcon (vLLM FalconAttention): the new decoder architecture (vLLM's RWConfig forces it for the legacy names at
      // hidden_size 8192, falcon-40b) reads num_kv_heads or n_head_kv; otherwise multi_query means one KV head.
      const falcon = c.model_type === 'falcon' || c.model_type === 'RefinedWeb' || c.model_type === 'RefinedWebModel';
      const falconKv =
        c.new_decoder_architecture === true || (c.model_type !== 'falcon' && c.hidden_size === 8192)
          ? ((c.num_kv_heads ?? c.n_head_kv) as number)
          : c.multi_query === true
            ? 1
            : heads;
      const kv = falcon ? falconKv : ((c.num_key_value_heads as number) ?? heads);
      const d = (c.head_dim as number) ?? ((c.hidden_size ?? c.n_embd) as number) / heads;
      expected = L * 2 * kv * d * 2; // K and V, bf16/fp16
    }
    const got = kvLayers(arch, { tp: 1, elementBytes: 2, mlaLatent: true }).reduce((s, l) => s + l.bytesPerTokenUnsharded, 0);
    assert.equal(got, expected, e.id);
  }
});

test('known KV sizes: Llama-3.1-8B 128 KiB/token, 70B 320 KiB/token, Qwen3-14B 160 KiB/token, DeepSeek-V3 MLA 70,272 B/token', () => {
  const kv = (id: string) =>
    kvLayers(cat.resolveModel(id)!.arch, { tp: 1, elementBytes: 2, mlaLatent: true }).reduce((s, l) => s + l.bytesPerTokenUnsharded, 0);
  assert.equal(kv('meta-llama/Llama-3.1-8B-Instruct'), 32 * 2 * 8 * 128 * 2);
  assert.equal(kv('meta-llama/Llama-3.1-8B-Instruct'), 131072);
  assert.equal(kv('meta-llama/Llama-3.1-70B-Instruct'), 327680);
  assert.equal(kv('Qwen/Qwen3-14B'), 163840);
  assert.equal(kv('deepseek-ai/DeepSeek-V3'), 61 * 576 * 2);
});

test('KV heads are replicated when tp exceeds them: Llama-3.1-70B (8 KV heads) at tp=16 keeps one head per GPU', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-70B-Instruct')!.arch;
  const perGpu = (tp: number) => kvLayers(m, { tp, elementBytes: 2, mlaLatent: true }).reduce((s, l) => s + l.bytesPerToken, 0);
  assert.equal(perGpu(4), 80 * 2 * 2 * 128 * 2);
  assert.equal(perGpu(8), 80 * 2 * 1 * 128 * 2);
  assert.equal(perGpu(16), perGpu(8)); // max(1, 8 // 16) = 1 head: no further saving
  const s = sizeMemory(m, H100, serve({ tp: 16 }));
  assert.equal(s.kv.kvHeadsReplicated, true);
  assert.equal(s.kv.kvHeadsPerGpu, 1);
});

test('MLA latent is not divided by tp; before vLLM 0.7.1 DeepSeek cached full K/V at head size 256', () => {
  const m = cat.resolveModel('deepseek-ai/DeepSeek-V2-Lite')!.arch;
  const latent = (tp: number) => kvLayers(m, { tp, elementBytes: 2, mlaLatent: true }).reduce((s, l) => s + l.bytesPerToken, 0);
  assert.equal(latent(1), 27 * 576 * 2);
  assert.equal(latent(4), 27 * 576 * 2);
  const old = sizeMemory(m, H100, serve({ engineVersion: '0.6.3', tp: 1, maxModelLen: 4096 }));
  assert.equal(old.kv.bytesPerTokenPerGpu, 27 * 2 * 16 * 256 * 2);
  const v1 = sizeMemory(m, H100, serve({ engineVersion: '0.11.0', maxModelLen: 4096 }));
  assert.equal(v1.kv.blockSize, 64); // FlashMLA block size
  assert.equal(v1.kv.pageBytes, 64 * 576 * 2);
});

test('sliding-window layers: gpt-oss keeps only window + batch tokens with the hybrid allocator, full context before it', () => {
  const m = cat.resolveModel('openai/gpt-oss-120b')!.arch;
  assert.equal(m.layerKinds.filter((k) => k === 'sliding').length, 18);
  assert.equal(m.slidingWindow, 128);
  const newer = sizeMemory(m, H100, serve({ engineVersion: '0.11.0', maxModelLen: 131072, maxNumBatchedTokens: 8192 }));
  const full = newer.kv.layout.groups.find((g) => g.kind === 'full')!;
  const sliding = newer.kv.layout.groups.find((g) => g.kind === 'sliding')!;
  assert.equal(full.blocksPerRequest, 131072 / 16);
  // min(W - 1 + max_num_batched_tokens, max_model_len) tokens, cdiv by block size, + 1 block
  assert.equal(sliding.blocksPerRequest, Math.ceil((128 - 1 + 8192) / 16) + 1);
  assert.equal(newer.kv.numGroups, 2);
  const older = sizeMemory(m, H100, serve({ engineVersion: '0.9.0', maxModelLen: 131072 }));
  assert.equal(older.kv.numGroups, 1);
  assert.equal(older.kv.blocksPerRequest, 131072 / 16);
});

test('weights per GPU under tp and pp: Llama-3.1-70B bf16', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-70B-Instruct')!.arch;
  const t = tensorsOf(m);
  const total = paramCounts(m, t).total;
  const rope = 131072 * 128 * 2;
  const one = weightsPerRank(m, t, { tp: 1, pp: 1, dp: 1, expertParallel: false }, 'bfloat16', null);
  assert.equal(one[0].bytes, total * 2 + rope);
  const tp4 = weightsPerRank(m, t, { tp: 4, pp: 1, dp: 1, expertParallel: false }, 'bfloat16', null)[0];
  // Norms are replicated; everything else divides by 4 (vocab 128256 is a multiple of 64 and of 4).
  const norms = 80 * 2 * 8192 + 8192;
  assert.equal(tp4.bytes, ((total - norms) / 4 + norms) * 2 + rope);
  // vLLM get_pp_indices: floor(L/pp) each, remainder one each to the stages before the last, counting back.
  assert.deepEqual(ppLayerRanges(80, 3), [
    [0, 27],
    [27, 54],
    [54, 80],
  ]);
  assert.deepEqual(ppLayerRanges(61, 4), [
    [0, 15],
    [15, 30],
    [30, 46],
    [46, 61],
  ]);
  const pp2 = weightsPerRank(m, t, { tp: 1, pp: 2, dp: 1, expertParallel: false }, 'bfloat16', null);
  const emb = 128256 * 8192 * 2;
  assert.equal(pp2[0].byComponent.embedding, emb);
  assert.equal(pp2[0].byComponent.lm_head, 0);
  assert.equal(pp2[1].byComponent.lm_head, emb);
});

test('MoE weights use total parameters; expert parallelism splits whole experts over tp x dp', () => {
  const m = cat.resolveModel('mistralai/Mixtral-8x7B-v0.1')!.arch;
  const t = tensorsOf(m);
  const experts = 32 * 8 * 3 * 4096 * 14336;
  const tp2 = weightsPerRank(m, t, { tp: 2, pp: 1, dp: 1, expertParallel: false }, 'bfloat16', null)[0];
  assert.equal(tp2.byComponent.experts, (experts / 2) * 2);
  const ep4 = weightsPerRank(m, t, { tp: 2, pp: 1, dp: 2, expertParallel: true }, 'bfloat16', null)[0];
  assert.equal(ep4.byComponent.experts, (experts / 4) * 2);
  assert.equal(ep4.byComponent.attention, tp2.byComponent.attention);
});

test('quantization: fp8 block scales (DeepSeek-V3), mxfp4 experts only (gpt-oss), AWQ group scales', () => {
  const v3 = cat.resolveModel('deepseek-ai/DeepSeek-V3')!.arch;
  assert.equal(v3.quant?.method, 'fp8');
  assert.equal(v3.quant?.groupSize, 128 * 128);
  const gpt = cat.resolveModel('openai/gpt-oss-20b')!.arch;
  const w = weightsPerRank(gpt, tensorsOf(gpt), { tp: 1, pp: 1, dp: 1, expertParallel: false }, 'bfloat16', gpt.quant)[0];
  const attention = paramCounts(gpt).byComponent.attention;
  assert.equal(w.byComponent.attention, attention * 2); // attention stays bf16
  // experts: 4.25 bits per weight (4-bit + one 8-bit scale per 32), intermediate padded 2880 -> 3072
  const expertWeights = 24 * 32 * 3 * 2880 * 2880;
  const expertBias = 24 * 32 * (2 * 2880 + 2880) * 2;
  assert.equal(Math.round(w.byComponent.experts), Math.round(expertWeights * (0.5 + 1 / 32) * (3072 / 2880) + expertBias));
  const awq = modelFromConfig('x', {
    hidden_size: 4096,
    num_hidden_layers: 1,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    intermediate_size: 14336,
    vocab_size: 32000,
    quantization_config: { quant_method: 'awq', bits: 4, group_size: 128 },
  });
  const aw = weightsPerRank(awq, tensorsOf(awq), { tp: 1, pp: 1, dp: 1, expertParallel: false }, 'float16', awq.quant)[0];
  const mlp = 3 * 4096 * 14336;
  assert.equal(aw.byComponent.mlp, mlp * 0.5 + (mlp / 128) * 2.5);
});

test("vLLM's budget: requested = total x utilization; KV = budget - weights - activation - non-torch; blocks floor", () => {
  const m = cat.resolveModel('Qwen/Qwen3-14B')!.arch;
  const s = sizeMemory(m, H100, serve({ maxModelLen: 32768, gpuMemoryUtilization: 0.9 }), {
    calibration: { total_memory_gib: 79.19, weights_gib: 27.52, activation_peak_gib: 2.0, non_torch_gib: 0.5, cudagraph_gib: 0.6 },
  });
  const avail = 79.19 * 0.9 * GiB - 27.52 * GiB - 2.0 * GiB - 0.5 * GiB;
  assert.equal(s.memory.kvCacheBytes, avail);
  assert.equal(s.kv.numBlocks, Math.floor(avail / (16 * 163840)));
  assert.equal(s.kv.capacityTokens, s.kv.numBlocks * 16);
  assert.equal(s.kv.maxConcurrency, s.kv.numBlocks / (32768 / 16));
  // From 0.21 the CUDA-graph estimate is subtracted too.
  const v21 = sizeMemory(m, H100, serve({ engineVersion: '0.21.0', maxModelLen: 32768 }), {
    calibration: { total_memory_gib: 79.19, weights_gib: 27.52, activation_peak_gib: 2.0, non_torch_gib: 0.5, cudagraph_gib: 0.6 },
  });
  assert.equal(v21.memory.kvCacheBytes, avail - 0.6 * GiB);
});

test('startup errors: no KV memory, and max_model_len with the estimated length vLLM states', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  const cal = { total_memory_gib: 23.58, weights_gib: 14.99, activation_peak_gib: 1.0, non_torch_gib: 0.35 };
  const avail = (23.58 * 0.9 - 14.99 - 1.0 - 0.35) * GiB;
  const s = sizeMemory(m, H100, serve({ engineVersion: '0.11.0', maxModelLen: 131072 }), { calibration: cal });
  assert.equal(s.startup.ok, false);
  assert.equal(s.startup.errorKind, 'max_model_len');
  const blocks = Math.floor(avail / (16 * 131072));
  assert.equal(s.startup.estimatedMaxModelLen, blocks * 16);
  assert.ok(s.startup.error!.startsWith("To serve at least one request with the models's max seq len (131072), (16.00 GiB KV cache is needed"));
  assert.ok(s.startup.error!.includes(`the estimated maximum model length is ${blocks * 16}.`));
  const none = sizeMemory(m, H100, serve({ gpuMemoryUtilization: 0.5 }), { calibration: cal });
  assert.equal(none.startup.errorKind, 'no_kv_memory');
  assert.equal(
    none.startup.error,
    'No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine. See https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details.',
  );
});

test('version defaults: V0 profiles max(max_model_len, 2048) tokens, V1 8192 on H100 and 2048 on A100 (API server)', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  assert.equal(sizeMemory(m, H100, serve({ engineVersion: '0.6.3', maxModelLen: 20000 })).serving.maxNumBatchedTokens, 20000);
  assert.equal(sizeMemory(m, H100, serve({ engineVersion: '0.6.3', maxModelLen: 65536 })).serving.maxNumBatchedTokens, 512);
  assert.equal(sizeMemory(m, H100, serve({ engineVersion: '0.11.0' })).serving.maxNumBatchedTokens, 8192);
  assert.equal(sizeMemory(m, H100, serve({ engineVersion: '0.11.0' })).serving.maxNumSeqs, 1024);
  const a100 = cat.resolveGpu('A100-80GB')!;
  assert.equal(sizeMemory(m, a100, serve({ engineVersion: '0.11.0' })).serving.maxNumBatchedTokens, 2048);
  assert.equal(sizeMemory(m, a100, serve({ engineVersion: '0.11.0' })).serving.maxNumSeqs, 256);
  assert.equal(sizeMemory(m, H100, serve({})).serving.gpuMemoryUtilization, 0.9);
});

test('bands bracket the expected values; enforce_eager removes CUDA graphs', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-70B-Instruct')!.arch;
  const s = sizeMemory(m, H100, serve({ tp: 4, maxModelLen: 32768 }));
  const [lo, hi] = s.bands.kvCacheBytes;
  assert.ok(lo <= s.memory.kvCacheBytes && s.memory.kvCacheBytes <= hi);
  assert.ok(s.bands.numBlocks[0] <= s.kv.numBlocks && s.kv.numBlocks <= s.bands.numBlocks[1]);
  assert.ok(s.memory.cudagraphBytes > 0);
  assert.equal(sizeMemory(m, H100, serve({ tp: 4, enforceEager: true })).memory.cudagraphBytes, 0);
});

test('SGLang and TensorRT-LLM budgets', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  const cal = { total_memory_gib: 80, weights_gib: 15, activation_peak_gib: 2, non_torch_gib: 0.5 };
  const sg = sizeMemory(m, H100, serve({ engine: 'sglang', memFractionStatic: 0.88 }), { calibration: cal });
  assert.equal(sg.memory.kvCacheBytes, (80 * 0.88 - 15 - 0.5) * GiB);
  const trt = sizeMemory(m, H100, serve({ engine: 'trtllm', freeGpuMemoryFraction: 0.9 }), { calibration: cal });
  assert.equal(trt.memory.kvCacheBytes, 0.9 * (80 - 15 - 2 - 0.5) * GiB);
});

test("SGLang's prompt budget is its chunked_prefill_size by GPU memory (server_args.py), never vLLM's max_num_batched_tokens", () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  const budget = (gpu: string, o: Partial<ServingInput> = {}) => sizeMemory(m, cat.resolveGpu(gpu)!, serve({ engine: 'sglang', ...o })).serving;
  // 80 GB H100 and 141 GB H200: 8192; 180 GB B200: 16384; 24 GB RTX 4090: 2048; 48 GB L40S: 4096.
  assert.equal(budget('H100-SXM').maxNumBatchedTokens, 8192);
  assert.equal(budget('H200-SXM').maxNumBatchedTokens, 8192);
  assert.equal(budget('B200').maxNumBatchedTokens, 16384);
  assert.equal(budget('RTX-4090').maxNumBatchedTokens, 2048);
  assert.equal(budget('L40S').maxNumBatchedTokens, 4096);
  assert.match(budget('B200').defaulted.max_num_batched_tokens, /^16384 \(SGLang's chunked_prefill_size for \d+ GiB GPUs\)$/);
  // A stated --chunked-prefill-size wins.
  assert.equal(budget('B200', { maxNumBatchedTokens: 4096 }).maxNumBatchedTokens, 4096);
  // vLLM keeps its own default on the same GPU.
  assert.equal(sizeMemory(m, cat.resolveGpu('B200')!, serve({})).serving.maxNumBatchedTokens, 8192);
});

test('bad numbers are refused with the field named', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  assert.throws(() => sizeMemory(m, H100, serve({ tp: 0 })), /tensor_parallel_size must be a whole number/);
  assert.throws(() => sizeMemory(m, H100, serve({ gpuMemoryUtilization: 1.5 })), /gpu_memory_utilization must be in \(0, 1\]/);
  assert.throws(() => sizeMemory(m, H100, serve({ engineVersion: 'banana' })), /engine_version "banana"/);
  assert.throws(() => sizeMemory(m, H100, serve({ engineVersion: 'nightlyx' })), /engine_version "nightlyx"/);
  assert.throws(() => modelFromConfig('x', { hidden_size: 4096 }), /missing "num_hidden_layers"/);
  void MiB;
});

test('a development build (nightly, nightly-<commit>, main) runs as the newest release known, and the report says so', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  const latest = sizeMemory(m, H100, serve({ engineVersion: LATEST_VLLM }));
  for (const v of ['nightly', 'nightly-5b8c30d62b754b57', 'main']) {
    const s = sizeMemory(m, H100, serve({ engineVersion: v }));
    assert.equal(s.serving.engineVersion, `${v} (as ${LATEST_VLLM})`);
    assert.equal(s.memory.kvCacheBytes, latest.memory.kvCacheBytes, v);
    assert.equal(s.serving.maxNumSeqs, latest.serving.maxNumSeqs, v);
  }
});

test("TensorRT-LLM's KV dtype 'auto' follows the checkpoint's kv_cache_quant_algo; vLLM keeps the model dtype", () => {
  // nvidia/DeepSeek-R1-NVFP4's hf_quant_config: quant_algo NVFP4, kv_cache_quant_algo FP8 (catalog entry).
  const m = cat.resolveModel('nvidia/DeepSeek-R1-NVFP4')!.arch;
  assert.equal(m.quant?.kvCacheAlgo, 'FP8');
  const B200 = cat.resolveGpu('B200')!;
  const trt = sizeMemory(m, B200, serve({ engine: 'trtllm', tp: 8, maxModelLen: 8192 }));
  assert.equal(trt.serving.kvCacheDtype, 'fp8');
  assert.equal(trt.serving.kvElementBytes, 1);
  assert.match(trt.serving.defaulted.kv_cache_dtype, /follows the checkpoint's kv_cache_quant_algo FP8/);
  const vllm = sizeMemory(m, B200, serve({ tp: 8, maxModelLen: 8192 }));
  assert.equal(vllm.serving.kvCacheDtype, 'auto');
  assert.equal(vllm.serving.kvElementBytes, 2);
  // MLA latent (512) + rope (64) per layer x 61 layers: half the bytes per token with the FP8 cache.
  assert.equal(vllm.kv.bytesPerToken, 61 * 576 * 2);
  assert.equal(trt.kv.bytesPerToken, 61 * 576 * 1);
  // A stated dtype wins.
  assert.equal(sizeMemory(m, B200, serve({ engine: 'trtllm', tp: 8, maxModelLen: 8192, kvCacheDtype: 'bfloat16' })).serving.kvElementBytes, 2);
  // A checkpoint without kv_cache_quant_algo keeps the model dtype on TensorRT-LLM too.
  const llama = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  assert.equal(sizeMemory(llama, B200, serve({ engine: 'trtllm' })).serving.kvElementBytes, 2);
});

test("an engine's version is vLLM's release for vLLM and only what the file states for SGLang and TensorRT-LLM", () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  assert.equal(sizeMemory(m, H100, serve({ engineVersion: null })).serving.engineVersion, LATEST_VLLM);
  assert.equal(sizeMemory(m, H100, serve({ engineVersion: '0.11.0' })).serving.engineVersion, '0.11.0');
  assert.equal(sizeMemory(m, H100, serve({ engine: 'trtllm', engineVersion: null })).serving.engineVersion, '');
  assert.equal(sizeMemory(m, H100, serve({ engine: 'trtllm', engineVersion: '1.2.0rc6.post3' })).serving.engineVersion, '1.2.0rc6.post3');
  assert.equal(sizeMemory(m, H100, serve({ engine: 'sglang', engineVersion: '0.5.9' })).serving.engineVersion, '0.5.9');
});
