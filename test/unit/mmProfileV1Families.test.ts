// vLLM V1's multimodal profile (engine/mmProfile.ts v1Profile) for the families added after Qwen2/2.5-VL, Gemma-3 and
// LLaVA: every dummy-item size below is derived by hand from the public config.json / preprocessor_config.json fields
// quoted beside it and vLLM's processing-info code named in engine/mmProfile.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog/index';
import { modelFromConfig } from '../../server/src/engine/model';
import { maxImageShape, mmProfile } from '../../server/src/engine/mmProfile';

const V1 = { v1: true, maxNumSeqs: 256, imagesPerPrompt: null, dtypeBytes: 2, tp: 1, maxNumBatchedTokens: 8192 };

// Qwen/Qwen3-VL-8B-Instruct config.json (https://huggingface.co/Qwen/Qwen3-VL-8B-Instruct/blob/main/config.json; the
// same fields appear in NVIDIA TensorRT-LLM's Qwen3-VL-8B-Instruct test config and the catalog's qwen3-more.json).
const QWEN3_VL_8B = {
  architectures: ['Qwen3VLForConditionalGeneration'],
  model_type: 'qwen3_vl',
  image_token_id: 151655,
  video_token_id: 151656,
  tie_word_embeddings: false,
  text_config: {
    model_type: 'qwen3_vl_text',
    dtype: 'bfloat16',
    head_dim: 128,
    hidden_size: 4096,
    intermediate_size: 12288,
    max_position_embeddings: 262144,
    num_attention_heads: 32,
    num_hidden_layers: 36,
    num_key_value_heads: 8,
    rope_scaling: { mrope_interleaved: true, mrope_section: [24, 20, 20], rope_type: 'default' },
    rope_theta: 5000000,
    vocab_size: 151936,
  },
  vision_config: {
    model_type: 'qwen3_vl',
    deepstack_visual_indexes: [8, 16, 24],
    depth: 27,
    hidden_act: 'gelu_pytorch_tanh',
    hidden_size: 1152,
    in_channels: 3,
    intermediate_size: 4304,
    num_heads: 16,
    num_position_embeddings: 2304,
    out_hidden_size: 4096,
    patch_size: 16,
    spatial_merge_size: 2,
    temporal_patch_size: 2,
  },
};

const qwen3 = modelFromConfig('Qwen/Qwen3-VL-8B-Instruct', QWEN3_VL_8B);

// Qwen3-VL: preprocessor_config.json size.longest_edge 16777216 = 4096^2, patch 16 x merge 2 = 32 px per token side:
// smart_resize of the huge square -> floor(4096 / 32) x 32 = 4096 px -> (4096 / 16)^2 = 65536 patches -> / 2^2 = 16384.
const Q3_PATCHES = 65536;
const Q3_TOKENS = 16384;
const Q3_PIXELS = Q3_PATCHES * 3 * 2 * 16 * 16; // pixel_values [patches, C x temporal 2 x 16 x 16] = 100,663,296
// Per item: fp32 pixels + bf16 copy + one fc1/fc2 ViT layer (4 x 1152 + 2 x 4304 per patch, bf16) + the 3 deepstack
// merger outputs [16384, 4096] kept until the final concatenation.
const Q3_ITEM = Q3_PIXELS * 4 + Q3_PIXELS * 2 + Q3_PATCHES * 2 * (4 * 1152 + 2 * 4304) + 3 * Q3_TOKENS * 4096 * 2;
// Encoder output per item: [16384, 4096 x (1 + 3)] bf16 (merger + 3 deepstack levels, concatenated on the feature dim).
const Q3_OUTPUT = Q3_TOKENS * 4096 * 4 * 2;

test('Qwen3-VL config: patch 16, merge 2, temporal 2 and 3 deepstack levels are read from vision_config', () => {
  const v = qwen3.vision!;
  assert.equal(v.wrapper, 'qwen3_vl');
  assert.equal(v.patchSize, 16);
  assert.equal(v.mergeSize, 2);
  assert.equal(v.temporalPatch, 2);
  assert.equal(v.deepstackLevels, 3);
  assert.equal(v.gatedMlp, false); // linear_fc1 / linear_fc2 (Qwen3_VisionMLP)
  assert.equal(v.hidden, 1152);
  assert.equal(v.intermediate, 4304);
});

