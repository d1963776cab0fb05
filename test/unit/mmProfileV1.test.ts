// vLLM V1's multimodal profile (engine/mmProfile.ts v1Profile): encoder budget, dummy item count and the tensors of the
// vision pass, computed by hand from the public config.json fields below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog/index';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { modelFromConfig } from '../../server/src/engine/model';
import { maxImageShape, mmProfile } from '../../server/src/engine/mmProfile';
import { GEMMA3_4B_CONFIG, QWEN25_VL_7B_CONFIG } from './sharedFixtures';

const QWEN25_VL_7B = QWEN25_VL_7B_CONFIG;

const GEMMA3_4B = GEMMA3_4B_CONFIG;

// Qwen/Qwen2-VL-7B-Instruct config.json: the ViT width is embed_dim; vision_config.hidden_size is the merger output.
const QWEN2_VL_7B = {
  ...QWEN25_VL_7B,
  architectures: ['Qwen2VLForConditionalGeneration'],
  model_type: 'qwen2_vl',
  vision_config: {
    depth: 32,
    embed_dim: 1280,
    hidden_size: 3584,
    mlp_ratio: 4,
    num_heads: 16,
    in_chans: 3,
    patch_size: 14,
    spatial_merge_size: 2,
    temporal_patch_size: 2,
  },
};

const H100 = builtinCatalog().resolveGpu('H100')!;
const qwen = modelFromConfig('Qwen/Qwen2.5-VL-7B-Instruct', QWEN25_VL_7B);
const gemma = modelFromConfig('google/gemma-3-4b-it', GEMMA3_4B);
const V1 = { v1: true, maxNumSeqs: 256, imagesPerPrompt: null, dtypeBytes: 2, tp: 1, maxNumBatchedTokens: 8192 };

// Qwen2.5-VL: max_pixels 12845056 = 3584^2 -> 256 x 256 patches of 14 px = 65536 patches -> / 2^2 merge = 16384 tokens.
const Q_PATCHES = 65536;
const Q_TOKENS = 16384;
const Q_PIXELS = Q_PATCHES * 3 * 2 * 14 * 14; // [patches, C x temporal x 14 x 14]
const Q_ITEM = Q_PIXELS * 4 + Q_PIXELS * 2 + Q_PATCHES * 2 * (4 * 1280 + 3 * 3420); // fp32 + bf16 pixels + one SwiGLU ViT layer

test('Qwen2.5-VL-7B: the largest image is 16384 tokens (3584 px at max_pixels), one item fills the 16384-token budget', () => {
  const shape = maxImageShape(qwen.vision!)!;
  assert.equal(shape.tokens, Q_TOKENS);
  assert.equal(shape.patches, Q_PATCHES);
  const r = mmProfile(qwen, V1);
  assert.equal(r.kind, 'modelled');
  if (r.kind !== 'modelled') return;
  assert.equal(r.profile.encoderBudgetTokens, 16384); // max(8192, 16384)
  assert.equal(r.profile.items, 1); // 16384 // 16384
  assert.equal(r.profile.visionPeakBytes, Q_ITEM); // 2,478,309,376 B = 2.31 GiB
  assert.equal(Q_ITEM, 2478309376);
  assert.equal(r.profile.encoderOutputBytes, 16384 * 3584 * 2); // 112 MiB of dummy outputs held in the encoder cache
  assert.equal(r.profile.heldBytes, Q_PIXELS * 4 + 16384 * 3584 * 2);
});

test('a larger max_num_batched_tokens buys more dummy items; max_pixels from mm_processor_kwargs shrinks them', () => {
  const r = mmProfile(qwen, { ...V1, maxNumBatchedTokens: 40000 });
  assert.equal(r.kind === 'modelled' && r.profile.items, 2); // 40000 // 16384
  assert.equal(r.kind === 'modelled' && r.profile.visionPeakBytes, 2 * Q_ITEM);
  // max_pixels 1003520 (= 1280 x 28^2): floor(1001.76 / 28) = 35 -> 980 px -> 70^2 = 4900 patches -> 1225 tokens.
  const small = mmProfile(qwen, { ...V1, maxPixels: 1003520 });
  assert.equal(small.kind === 'modelled' && small.profile.tokensPerItem, 1225);
  assert.equal(small.kind === 'modelled' && small.profile.items, 6); // 8192 // 1225
  // max_num_seqs x limit_mm_per_prompt caps the item count.
  const capped = mmProfile(qwen, { ...V1, maxPixels: 1003520, maxNumSeqs: 2, imagesPerPrompt: 2 });
  assert.equal(capped.kind === 'modelled' && capped.profile.items, 4);
});

