// Serving settings as written and as the engine resolves them: its version's behaviour, the defaults it fills in
// (max_model_len, gpu_memory_utilization, max_num_seqs, max_num_batched_tokens, block_size), the serving dtype and
// quantization, and the range checks that refuse a setting before any memory is sized. Pure.
import type { GpuSpec } from './hardware';
import { isLargeGpu } from './hardware';
import { kvElementBytes } from './kvcache';
import type { ModelArch, QuantSpec, WeightDtype } from './model';
import { GiB, fmtInt } from './units';
import type { ServingDefaults, Version, VllmBehaviour } from './vllmVersion';
import { LATEST_VLLM, parseVersion, servingDefaults, vllmBehaviour } from './vllmVersion';
import { DTYPE_BYTES, onlineQuant } from './weights';

export type EngineName = 'vllm' | 'sglang' | 'trtllm';

/** Serving settings as written; null means "the engine's default". */
export interface ServingInput {
  engine: EngineName;
  engineVersion: string | null;
  tp: number;
  pp: number;
  dp: number;
  expertParallel: boolean;
  dtype: string;
  quantization: string | null;
  kvCacheDtype: string;
  maxModelLen: number | null;
  gpuMemoryUtilization: number | null;
  maxNumSeqs: number | null;
  maxNumBatchedTokens: number | null;
  blockSize: number | null;
  enforceEager: boolean;
  enablePrefixCaching: boolean | null;
  /** SGLang --mem-fraction-static; TensorRT-LLM free_gpu_memory_fraction. */
  memFractionStatic: number | null;
  freeGpuMemoryFraction: number | null;
  /** Whether the process is the OpenAI API server (vllm serve) or the offline LLM class. */
  apiServer: boolean;
  /** Another server sized with vLLM's budget (TGI): vLLM's own refusals (quantization names, sampler warm-up) do not apply. */
  launcher?: 'tgi' | null;
  /** LoRA (vLLM LoRAConfig): slots on the GPU, their rank, the CPU cache and the adapters' dtype. */
  enableLora?: boolean | null;
  maxLoras?: number | null;
  maxLoraRank?: number | null;
  maxCpuLoras?: number | null;
  loraDtype?: string | null;
  /** speculative_config as written (JSON text or object). */
  speculativeConfig?: unknown;
  /** --kv-cache-memory (bytes): replaces the profiled budget (vLLM skips the util subtraction). */
  kvCacheMemoryBytes?: number | null;
  /** GiB of weights per GPU kept in host memory (--cpu-offload-gb). */
  cpuOffloadGb?: number | null;
  /** GiB of CPU swap space per GPU (--swap-space, V0). */
  swapSpace?: number | null;
  /** GiB of host memory for KV offloading (--kv-offloading-size). */
  kvOffloadingSize?: number | null;
  /** --limit-mm-per-prompt as written (JSON text, a mapping, or V0's "image=N"); {"image": 0} is text-only. */
  limitMmPerPrompt?: unknown;
  /** --mm-processor-kwargs as written (JSON text or a mapping); its max_pixels sizes Qwen-VL's dummy image. */
  mmProcessorKwargs?: unknown;
}

export function defaultServing(): ServingInput {
  return {
    engine: 'vllm',
    engineVersion: null,
    tp: 1,
    pp: 1,
    dp: 1,
    expertParallel: false,
    dtype: 'auto',
    quantization: null,
    kvCacheDtype: 'auto',
    maxModelLen: null,
    gpuMemoryUtilization: null,
    maxNumSeqs: null,
    maxNumBatchedTokens: null,
    blockSize: null,
    enforceEager: false,
    enablePrefixCaching: null,
    memFractionStatic: null,
    freeGpuMemoryFraction: null,
    apiServer: true,
  };
}

export interface ResolvedServing {
  engine: EngineName;
  engineVersion: string;
  v1: boolean;
  tp: number;
  pp: number;
  dp: number;
  ep: number;
  dtype: WeightDtype;
  quantization: string | null;
  kvCacheDtype: string;
  kvElementBytes: number;
  maxModelLen: number;
  gpuMemoryUtilization: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  blockSize: number;
  enforceEager: boolean;
  /** Names of settings that took the engine's default, with why. */
  defaulted: Record<string, string>;
}

