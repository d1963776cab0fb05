// The normalized model architecture, derived from Hugging Face `config.json` fields. Pure.
// Field names follow transformers' configuration classes; where vLLM reads a field differently,
// the comment names the vLLM file.

import { falconShapeOf, isFalcon } from './falcon';

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

export type QuantMethod = 'none' | 'fp8' | 'fbgemm_fp8' | 'int8' | 'awq' | 'gptq' | 'w4a16' | 'mxfp4' | 'nvfp4' | 'bitsandbytes';

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
  /** The checkpoint's own `quant_method` as written (vLLM compares a `--quantization` value with it). */
  checkpointMethod?: string;
  /** ModelOpt's `kv_cache_quant_algo` (e.g. "FP8"): the KV cache format the checkpoint was calibrated for. */
  kvCacheAlgo?: string;
}

/** A vision encoder (ViT) read from a multimodal config's `vision_config`; its weights load beside the text model. */
export interface VisionDims {
  /** vision_config.model_type or the family it was read for (hovers). */
  family: string;
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  /** Gated (gate/up/down) MLP or plain fc1/fc2. */
  gatedMlp: boolean;
  /** Patch embedding, position embeddings and pre/post norms (not per layer). */
  stemParams: number;
  /** The projector from vision features into the text model's hidden size. */
  projectorParams: number;
  /** vision_config.image_size (one tile's side for Mllama), patch_size and num_channels: the dummy image's shape. */
  imageSize?: number;
  patchSize: number;
  channels: number;
  /** Mllama: vision_config.max_num_tiles, the tiles of the dummy image the profile run encodes. */
  maxTiles?: number;
  /** Mllama feeds the image through cross-attention (V0 encoder-decoder runner), not as tokens in the prompt. */
  crossAttention: boolean;
  /** The wrapper's model_type (qwen2_5_vl, gemma3, llava, ...): which image processor sizes the dummy image. */
  wrapper?: string;
  /** Patches merged into one text token per side (Qwen/Mistral spatial_merge_size) and frames per temporal patch. */
  mergeSize?: number;
  temporalPatch?: number;
  /** Gemma-3: config.mm_tokens_per_image, the pooled soft tokens per image. */
  tokensPerImage?: number;
  /** LLaVA: vision_feature_select_strategy ('default' drops the class token from the features). */
  featureSelect?: string;
  /**
   * Qwen3-VL: vision_config.deepstack_visual_indexes.length, the extra ViT feature levels the encoder returns beside
   * the merger output (vllm qwen3_vl.py Qwen3_VisionTransformer.forward concatenates them on the feature dim).
   */
  deepstackLevels?: number;
  /** Llama-4: vision_config.pixel_shuffle_ratio (0.5: each tile's patch grid shrinks 2 x 2 into one token). */
  pixelShuffleRatio?: number;
  /** LLaVA-NeXT: config.image_grid_pinpoints, the anyres (height, width) canvases the image is tiled onto. */
  gridPinpoints?: number[][];
}

/** Gated DeltaNet (Qwen3-Next, Qwen3.5) linear-attention layer dims (transformers Qwen3NextConfig field names). */
export interface LinearAttnDims {
  numKeyHeads: number;
  numValueHeads: number;
  keyHeadDim: number;
  valueHeadDim: number;
  convKernel: number;
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
  /** Vision encoder of a multimodal checkpoint (nested `vision_config`), null for text-only models. */
  vision: VisionDims | null;
  /** Linear-attention (Gated DeltaNet) layer dims for layers of kind 'linear'; null when the model has none. */
  linearAttn: LinearAttnDims | null;
  /** Full-attention q_proj also produces an output gate (Qwen3-Next/Qwen3.5 `attn_output_gate`): q is 2x wide. */
  attnOutputGate: boolean;
  /** The config nested its text model under `text_config` (multimodal wrapper). */
  nestedTextConfig: boolean;
  /** The final norm is a LayerNorm with a bias (Falcon's ln_f), not a weight-only RMSNorm. */
  finalNormBias?: boolean;
}

