// Multimodal wrappers (text_config / vision_config) and Gated DeltaNet hybrids, from their public config.json fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog/index';
import { kvLayers } from '../../server/src/engine/kvcache';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { linearStateBytesPerGpu, modelFromConfig } from '../../server/src/engine/model';
import { paramCounts, tensorsOf } from '../../server/src/engine/params';
import { weightsPerRank } from '../../server/src/engine/weights';
import { GEMMA3_4B_CONFIG, QWEN25_VL_7B_CONFIG } from './sharedFixtures';

const GEMMA3_4B = GEMMA3_4B_CONFIG;

const QWEN25_VL_7B = QWEN25_VL_7B_CONFIG;

// Qwen/Qwen3-Next-80B-A3B-Instruct: 48 layers, every 4th full attention, the rest Gated DeltaNet
// (16 key heads, 32 value heads, 128-dim heads, conv kernel 4: transformers Qwen3NextConfig defaults).
const QWEN3_NEXT = {
  architectures: ['Qwen3NextForCausalLM'],
  model_type: 'qwen3_next',
  torch_dtype: 'bfloat16',
  hidden_size: 2048,
  num_hidden_layers: 48,
  num_attention_heads: 16,
  num_key_value_heads: 2,
  head_dim: 256,
  intermediate_size: 5120,
  vocab_size: 151936,
  max_position_embeddings: 262144,
  partial_rotary_factor: 0.25,
  num_experts: 512,
  num_experts_per_tok: 10,
  moe_intermediate_size: 512,
  shared_expert_intermediate_size: 512,
  decoder_sparse_step: 1,
  full_attention_interval: 4,
  linear_num_key_heads: 16,
  linear_num_value_heads: 32,
  linear_key_head_dim: 128,
  linear_value_head_dim: 128,
  linear_conv_kernel_dim: 4,
  tie_word_embeddings: false,
};

test('a nested text_config is read: the text dims come from it, the wrapper dtype applies', () => {
  const m = modelFromConfig('google/gemma-3-4b-it', GEMMA3_4B);
  assert.equal(m.nestedTextConfig, true);
  assert.deepEqual([m.hidden, m.layers, m.heads, m.kvHeads, m.headDim, m.vocab], [2560, 34, 8, 4, 256, 262208]);
  assert.equal(m.dtype, 'bfloat16');
  assert.equal(m.tieEmbeddings, true); // Gemma ties the head to the embedding
  // Gemma 3 pattern 6: layers 5, 11, 17, 23, 29 are global, the other 29 slide over 1024 tokens.
  assert.equal(m.layerKinds.filter((k) => k === 'full').length, 5);
  assert.equal(m.slidingWindow, 1024);
  // KV bytes per token, unsharded: 34 layers x K,V x 4 heads x 256 x 2 bytes = 139,264.
  const kv = kvLayers(m, { tp: 1, elementBytes: 2, mlaLatent: true });
  assert.equal(
    kv.reduce((s, l) => s + l.bytesPerTokenUnsharded, 0),
    34 * 2 * 4 * 256 * 2,
  );
});

test('the vision tower is counted: SigLIP-400M in gemma-3-4b, the 0.68B ViT of Qwen2.5-VL-7B', () => {
  const g = modelFromConfig('google/gemma-3-4b-it', GEMMA3_4B);
  const gv = paramCounts(g).byComponent.vision;
  // 27 x (4 x 1152^2 + 2 x 1152 x 4304) + 27 x (9 x 1152 + 4304) + patch 3x14x14x1152 + 64^2 positions x 1152
  // + 4 x 1152 + projector 1152 x 2560 + 1152.
  const gExpected = 27 * (4 * 1152 ** 2 + 2 * 1152 * 4304) + 27 * (9 * 1152 + 4304) + 3 * 196 * 1152 + 4096 * 1152 + 4 * 1152 + 1152 * 2560 + 1152;
  assert.equal(gv, gExpected);
  assert.ok(gv > 0.4e9 && gv < 0.43e9, `SigLIP so400m is ~0.4B, got ${gv}`);
  const q = modelFromConfig('Qwen/Qwen2.5-VL-7B-Instruct', QWEN25_VL_7B);
  assert.equal(q.nestedTextConfig, false);
  const pc = paramCounts(q);
  // The model card's total is 8.29B (text 7.62B + vision 0.68B).
  assert.ok(Math.abs(pc.total / 8.29e9 - 1) < 0.005, `Qwen2.5-VL-7B total ${pc.total}`);
  const hm = 1280 * 4;
  assert.equal(
    pc.byComponent.vision,
    32 * (4 * 1280 ** 2 + 3 * 1280 * 3420) + 32 * (9 * 1280 + 2 * 3420) + 3 * 2 * 196 * 1280 + 4 * 1280 + (hm * hm + hm * 3584 + 2 * hm + 3584),
  );
});

