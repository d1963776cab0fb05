// Why vLLM refuses to start, in its own words and order: the configuration checks (quantization method, tensor-parallel
// divisibility) and the KV-cache checks after profiling (weights, no cache blocks, max_model_len), per version. Pure.
import type { BlockLayout, KvLayer, LayoutOptions } from './kvcache';
import { bytesForLength } from './kvcache';
import type { EngineName } from './memory';
import type { ModelArch } from './model';
import { GiB, fmtGiB, fmtInt } from './units';
import type { VllmBehaviour } from './vllmVersion';

export type StartupErrorKind =
  'weights_exceed_memory' | 'no_kv_memory' | 'max_model_len' | 'heads_not_divisible' | 'quantization_mismatch' | 'sampler_warmup_oom';

/** One reason vLLM refuses to start, in the order vLLM meets them: config checks, loading, profiling, warm-up. */
export interface StartupFinding {
  kind: StartupErrorKind;
  phase: 'config' | 'load' | 'profile' | 'warmup';
  /** vLLM's own message. */
  error: string;
}

export interface StartupResult {
  ok: boolean;
  /** The first refusal vLLM meets (it stops there). */
  errorKind: StartupErrorKind | null;
  /** The message vLLM would print, in that version's wording. */
  error: string | null;
  /** Largest max_model_len that would fit (what newer vLLM states); null when startup is fine. */
  estimatedMaxModelLen: number | null;
  /** Every refusal found, first one first; `ok` is false whenever this is not empty. */
  findings: StartupFinding[];
  /** The sampler warm-up fits only with the favourable end of the overhead estimate: it may fail (not a refusal). */
  samplerWarmupTight?: boolean;
}

/**
 * Serving names vLLM accepts for a checkpoint's own method (ModelConfig._verify_quantization and each method's
 * override_quantization_method: Marlin kernels stand in for AWQ/GPTQ, "modelopt" names both ModelOpt formats).
 */
const COMPATIBLE_QUANT: Record<string, string[]> = {
  awq: ['awq', 'awq_marlin', 'marlin', 'moe_wna16'],
  gptq: ['gptq', 'gptq_marlin', 'gptq_marlin_24', 'gptq_bitblas', 'marlin', 'auto_gptq', 'moe_wna16'],
  fp8: ['fp8'],
  fbgemm_fp8: ['fbgemm_fp8'],
  'compressed-tensors': ['compressed-tensors', 'compressed_tensors'],
  bitsandbytes: ['bitsandbytes'],
  modelopt: ['modelopt', 'modelopt_fp4'],
  modelopt_fp4: ['modelopt', 'modelopt_fp4'],
  mxfp4: ['mxfp4', 'gpt_oss_mxfp4'],
};

/** Methods vLLM applies to an unquantized checkpoint at load time (their get_config_filenames() is empty). */
const ONLINE_QUANT = new Set(['fp8', 'ptpc_fp8', 'bitsandbytes', 'experts_int8', 'fp_quant', 'torchao']);

/**
 * vLLM's verdict on `--quantization` against the checkpoint: a method the checkpoint does not carry stops the
 * engine (vllm/config ModelConfig._verify_quantization; get_quant_config in model_loader/weight_utils.py).
 */
export function quantizationFinding(requested: string | null | undefined, m: ModelArch): StartupFinding | null {
  const req = (requested ?? '').trim().toLowerCase();
  if (!req || req === 'none' || req === 'null') return null;
  const ckpt = m.quant?.checkpointMethod ?? '';
  if (ckpt) {
    if ((COMPATIBLE_QUANT[ckpt] ?? [ckpt]).includes(req)) return null;
    return {
      kind: 'quantization_mismatch',
      phase: 'config',
      error: `Quantization method specified in the model config (${ckpt}) does not match the quantization method specified in the \`quantization\` argument (${req}).`,
    };
  }
  if (m.quant || ONLINE_QUANT.has(req)) return null;
  // AWQ, GPTQ, ModelOpt, ... read their scales from the checkpoint's own config file, which an unquantized checkpoint lacks.
  return { kind: 'quantization_mismatch', phase: 'load', error: `Cannot find the config file for ${req}` };
}

/**
 * vLLM's tensor-parallel divisibility checks: ModelConfig.verify_with_parallel_config for attention heads, then
 * QKVParallelLinear's divide() for KV heads (kv >= tp: kv % tp; kv < tp: tp % kv). MLA has no KV-head split.
 */