test('Qwen3-VL-8B: the largest image is 4096 px = 16384 tokens; one item fills the budget; the cache holds 4 levels', () => {
  const shape = maxImageShape(qwen3.vision!)!;
  assert.equal(shape.tokens, Q3_TOKENS);
  assert.equal(shape.patches, Q3_PATCHES);
  assert.equal(shape.pixelElems, Q3_PIXELS);
  assert.equal(shape.outputLevels, 4);
  const r = mmProfile(qwen3, V1);
  assert.equal(r.kind, 'modelled');
  if (r.kind !== 'modelled') return;
  assert.equal(r.profile.encoderBudgetTokens, 16384); // max(8192, 16384)
  assert.equal(r.profile.items, 1); // 16384 // 16384
  assert.equal(Q3_ITEM, 2738880512); // 402,653,184 + 201,326,592 + 1,732,247,552 + 402,653,184 B = 2.55 GiB
  assert.equal(r.profile.visionPeakBytes, Q3_ITEM);
  assert.equal(r.profile.encoderOutputBytes, Q3_OUTPUT); // 512 MiB
  assert.equal(r.profile.heldBytes, Q3_PIXELS * 4 + Q3_OUTPUT);
  assert.ok(r.profile.encoderFormula!.includes('x 4 levels'), r.profile.encoderFormula);
  // Images off, videos at the default limit: Qwen3-VL profiles a dummy video instead, which is not modelled.
  assert.equal(mmProfile(qwen3, { ...V1, imagesPerPrompt: 0 }).kind, 'unknown');
  assert.equal(mmProfile(qwen3, { ...V1, imagesPerPrompt: 0, videosPerPrompt: 0 }).kind, 'text_only');
});

test('Qwen3-VL: mm_processor_kwargs max_pixels shrinks the dummy image on the 32 px grid', () => {
  // max_pixels 1048576 = 1024^2: floor(1024 / 32) = 32 -> 1024 px -> 64^2 = 4096 patches -> 1024 tokens; 8192 // 1024 = 8.
  const r = mmProfile(qwen3, { ...V1, maxPixels: 1048576 });
  assert.equal(r.kind === 'modelled' && r.profile.tokensPerItem, 1024);
  assert.equal(r.kind === 'modelled' && r.profile.items, 8);
  assert.equal(r.kind === 'modelled' && r.profile.encoderOutputBytes, 8 * 1024 * 4096 * 4 * 2);
});

test('catalog Qwen3-VL-30B-A3B (qwen3_vl_moe): the same 16384-token image, outputs at its 2048-wide text hidden', () => {
  const m = builtinCatalog().resolveModel('Qwen/Qwen3-VL-30B-A3B-Instruct')!.arch;
  assert.equal(m.vision!.wrapper, 'qwen3_vl_moe');
  assert.equal(m.hidden, 2048);
  const r = mmProfile(m, V1);
  assert.equal(r.kind, 'modelled');
  if (r.kind !== 'modelled') return;
  assert.equal(r.profile.tokensPerItem, 16384);
  assert.equal(r.profile.encoderOutputBytes, 16384 * 2048 * 4 * 2);
  assert.equal(r.profile.visionPeakBytes, Q3_PIXELS * 6 + Q3_PATCHES * 2 * (4 * 1152 + 2 * 4304) + 3 * 16384 * 2048 * 2);
});

// mistralai/Mistral-Small-3.1-24B-Instruct-2503 config.json
// (https://huggingface.co/mistralai/Mistral-Small-3.1-24B-Instruct-2503/blob/main/config.json, transformers 4.50.0.dev0
// copy; its preprocessor_config.json size.longest_edge is 1540 with 14 px patches, the same as vision_config).
const MISTRAL_SMALL_31 = {
  architectures: ['Mistral3ForConditionalGeneration'],
  model_type: 'mistral3',
  image_token_index: 10,
  multimodal_projector_bias: false,
  projector_hidden_act: 'gelu',
  spatial_merge_size: 2,
  torch_dtype: 'bfloat16',
  vision_feature_layer: -1,
  text_config: {
    model_type: 'mistral',
    head_dim: 128,
    hidden_act: 'silu',
    hidden_size: 5120,
    intermediate_size: 32768,
    max_position_embeddings: 131072,
    num_attention_heads: 32,
    num_hidden_layers: 40,
    num_key_value_heads: 8,
    rms_norm_eps: 1e-5,
    rope_theta: 1000000000.0,
    sliding_window: null,
    vocab_size: 131072,
  },
  vision_config: {
    model_type: 'pixtral',
    head_dim: 64,
    hidden_act: 'silu',
    hidden_size: 1024,
    image_size: 1540,
    intermediate_size: 4096,
    num_attention_heads: 16,
    num_channels: 3,
    num_hidden_layers: 24,
    patch_size: 14,
    rope_theta: 10000.0,
  },
};