test('Gemma-3-4B: 256 pooled tokens per 896 px image, 32 images in an 8192-token budget, SigLIP on 4096 patches each', () => {
  const r = mmProfile(gemma, V1);
  assert.equal(r.kind, 'modelled');
  if (r.kind !== 'modelled') return;
  assert.equal(r.profile.tokensPerItem, 256);
  assert.equal(r.profile.items, 32);
  const px = 3 * 896 * 896;
  assert.equal(r.profile.visionPeakBytes, 32 * (px * 6 + 4096 * 2 * (4 * 1152 + 2 * 4304)));
  assert.equal(r.profile.encoderOutputBytes, 32 * 256 * 2560 * 2);
});

test('Qwen2-VL reads its ViT width from embed_dim (vision_config.hidden_size is the text width)', () => {
  const q2 = modelFromConfig('Qwen/Qwen2-VL-7B-Instruct', QWEN2_VL_7B);
  assert.equal(q2.vision!.hidden, 1280);
  assert.equal(q2.vision!.intermediate, 5120);
  const r = mmProfile(q2, V1);
  assert.equal(r.kind === 'modelled' && r.profile.visionPeakBytes, Q_PIXELS * 6 + Q_PATCHES * 2 * (4 * 1280 + 2 * 5120));
});

test('sizeMemory on V1: the vision pass sets the activation peak when larger; the encoder_cache term is reported', () => {
  const base = { ...defaultServing(), engineVersion: '0.10.1', maxModelLen: 32768, maxNumBatchedTokens: 8192 };
  const s = sizeMemory(qwen, H100, base);
  const text = sizeMemory(qwen, H100, { ...base, limitMmPerPrompt: { image: 0, video: 0 } });
  assert.equal(s.memory.activationPeakBytes, Math.max(text.memory.activationPeakBytes + Q_PIXELS * 4 + 16384 * 3584 * 2, Q_ITEM));
  const enc = s.terms.find((t) => t.key === 'encoder_cache')!;
  assert.equal(enc.bytes, 16384 * 3584 * 2);
  assert.ok(enc.formula.includes('max(max_num_batched_tokens 8192, 16384 per item) = 16384 tokens'), enc.formula);
  assert.ok(s.terms.find((t) => t.key === 'multimodal_profile')!.formula.includes('1 dummy image(s) of 16384 tokens'));
  // Text-only mode: no encoder pass, no encoder cache.
  assert.equal(
    text.terms.find((t) => t.key === 'encoder_cache'),
    undefined,
  );
  assert.ok(text.terms.find((t) => t.key === 'activation_peak')!.formula.includes('no vision encoder pass'));
});

test('images off but video on (Qwen-VL) is stated as not modelled, never guessed', () => {
  const r = mmProfile(qwen, { ...V1, imagesPerPrompt: 0, videosPerPrompt: null });
  assert.equal(r.kind, 'unknown');
  assert.equal(mmProfile(qwen, { ...V1, imagesPerPrompt: 0, videosPerPrompt: 0 }).kind, 'text_only');
});

test('mm_processor_kwargs max_pixels reaches the profile through the serving settings', () => {
  const base = { ...defaultServing(), engineVersion: '0.10.1', maxModelLen: 32768, maxNumBatchedTokens: 8192 };
  const s = sizeMemory(qwen, H100, { ...base, mmProcessorKwargs: '{"max_pixels": 1003520}' });
  assert.equal(s.terms.find((t) => t.key === 'encoder_cache')!.bytes, 6 * 1225 * 3584 * 2);
});
