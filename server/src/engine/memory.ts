// The four-component memory model per GPU and vLLM's KV budget and block arithmetic. Pure.
//   requested    = total x gpu_memory_utilization                      (vllm/v1/worker/gpu_worker.py)
//   available_kv = requested - weights - activation_peak - non_torch [- cudagraph where profiled]
//   num_blocks   = floor(available_kv / bytes_per_block)               (vllm/v1/core/kv_cache_utils.py)
// Terms measured by vLLM at startup (activation peak, non-torch, CUDA graphs) carry a low/expected/high band.
import type { GpuSpec } from './hardware';
import { isLargeGpu } from './hardware';
import { blockLayout, kvElementBytes, kvLayers } from './kvcache';
import type { BlockLayout, KvLayer, LayoutOptions } from './kvcache';
import type { ModelArch, QuantSpec, WeightDtype } from './model';
import type { ParamCounts, Tensor } from './params';
import { paramCounts, tensorsOf } from './params';
import { GiB, cdiv, fmtGiB, fmtInt } from './units';
import type { VllmBehaviour } from './vllmVersion';
import { LATEST_VLLM, parseVersion, servingDefaults, vllmBehaviour } from './vllmVersion';
import type { DraftSizing, HostRam } from './extras';
import { draftSizing, hostRam, loraAdapterBytes, loraGpuBytes, parseSpeculativeConfig } from './extras';
import type { MmProfileResult } from './mmProfile';
import { imagesPerPrompt, itemsPerPrompt, maxPixelsOf, mmProfile } from './mmProfile';
import type { RankWeights } from './weights';
import { DTYPE_BYTES, onlineQuant, weightsPerRank } from './weights';

import type { Band } from './overheads';
import {
  CUDA_CONTEXT_BYTES,
  CUDA_CONTEXT_MIN_BYTES,
  OTHER_ENGINE_SAMPLER,
  SAMPLER_PROFILE_BYTES_PER_LOGIT,
  V0_SAMPLER,
  activationEstimate,
  cudagraphEstimate,
  nonTorchEstimate,
} from './overheads';
import type { SamplerProfile } from './overheads';
import type { StartupFinding, StartupResult } from './startup';
import { headsFinding, quantizationFinding, startupCheck } from './startup';

export type { DraftSizing, HostRam } from './extras';
// The startup overheads and the startup checks live in their own modules; importers of memory.ts keep their names.
export * from './overheads';
export * from './startup';

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

/** Measured terms from a vLLM startup log, in GiB (the native plan's `calibration:` block). */
export interface Calibration {
  total_memory_gib?: number | null;
  weights_gib?: number | null;
  activation_peak_gib?: number | null;
  non_torch_gib?: number | null;
  cudagraph_gib?: number | null;
  /** "Available KV cache memory" as printed; when given it replaces the budget subtraction. */
  available_kv_gib?: number | null;
}

