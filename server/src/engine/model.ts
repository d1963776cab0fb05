// The normalized model architecture, derived from Hugging Face `config.json` fields. Pure.
// Field names follow transformers' configuration classes; where vLLM reads a field differently,
// the comment names the vLLM file.

export type LayerKind = 'full' | 'sliding' | 'linear';
export type WeightDtype = 'float32' | 'float16' | 'bfloat16';

export interface MlaDims {
  qLoraRank: number | null;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
}

export interface MoeDims {
  numExperts: number;
  expertsPerToken: number;
  /** Intermediate size of one routed expert. */
  expertIntermediate: number;
  /** Total intermediate size of the shared expert MLP (0 when none). */
  sharedIntermediate: number;
  /** Qwen2-MoE style sigmoid gate on the shared expert (hidden x 1). */
  sharedExpertGate: boolean;
  /** gpt-oss: routed experts carry biases; the router has a bias. */
  expertBias: boolean;
  routerBias: boolean;
  /** Per layer: true when the layer's MLP is the MoE block. */
  moeLayers: boolean[];
}

export type QuantMethod =
  | 'none' | 'fp8' | 'fbgemm_fp8' | 'int8' | 'awq' | 'gptq' | 'w4a16' | 'mxfp4' | 'nvfp4' | 'bitsandbytes';

export interface QuantSpec {
  method: QuantMethod;
  /** Bits per quantized weight element. */
  bits: number;
  /** Elements sharing one scale (null: per-channel or per-tensor). */
  groupSize: number | null;
  /** Extra bytes per group (scales and zero points). */
  bytesPerGroup: number;
  /** Module name patterns left in the model dtype (HF `modules_to_not_convert` / `ignore`). */
  notConverted: string[];
  /** What the config said, for hovers. */
  label: string;
}

export interface ModelArch {
  id: string;
  modelType: string;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  maxPosition: number;
  tieEmbeddings: boolean;
  dtype: WeightDtype;
  /** Rotary dims and the length of vLLM's cos/sin cache (one per model, in the model dtype). */
  rotaryDim: number;
  ropeCacheLen: number;
  /** Does rope scaling let the model run past `maxPosition`? (vLLM refuses longer max_model_len otherwise.) */
  ropeScaled: boolean;
  attentionBias: boolean;
  /** q/k/v projections have biases even when o does not (Qwen2 family). */
  qkvBias: boolean;
  qkNorm: boolean;
  /** Gated MLP (gate, up, down) or plain (fc1, fc2). */
  gatedMlp: boolean;
  mlpBias: boolean;
  normsPerLayer: number;
  mla: MlaDims | null;
  moe: MoeDims | null;
  /** Intermediate size of dense (non-MoE) MLP layers. */
  denseIntermediate: number;
  layerKinds: LayerKind[];
  slidingWindow: number | null;
  /** Per request, per linear-attention/Mamba layer, in bytes (fixed state). */
  linearStateBytes: number;
  /** Learned absolute position embeddings (OPT): rows. */
  learnedPositions: number;
  /** OPT's word_embed_proj_dim projections (in and out) when it differs from hidden. */
  embedProjDim: number | null;
  quant: QuantSpec | null;
  /** Multi-token-prediction layers shipped in the checkpoint but not loaded by default (DeepSeek-V3). */
  mtpLayers: number;
}

export class ModelConfigError extends Error {
  constructor(public readonly field: string, message: string) {
    super(message);
  }
}

type Json = Record<string, unknown>;

