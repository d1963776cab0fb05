// Falcon (model_type "falcon", and the legacy remote-code names "RefinedWeb" for falcon-40b and "RefinedWebModel"
// for falcon-7b): the config fields that decide its KV heads, MLP width, norms and biases. Pure.
// Sources: vllm-project/vllm vllm/model_executor/models/falcon.py @ 00620f91ea18 (FalconAttention, FalconMLP,
// FalconDecoderLayer, FalconForCausalLM), vLLM's RWConfig (vllm/transformers_utils/configs/falcon.py) for the legacy
// names, and huggingface/transformers src/transformers/models/falcon/configuration_falcon.py (FalconConfig defaults).

type Json = Record<string, unknown>;

/** model_type values vLLM treats as Falcon (vllm/config ModelConfig.get_total_num_kv_heads `falcon_model_types`). */
const FALCON_MODEL_TYPES: ReadonlySet<string> = new Set(['falcon', 'RefinedWeb', 'RefinedWebModel']);

export function isFalcon(modelType: string): boolean {
  return FALCON_MODEL_TYPES.has(modelType);
}

export interface FalconShape {
  newDecoderArchitecture: boolean;
  kvHeads: number;
  /** dense_h_to_4h width: ffn_hidden_size, 4 x hidden when absent (transformers FalconConfig). */
  ffn: number;
  /** LayerNorm vectors (weight and bias) per decoder layer. */
  normVectorsPerLayer: number;
  /** `bias`: query_key_value, dense, dense_h_to_4h and dense_4h_to_h all carry biases (transformers FalconLinear). */
  bias: boolean;
}

function numOf(cfg: Json, key: string): number | undefined {
  const v = cfg[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function boolOf(cfg: Json, key: string): boolean | undefined {
  const v = cfg[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** Falcon's layer shape from its config.json, as vLLM builds it (vllm/model_executor/models/falcon.py). */
export function falconShapeOf(cfg: Json, modelType: string, hidden: number, heads: number): FalconShape {
  const legacy = modelType !== 'falcon';
  // vLLM's RWConfig for the legacy names forces the new decoder architecture at hidden_size 8192 ("Hack for
  // falcon-40b": its remote-code config.json has no new_decoder_architecture key); transformers defaults it to false.
  const newDecoderArchitecture = boolOf(cfg, 'new_decoder_architecture') === true || (legacy && hidden === 8192);
  // multi_query defaults to true in both transformers FalconConfig and vLLM's RWConfig.
  const multiQuery = boolOf(cfg, 'multi_query') ?? true;
  // vLLM FalconAttention: new_decoder_architecture -> num_kv_heads; else multi_query -> 1; else num_attention_heads.
  // The legacy key is n_head_kv (RWConfig defaults it to 1; transformers defaults num_kv_heads to the heads).
  const kvHeads = newDecoderArchitecture ? (numOf(cfg, 'num_kv_heads') ?? numOf(cfg, 'n_head_kv') ?? (legacy ? 1 : heads)) : multiQuery ? 1 : heads;
  const parallelAttn = boolOf(cfg, 'parallel_attn') ?? !legacy; // transformers: true; RWConfig: false
  // vLLM FalconDecoderLayer: num_ln_in_parallel_attn defaults to 2 with the new decoder architecture (ln_attn and
  // ln_mlp); otherwise input_layernorm, plus post_attention_layernorm when attention and MLP are not parallel.
  const lnInParallel = numOf(cfg, 'num_ln_in_parallel_attn') ?? (newDecoderArchitecture ? 2 : 1);
  const layerNorms = !parallelAttn ? 2 : lnInParallel === 2 ? 2 : 1;
  return {
    newDecoderArchitecture,
    kvHeads,
    ffn: numOf(cfg, 'ffn_hidden_size') ?? 4 * hidden,
    normVectorsPerLayer: 2 * layerNorms,
    bias: boolOf(cfg, 'bias') ?? false,
  };
}
