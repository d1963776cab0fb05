// Architectures whose config.json the engine reads without error but sizes wrongly, with the reason. Catalog entries
// of these types are kept verbatim and reported as not sized rather than given confident wrong numbers. Remove a type
// once engine/model.ts models it (test/unit/catalog.test.ts then fails until its expected-unsupported list is updated).
export const MIS_SIZED_MODEL_TYPES: Record<string, string> = {
  nemotron_h: 'hybrid Mamba-2/attention layers (hybrid_override_pattern) are not modelled: parameters and state memory would be wrong',
  'nemotron-nas': 'per-layer block_configs from neural architecture search are not modelled: parameters would be wrong (88B computed for a 49B model)',
  deepseek_v4: 'DeepSeek-V4 compressed sparse attention, hash layers, hyper-connections and fp4 experts (expert_dtype) are not modelled',
  deepseek_ref: 'DeepSeek-V4 compressed sparse attention, hash layers, hyper-connections and fp4 experts (expert_dtype) are not modelled',
  minimax_m3: 'per-layer moe_layer_freq lists and sparse attention (sparse_attention_config) are not modelled',
  minimax_m3_vl: 'per-layer moe_layer_freq lists and sparse attention (sparse_attention_config) are not modelled',
  step3p7: 'shared expert (share_expert_dim) and its sliding/full attention layer mix are not modelled',
  starcoder2: 'its plain (non-gated) GELU MLP with biases is modelled as a gated MLP: 10.1B computed for a 7.2B model',
  cohere: 'Cohere ties the unembedding to the embedding by default (no tie_word_embeddings key): 9.1B computed for an 8.0B model',
  mimo_v2_flash: 'hybrid sliding-window layers with their own head counts (swa_*) and per-layer moe_layer_freq lists are not modelled',
};

/** Why the engine cannot size this config yet, or null when it can. */
export function misSizedReason(config: Record<string, unknown>): string | null {
  const t = String(config.model_type ?? '');
  if (MIS_SIZED_MODEL_TYPES[t]) return MIS_SIZED_MODEL_TYPES[t];
  // ModelOpt MIXED_PRECISION checkpoints list a format per layer (quantized_layers); read as one method the weights
  // would be off by up to 2x (NVFP4 layers counted as FP8).
  const q = (config.quantization_config ?? (config.text_config as Record<string, unknown> | undefined)?.quantization_config) as
    Record<string, unknown> | undefined;
  if (q && String(q.quant_algo ?? '').toUpperCase() === 'MIXED_PRECISION') return MIXED_PRECISION;
  return null;
}

export const MIXED_PRECISION = 'quantization_config quant_algo MIXED_PRECISION (a format per layer) is not modelled: weights would be counted in one format';