function num(cfg: Json, key: string): number | undefined {
  const v = cfg[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function need(cfg: Json, key: string, ...alts: string[]): number {
  for (const k of [key, ...alts]) {
    const v = num(cfg, k);
    if (v !== undefined) {
      if (!(v > 0) || !Number.isInteger(v)) throw new ModelConfigError(k, `config field "${k}" must be a positive integer, got ${v}`);
      return v;
    }
  }
  throw new ModelConfigError(key, `config.json is missing "${key}"${alts.length ? ` (or ${alts.map((a) => `"${a}"`).join(', ')})` : ''}`);
}

function bool(cfg: Json, key: string, dflt: boolean): boolean {
  const v = cfg[key];
  return typeof v === 'boolean' ? v : dflt;
}

function parseDtype(v: unknown): WeightDtype {
  const s = String(v ?? '').toLowerCase().replace('torch.', '');
  if (s === 'float32' || s === 'fp32') return 'float32';
  if (s === 'float16' || s === 'fp16' || s === 'half') return 'float16';
  return 'bfloat16';
}

/** Which layers use sliding-window attention, per the model family's rule in transformers. */
function layerKindsOf(cfg: Json, layers: number, maxPosition: number): { kinds: LayerKind[]; window: number | null } {
  const window = num(cfg, 'sliding_window') ?? null;
  const types = cfg.layer_types;
  if (Array.isArray(types) && types.length === layers) {
    const kinds = types.map((t): LayerKind => {
      const s = String(t);
      if (s.includes('sliding')) return 'sliding';
      if (s.includes('linear') || s.includes('mamba')) return 'linear';
      return 'full';
    });
    return { kinds, window: kinds.includes('sliding') ? window : null };
  }
  const full = (): LayerKind[] => new Array(layers).fill('full');
  // A window at least as long as the context is no window (Phi-3's 262144 > 131072).
  if (window === null || window >= maxPosition) return { kinds: full(), window: null };
  const modelType = String(cfg.model_type ?? '');
  const pattern = num(cfg, 'sliding_window_pattern');
  if (modelType.startsWith('gemma3') || pattern) {
    // Gemma 3: every `pattern`-th layer is global (transformers Gemma3Config).
    const p = pattern ?? 6;
    return { kinds: Array.from({ length: layers }, (_, i) => ((i + 1) % p === 0 ? 'full' : 'sliding')), window };
  }
  if (modelType === 'gemma2') {
    // Gemma 2: even layers are local (transformers Gemma2 `is_sliding = not bool(layer_idx % 2)`).
    return { kinds: Array.from({ length: layers }, (_, i) => (i % 2 === 0 ? 'sliding' : 'full')), window };
  }
  if (modelType.startsWith('qwen')) {
    // Qwen2/3 ship a sliding_window but only use it when use_sliding_window is true.
    if (!bool(cfg, 'use_sliding_window', false)) return { kinds: full(), window: null };
    const maxWindowLayers = num(cfg, 'max_window_layers') ?? layers;
    return { kinds: Array.from({ length: layers }, (_, i) => (i >= maxWindowLayers ? 'sliding' : 'full')), window };
  }
  // Mistral v0.1 and others: every layer slides.
  return { kinds: new Array(layers).fill('sliding'), window };
}

function moeOf(cfg: Json, layers: number, hidden: number): MoeDims | null {
  const numExperts = num(cfg, 'num_local_experts') ?? num(cfg, 'n_routed_experts') ?? num(cfg, 'num_experts');
  if (!numExperts || numExperts <= 1) return null;
  const topk = num(cfg, 'num_experts_per_tok') ?? num(cfg, 'experts_per_token') ?? num(cfg, 'moe_topk');
  if (!topk) throw new ModelConfigError('num_experts_per_tok', 'MoE config.json is missing "num_experts_per_tok"');
  const modelType = String(cfg.model_type ?? '');
  const expertIntermediate = num(cfg, 'moe_intermediate_size') ?? need(cfg, 'intermediate_size');
  let sharedIntermediate = 0;
  let sharedExpertGate = false;
  const nShared = num(cfg, 'n_shared_experts');
  if (nShared) sharedIntermediate = nShared * expertIntermediate; // DeepSeek: one MLP of n_shared x moe size
  const sharedSize = num(cfg, 'shared_expert_intermediate_size');
  if (sharedSize) {
    sharedIntermediate = sharedSize; // Qwen2-MoE
    sharedExpertGate = true;
  }
  if (modelType.startsWith('llama4')) sharedIntermediate = expertIntermediate; // Llama 4: one shared expert
  const moeLayers: boolean[] = [];
  const firstDense = num(cfg, 'first_k_dense_replace') ?? 0;
  const freq = num(cfg, 'moe_layer_freq') ?? 1;
  const sparseStep = num(cfg, 'decoder_sparse_step') ?? 1;
  const mlpOnly = Array.isArray(cfg.mlp_only_layers) ? (cfg.mlp_only_layers as unknown[]).map(Number) : [];
  const interleave = num(cfg, 'interleave_moe_layer_step');
  const moeLayersList = Array.isArray(cfg.moe_layers) ? (cfg.moe_layers as unknown[]).map(Number) : null;
  for (let i = 0; i < layers; i++) {
    let isMoe = true;
    if (moeLayersList) isMoe = moeLayersList.includes(i);
    else if (modelType.startsWith('deepseek')) isMoe = i >= firstDense && i % freq === 0;
    else if (modelType.startsWith('qwen')) isMoe = !mlpOnly.includes(i) && (i + 1) % sparseStep === 0;
    else if (interleave) isMoe = (i + 1) % interleave === 0;
    moeLayers.push(isMoe);
  }
  void hidden;
  return {
    numExperts,
    expertsPerToken: topk,
    expertIntermediate,
    sharedIntermediate,
    sharedExpertGate,
    expertBias: modelType === 'gpt_oss',
    routerBias: modelType === 'gpt_oss',
    moeLayers,
  };
}

/** HF quantization_config -> bytes model. Group scale costs from each format's tensor layout. */
export function quantOf(q: unknown): QuantSpec | null {
  if (!q || typeof q !== 'object') return null;
  const qc = q as Json;
  const method = String(qc.quant_method ?? '').toLowerCase();
  const notConverted = [
    ...((qc.modules_to_not_convert as unknown[]) ?? []),
    ...((qc.ignore as unknown[]) ?? []),
    ...((qc.ignored_layers as unknown[]) ?? []),
  ].map(String);
  const bits = num(qc, 'bits') ?? num(qc, 'w_bit') ?? 4;
  const group = num(qc, 'group_size') ?? num(qc, 'q_group_size') ?? 128;
  switch (method) {
    case 'fp8': {
      // Block-wise FP8 (DeepSeek-V3: weight_block_size [128,128]) stores one fp32 scale per block.
      const blk = Array.isArray(qc.weight_block_size) ? (qc.weight_block_size as number[]) : null;
      const g = blk && blk.length === 2 ? blk[0] * blk[1] : null;
      return { method: 'fp8', bits: 8, groupSize: g, bytesPerGroup: g ? 4 : 0, notConverted, label: blk ? `fp8 (block ${blk.join('x')})` : 'fp8' };
    }
    case 'fbgemm_fp8':
      // Meta's FP8 checkpoints: per-row fp32 scales; attention and first/last layers listed as not converted.
      return { method: 'fbgemm_fp8', bits: 8, groupSize: null, bytesPerGroup: 0, notConverted, label: 'fbgemm_fp8' };
    case 'awq':
      // AutoAWQ GEMM: int4 packed in int32; per group: fp16 scale + packed 4-bit zero point.
      return { method: 'awq', bits, groupSize: group, bytesPerGroup: 2 + bits / 8, notConverted, label: `awq ${bits}-bit g${group}` };
    case 'gptq': {
      const g = group > 0 ? group : null; // group_size -1: per-channel
      return { method: 'gptq', bits, groupSize: g, bytesPerGroup: g ? 2 + bits / 8 : 0, notConverted, label: `gptq ${bits}-bit${g ? ` g${g}` : ''}` };
    }
    case 'mxfp4':
      // OCP MX FP4: 4-bit elements with one 8-bit (E8M0) scale per 32 elements (gpt-oss model card).
      return { method: 'mxfp4', bits: 4, groupSize: 32, bytesPerGroup: 1, notConverted, label: 'mxfp4' };
    case 'modelopt':
    case 'modelopt_fp4': {
      const algo = String(qc.quant_algo ?? (qc.quantization as Json | undefined)?.quant_algo ?? '').toUpperCase();
      if (algo.includes('FP4')) return { method: 'nvfp4', bits: 4, groupSize: 16, bytesPerGroup: 1, notConverted, label: 'nvfp4' };
      return { method: 'fp8', bits: 8, groupSize: null, bytesPerGroup: 0, notConverted, label: 'modelopt fp8' };
    }
    case 'bitsandbytes':
      return bool(qc, 'load_in_8bit', false)
        ? { method: 'int8', bits: 8, groupSize: null, bytesPerGroup: 0, notConverted, label: 'bitsandbytes int8' }
        : { method: 'bitsandbytes', bits: 4, groupSize: 64, bytesPerGroup: 4, notConverted, label: 'bitsandbytes nf4' };
    case 'compressed-tensors': {
      const groups = (qc.config_groups ?? {}) as Record<string, Json>;
      const first = Object.values(groups)[0] ?? {};
      const w = (first.weights ?? {}) as Json;
      const nb = num(w, 'num_bits') ?? 8;
      const type = String(w.type ?? 'int');
      const gs = num(w, 'group_size') ?? null;
      if (nb === 8) return { method: type === 'float' ? 'fp8' : 'int8', bits: 8, groupSize: null, bytesPerGroup: 0, notConverted, label: `compressed-tensors ${type}8` };
      if (type === 'float' && nb === 4) return { method: 'nvfp4', bits: 4, groupSize: 16, bytesPerGroup: 1, notConverted, label: 'compressed-tensors nvfp4' };
      return { method: 'w4a16', bits: nb, groupSize: gs, bytesPerGroup: gs ? 2 : 0, notConverted, label: `compressed-tensors w${nb}a16${gs ? ` g${gs}` : ''}` };
    }
    default:
      return null;
  }
}

/**
 * Upper bounds on config.json numbers, far above any published model (largest public configs: Llama 3.1 405B with
 * 126 layers, hidden 16,384, 128 heads, intermediate 53,248; Gemma 3's vocabulary of 262,144; Kimi K2's 384 experts;
 * Llama 4 Scout's 10,485,760 positions) and low enough that sizing stays finite and fast: 1e5 layers took over a
 * minute, 4,294,967,295 aborted V8, and a hidden size of 1e308 printed "Infinity GiB".
 */
const LAYERS_CAP = 1024;
const CONFIG_CAPS: Record<string, number> = {
  ...Object.fromEntries(['num_hidden_layers', 'n_layer', 'num_layers', 'max_window_layers', 'num_nextn_predict_layers', 'first_k_dense_replace', 'decoder_sparse_step', 'moe_layer_freq', 'interleave_moe_layer_step', 'sliding_window_pattern'].map((k) => [k, LAYERS_CAP])),
  ...Object.fromEntries(['hidden_size', 'd_model', 'n_embd', 'word_embed_proj_dim', 'kv_lora_rank', 'q_lora_rank'].map((k) => [k, 131_072])),
  ...Object.fromEntries(['num_attention_heads', 'n_head', 'num_key_value_heads', 'multi_query_group_num', 'head_dim', 'qk_nope_head_dim', 'qk_rope_head_dim', 'v_head_dim'].map((k) => [k, 4096])),
  ...Object.fromEntries(['intermediate_size', 'ffn_dim', 'n_inner', 'intermediate_size_mlp', 'moe_intermediate_size', 'shared_expert_intermediate_size'].map((k) => [k, 1_048_576])),
  ...Object.fromEntries(['num_experts', 'n_routed_experts', 'num_local_experts', 'n_shared_experts', 'num_experts_per_tok', 'experts_per_token', 'moe_topk'].map((k) => [k, 65_536])),
  ...Object.fromEntries(['max_position_embeddings', 'n_positions', 'seq_length', 'sliding_window'].map((k) => [k, 2 ** 27])),
  vocab_size: 4_194_304,
  partial_rotary_factor: 1,
  linear_state_bytes: 2 ** 40,
};
/** rope_scaling numbers: a YaRN/dynamic cache covers original x factor positions (published factors are 4-40). */
const ROPE_CAPS: Record<string, number> = { factor: 1024, original_max_position_embeddings: 2 ** 27 };

/** Every bounded config.json number at most its cap (and not negative): ModelConfigError naming the first that is not. */
function checkConfigBounds(config: Json): void {
  const check = (obj: Json, caps: Record<string, number>, prefix: string) => {
    for (const [k, cap] of Object.entries(caps)) {
      const v = obj[k];
      if (typeof v !== 'number') continue;
      if (!Number.isFinite(v) || v < 0 || v > cap) throw new ModelConfigError(prefix + k, `config field "${prefix + k}" is ${v}; llm-sizer accepts ${k === 'partial_rotary_factor' ? '0 to 1' : `at most ${cap.toLocaleString('en-US')}`} (larger than any published model)`);
    }
  };
  check(config, CONFIG_CAPS, '');
  const rope = config.rope_scaling;
  if (rope && typeof rope === 'object' && !Array.isArray(rope)) check(rope as Json, ROPE_CAPS, 'rope_scaling.');
}

/** Builds the normalized architecture from config.json fields. Throws ModelConfigError naming the field. */
export function modelFromConfig(id: string, config: Json): ModelArch {
  checkConfigBounds(config);
  const modelType = String(config.model_type ?? '');
  const isOpt = modelType === 'opt';
  const hidden = need(config, 'hidden_size', 'd_model', 'n_embd');
  const layers = need(config, 'num_hidden_layers', 'n_layer', 'num_layers');
  const heads = need(config, 'num_attention_heads', 'n_head');
  const kvHeads = num(config, 'num_key_value_heads') ?? num(config, 'multi_query_group_num') ?? heads;
  const headDim = num(config, 'head_dim') ?? hidden / heads;
  if (!Number.isInteger(headDim)) throw new ModelConfigError('head_dim', `hidden_size ${hidden} is not divisible by num_attention_heads ${heads}; give "head_dim"`);
  const vocab = need(config, 'vocab_size');
  const maxPosition = num(config, 'max_position_embeddings') ?? num(config, 'n_positions') ?? num(config, 'seq_length') ?? 4096;
  const intermediate = num(config, 'intermediate_size') ?? num(config, 'ffn_dim') ?? num(config, 'n_inner') ?? 4 * hidden;
  const kvLora = num(config, 'kv_lora_rank');
  const mla: MlaDims | null = kvLora
    ? {
        qLoraRank: num(config, 'q_lora_rank') ?? null,
        kvLoraRank: kvLora,
        qkNopeHeadDim: need(config, 'qk_nope_head_dim'),
        qkRopeHeadDim: need(config, 'qk_rope_head_dim'),
        vHeadDim: need(config, 'v_head_dim'),
      }
    : null;
  const moe = moeOf(config, layers, hidden);
  const { kinds, window } = layerKindsOf(config, layers, maxPosition);
  const rope = (config.rope_scaling ?? null) as Json | null;
  const ropeType = rope ? String(rope.rope_type ?? rope.type ?? '') : '';
  const partial = num(config, 'partial_rotary_factor') ?? 1;
  const rotaryDim = mla ? mla.qkRopeHeadDim : Math.round(headDim * partial);
  // vLLM's rotary cache covers max_position_embeddings; YaRN/dynamic caches cover original x factor
  // (vllm/model_executor/layers/rotary_embedding.py).
  let ropeCacheLen = maxPosition;
  if ((ropeType === 'yarn' || ropeType === 'dynamic' || ropeType === 'deepseek_yarn') && rope) {
    const orig = num(rope, 'original_max_position_embeddings') ?? maxPosition;
    const factor = num(rope, 'factor') ?? 1;
    ropeCacheLen = Math.round(orig * factor);
  }
  const denseIntermediate = num(config, 'intermediate_size_mlp') ?? (moe && modelType.startsWith('llama4') ? intermediate : intermediate);
  const qwen2Family = modelType === 'qwen2' || modelType === 'qwen2_moe' || modelType === 'qwen2_vl' || modelType === 'qwen2_5_vl';
  const gemmaNorms = modelType === 'gemma2' || modelType.startsWith('gemma3');
  const qkNorm = modelType.startsWith('qwen3') || modelType.startsWith('gemma3') || modelType.startsWith('olmo2');
  const embedProj = num(config, 'word_embed_proj_dim');
  return {
    id,
    modelType,
    hidden,
    layers,
    heads,
    kvHeads,
    headDim,
    intermediate,
    vocab,
    maxPosition,
    tieEmbeddings: bool(config, 'tie_word_embeddings', isOpt || modelType.startsWith('gemma')),
    dtype: parseDtype(config.torch_dtype ?? config.dtype),
    rotaryDim: isOpt ? 0 : rotaryDim,
    ropeCacheLen: isOpt ? 0 : ropeCacheLen,
    ropeScaled: !!rope && ropeType !== 'default' && ropeType !== '',
    attentionBias: bool(config, 'attention_bias', isOpt || bool(config, 'enable_bias', false)),
    qkvBias: qwen2Family || bool(config, 'attention_bias', isOpt),
    qkNorm,
    gatedMlp: !isOpt && modelType !== 'phi' && modelType !== 'phi-msft' && modelType !== 'gpt2',
    mlpBias: isOpt || bool(config, 'mlp_bias', false),
    normsPerLayer: gemmaNorms ? 4 : 2,
    mla,
    moe,
    denseIntermediate,
    layerKinds: kinds,
    slidingWindow: window,
    linearStateBytes: num(config, 'linear_state_bytes') ?? 0,
    learnedPositions: isOpt ? maxPosition + 2 : 0,
    embedProjDim: embedProj && embedProj !== hidden ? embedProj : null,
    quant: quantOf(config.quantization_config),
    mtpLayers: num(config, 'num_nextn_predict_layers') ?? 0,
  };
}
