// Inputs several test files share, each written out once from its public source (so every test derives its expected
// values from the same figures).
import type { GpuSpec } from '../../server/src/engine/hardware';

/** H100 SXM datasheet numbers (NVIDIA H100 datasheet: 3.35 TB/s HBM3, 989.4 TFLOP/s dense bf16, 1,978.9 fp8). */
export const H100_DATASHEET: GpuSpec = {
  id: 'H100-SXM',
  name: 'NVIDIA H100 SXM5 80GB',
  vendor: 'nvidia',
  architecture: 'hopper',
  computeCapability: '9.0',
  memoryBytes: 85520809984,
  memoryBandwidth: 3.35e12,
  flopsDense: { fp32: 67e12, tf32: 494.7e12, fp16: 989.4e12, bf16: 989.4e12, fp8: 1978.9e12, int8: 1978.9e12, fp4: null },
  interconnect: { kind: 'nvlink', bandwidth: 900e9, pcieBandwidth: 128e9 },
  efficiency: { memory: 0.9, compute: 0.81, source: 'H100 SXM: ~3.0 of 3.35 TB/s copy, ~798 of 989 TFLOP/s bf16' },
  priceUsdPerHour: 3,
};

/** Qwen/Qwen3-32B config.json (hidden 5120, 64 heads of 128, 8 KV heads, intermediate 25600, vocab 151936). */
export const QWEN3_32B_CONFIG = {
  model_type: 'qwen3',
  hidden_size: 5120,
  num_hidden_layers: 64,
  num_attention_heads: 64,
  num_key_value_heads: 8,
  head_dim: 128,
  intermediate_size: 25600,
  vocab_size: 151936,
  max_position_embeddings: 40960,
  torch_dtype: 'bfloat16',
  tie_word_embeddings: false,
};

/** google/gemma-3-4b-it config.json (Hugging Face): the text model nested under text_config (abridged to what sizing reads). */
export const GEMMA3_4B_CONFIG = {
  architectures: ['Gemma3ForConditionalGeneration'],
  model_type: 'gemma3',
  torch_dtype: 'bfloat16',
  mm_tokens_per_image: 256,
  text_config: {
    model_type: 'gemma3_text',
    hidden_size: 2560,
    num_hidden_layers: 34,
    num_attention_heads: 8,
    num_key_value_heads: 4,
    head_dim: 256,
    intermediate_size: 10240,
    sliding_window: 1024,
    rope_scaling: { rope_type: 'linear', factor: 8 },
    max_position_embeddings: 131072,
    vocab_size: 262208,
  },
  vision_config: {
    model_type: 'siglip_vision_model',
    hidden_size: 1152,
    image_size: 896,
    intermediate_size: 4304,
    num_attention_heads: 16,
    num_hidden_layers: 27,
    patch_size: 14,
  },
};

/** meta-llama/Llama-3.1-70B config.json (the fields sizing reads). */
export const LLAMA_31_70B_CONFIG = {
  model_type: 'llama',
  hidden_size: 8192,
  intermediate_size: 28672,
  num_hidden_layers: 80,
  num_attention_heads: 64,
  num_key_value_heads: 8,
  vocab_size: 128256,
  max_position_embeddings: 131072,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  rope_scaling: { rope_type: 'llama3', factor: 8.0, original_max_position_embeddings: 8192 },
};

/**
 * Qwen/Qwen2.5-VL-7B-Instruct config.json: text dims at the top level, the ViT under vision_config (module dump:
 * Conv3d(3,1280,(2,14,14)), 32 blocks of qkv 1280->3840, SwiGLU 1280->3420, merger 5120->5120->3584).
 */
export const QWEN25_VL_7B_CONFIG = {
  architectures: ['Qwen2_5_VLForConditionalGeneration'],
  model_type: 'qwen2_5_vl',
  torch_dtype: 'bfloat16',
  hidden_size: 3584,
  num_hidden_layers: 28,
  num_attention_heads: 28,
  num_key_value_heads: 4,
  intermediate_size: 18944,
  vocab_size: 152064,
  max_position_embeddings: 128000,
  tie_word_embeddings: false,
  vision_config: {
    depth: 32,
    hidden_size: 1280,
    intermediate_size: 3420,
    num_heads: 16,
    in_chans: 3,
    out_hidden_size: 3584,
    patch_size: 14,
    spatial_merge_size: 2,
    temporal_patch_size: 2,
  },
};