// Mistral3: 1540 px square; (1540 - 1) // (14 x 2) + 1 = 55 merged tokens a side; the ViT runs (55 x 2)^2 = 12100
// patches. Placeholder: 55 rows of 55 [IMG] + 1 [IMG_BREAK]/[IMG_END] = 3080 tokens; the encoder returns 55^2 = 3025.
const M3_PATCHES = 12100;
const M3_PIXELS = 3 * 1540 * 1540; // 7,114,800 float32 elements
// fp32 + bf16 pixels + one SwiGLU Pixtral layer per patch (4 x 1024 + 3 x 4096) in bf16.
const M3_ITEM = M3_PIXELS * 4 + M3_PIXELS * 2 + M3_PATCHES * 2 * (4 * 1024 + 3 * 4096);

test('Mistral-Small-3.1 (mistral3 + pixtral): 3080 budgeted tokens, 3025 embeddings, two items in 8192 tokens', () => {
  const m = modelFromConfig('mistralai/Mistral-Small-3.1-24B-Instruct-2503', MISTRAL_SMALL_31);
  const v = m.vision!;
  assert.equal(v.family, 'pixtral');
  assert.equal(v.wrapper, 'mistral3');
  assert.equal(v.mergeSize, 2); // top-level spatial_merge_size
  assert.equal(v.gatedMlp, true);
  const shape = maxImageShape(v)!;
  assert.equal(shape.tokens, 3080);
  assert.equal(shape.embeds, 3025);
  assert.equal(shape.patches, M3_PATCHES);
  assert.equal(shape.pixelElems, M3_PIXELS);
  const r = mmProfile(m, V1);
  assert.equal(r.kind, 'modelled');
  if (r.kind !== 'modelled') return;
  assert.equal(r.profile.encoderBudgetTokens, 8192); // max(8192, 3080)
  assert.equal(r.profile.items, 2); // 8192 // 3080
  assert.equal(M3_ITEM, 439181600);
  assert.equal(r.profile.visionPeakBytes, 2 * M3_ITEM);
  assert.equal(r.profile.encoderOutputBytes, 2 * 3025 * 5120 * 2); // 61,952,000 B
  assert.equal(r.profile.heldBytes, 2 * M3_PIXELS * 4 + 2 * 3025 * 5120 * 2);
  // A 4096-token budget still takes one item; tensor parallelism splits the SwiGLU outputs.
  const tp2 = mmProfile(m, { ...V1, maxNumBatchedTokens: 4096, tp: 2 });
  assert.equal(tp2.kind === 'modelled' && tp2.profile.items, 1);
  assert.equal(tp2.kind === 'modelled' && tp2.profile.visionPeakBytes, M3_PIXELS * 6 + M3_PATCHES * 2 * (4 * 1024 + (3 * 4096) / 2));
});