export class SizingInputError extends Error {
  constructor(
    public readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** vLLM's derived max_model_len from config (config.py _get_and_verify_max_len): YaRN scales the original length. */
export function derivedMaxModelLen(m: ModelArch): number {
  return m.maxPosition;
}

/**
 * SGLang's default --mem-fraction-static (python/sglang/srt/server_args.py, newer releases): (memory - reserved) /
 * memory, reserving (2.8 + p/10) GiB below 35 GiB, (9.5 + p/2) below 90, (12 + p/2) below 160, else 32 GiB; p = tp x pp.
 */
export function sglangMemFractionStatic(memoryBytes: number, p: number): number {
  const g = memoryBytes / GiB;
  const reserved = g < 35 ? 2.8 + p / 10 : g < 90 ? 9.5 + p / 2 : g < 160 ? 12 + p / 2 : 32;
  return Math.max(0.5, (g - reserved) / g);
}

/**
 * SGLang's default --chunked-prefill-size, the most prompt tokens one prefill batch carries
 * (python/sglang/srt/server_args.py, newer releases): 2048 below 35 GiB, 4096 below 60 (older releases: 8192), 8192
 * below 160 (H100, H200), else 16384 (B200, B300, MI300).
 */
export function sglangChunkedPrefillSize(memoryBytes: number): number {
  const g = memoryBytes / GiB;
  return g < 35 ? 2048 : g < 60 ? 4096 : g < 160 ? 8192 : 16384;
}

/** The settings as the engine runs them, with the version's behaviour and the quantization method that applies. */
export interface ResolvedServingOf {
  serving: ResolvedServing;
  beh: VllmBehaviour;
  quant: QuantSpec | null;
}

// Beyond this the KV bytes of one request overflow to Infinity; no model serves 2^31 tokens.
const MAX_MODEL_LEN_LIMIT = 2 ** 31;

/** Resolves the settings in the order the checks refuse them (a plan with two bad fields names the same one). */
export function resolvedServingOf(m: ModelArch, gpu: GpuSpec, s: ServingInput): ResolvedServingOf {
  checkParallelism(m, s);
  const version = engineVersionOf(s);
  const beh = vllmBehaviour(version);
  // Insertion order is the order the report lists the defaults in.
  const defaulted: Record<string, string> = {};
  const maxModelLen = maxModelLenOf(m, s, defaulted);
  const sd = servingDefaults(beh, maxModelLen, isLargeGpu(gpu), s.apiServer);
  const util = budgetFractionOf(s, gpu, beh, version, defaulted);
  const { maxNumSeqs, maxNumBatchedTokens } = batchLimitsOf(s, beh, sd, gpu, defaulted);
  const dtype = resolveDtype(s, m, gpu);
  const quant = resolveQuant(s, m);
  const kvCacheDtype = kvCacheDtypeOf(s, quant, defaulted);
  const kvEl = kvElementBytes(kvCacheDtype, DTYPE_BYTES[dtype]);
  const blockSize = s.blockSize ?? (m.mla && beh.mlaLatent ? beh.mlaBlockSize : 16);
  if (s.blockSize === null) defaulted.block_size = `${blockSize}${m.mla && beh.mlaLatent ? ' (MLA)' : ''}`;
  const serving: ResolvedServing = {
    engine: s.engine,
    // vLLM: the release whose behaviour is sized. Other engines: only what the file states (their version changes
    // nothing sized here, and the newest vLLM release number would read as theirs).
    engineVersion: s.engine === 'vllm' ? version.raw : (s.engineVersion ?? ''),
    v1: beh.v1,
    tp: s.tp,
    pp: s.pp,
    dp: s.dp,
    ep: s.expertParallel && m.moe ? s.tp * s.dp : 1,
    dtype,
    quantization: quant?.label ?? null,
    kvCacheDtype,
    kvElementBytes: kvEl,
    maxModelLen,
    gpuMemoryUtilization: util,
    maxNumSeqs,
    maxNumBatchedTokens,
    blockSize,
    enforceEager: s.enforceEager,
    defaulted,
  };
  return { serving, beh, quant };
}

function checkParallelism(m: ModelArch, s: ServingInput): void {
  for (const [k, v] of [
    ['tensor_parallel_size', s.tp],
    ['pipeline_parallel_size', s.pp],
    ['data_parallel_size', s.dp],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 4096) throw new SizingInputError(k, `${k} must be a whole number from 1 to 4096, got ${v}`);
  }
  if (s.pp > m.layers) throw new SizingInputError('pipeline_parallel_size', `pipeline_parallel_size ${s.pp} exceeds the model's ${m.layers} layers`);
}

/** vLLM's version as written; the other engines are sized with the latest vLLM's behaviour. */
function engineVersionOf(s: ServingInput): Version {
  const versionStr = s.engine === 'vllm' ? (s.engineVersion ?? LATEST_VLLM) : LATEST_VLLM;
  const version = parseVersion(versionStr);
  if (!version) throw new SizingInputError('engine_version', `engine_version "${versionStr}" is not a version like 0.11.0`);
  return version;
}

function maxModelLenOf(m: ModelArch, s: ServingInput, defaulted: Record<string, string>): number {
  const maxModelLen = s.maxModelLen ?? derivedMaxModelLen(m);
  if (s.maxModelLen === null) defaulted.max_model_len = `model's max_position_embeddings (${maxModelLen})`;
  if (!(maxModelLen >= 1)) throw new SizingInputError('max_model_len', `max_model_len must be at least 1, got ${maxModelLen}`);
  if (!(maxModelLen <= MAX_MODEL_LEN_LIMIT))
    throw new SizingInputError(
      'max_model_len',
      `max_model_len must be at most ${fmtInt(MAX_MODEL_LEN_LIMIT)} tokens, got ${Number.isFinite(maxModelLen) ? maxModelLen : 'an infinite number'}`,
    );
  return maxModelLen;
}

/** The fraction of GPU memory the engine budgets: gpu_memory_utilization, mem_fraction_static or free_gpu_memory_fraction. */
function budgetFractionOf(s: ServingInput, gpu: GpuSpec, beh: VllmBehaviour, version: Version, defaulted: Record<string, string>): number {
  let util: number;
  if (s.engine === 'sglang') util = s.memFractionStatic ?? sglangMemFractionStatic(gpu.memoryBytes, s.tp * s.pp);
  else if (s.engine === 'trtllm') util = s.freeGpuMemoryFraction ?? 0.9;
  else util = s.gpuMemoryUtilization ?? beh.defaultGpuMemoryUtilization;
  if (s.gpuMemoryUtilization === null && s.engine === 'vllm') defaulted.gpu_memory_utilization = `vLLM ${version.raw} default (${util})`;
  if (!(util > 0 && util <= 1)) throw new SizingInputError('gpu_memory_utilization', `gpu_memory_utilization must be in (0, 1], got ${util}`);
  return util;
}

function batchLimitsOf(
  s: ServingInput,
  beh: VllmBehaviour,
  sd: ServingDefaults,
  gpu: GpuSpec,
  defaulted: Record<string, string>,
): { maxNumSeqs: number; maxNumBatchedTokens: number } {
  const maxNumSeqs = s.maxNumSeqs ?? (s.maxNumBatchedTokens !== null && beh.v1 ? Math.min(sd.maxNumSeqs, s.maxNumBatchedTokens) : sd.maxNumSeqs);
  if (s.maxNumSeqs === null) defaulted.max_num_seqs = `${sd.maxNumSeqs} (${sd.why})`;
  // SGLang sizes its prefill batches by GPU memory, never by vLLM's defaults.
  const sglang = s.engine === 'sglang' ? sglangChunkedPrefillSize(gpu.memoryBytes) : null;
  const maxNumBatchedTokens = s.maxNumBatchedTokens ?? sglang ?? sd.maxNumBatchedTokens;
  if (s.maxNumBatchedTokens === null)
    defaulted.max_num_batched_tokens =
      sglang !== null ? `${sglang} (SGLang's chunked_prefill_size for ${Math.round(gpu.memoryBytes / GiB)} GiB GPUs)` : `${sd.maxNumBatchedTokens} (${sd.why})`;
  // Counts past 2^31 (1e308 from a typo, .inf) would turn activations and block math into Infinity and NaN.
  for (const [k, v] of [
    ['max_num_seqs', maxNumSeqs],
    ['max_num_batched_tokens', maxNumBatchedTokens],
    ['block_size', s.blockSize ?? 1],
  ] as const) {
    if (!(v <= MAX_MODEL_LEN_LIMIT))
      throw new SizingInputError(k, `${k} must be at most ${fmtInt(MAX_MODEL_LEN_LIMIT)}, got ${Number.isFinite(v) ? v : 'a number that is not finite'}`);
  }
  return { maxNumSeqs, maxNumBatchedTokens };
}

function resolveDtype(s: ServingInput, m: ModelArch, gpu: GpuSpec): WeightDtype {
  const d = s.dtype.toLowerCase();
  if (d === 'float16' || d === 'half' || d === 'fp16') return 'float16';
  if (d === 'bfloat16' || d === 'bf16') return 'bfloat16';
  if (d === 'float32' || d === 'float') return 'float32';
  // auto: the checkpoint dtype; float32 checkpoints serve in 16 bits; GPUs without bf16 fall back to fp16.
  const base: WeightDtype = m.dtype === 'float32' ? 'bfloat16' : m.dtype;
  if (base === 'bfloat16' && !(gpu.flopsDense.bf16 && gpu.flopsDense.bf16 > 0)) return 'float16';
  return base;
}

/**
 * The KV cache format the engine runs. TensorRT-LLM's kv_cache_config dtype 'auto' follows the checkpoint's
 * kv_cache_quant_algo (an FP8 KV cache for NVIDIA's ModelOpt checkpoints that carry it: TensorRT-LLM PR #16240 documents
 * the resolution, its quantization guide says FP8 KV can be enabled "even for checkpoints that do not have it enabled by
 * default"). vLLM and SGLang keep the model dtype for 'auto' unless the flag says otherwise.
 */
function kvCacheDtypeOf(s: ServingInput, quant: QuantSpec | null, defaulted: Record<string, string>): string {
  if (s.engine === 'trtllm' && s.kvCacheDtype === 'auto' && quant?.kvCacheAlgo === 'FP8') {
    defaulted.kv_cache_dtype = "fp8 (TensorRT-LLM's 'auto' follows the checkpoint's kv_cache_quant_algo FP8)";
    return 'fp8';
  }
  return s.kvCacheDtype;
}

function resolveQuant(s: ServingInput, m: ModelArch): QuantSpec | null {
  if (m.quant) return m.quant; // the checkpoint's own method wins (vLLM errors on a conflicting --quantization)
  return onlineQuant(s.quantization);
}