export function headsFinding(m: ModelArch, tp: number): StartupFinding | null {
  if (m.heads % tp !== 0) {
    return {
      kind: 'heads_not_divisible',
      phase: 'config',
      error: `Total number of attention heads (${m.heads}) must be divisible by tensor parallel size (${tp}).`,
    };
  }
  if (m.mla) return null;
  const [a, b] = m.kvHeads >= tp ? [m.kvHeads, tp] : [tp, m.kvHeads];
  if (a % b !== 0) return { kind: 'heads_not_divisible', phase: 'load', error: `${a} is not divisible by ${b}` };
  return null;
}

export interface StartupInputs {
  engine: EngineName;
  beh: VllmBehaviour;
  available: number;
  weights: number;
  total: number;
  requested: number;
  numBlocks: number;
  capacityTokens: number;
  maxModelLen: number;
  layout: BlockLayout;
  layers: KvLayer[];
  layoutOpts: LayoutOptions;
}

/** Largest max_model_len whose single request fits in `available` bytes (vLLM's estimate_max_model_len, a binary search). */
export function estimateMaxModelLen(layers: KvLayer[], available: number, upper: number, o: LayoutOptions): number {
  if (available <= 0) return 0;
  let lo = 0;
  let hi = upper;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (bytesForLength(layers, mid, { ...o, maxModelLen: mid }) <= available) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const TRY_MEM = 'Try increasing `gpu_memory_utilization` when initializing the engine.';
const TRY_BOTH = 'Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.';
const DOCS_LINK = ' See https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details.';

export function startupCheck(x: StartupInputs): Omit<StartupResult, 'findings'> {
  if (x.weights > x.total) {
    return {
      ok: false,
      errorKind: 'weights_exceed_memory',
      error: `CUDA out of memory while loading weights: ${fmtGiB(x.weights)} of weights per GPU exceed the GPU's ${fmtGiB(x.total)}.`,
      estimatedMaxModelLen: 0,
    };
  }
  if (x.available <= 0 || x.numBlocks <= 0) {
    const link = x.engine === 'vllm' && x.beh.errorDocsLink ? DOCS_LINK : '';
    return { ok: false, errorKind: 'no_kv_memory', error: `No available memory for the cache blocks. ${TRY_MEM}${link}`, estimatedMaxModelLen: 0 };
  }
  if (x.engine !== 'vllm') {
    const fits = x.capacityTokens >= x.maxModelLen;
    return fits
      ? { ok: true, errorKind: null, error: null, estimatedMaxModelLen: null }
      : {
          ok: false,
          errorKind: 'max_model_len',
          error: `The KV pool holds ${fmtInt(x.capacityTokens)} tokens, fewer than one request of ${fmtInt(x.maxModelLen)} tokens.`,
          estimatedMaxModelLen: x.capacityTokens,
        };
  }
  if (!x.beh.v1) {
    // V0 (vllm/core/scheduler.py / llm_engine): compares block capacity with max_model_len.
    if (x.capacityTokens < x.maxModelLen) {
      return {
        ok: false,
        errorKind: 'max_model_len',
        error: `The model's max seq len (${x.maxModelLen}) is larger than the maximum number of tokens that can be stored in KV cache (${x.capacityTokens}). ${TRY_BOTH}`,
        estimatedMaxModelLen: x.capacityTokens,
      };
    }
    return { ok: true, errorKind: null, error: null, estimatedMaxModelLen: null };
  }
  // V1 (kv_cache_utils.check_enough_kv_cache_memory): one request of max_model_len must fit.
  const needed = bytesForLength(x.layers, x.maxModelLen, x.layoutOpts);
  if (needed > x.available) {
    const est = estimateMaxModelLen(x.layers, x.available, x.maxModelLen, x.layoutOpts);
    const estText = x.beh.errorStatesEstimate && est > 0 ? ` Based on the available memory, the estimated maximum model length is ${est}.` : '';
    const link = x.beh.errorDocsLink ? DOCS_LINK : '';
    return {
      ok: false,
      errorKind: 'max_model_len',
      error: `To serve at least one request with the models's max seq len (${x.maxModelLen}), (${(needed / GiB).toFixed(2)} GiB KV cache is needed, which is larger than the available KV cache memory (${(x.available / GiB).toFixed(2)} GiB).${estText} ${TRY_BOTH}${link}`,
      estimatedMaxModelLen: est,
    };
  }
  return { ok: true, errorKind: null, error: null, estimatedMaxModelLen: null };
}

/** Block arithmetic alone, from a measured available-KV figure (what calibration reproduces exactly). */
export function blocksFromAvailable(availableBytes: number, layout: BlockLayout): number {
  return availableBytes > 0 && layout.bytesPerBlock > 0 ? Math.floor(availableBytes / layout.bytesPerBlock) : 0;
}