// meta-llama/Llama-4-Scout-17B-16E-Instruct config.json (https://huggingface.co/meta-llama/Llama-4-Scout-17B-16E-Instruct/
// blob/main/config.json): the catalog's text dims and the vision_config that NVIDIA aiconfigurator's bundled copies of
// both Scout and Maverick carry verbatim. preprocessor_config.json: max_patches 16, global tile on.
const LLAMA4_VISION = {
  attention_dropout: 0.0,
  hidden_act: 'gelu',
  hidden_size: 1408,
  image_size: 336,
  initializer_range: 0.02,
  intermediate_size: 5632,
  model_type: 'llama4_vision_model',
  multi_modal_projector_bias: false,
  norm_eps: 1e-5,
  num_attention_heads: 16,
  num_channels: 3,
  num_hidden_layers: 34,
  patch_size: 14,
  pixel_shuffle_ratio: 0.5,
  projector_dropout: 0.0,
  projector_input_dim: 4096,
  projector_output_dim: 4096,
  rope_theta: 10000,
  vision_feature_layer: -1,
  vision_feature_select_strategy: 'default',
  vision_output_dim: 4096,
};
const LLAMA4_SCOUT = {
  architectures: ['Llama4ForConditionalGeneration'],
  model_type: 'llama4',
  torch_dtype: 'bfloat16',
  text_config: {
    model_type: 'llama4_text',
    attention_chunk_size: 8192,
    head_dim: 128,
    hidden_size: 5120,
    interleave_moe_layer_step: 1,
    intermediate_size: 8192,
    intermediate_size_mlp: 16384,
    max_position_embeddings: 10485760,
    num_attention_heads: 40,
    num_experts_per_tok: 1,
    num_hidden_layers: 48,
    num_key_value_heads: 8,
    num_local_experts: 16,
    rope_scaling: { factor: 16.0, high_freq_factor: 1.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
    rope_theta: 500000.0,
    use_qk_norm: true,
    vocab_size: 202048,
  },
  vision_config: LLAMA4_VISION,
};

// Llama-4: 16 x 336 px tall, 336 px wide -> aspect (16, 1) + global tile = 17 chunks of 336 px.
// (336 / 14)^2 = 576 patches a chunk (+1 class token in the ViT); pixel shuffle 0.5 -> 576 // 4 = 144 tokens a chunk.
// Placeholder: <|image_start|> + 16 x 144 <|patch|> + 16 <|tile_y_separator|> + <|image|> + 144 + <|image_end|> = 2467.
const L4_PATCHES = 17 * 577; // 9809
const L4_PIXELS = 17 * 3 * 336 * 336; // 5,757,696
const L4_ITEM = L4_PIXELS * 6 + L4_PATCHES * 2 * (4 * 1408 + 2 * 5632); // fp32 + bf16 pixels + one GELU ViT layer

test('Llama-4 Scout: 17 tiles, 2467 budgeted tokens, 2448 embeddings; three items in 8192 tokens', () => {
  const m = modelFromConfig('meta-llama/Llama-4-Scout-17B-16E-Instruct', LLAMA4_SCOUT);
  const v = m.vision!;
  assert.equal(v.wrapper, 'llama4');
  assert.equal(v.pixelShuffleRatio, 0.5);
  assert.equal(v.gatedMlp, false);
  const shape = maxImageShape(v)!;
  assert.equal(shape.tokens, 2467);
  assert.equal(shape.embeds, 2448); // 17 x 144
  assert.equal(shape.patches, L4_PATCHES);
  assert.equal(shape.pixelElems, L4_PIXELS);
  const r = mmProfile(m, V1);
  assert.equal(r.kind, 'modelled');
  if (r.kind !== 'modelled') return;
  assert.equal(r.profile.encoderBudgetTokens, 8192); // max(8192, 2467)
  assert.equal(r.profile.items, 3); // 8192 // 2467
  assert.equal(L4_ITEM, 366011904); // 34,546,176 B of pixels + 9809 x 2 x 16896 = 331,465,728 B of ViT layer
  assert.equal(r.profile.visionPeakBytes, 3 * L4_ITEM);
  assert.equal(r.profile.encoderOutputBytes, 3 * 2448 * 5120 * 2); // 75,202,560 B
  assert.equal(r.profile.heldBytes, 3 * L4_PIXELS * 4 + 3 * 2448 * 5120 * 2);
});

test('catalog Llama-4 Scout and Maverick carry the vision_config: the tower loads and the V1 profile is modelled', () => {
  for (const id of ['meta-llama/Llama-4-Scout-17B-16E-Instruct', 'meta-llama/Llama-4-Maverick-17B-128E-Instruct']) {
    const m = builtinCatalog().resolveModel(id)!.arch;
    assert.equal(m.vision!.pixelShuffleRatio, 0.5, id);
    const r = mmProfile(m, V1);
    assert.equal(r.kind === 'modelled' && r.profile.tokensPerItem, 2467, id);
    assert.equal(r.kind === 'modelled' && r.profile.encoderOutputBytes, 3 * 2448 * 5120 * 2, id);
  }
});

// llava-hf/llava-v1.6-mistral-7b-hf config.json (https://huggingface.co/llava-hf/llava-v1.6-mistral-7b-hf/blob/main/
// config.json; NVIDIA TensorRT-LLM's LLaVA-NeXT test copies it with the full sizes noted: 24 CLIP layers, Mistral-7B
// text of hidden 4096, 32 layers, intermediate 14336).
const LLAVA_NEXT_MISTRAL_7B = {
  architectures: ['LlavaNextForConditionalGeneration'],
  model_type: 'llava_next',
  image_grid_pinpoints: [
    [336, 672],
    [672, 336],
    [672, 672],
    [1008, 336],
    [336, 1008],
  ],
  image_token_index: 32000,
  projector_hidden_act: 'gelu',
  torch_dtype: 'float16',
  use_image_newline_parameter: true,
  vision_feature_layer: -2,
  vision_feature_select_strategy: 'default',
  vocab_size: 32064,
  text_config: {
    architectures: ['MistralForCausalLM'],
    model_type: 'mistral',
    hidden_size: 4096,
    intermediate_size: 14336,
    max_position_embeddings: 32768,
    num_attention_heads: 32,
    num_hidden_layers: 32,
    num_key_value_heads: 8,
    rms_norm_eps: 1e-5,
    rope_theta: 1000000.0,
    sliding_window: null,
    vocab_size: 32064,
  },
  vision_config: {
    hidden_size: 1024,
    image_size: 336,
    intermediate_size: 4096,
    model_type: 'clip_vision_model',
    num_attention_heads: 16,
    num_hidden_layers: 24,
    patch_size: 14,
    projection_dim: 768,
    vocab_size: 32000,
  },
};

// LLaVA-NeXT, CLIP 336 px / 14 = 24 patches a side, base 24^2 = 576 features ('default' drops the class token):
//   672x672 -> 2x2 crops: 48x48 unpadded (aspect 1 = 1, no padding) + 48 newlines + 576 = 2928  <- the largest
//   336x672 -> 24x48: 1152 + 24 + 576 = 1752; 672x336 -> 48x24: 1152 + 48 + 576 = 1776
//   1008x336 -> 72x24: 1728 + 72 + 576 = 2376; 336x1008 -> 24x72: 1728 + 24 + 576 = 2328
// The ViT runs 4 crops + the base image, 577 patches each, on 5 x 3 x 336 x 336 float32 pixels.
const LN_PATCHES = 5 * 577;
const LN_PIXELS = 5 * 3 * 336 * 336;

test('LLaVA-NeXT (llava-v1.6-mistral-7b): the 672x672 pinpoint gives 2928 tokens; two items in 8192 tokens', () => {
  const m = modelFromConfig('llava-hf/llava-v1.6-mistral-7b-hf', LLAVA_NEXT_MISTRAL_7B);
  const v = m.vision!;
  assert.equal(v.wrapper, 'llava_next');
  assert.deepEqual(v.gridPinpoints, LLAVA_NEXT_MISTRAL_7B.image_grid_pinpoints);
  const shape = maxImageShape(v)!;
  assert.equal(shape.tokens, 2928);
  assert.equal(shape.embeds, undefined); // placeholder = embeddings
  assert.equal(shape.patches, LN_PATCHES);
  assert.equal(shape.pixelElems, LN_PIXELS);
  const r = mmProfile(m, V1);
  assert.equal(r.kind, 'modelled');
  if (r.kind !== 'modelled') return;
  assert.equal(r.profile.items, 2); // 8192 // 2928
  // fp16 model: fp32 + fp16 pixels + one fc1/fc2 CLIP layer (4 x 1024 + 2 x 4096) per patch.
  assert.equal(r.profile.visionPeakBytes, 2 * (LN_PIXELS * 6 + LN_PATCHES * 2 * (4 * 1024 + 2 * 4096)));
  assert.equal(r.profile.encoderOutputBytes, 2 * 2928 * 4096 * 2);
});