test('vision weights sit on the first pipeline stage and are sharded by tp', () => {
  const m = modelFromConfig('Qwen/Qwen2.5-VL-7B-Instruct', QWEN25_VL_7B);
  const ranks = weightsPerRank(m, tensorsOf(m), { tp: 1, pp: 2, dp: 1, expertParallel: false }, 'bfloat16', null);
  assert.equal(ranks[0].byComponent.vision, paramCounts(m).byComponent.vision * 2);
  assert.equal(ranks[1].byComponent.vision, 0);
  const tp2 = weightsPerRank(m, tensorsOf(m), { tp: 2, pp: 1, dp: 1, expertParallel: false }, 'bfloat16', null);
  assert.ok(tp2[0].byComponent.vision < ranks[0].byComponent.vision * 0.6, 'the ViT blocks are split over 2 ranks');
});

test('an AWQ checkpoint that lists "visual" in modules_to_not_convert keeps the tower in 16 bits', () => {
  const cfg = { ...QWEN25_VL_7B, quantization_config: { quant_method: 'awq', bits: 4, group_size: 128, modules_to_not_convert: ['visual'] } };
  const m = modelFromConfig('Qwen/Qwen2.5-VL-7B-Instruct-AWQ', cfg);
  const [r] = weightsPerRank(m, tensorsOf(m), { tp: 1, pp: 1, dp: 1, expertParallel: false }, 'float16', m.quant);
  assert.equal(r.byComponent.vision, paramCounts(m).byComponent.vision * 2);
  const cfg2 = {
    ...QWEN25_VL_7B,
    quantization_config: {
      quant_method: 'compressed-tensors',
      ignore: ['re:visual.*', 'lm_head'],
      config_groups: { g: { weights: { num_bits: 8, type: 'float' } } },
    },
  };
  const m2 = modelFromConfig('x/qwen25vl-fp8', cfg2);
  const [r2] = weightsPerRank(m2, tensorsOf(m2), { tp: 1, pp: 1, dp: 1, expertParallel: false }, 'bfloat16', m2.quant);
  assert.equal(r2.byComponent.vision, paramCounts(m2).byComponent.vision * 2);
});

test('Gated DeltaNet hybrids: only the 12 full-attention layers hold per-token KV, the 36 linear layers a fixed state', () => {
  const m = modelFromConfig('Qwen/Qwen3-Next-80B-A3B-Instruct', QWEN3_NEXT);
  assert.equal(m.layerKinds.filter((k) => k === 'full').length, 12);
  assert.equal(m.layerKinds[3], 'full');
  assert.equal(m.layerKinds[0], 'linear');
  const kv = kvLayers(m, { tp: 1, elementBytes: 2, mlaLatent: true });
  assert.equal(
    kv.reduce((s, l) => s + l.bytesPerTokenUnsharded, 0),
    12 * 2 * 2 * 256 * 2,
  );
  // conv state (2 x 16 x 128 + 32 x 128) x 3 + recurrent 32 x 128 x 128, bf16: 1,097,728 bytes per layer per request.
  assert.equal(m.linearStateBytes, ((2 * 16 * 128 + 32 * 128) * 3 + 32 * 128 * 128) * 2);
  assert.equal(linearStateBytesPerGpu(m.linearAttn!, 4, 2), ((8192 / 4) * 3 + 8 * 128 * 128) * 2);
  // Published size: 80B total, 3B active.
  const pc = paramCounts(m);
  assert.ok(pc.total > 79e9 && pc.total < 82e9, `total ${pc.total}`);
});

test('a nested config sizes end to end without error', () => {
  const m = modelFromConfig('google/gemma-3-4b-it', GEMMA3_4B);
  const gpu = builtinCatalog().resolveGpu('H100')!;
  const s = sizeMemory(m, gpu, { ...defaultServing(), engineVersion: '0.11.0', maxModelLen: 32768 });
  assert.ok(s.memory.weightsBytes > 8e9 && s.memory.weightsBytes < 9e9, `weights ${s.memory.weightsBytes}`);
  assert.ok(s.kv.numBlocks > 0);
});

test('Llama-3.2-11B-Vision (nested mllama config): weights with the vision tower within 0.5% of the logged 19.86 GiB, KV exact', async () => {
  const { CASES, archOf } = await import('../calibrationCases');
  const c = CASES.find((x) => x.id === 'vllm-pr12126-h100-llama32-11b-vision')!;
  const m = archOf(c);
  assert.equal(m.nestedTextConfig, true);
  const s = sizeMemory(m, builtinCatalog().resolveGpu('H100')!, { ...defaultServing(), ...c.serving });
  // vllm PR 12126: "model weights take 19.86GiB"; without the 0.9B vision tower it would be 18.2 GiB.
  assert.ok(Math.abs(s.memory.weightsBytes / 2 ** 30 / 19.86 - 1) < 0.005, `weights ${(s.memory.weightsBytes / 2 ** 30).toFixed(2)} GiB`);
  // 40 text layers (8 of them cross-attention) x K,V x 8 heads x 128 x 2 bytes.
  assert.equal(s.kv.bytesPerToken, 40 * 2 * 8 * 128 * 2);
});