export class ModelConfigError extends Error {
  constructor(
    public readonly field: string,
    message: string,
  ) {
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

/** transformers FalconConfig max_position_embeddings default (configuration_falcon.py). */
const FALCON_MAX_POSITION = 2048;
/** vLLM falcon.py `getattr(config, "max_position_embeddings", 8192)` for the legacy RWConfig, which has no such field. */
const FALCON_LEGACY_ROPE_CACHE = 8192;

/** Bytes per element of each weight dtype (kept here so model.ts does not import weights.ts). */
const DTYPE_SIZE: Record<WeightDtype, number> = { float32: 4, float16: 2, bfloat16: 2 };

function parseDtype(v: unknown): WeightDtype {
  const s = String(v ?? '')
    .toLowerCase()
    .replace('torch.', '');
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
  const interval = num(cfg, 'full_attention_interval');
  if (interval && interval > 0 && num(cfg, 'linear_num_value_heads')) {
    // Qwen3-Next: every `interval`-th layer is full attention, the rest Gated DeltaNet (transformers Qwen3NextConfig).
    return { kinds: Array.from({ length: layers }, (_, i) => ((i + 1) % interval === 0 ? 'full' : 'linear')), window: null };
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
  const spec = quantSpecOf(q as Json);
  if (spec) spec.checkpointMethod = checkpointMethodOf(q as Json);
  return spec;
}

/** The method name vLLM reads from a checkpoint: `quant_method`, or "modelopt" for an hf_quant_config.json body. */
function checkpointMethodOf(qc: Json): string {
  const m = String(qc.quant_method ?? '').toLowerCase();
  if (m) return m;
  return isObj(qc.quantization) || isObj(qc.producer) ? 'modelopt' : '';
}

function quantSpecOf(qc: Json): QuantSpec | null {
  // ModelOpt's hf_quant_config.json: {"producer": {"name": "modelopt"}, "quantization": {"quant_algo": "NVFP4", "exclude_modules": [...]}}.
  const mo = isObj(qc.quantization) ? (qc.quantization as Json) : null;
  const method = checkpointMethodOf(qc);
  const notConverted = [
    ...((qc.modules_to_not_convert as unknown[]) ?? []),
    ...((qc.ignore as unknown[]) ?? []),
    ...((qc.ignored_layers as unknown[]) ?? []),
    ...((qc.exclude_modules as unknown[]) ?? []),
    ...((mo?.exclude_modules as unknown[]) ?? []),
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
      const algo = String(qc.quant_algo ?? mo?.quant_algo ?? '').toUpperCase();
      const kvAlgo = qc.kv_cache_quant_algo ?? mo?.kv_cache_quant_algo;
      const kv = typeof kvAlgo === 'string' && kvAlgo ? { kvCacheAlgo: kvAlgo.toUpperCase() } : {};
      if (algo.includes('FP4')) return { method: 'nvfp4', bits: 4, groupSize: 16, bytesPerGroup: 1, notConverted, label: 'nvfp4', ...kv };
      return { method: 'fp8', bits: 8, groupSize: null, bytesPerGroup: 0, notConverted, label: 'modelopt fp8', ...kv };
    }
    case 'bitsandbytes':
      return bool(qc, 'load_in_8bit', false)
        ? { method: 'int8', bits: 8, groupSize: null, bytesPerGroup: 0, notConverted, label: 'bitsandbytes int8' }
        : bool(qc, 'bnb_4bit_use_double_quant', false)
          ? // Double quantization (QLoRA, Dettmers et al. 2023, section 3): each block of 64 keeps an 8-bit absmax, and
            // every 256 absmax share one fp32 scale: 1 + 4/256 bytes per 64 weights (0.127 bits per weight).
            { method: 'bitsandbytes', bits: 4, groupSize: 64, bytesPerGroup: 1 + 4 / 256, notConverted, label: 'bitsandbytes nf4 (double quant)' }
          : { method: 'bitsandbytes', bits: 4, groupSize: 64, bytesPerGroup: 4, notConverted, label: 'bitsandbytes nf4' };
    case 'compressed-tensors': {
      const groups = (qc.config_groups ?? {}) as Record<string, Json>;
      const first = Object.values(groups)[0] ?? {};
      const w = (first.weights ?? {}) as Json;
      const nb = num(w, 'num_bits') ?? 8;
      const type = String(w.type ?? 'int');
      const gs = num(w, 'group_size') ?? null;
      if (nb === 8)
        return { method: type === 'float' ? 'fp8' : 'int8', bits: 8, groupSize: null, bytesPerGroup: 0, notConverted, label: `compressed-tensors ${type}8` };
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
  ...Object.fromEntries(
    [
      'num_hidden_layers',
      'n_layer',
      'num_layers',
      'max_window_layers',
      'num_nextn_predict_layers',
      'first_k_dense_replace',
      'decoder_sparse_step',
      'moe_layer_freq',
      'interleave_moe_layer_step',
      'sliding_window_pattern',
    ].map((k) => [k, LAYERS_CAP]),
  ),
  ...Object.fromEntries(['hidden_size', 'd_model', 'n_embd', 'word_embed_proj_dim', 'kv_lora_rank', 'q_lora_rank'].map((k) => [k, 131_072])),
  ...Object.fromEntries(
    ['num_attention_heads', 'n_head', 'num_key_value_heads', 'multi_query_group_num', 'head_dim', 'qk_nope_head_dim', 'qk_rope_head_dim', 'v_head_dim'].map(
      (k) => [k, 4096],
    ),
  ),
  ...Object.fromEntries(
    ['intermediate_size', 'ffn_dim', 'n_inner', 'intermediate_size_mlp', 'moe_intermediate_size', 'shared_expert_intermediate_size'].map((k) => [k, 1_048_576]),
  ),
  ...Object.fromEntries(
    ['num_experts', 'n_routed_experts', 'num_local_experts', 'n_shared_experts', 'num_experts_per_tok', 'experts_per_token', 'moe_topk'].map((k) => [
      k,
      65_536,
    ]),
  ),
  ...Object.fromEntries(['max_position_embeddings', 'n_positions', 'seq_length', 'sliding_window'].map((k) => [k, 2 ** 27])),
  vocab_size: 4_194_304,
  partial_rotary_factor: 1,
  linear_state_bytes: 2 ** 40,
};
/** Falcon's own keys (legacy n_embed / n_head_kv, num_kv_heads, ffn_hidden_size), bounded only in Falcon configs. */
const FALCON_CAPS: Record<string, number> = { n_embed: 131_072, num_kv_heads: 4096, n_head_kv: 4096, ffn_hidden_size: 1_048_576 };
/** rope_scaling numbers: a YaRN/dynamic cache covers original x factor positions (published factors are 4-40). */
const ROPE_CAPS: Record<string, number> = { factor: 1024, original_max_position_embeddings: 2 ** 27 };

/** Every bounded config.json number at most its cap (and not negative): ModelConfigError naming the first that is not. */
function checkConfigBounds(config: Json, extraCaps?: Record<string, number>): void {
  const check = (obj: Json, caps: Record<string, number>, prefix: string) => {
    for (const [k, cap] of Object.entries(caps)) {
      const v = obj[k];
      if (typeof v !== 'number') continue;
      if (!Number.isFinite(v) || v < 0 || v > cap)
        throw new ModelConfigError(
          prefix + k,
          `config field "${prefix + k}" is ${v}; llm-sizer accepts ${k === 'partial_rotary_factor' ? '0 to 1' : `at most ${cap.toLocaleString('en-US')}`} (larger than any published model)`,
        );
    }
  };
  check(config, CONFIG_CAPS, '');
  if (extraCaps) check(config, extraCaps, '');
  const rope = config.rope_scaling;
  if (rope && typeof rope === 'object' && !Array.isArray(rope)) check(rope as Json, ROPE_CAPS, 'rope_scaling.');
}

function isObj(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The text model's config of a multimodal checkpoint. Wrappers (mllama, gemma-3, Llama-4, Mistral-3, Qwen3-VL,
 * Qwen3.5, Kimi-K2.5) nest it under `text_config`; its keys win over the wrapper's, except the keys vLLM reads from
 * the top-level hf_config: `quantization_config` and `torch_dtype`/`dtype` (vllm/config ModelConfig). Qwen2-VL and
 * Qwen2.5-VL checkpoints keep the text dims at the top level beside a nested `vision_config`.
 */
export function textConfigOf(config: Json): { text: Json; nested: boolean } {
  const tc = config.text_config ?? config.llm_config ?? config.language_config;
  if (!isObj(tc)) return { text: config, nested: false };
  const top: Json = { ...config };
  delete top.text_config;
  delete top.llm_config;
  delete top.language_config;
  delete top.vision_config;
  const text: Json = { ...top, ...tc };
  for (const k of ['quantization_config', 'torch_dtype', 'dtype'] as const) if (config[k] !== undefined) text[k] = config[k];
  return { text, nested: true };
}

/**
 * Vision encoder dims from `vision_config` (ViT field names of transformers' SigLIP, Mllama, Pixtral, Qwen2/2.5/3-VL,
 * Llama-4 and MoonViT `vt_*` configs). Null when the config has no vision tower or its dims cannot be read.
 */
export function visionOf(config: Json, textHidden: number): VisionDims | null {
  const vc = config.vision_config;
  if (!isObj(vc)) return null;
  const pick = (...keys: string[]) => {
    for (const k of keys) {
      const v = num(vc, k);
      if (v !== undefined && v > 0) return v;
    }
    return undefined;
  };
  const top0 = String(config.model_type ?? '');
  // Qwen2-VL's vision_config.hidden_size is the merger's output (the text width); its ViT width is embed_dim.
  const hidden = top0 === 'qwen2_vl' ? pick('embed_dim', 'hidden_size') : pick('hidden_size', 'embed_dim', 'width', 'vt_hidden_size');
  const depth = pick('num_hidden_layers', 'depth', 'num_layers', 'vt_num_hidden_layers');
  if (!hidden || !depth) return null;
  const family = String(vc.model_type ?? config.model_type ?? '');
  const top = top0;
  const mlpRatio = num(vc, 'mlp_ratio');
  const intermediate = pick('intermediate_size', 'vt_intermediate_size') ?? (mlpRatio ? Math.round(mlpRatio * hidden) : 4 * hidden);
  const heads = pick('num_attention_heads', 'num_heads', 'attention_heads', 'vt_num_attention_heads') ?? 16;
  const layers = depth + (num(vc, 'num_global_layers') ?? 0); // Mllama: 32 local + 8 global layers
  // Qwen2.5-VL and Pixtral use SwiGLU in the ViT (transformers Qwen2_5_VLMLP, PixtralMLP); SigLIP, Mllama, Qwen2-VL,
  // Qwen3-VL and Llama-4 use fc1/fc2.
  const gatedMlp = top === 'qwen2_5_vl' || family === 'pixtral' || top === 'mistral3' || top === 'pixtral' || family.includes('qwen2_5');
  const patch = pick('patch_size', 'spatial_patch_size') ?? 14;
  const channels = pick('num_channels', 'in_channels', 'in_chans') ?? 3;
  const temporal = pick('temporal_patch_size') ?? 1;
  const imageSize = pick('image_size');
  const positions = pick('num_position_embeddings') ?? (imageSize && !family.includes('pixtral') ? (imageSize / patch) ** 2 : 0);
  let stemParams = channels * temporal * patch * patch * hidden + positions * hidden + 4 * hidden;
  if (top === 'mllama') {
    // Tile position embeddings: (max_aspect_ratio_id + 1) x tiles x (patches + 1) x hidden (transformers MllamaVisionModel).
    const tiles = num(vc, 'max_num_tiles') ?? 4;
    const ratios = (Array.isArray(vc.supported_aspect_ratios) ? vc.supported_aspect_ratios.length : 8) + 1;
    stemParams += ratios * tiles * (positions + 1) * hidden + 2 * ratios * tiles * hidden;
  }
  const merge = pick('spatial_merge_size') ?? num(config, 'spatial_merge_size') ?? 2;
  const outHidden = pick('out_hidden_size') ?? (top === 'qwen2_vl' ? pick('hidden_size') : undefined) ?? textHidden;
  let projectorParams: number;
  if (top.startsWith('qwen2') || top.startsWith('qwen3') || family.startsWith('qwen')) {
    // PatchMerger: LayerNorm, Linear(h m^2 -> h m^2), GELU, Linear(h m^2 -> out_hidden) (transformers Qwen2_5_VL).
    const hm = hidden * merge * merge;
    const mergers = 1 + (Array.isArray(vc.deepstack_visual_indexes) ? vc.deepstack_visual_indexes.length : 0);
    projectorParams = mergers * (hm * hm + hm * outHidden + 2 * hm + outHidden);
  } else if (top === 'mllama') {
    const outDim = num(vc, 'vision_output_dim') ?? hidden * 6;
    projectorParams = outDim * textHidden + textHidden;
  } else if (top.startsWith('gemma3')) {
    projectorParams = hidden * textHidden + hidden; // mm_input_projection_weight + mm_soft_emb_norm
  } else if (top === 'mistral3') {
    // Mistral3PatchMerger Linear(h m^2 -> h) + norm, then linear_1 (h -> text) and linear_2 (text -> text).
    projectorParams = hidden * merge * merge * hidden + hidden + hidden * textHidden + textHidden * textHidden;
  } else if (top.startsWith('llama4')) {
    const projIn = num(vc, 'projector_input_dim') ?? textHidden;
    const projOut = num(vc, 'projector_output_dim') ?? textHidden;
    // Pixel-shuffle adapter MLP (h / ratio^2 -> projector_input_dim -> projector_output_dim) and the text projector.
    const ratio = num(vc, 'pixel_shuffle_ratio') ?? 0.5;
    projectorParams = (hidden / (ratio * ratio)) * projIn + projIn * projOut + projOut * textHidden;
  } else {
    // LLaVA-style two-layer projector (vision hidden -> text hidden -> text hidden).
    projectorParams = hidden * textHidden + textHidden * textHidden + 2 * textHidden;
  }
  return {
    family: family || top,
    layers,
    hidden,
    intermediate,
    heads,
    gatedMlp,
    stemParams,
    projectorParams,
    ...(imageSize ? { imageSize } : {}),
    patchSize: patch,
    channels,
    ...(top === 'mllama' ? { maxTiles: num(vc, 'max_num_tiles') ?? 4 } : {}),
    crossAttention: top === 'mllama',
    wrapper: top,
    mergeSize: merge,
    temporalPatch: temporal,
    ...(num(config, 'mm_tokens_per_image') ? { tokensPerImage: num(config, 'mm_tokens_per_image') } : {}),
    ...(typeof config.vision_feature_select_strategy === 'string' ? { featureSelect: config.vision_feature_select_strategy } : {}),
    ...(Array.isArray(vc.deepstack_visual_indexes) && vc.deepstack_visual_indexes.length > 0 ? { deepstackLevels: vc.deepstack_visual_indexes.length } : {}),
    ...(top.startsWith('llama4') && num(vc, 'pixel_shuffle_ratio') ? { pixelShuffleRatio: num(vc, 'pixel_shuffle_ratio') } : {}),
    ...(top === 'llava_next' && pinpointsOf(config.image_grid_pinpoints) ? { gridPinpoints: pinpointsOf(config.image_grid_pinpoints)! } : {}),
  };
}

/** image_grid_pinpoints as [height, width] pairs of positive integers, null when absent or malformed. */
function pinpointsOf(v: unknown): number[][] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const ok = v.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0));
  return ok ? (v as number[][]) : null;
}

/** Gated DeltaNet dims when the config declares linear-attention heads (Qwen3-Next, Qwen3.5). */
function linearAttnOf(cfg: Json): LinearAttnDims | null {
  const numValueHeads = num(cfg, 'linear_num_value_heads');
  if (!numValueHeads) return null;
  const numKeyHeads = num(cfg, 'linear_num_key_heads') ?? numValueHeads;
  return {
    numKeyHeads,
    numValueHeads,
    keyHeadDim: num(cfg, 'linear_key_head_dim') ?? 128,
    valueHeadDim: num(cfg, 'linear_value_head_dim') ?? 128,
    convKernel: num(cfg, 'linear_conv_kernel_dim') ?? 4,
  };
}

/**
 * Bytes of one request's fixed state in one Gated DeltaNet layer on one of `tp` GPUs (vLLM
 * MambaStateShapeCalculator.gated_delta_net_state_shape): conv state (conv_dim / tp) x (kernel - 1) plus the
 * recurrent state (v_heads / tp) x k_dim x v_dim, both in the model dtype (mamba_ssm_cache_dtype "auto").
 */
export function linearStateBytesPerGpu(d: LinearAttnDims, tp: number, elementBytes: number): number {
  const convDim = 2 * d.numKeyHeads * d.keyHeadDim + d.numValueHeads * d.valueHeadDim;
  const conv = Math.ceil(convDim / tp) * (d.convKernel - 1);
  const recurrent = Math.ceil(d.numValueHeads / tp) * d.keyHeadDim * d.valueHeadDim;
  return (conv + recurrent) * elementBytes;
}

/** Builds the normalized architecture from config.json fields. Throws ModelConfigError naming the field. */
export function modelFromConfig(id: string, rawConfig: Json): ModelArch {
  const { text: config, nested } = textConfigOf(rawConfig);
  const modelType = String(config.model_type ?? '');
  const falcon = isFalcon(modelType);
  checkConfigBounds(config, falcon ? FALCON_CAPS : undefined);
  const isOpt = modelType === 'opt';
  // Falcon's remote-code configs may name the width n_embed (transformers FalconConfig reads it for backward compatibility).
  const hidden = falcon ? need(config, 'hidden_size', 'n_embed') : need(config, 'hidden_size', 'd_model', 'n_embd');
  const layers = need(config, 'num_hidden_layers', 'n_layer', 'num_layers');
  const heads = need(config, 'num_attention_heads', 'n_head');
  const fal = falcon ? falconShapeOf(config, modelType, hidden, heads) : null;
  const kvHeads = fal ? fal.kvHeads : (num(config, 'num_key_value_heads') ?? num(config, 'multi_query_group_num') ?? heads);
  const headDim = num(config, 'head_dim') ?? hidden / heads;
  if (!Number.isInteger(headDim))
    throw new ModelConfigError('head_dim', `hidden_size ${hidden} is not divisible by num_attention_heads ${heads}; give "head_dim"`);
  const vocab = need(config, 'vocab_size');
  // Falcon: transformers FalconConfig defaults max_position_embeddings to 2048 (the configs leave it out).
  const maxPosition =
    num(config, 'max_position_embeddings') ?? num(config, 'n_positions') ?? num(config, 'seq_length') ?? (falcon ? FALCON_MAX_POSITION : 4096);
  const intermediate = fal ? fal.ffn : (num(config, 'intermediate_size') ?? num(config, 'ffn_dim') ?? num(config, 'n_inner') ?? 4 * hidden);
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
  if (fal) {
    // Falcon: rotary over the whole head unless ALiBi (vLLM FalconAttention `rotary_dim=self.head_dim`); the legacy
    // RWConfig has no max_position_embeddings, so vLLM's falcon.py sizes the cos/sin cache with its default 8192.
    if (bool(config, 'alibi', false)) ropeCacheLen = 0;
    else if (modelType !== 'falcon' && num(config, 'max_position_embeddings') === undefined) ropeCacheLen = FALCON_LEGACY_ROPE_CACHE;
  }
  const denseIntermediate = num(config, 'intermediate_size_mlp') ?? (moe && modelType.startsWith('llama4') ? intermediate : intermediate);
  const qwen2Family = modelType === 'qwen2' || modelType === 'qwen2_moe' || modelType === 'qwen2_vl' || modelType === 'qwen2_5_vl';
  const gemmaNorms = modelType === 'gemma2' || modelType.startsWith('gemma3');
  const qkNorm = modelType.startsWith('qwen3') || modelType.startsWith('gemma3') || modelType.startsWith('olmo2');
  const embedProj = num(config, 'word_embed_proj_dim');
  const linearAttn = linearAttnOf(config);
  if (kinds.includes('linear') && !linearAttn && num(config, 'linear_state_bytes') === undefined) {
    throw new ModelConfigError(
      'layer_types',
      'config.json declares linear-attention layers but no "linear_num_value_heads"; their per-request state cannot be sized',
    );
  }
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
    // Falcon ties by default: "previous Falcon model doesn't have tie_word_embeddings config" (vLLM falcon.py).
    tieEmbeddings: bool(config, 'tie_word_embeddings', isOpt || modelType.startsWith('gemma') || falcon),
    dtype: parseDtype(config.torch_dtype ?? config.dtype),
    rotaryDim: isOpt || (falcon && bool(config, 'alibi', false)) ? 0 : rotaryDim,
    ropeCacheLen: isOpt ? 0 : ropeCacheLen,
    ropeScaled: !!rope && ropeType !== 'default' && ropeType !== '',
    attentionBias: fal ? fal.bias : bool(config, 'attention_bias', isOpt || bool(config, 'enable_bias', false)),
    qkvBias: fal ? fal.bias : qwen2Family || bool(config, 'attention_bias', isOpt),
    qkNorm,
    // Falcon's MLP is dense_h_to_4h, GELU, dense_4h_to_h: not gated.
    gatedMlp: !isOpt && !falcon && modelType !== 'phi' && modelType !== 'phi-msft' && modelType !== 'gpt2',
    mlpBias: fal ? fal.bias : isOpt || bool(config, 'mlp_bias', false),
    normsPerLayer: fal ? fal.normVectorsPerLayer : gemmaNorms ? 4 : 2,
    mla,
    moe,
    denseIntermediate,
    layerKinds: kinds,
    slidingWindow: window,
    linearStateBytes: linearAttn
      ? linearStateBytesPerGpu(linearAttn, 1, DTYPE_SIZE[parseDtype(config.torch_dtype ?? config.dtype)])
      : (num(config, 'linear_state_bytes') ?? 0),
    learnedPositions: isOpt ? maxPosition + 2 : 0,
    embedProjDim: embedProj && embedProj !== hidden ? embedProj : null,
    quant: quantOf(config.quantization_config),
    mtpLayers: num(config, 'num_nextn_predict_layers') ?? 0,
    vision: visionOf(rawConfig, hidden),
    linearAttn: kinds.includes('linear') ? linearAttn : null,
    attnOutputGate: bool(config, 'attn_output_gate', modelType.startsWith('qwen3_next') || modelType.startsWith('qwen3_5')),
    nestedTextConfig: nested,
    ...(falcon ? { finalNormBias: true } : {}),
  };
}