/** One term of the budget with how it was obtained, for hovers and reports. */
export interface Term {
  key:
    | 'total'
    | 'requested'
    | 'weights'
    | 'activation_peak'
    | 'non_torch'
    | 'cudagraph'
    | 'kv_cache'
    | 'lora'
    | 'draft'
    | 'cpu_offload'
    | 'host_ram'
    | 'multimodal_profile'
    | 'encoder_cache';
  label: string;
  bytes: number;
  band: [number, number] | null;
  formula: string;
  source: 'config' | 'estimate' | 'calibration' | 'datasheet';
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

export interface KvSizing {
  /** Whole model: all layers, all KV heads, every layer keeping the token. */
  bytesPerToken: number;
  /** On the limiting GPU (its layers, its share of KV heads, replication counted). */
  bytesPerTokenPerGpu: number;
  blockSize: number;
  pageBytes: number;
  bytesPerBlock: number;
  numGroups: number;
  blocksPerRequest: number;
  bytesPerRequest: number;
  numBlocks: number;
  /** What vLLM prints as `GPU KV cache size: N tokens`. */
  capacityTokens: number;
  /** What vLLM prints as `Maximum concurrency for L tokens per request: Xx` (unrounded). */
  maxConcurrency: number;
  /** KV heads per GPU and whether they are replicated (Hkv < tp). */
  kvHeadsPerGpu: number;
  kvHeadsReplicated: boolean;
  layout: BlockLayout;
}

export interface MemorySizing {
  serving: ResolvedServing;
  behaviour: VllmBehaviour | null;
  params: ParamCounts;
  ranks: RankWeights[];
  /** Index of the pipeline rank with the fewest KV blocks (vLLM takes the minimum over workers). */
  limitingRank: number;
  memory: {
    totalBytes: number;
    requestedBytes: number;
    weightsBytes: number;
    activationPeakBytes: number;
    nonTorchBytes: number;
    cudagraphBytes: number;
    cudagraphInBudget: boolean;
    kvCacheBytes: number;
    /** Memory the process will actually hold at peak: requested, plus CUDA graphs when not budgeted. */
    peakUsageBytes: number;
  };
  kv: KvSizing;
  startup: StartupResult;
  bands: {
    activationPeakBytes: [number, number];
    nonTorchBytes: [number, number];
    cudagraphBytes: [number, number];
    kvCacheBytes: [number, number];
    numBlocks: [number, number];
    capacityTokens: [number, number];
    maxConcurrency: [number, number];
  };
  terms: Term[];
  calibrated: boolean;
  extras: ExtraSizing;
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

function resolveQuant(s: ServingInput, m: ModelArch): QuantSpec | null {
  if (m.quant) return m.quant; // the checkpoint's own method wins (vLLM errors on a conflicting --quantization)
  return onlineQuant(s.quantization);
}

interface TermSet {
  total: number;
  weights: number;
  activation: number;
  nonTorch: number;
  cudagraph: number;
  availableOverride: number | null;
}

interface RankBudget {
  available: number;
  numBlocks: number;
}

/**
 * Available KV bytes on one GPU, per engine:
 *   vLLM:   total x util - weights - activation - non_torch [- cudagraph]
 *   SGLang: total x mem_fraction_static - weights - non_torch (activations live in the remaining fraction)
 *   TRT-LLM: free_gpu_memory_fraction x (total - weights - activation - non_torch), a fraction of *free* memory
 */
function availableKv(engine: EngineName, ts: TermSet, util: number, cgInBudget: boolean): number {
  if (ts.availableOverride !== null) return ts.availableOverride;
  if (engine === 'sglang') return ts.total * util - ts.weights - ts.nonTorch;
  if (engine === 'trtllm') return util * (ts.total - ts.weights - ts.activation - ts.nonTorch);
  return ts.total * util - ts.weights - ts.activation - ts.nonTorch - (cgInBudget ? ts.cudagraph : 0);
}

function budgetForRank(engine: EngineName, ts: TermSet, util: number, cgInBudget: boolean, layout: BlockLayout): RankBudget {
  const available = availableKv(engine, ts, util, cgInBudget);
  const numBlocks = available > 0 && layout.bytesPerBlock > 0 ? Math.floor(available / layout.bytesPerBlock) : 0;
  return { available, numBlocks };
}

export interface SizeOptions {
  calibration?: Calibration | null;
  /** The speculative draft model's architecture when speculative_config names one the catalog knows. */
  draftModel?: ModelArch | null;
  /** GPUs on one node, for host RAM per node (defaults to tp x pp, capped at 8). */
  gpusPerNode?: number | null;
}

/** Terms beyond the base model (additive to MemorySizing). */
export interface ExtraSizing {
  /** Stacked LoRA slots on the limiting GPU, in the weights term. */
  loraBytes: number;
  lora: { maxLoras: number; maxLoraRank: number; maxCpuLoras: number } | null;
  /** Speculative drafter weights on the limiting GPU (in the weights term); null when unknown. */
  draft: DraftSizing | null;
  /** Weights left in host memory by cpu_offload_gb on the limiting GPU. */
  cpuOffloadBytes: number;
  /** --kv-cache-memory when set. */
  kvCacheMemoryBytes: number | null;
  /** Host RAM per node the settings pin (offload, swap, KV offload, CPU LoRA cache). */
  hostRam: HostRam;
  /** Things these terms do not know (said once, never guessed). */
  unknowns: string[];
}

/**
 * Per-architecture memo of results that depend only on the model and the parallel layout (weights per rank, KV per
 * layer): a hardware sweep sizes the same model on dozens of GPUs. Results are treated as read-only.
 */
const archMemo = new WeakMap<ModelArch, Map<string, unknown>>();
function memo<T>(m: ModelArch, key: string, make: () => T): T {
  let table = archMemo.get(m);
  if (!table) archMemo.set(m, (table = new Map()));
  const hit = table.get(key);
  if (hit !== undefined) return hit as T; // one lookup: memoized values are never undefined
  const v = make();
  if (table.size < 256) table.set(key, v);
  return v;
}

/** Sizes one deployment's memory on each GPU, as the named serving engine would. */
const MAX_MODEL_LEN_LIMIT = 2 ** 31;

export function sizeMemory(m: ModelArch, gpu: GpuSpec, input: ServingInput, opts: SizeOptions = {}): MemorySizing {
  const s = input;
  const cal = opts.calibration ?? null;
  for (const [k, v] of [
    ['tensor_parallel_size', s.tp],
    ['pipeline_parallel_size', s.pp],
    ['data_parallel_size', s.dp],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 4096) throw new SizingInputError(k, `${k} must be a whole number from 1 to 4096, got ${v}`);
  }
  if (s.pp > m.layers) throw new SizingInputError('pipeline_parallel_size', `pipeline_parallel_size ${s.pp} exceeds the model's ${m.layers} layers`);
  const versionStr = s.engine === 'vllm' ? (s.engineVersion ?? LATEST_VLLM) : LATEST_VLLM;
  const version = parseVersion(versionStr);
  if (!version) throw new SizingInputError('engine_version', `engine_version "${versionStr}" is not a version like 0.11.0`);
  const beh = vllmBehaviour(version);
  const defaulted: Record<string, string> = {};
  const maxModelLen = s.maxModelLen ?? derivedMaxModelLen(m);
  if (s.maxModelLen === null) defaulted.max_model_len = `model's max_position_embeddings (${maxModelLen})`;
  if (!(maxModelLen >= 1)) throw new SizingInputError('max_model_len', `max_model_len must be at least 1, got ${maxModelLen}`);
  // Beyond this the KV bytes of one request overflow to Infinity; no model serves 2^31 tokens.
  if (!(maxModelLen <= MAX_MODEL_LEN_LIMIT))
    throw new SizingInputError(
      'max_model_len',
      `max_model_len must be at most ${fmtInt(MAX_MODEL_LEN_LIMIT)} tokens, got ${Number.isFinite(maxModelLen) ? maxModelLen : 'an infinite number'}`,
    );
  const sd = servingDefaults(beh, maxModelLen, isLargeGpu(gpu), s.apiServer);
  let util: number;
  if (s.engine === 'sglang') util = s.memFractionStatic ?? sglangMemFractionStatic(gpu.memoryBytes, s.tp * s.pp);
  else if (s.engine === 'trtllm') util = s.freeGpuMemoryFraction ?? 0.9;
  else util = s.gpuMemoryUtilization ?? beh.defaultGpuMemoryUtilization;
  if (s.gpuMemoryUtilization === null && s.engine === 'vllm') defaulted.gpu_memory_utilization = `vLLM ${version.raw} default (${util})`;
  if (!(util > 0 && util <= 1)) throw new SizingInputError('gpu_memory_utilization', `gpu_memory_utilization must be in (0, 1], got ${util}`);
  const maxNumSeqs = s.maxNumSeqs ?? (s.maxNumBatchedTokens !== null && beh.v1 ? Math.min(sd.maxNumSeqs, s.maxNumBatchedTokens) : sd.maxNumSeqs);
  if (s.maxNumSeqs === null) defaulted.max_num_seqs = `${sd.maxNumSeqs} (${sd.why})`;
  const maxNumBatchedTokens = s.maxNumBatchedTokens ?? sd.maxNumBatchedTokens;
  if (s.maxNumBatchedTokens === null) defaulted.max_num_batched_tokens = `${sd.maxNumBatchedTokens} (${sd.why})`;
  // Counts past 2^31 (1e308 from a typo, .inf) would turn activations and block math into Infinity and NaN.
  for (const [k, v] of [
    ['max_num_seqs', maxNumSeqs],
    ['max_num_batched_tokens', maxNumBatchedTokens],
    ['block_size', s.blockSize ?? 1],
  ] as const) {
    if (!(v <= MAX_MODEL_LEN_LIMIT))
      throw new SizingInputError(k, `${k} must be at most ${fmtInt(MAX_MODEL_LEN_LIMIT)}, got ${Number.isFinite(v) ? v : 'a number that is not finite'}`);
  }
  const dtype = resolveDtype(s, m, gpu);
  const quant = resolveQuant(s, m);
  const kvEl = kvElementBytes(s.kvCacheDtype, DTYPE_BYTES[dtype]);
  const blockSize = s.blockSize ?? (m.mla && beh.mlaLatent ? beh.mlaBlockSize : 16);
  if (s.blockSize === null) defaulted.block_size = `${blockSize}${m.mla && beh.mlaLatent ? ' (MLA)' : ''}`;
  const ep = s.expertParallel && m.moe ? s.tp * s.dp : 1;
  const serving: ResolvedServing = {
    engine: s.engine,
    engineVersion: version.raw,
    v1: beh.v1,
    tp: s.tp,
    pp: s.pp,
    dp: s.dp,
    ep,
    dtype,
    quantization: quant?.label ?? null,
    kvCacheDtype: s.kvCacheDtype,
    kvElementBytes: kvEl,
    maxModelLen,
    gpuMemoryUtilization: util,
    maxNumSeqs,
    maxNumBatchedTokens,
    blockSize,
    enforceEager: s.enforceEager,
    defaulted,
  };

  // GPU- and layout-independent: built once per architecture.
  const tensors: Tensor[] = memo(m, 'tensors', () => tensorsOf(m));
  const params = memo(m, 'params', () => paramCounts(m, tensors));
  const ranksKey = `w|${s.tp}|${s.pp}|${s.dp}|${ep}|${dtype}|${quant?.label ?? ''}|${quant === m.quant}`;
  const ranks = memo(m, ranksKey, () => weightsPerRank(m, tensors, { tp: s.tp, pp: s.pp, dp: s.dp, expertParallel: ep > 1 }, dtype, quant));
  const mlaLatent = beh.mlaLatent || s.engine !== 'vllm';
  const kvKey = `kv|${s.tp}|${kvEl}|${mlaLatent}`;
  const allKv = memo(m, kvKey, () => kvLayers(m, { tp: s.tp, elementBytes: kvEl, mlaLatent, preMlaHeadSize: beh.preMlaHeadSize }));
  const unshardedKv = memo(m, `kv|1|${kvEl}|${mlaLatent}`, () => kvLayers(m, { tp: 1, elementBytes: kvEl, mlaLatent, preMlaHeadSize: beh.preMlaHeadSize }));
  const layoutOpts: LayoutOptions = {
    blockSize,
    maxModelLen,
    maxNumBatchedTokens,
    slidingWindow: m.slidingWindow,
    hybridAllocator: s.engine === 'vllm' && beh.hybridAllocator,
  };
  const baseRankKv: KvLayer[][] = memo(m, `rk|${ranksKey}|${kvKey}`, () => ranks.map((r) => allKv.slice(r.layers[0], r.layers[1])));

  // LoRA slots, speculative drafters, offload and host RAM (engine/extras.ts).
  const unknowns: string[] = [];
  const dtypeBytes = DTYPE_BYTES[dtype];
  const loraOn = !!s.enableLora && s.engine === 'vllm';
  const lora = loraOn
    ? {
        maxLoras: s.maxLoras ?? 1,
        maxLoraRank: s.maxLoraRank ?? 16,
        maxCpuLoras: s.maxCpuLoras ?? s.maxLoras ?? 1,
        elementBytes: s.loraDtype && s.loraDtype !== 'auto' ? kvElementBytes(s.loraDtype, dtypeBytes) : dtypeBytes,
      }
    : null;
  const loraOf = (r: number) => (lora ? loraGpuBytes(m, lora, s.tp, ranks[r].layers[1] - ranks[r].layers[0]) : 0);
  const spec = s.engine === 'vllm' ? parseSpeculativeConfig(s.speculativeConfig) : null;
  if (s.speculativeConfig != null && s.speculativeConfig !== '' && !spec)
    unknowns.push("speculative_config is not readable JSON: the drafter's memory is not counted");
  let draft: DraftSizing | null = null;
  if (spec) {
    const lastLayers = ranks[s.pp - 1].layers;
    // One decoder layer of the last stage: its bytes less embeddings, head, vision tower, rotary cache and final norm.
    const layerBytes =
      lastLayers[1] > lastLayers[0]
        ? (ranks[s.pp - 1].bytes -
            ranks[s.pp - 1].byComponent.embedding -
            ranks[s.pp - 1].byComponent.lm_head -
            ranks[s.pp - 1].byComponent.vision -
            ranks[s.pp - 1].ropeCacheBytes -
            m.hidden * dtypeBytes) /
          (lastLayers[1] - lastLayers[0])
        : 0;
    const dm = opts.draftModel ?? null;
    const draftBytes = dm ? weightsPerRank(dm, tensorsOf(dm), { tp: s.tp, pp: 1, dp: 1, expertParallel: false }, dtype, dm.quant)[0].bytes : null;
    draft = draftSizing(spec, m, layerBytes, dtypeBytes, s.tp, dm, draftBytes);
    if (draft.weightsBytes === null) unknowns.push(draft.formula);
  }
  const draftKv: KvLayer[] = [];
  if (draft && draft.kvLayers > 0) {
    const src =
      draft.method === 'draft_model' && opts.draftModel
        ? kvLayers(opts.draftModel, { tp: s.tp, elementBytes: kvEl, mlaLatent, preMlaHeadSize: beh.preMlaHeadSize })
        : null;
    const proto = allKv.find((l) => l.kind === 'full') ?? allKv.find((l) => l.kind !== 'linear');
    for (let i = 0; i < draft.kvLayers; i++) {
      const l = src ? src[i] : proto;
      if (l) draftKv.push({ ...l, kind: 'full', layer: m.layers + i });
    }
  }
  // The drafter runs beside the last pipeline stage; its layers take pages from the same pool.
  const rankKv: KvLayer[][] = draftKv.length ? baseRankKv.map((ls, r) => (r === s.pp - 1 ? [...ls, ...draftKv] : ls)) : baseRankKv;
  const layouts = rankKv.map((ls, r) =>
    draftKv.length && r === s.pp - 1
      ? blockLayout(ls, layoutOpts)
      : memo(
          m,
          `bl|${s.tp}|${kvEl}|${mlaLatent}|${ranks[r].layers.join('-')}|${blockSize}|${maxModelLen}|${maxNumBatchedTokens}|${layoutOpts.hybridAllocator}`,
          () => blockLayout(ls, layoutOpts),
        ),
  );
  const cpuOffload = s.engine === 'vllm' && s.cpuOffloadGb && s.cpuOffloadGb > 0 ? s.cpuOffloadGb * GiB : 0;
  const extraWeights = (r: number) => loraOf(r) + (r === s.pp - 1 ? (draft?.weightsBytes ?? 0) : 0);
  const kvCacheMemory = s.engine === 'vllm' && s.kvCacheMemoryBytes && s.kvCacheMemoryBytes > 0 ? s.kvCacheMemoryBytes : null;

  const total = cal?.total_memory_gib ? cal.total_memory_gib * GiB : gpu.memoryBytes;
  const requested = total * util;
  // The profiled communication workspaces (custom all-reduce, symmetric memory) are NVLink-peer buffers; PCIe cards
  // fall back to NCCL, which Era F initialises before the snapshot (assumption: the 0.19 measurements name no PCIe run).
  const nt = nonTorchEstimate(
    s.tp,
    beh.ncclCharged && s.engine === 'vllm',
    beh.commBuffersProfiled && s.engine === 'vllm' && gpu.interconnect.kind === 'nvlink',
  );
  // The profile's dummy images run through the vision encoder on the first pipeline stage (engine/mmProfile.ts).
  const mm: MmProfileResult =
    s.engine === 'vllm'
      ? mmProfile(m, {
          v1: beh.v1,
          maxNumSeqs,
          imagesPerPrompt: imagesPerPrompt(s.limitMmPerPrompt),
          videosPerPrompt: itemsPerPrompt(s.limitMmPerPrompt, 'video'),
          dtypeBytes: DTYPE_BYTES[dtype],
          tp: s.tp,
          maxNumBatchedTokens,
          maxPixels: maxPixelsOf(s.mmProcessorKwargs),
        })
      : { kind: 'none' };
  const termsFor = (r: number, which: 'low' | 'expected' | 'high'): TermSet => {
    const layersLocal = ranks[r].layers[1] - ranks[r].layers[0];
    // The V1 sampler's top-k/top-p path is the version's default; the other path bounds the band (images may differ).
    const actWith = (sp: SamplerProfile) => {
      const textAct = activationEstimate(m, maxNumBatchedTokens, maxNumSeqs, s.tp, ep, DTYPE_BYTES[dtype], r === s.pp - 1, sp);
      // Vision phase first, then the text forward with what the vision phase leaves held: the larger of the two.
      return mm.kind === 'modelled' && r === 0 ? Math.max(textAct + mm.profile.heldBytes, mm.profile.visionPeakBytes) : textAct;
    };
    const v1Sampler = (path: 'native' | 'flashinfer'): SamplerProfile => ({ bytesPerLogit: SAMPLER_PROFILE_BYTES_PER_LOGIT[path], afterForward: true });
    // SGLang and TensorRT-LLM keep the earlier generic estimate (three float32 logits copies beside the forward).
    const path = s.engine === 'vllm' ? beh.samplerPath : null;
    const actExp = actWith(path ? v1Sampler(path) : s.engine === 'vllm' ? V0_SAMPLER : OTHER_ENGINE_SAMPLER);
    const actAlt = path ? actWith(v1Sampler(path === 'native' ? 'flashinfer' : 'native')) : actExp;
    const act: Band = { low: Math.min(0.8 * actExp, actAlt), expected: actExp, high: Math.max(1.35 * actExp, actAlt) };
    const cg = cudagraphEstimate(layersLocal, s.enforceEager);
    const pick = (b: Band) => b[which];
    // Low KV comes from high overheads and vice versa.
    const flip = (b: Band) => (which === 'low' ? b.high : which === 'high' ? b.low : b.expected);
    void pick;
    return {
      total,
      // cpu_offload_gb keeps up to that many GiB of this GPU's weights in host memory (vLLM's offloader, per GPU).
      weights: cal?.weights_gib != null ? cal.weights_gib * GiB : Math.max(0, ranks[r].bytes + extraWeights(r) - cpuOffload),
      activation: cal?.activation_peak_gib != null ? cal.activation_peak_gib * GiB : flip(act),
      nonTorch: cal?.non_torch_gib != null ? cal.non_torch_gib * GiB : flip(nt),
      cudagraph: cal?.cudagraph_gib != null ? cal.cudagraph_gib * GiB : flip(cg),
      availableOverride: cal?.available_kv_gib != null ? cal.available_kv_gib * GiB : kvCacheMemory,
    };
  };
  const evaluate = (which: 'low' | 'expected' | 'high') => {
    let best: { rank: number; b: RankBudget; ts: TermSet } | null = null;
    for (let r = 0; r < ranks.length; r++) {
      const ts = termsFor(r, which);
      const b = budgetForRank(s.engine, ts, util, beh.cudagraphInBudget && s.engine === 'vllm', layouts[r]);
      if (!best || b.numBlocks < best.b.numBlocks || (b.numBlocks === best.b.numBlocks && b.available < best.b.available)) best = { rank: r, b, ts };
    }
    return best!;
  };
  const exp = evaluate('expected');
  const lo = evaluate('low');
  const hi = evaluate('high');
  const layout = layouts[exp.rank];
  const kvLocal = rankKv[exp.rank];

  const concurrencyOf = (numBlocks: number) => {
    if (layout.blocksPerRequest <= 0) return 0;
    if (s.engine !== 'vllm') return (numBlocks * blockSize) / maxModelLen;
    if (beh.concurrencyFromBlocks) return numBlocks / layout.blocksPerRequest;
    return (Math.floor(numBlocks / Math.max(1, layout.numGroups)) * blockSize) / maxModelLen;
  };
  const tokensOf = (numBlocks: number) => {
    if (s.engine === 'vllm' && beh.tokensFromConcurrency) return Math.floor(concurrencyOf(numBlocks) * maxModelLen);
    return Math.floor(numBlocks / Math.max(1, layout.numGroups)) * blockSize;
  };
  // SGLang and TensorRT-LLM size their pools by tokens rather than vLLM blocks.
  const numBlocks = exp.b.numBlocks;
  const capacityTokens = tokensOf(numBlocks);
  const maxConcurrency = concurrencyOf(numBlocks);
  const bytesPerTokenPerGpu = kvLocal.reduce((a, l) => a + l.bytesPerToken, 0);
  const bytesPerToken = unshardedKv.reduce((a, l) => a + l.bytesPerTokenUnsharded, 0);
  const kvHeadsPerGpu = m.mla ? 1 : Math.max(1, Math.floor(m.kvHeads / s.tp));

  const memStartup = startupCheck({
    engine: s.engine,
    beh,
    available: exp.b.available,
    weights: exp.ts.weights,
    total,
    requested,
    numBlocks,
    capacityTokens,
    maxModelLen,
    layout,
    layers: kvLocal,
    layoutOpts,
  });

  const cgExp = cudagraphEstimate(ranks[exp.rank].layers[1] - ranks[exp.rank].layers[0], s.enforceEager);
  const cudagraphBytes = exp.ts.cudagraph;
  const cgInBudget = beh.cudagraphInBudget && s.engine === 'vllm';

  // vLLM's refusals in the order it meets them: config checks, weight loading, the KV budget, then the warm-up.
  const findings: StartupFinding[] = [];
  const heads = headsFinding(m, s.tp);
  if (heads) findings.push(heads);
  if (s.engine !== 'trtllm' && s.launcher !== 'tgi') {
    const q = quantizationFinding(s.quantization, m);
    if (q) findings.push(q);
  }
  if (!memStartup.ok && memStartup.errorKind)
    findings.push({ kind: memStartup.errorKind, phase: memStartup.errorKind === 'weights_exceed_memory' ? 'load' : 'profile', error: memStartup.error ?? '' });
  const samplerReqs = Math.min(maxNumSeqs, maxNumBatchedTokens);
  // The warm-up runs the same dummy sampler as the profile (gpu_worker.compile_or_warm_up_model -> _dummy_sampler_run),
  // on the version's default top-k/top-p path: the sort's 30 B per logit (the 1.74 GiB sort scratch that failed in
  // vllm#15105 and in PR #26278's log) or FlashInfer's 14.
  const samplerBytes = samplerReqs * m.vocab * SAMPLER_PROFILE_BYTES_PER_LOGIT[beh.samplerPath ?? 'native'];
  // V1 (0.8.0+, vllm#15105) warms the sampler up after the KV cache and the CUDA graphs are allocated, with what the
  // budget leaves: total - requested - CUDA context - graphs captured outside the budget. A refusal is a fact only when
  // even the most favourable estimate fails: the smallest CUDA context (0.3 GiB, docs/VLLM-MEMORY.md section 2) and the
  // low band of the graphs. Inside that margin the outcome depends on what vLLM measures at startup: no finding.
  const warmupFree = total - requested - CUDA_CONTEXT_MIN_BYTES - (cgInBudget ? 0 : Math.min(lo.ts.cudagraph, hi.ts.cudagraph));
  // With the expected context and graphs the warm-up does not fit: a startup that may fail (an information line).
  const warmupFreeExpected = total - requested - CUDA_CONTEXT_BYTES - (cgInBudget ? 0 : cudagraphBytes);
  // With measured terms (a calibration block from the startup log) the expected figures are the measured ones.
  const refusalFree = cal ? warmupFreeExpected : warmupFree;
  if (s.engine === 'vllm' && s.launcher !== 'tgi' && beh.samplerWarmupAfterKv && memStartup.ok && samplerBytes > refusalFree) {
    findings.push({
      kind: 'sampler_warmup_oom',
      phase: 'warmup',
      error: `CUDA out of memory occurred when warming up sampler with ${samplerReqs} dummy requests. Please try lowering \`max_num_seqs\` or \`gpu_memory_utilization\` when initializing the engine.`,
    });
  }
  const samplerWarmupTight =
    s.engine === 'vllm' &&
    s.launcher !== 'tgi' &&
    beh.samplerWarmupAfterKv &&
    memStartup.ok &&
    samplerBytes <= refusalFree &&
    samplerBytes > warmupFreeExpected;
  const first = findings[0] ?? null;
  const startup: StartupResult = first
    ? {
        ok: false,
        errorKind: first.kind,
        error: first.error,
        estimatedMaxModelLen: first.kind === memStartup.errorKind ? memStartup.estimatedMaxModelLen : null,
        findings,
      }
    : { ...memStartup, findings, ...(samplerWarmupTight && !findings.length ? { samplerWarmupTight: true } : {}) };
  const kvCacheBytes = Math.max(0, exp.b.available);
  const actBand: [number, number] = cal?.activation_peak_gib != null ? [exp.ts.activation, exp.ts.activation] : [hi.ts.activation, lo.ts.activation];
  const memory = {
    totalBytes: total,
    requestedBytes: requested,
    weightsBytes: exp.ts.weights,
    activationPeakBytes: exp.ts.activation,
    nonTorchBytes: exp.ts.nonTorch,
    cudagraphBytes,
    cudagraphInBudget: cgInBudget,
    kvCacheBytes,
    peakUsageBytes: requested + (cgInBudget ? 0 : cudagraphBytes),
  };
  const terms: Term[] = [
    {
      key: 'total',
      label: 'GPU memory (driver)',
      bytes: total,
      band: null,
      formula: cal?.total_memory_gib ? 'calibration.total_memory_gib' : `${gpu.name} as the driver reports it`,
      source: cal?.total_memory_gib ? 'calibration' : 'datasheet',
    },
    {
      key: 'requested',
      label: 'vLLM budget',
      bytes: requested,
      band: null,
      formula: `total x gpu_memory_utilization = ${fmtGiB(total)} x ${util}`,
      source: 'config',
    },
    {
      key: 'weights',
      label: 'Weights',
      bytes: exp.ts.weights,
      band: null,
      formula:
        cal?.weights_gib != null
          ? 'calibration.weights_gib'
          : `parameters x bytes by dtype/quantization, sharded tp=${s.tp} pp=${s.pp}${ep > 1 ? ` ep=${ep}` : ''}`,
      source: cal?.weights_gib != null ? 'calibration' : 'config',
    },
    {
      key: 'activation_peak',
      label: 'Activation peak',
      bytes: exp.ts.activation,
      band: actBand,
      formula:
        cal?.activation_peak_gib != null
          ? 'calibration.activation_peak_gib'
          : `profile forward of ${fmtInt(maxNumBatchedTokens)} tokens + sampler logits for ${maxNumSeqs} sequences` +
            (mm.kind === 'modelled'
              ? `; or the vision encoder on the dummy images when larger (${fmtGiB(mm.profile.visionPeakBytes)})`
              : mm.kind === 'unknown'
                ? `; ${mm.why}`
                : mm.kind === 'text_only'
                  ? '; limit_mm_per_prompt image 0: no vision encoder pass'
                  : ''),
      source: cal?.activation_peak_gib != null ? 'calibration' : 'estimate',
    },
    {
      key: 'non_torch',
      label: 'Non-torch (NCCL, CUDA)',
      bytes: exp.ts.nonTorch,
      band: cal?.non_torch_gib != null ? [exp.ts.nonTorch, exp.ts.nonTorch] : [nt.low, nt.high],
      formula: cal?.non_torch_gib != null ? 'calibration.non_torch_gib' : `grows with tp (${s.tp})`,
      source: cal?.non_torch_gib != null ? 'calibration' : 'estimate',
    },
    {
      key: 'cudagraph',
      label: cgInBudget ? 'CUDA graphs' : 'CUDA graphs (outside the budget)',
      bytes: cudagraphBytes,
      band: cal?.cudagraph_gib != null ? [cudagraphBytes, cudagraphBytes] : [cgExp.low, cgExp.high],
      formula: s.enforceEager
        ? 'enforce_eager: no graphs'
        : cgInBudget
          ? 'profiled and subtracted from the KV budget'
          : 'captured after the KV cache is allocated: uses memory beyond the budget',
      source: cal?.cudagraph_gib != null ? 'calibration' : 'estimate',
    },
    {
      key: 'kv_cache',
      label: 'KV cache',
      bytes: kvCacheBytes,
      band: [Math.max(0, lo.b.available), Math.max(0, hi.b.available)],
      formula:
        cal?.available_kv_gib != null ? 'calibration.available_kv_gib' : `budget - weights - activation - non-torch${cgInBudget ? ' - CUDA graphs' : ''}`,
      source: cal?.available_kv_gib != null ? 'calibration' : 'estimate',
    },
  ];
  const host = hostRam({
    gpusPerNode: Math.max(1, Math.min(opts.gpusPerNode ?? Math.min(8, s.tp * s.pp), s.tp * s.pp * s.dp)),
    cpuOffloadGb: s.engine === 'vllm' ? (s.cpuOffloadGb ?? null) : null,
    swapSpaceGb: s.engine === 'vllm' ? (s.swapSpace ?? null) : null, // counted when stated (V0 defaults to 4 GiB per GPU)
    v1: beh.v1,
    kvOffloadGb: s.engine === 'vllm' ? (s.kvOffloadingSize ?? null) : null,
    loraCpuBytes: lora ? lora.maxCpuLoras * loraAdapterBytes(m, lora) : 0,
  });
  // Additive rows (hover table, report): only when the deployment uses them.
  if (lora) {
    terms.push({
      key: 'lora',
      label: 'LoRA slots (in weights)',
      bytes: loraOf(exp.rank),
      band: null,
      formula: `max_loras ${lora.maxLoras} x rank ${lora.maxLoraRank} x (in + out) of q/k/v/o${m.moe ? '' : ', gate/up/down'} x ${ranks[exp.rank].layers[1] - ranks[exp.rank].layers[0]} layers x ${lora.elementBytes} B, A or B sharded by tp`,
      source: 'config',
    });
  }
  if (draft) {
    terms.push({
      key: 'draft',
      label: `Speculative drafter (${draft.method}, in weights)`,
      bytes: draft.weightsBytes ?? 0,
      band: null,
      formula: `${draft.formula}${draft.kvLayers ? `; +${draft.kvLayers} KV layer(s) per token` : ''}${spec?.numSpeculativeTokens ? `; k = ${spec.numSpeculativeTokens}` : ''}`,
      source: draft.weightsBytes === null ? 'estimate' : 'config',
    });
  }
  if (mm.kind === 'modelled') {
    terms.push({
      key: 'multimodal_profile',
      label: 'Multimodal profile (vision encoder, in the activation peak)',
      bytes: mm.profile.visionPeakBytes,
      band: [0.8 * mm.profile.visionPeakBytes, 1.35 * mm.profile.visionPeakBytes],
      formula: mm.profile.formula,
      source: 'estimate',
    });
    if (mm.profile.encoderOutputBytes !== undefined) {
      // V1 parks the dummy encoder outputs in the encoder cache while the text forward is profiled: the runtime cache
      // (up to the budget's tokens) is paid for inside the activation peak, not outside the KV budget.
      terms.push({
        key: 'encoder_cache',
        label: 'Encoder cache (profiled outputs, in the activation peak)',
        bytes: mm.profile.encoderOutputBytes,
        band: null,
        formula: mm.profile.encoderFormula ?? '',
        source: 'config',
      });
    }
  }
  if (host.bytes > 0) {
    terms.push({
      key: 'host_ram',
      label: 'Host RAM per node (pinned by settings)',
      bytes: host.bytes,
      band: null,
      formula: host.parts.map((p) => p.label).join(' + '),
      source: 'config',
    });
  }
  if (cpuOffload) {
    terms.push({
      key: 'cpu_offload',
      label: 'Weights offloaded to CPU',
      bytes: Math.min(cpuOffload, ranks[exp.rank].bytes + extraWeights(exp.rank)),
      band: null,
      formula: `cpu_offload_gb ${s.cpuOffloadGb} per GPU: subtracted from GPU weights, held in host RAM`,
      source: 'config',
    });
  }
  return {
    serving,
    behaviour: s.engine === 'vllm' ? beh : null,
    params,
    ranks,
    limitingRank: exp.rank,
    memory,
    kv: {
      bytesPerToken,
      bytesPerTokenPerGpu,
      blockSize,
      pageBytes: layout.groups[0]?.pageBytes ?? 0,
      bytesPerBlock: layout.bytesPerBlock,
      numGroups: layout.numGroups,
      blocksPerRequest: layout.blocksPerRequest,
      bytesPerRequest: layout.bytesPerRequest,
      numBlocks,
      capacityTokens,
      maxConcurrency,
      kvHeadsPerGpu,
      kvHeadsReplicated: !m.mla && m.kvHeads < s.tp,
      layout,
    },
    startup,
    bands: {
      activationPeakBytes: actBand,
      nonTorchBytes: [Math.min(lo.ts.nonTorch, hi.ts.nonTorch), Math.max(lo.ts.nonTorch, hi.ts.nonTorch)],
      cudagraphBytes: [Math.min(lo.ts.cudagraph, hi.ts.cudagraph), Math.max(lo.ts.cudagraph, hi.ts.cudagraph)],
      kvCacheBytes: [Math.max(0, lo.b.available), Math.max(0, hi.b.available)],
      numBlocks: [lo.b.numBlocks, hi.b.numBlocks],
      capacityTokens: [tokensOf(lo.b.numBlocks), tokensOf(hi.b.numBlocks)],
      maxConcurrency: [concurrencyOf(lo.b.numBlocks), concurrencyOf(hi.b.numBlocks)],
    },
    terms,
    calibrated: !!cal && Object.values(cal).some((v) => v !== null && v !== undefined),
    extras: {
      loraBytes: loraOf(exp.rank),
      lora: lora ? { maxLoras: lora.maxLoras, maxLoraRank: lora.maxLoraRank, maxCpuLoras: lora.maxCpuLoras } : null,
      draft,
      cpuOffloadBytes: Math.min(cpuOffload, ranks[exp.rank].bytes + extraWeights(exp.rank)),
      kvCacheMemoryBytes: kvCacheMemory,
      hostRam: host,
      unknowns,
    },
  };
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

export { cdiv };
