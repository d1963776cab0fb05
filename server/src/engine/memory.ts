// The four-component memory model per GPU and vLLM's KV budget and block arithmetic. Pure. sizeMemory is the pipeline;
// its steps live in servingResolve, rankLayout, servingExtras, rankTerms, kvBudget, kvSizing, startupVerdict, memoryTerms.
//   requested    = total x gpu_memory_utilization                      (vllm/v1/worker/gpu_worker.py)
//   available_kv = requested - weights - activation_peak - non_torch [- cudagraph where profiled]
//   num_blocks   = floor(available_kv / bytes_per_block)               (vllm/v1/core/kv_cache_utils.py)
// Terms measured by vLLM at startup (activation peak, non-torch, CUDA graphs) carry a low/expected/high band.
import type { DraftSizing, HostRam } from './extras';
import type { GpuSpec } from './hardware';
import type { BudgetFit } from './kvBudget';
import { budgetFitOf } from './kvBudget';
import type { KvCounting, KvSizing } from './kvSizing';
import { concurrencyOf, kvSizingOf, tokensOf } from './kvSizing';
import type { Term } from './memoryTerms';
import { activationPeakBandOf, cpuOffloadBytesOf, memoryTermsOf } from './memoryTerms';
import type { ModelArch } from './model';
import type { ParamCounts } from './params';
import { rankLayoutOf, rankPoolsOf } from './rankLayout';
import { mmProfileOf, nonTorchBandOf, rankTermsOf, totalBytesOf } from './rankTerms';
import type { ServingExtras } from './servingExtras';
import { hostRamOf, servingExtrasOf } from './servingExtras';
import type { ResolvedServing, ServingInput } from './servingResolve';
import { resolvedServingOf } from './servingResolve';
import type { StartupResult } from './startup';
import { startupVerdictOf } from './startupVerdict';
import { cdiv } from './units';
import type { VllmBehaviour } from './vllmVersion';
import type { RankWeights } from './weights';

export type { DraftSizing, HostRam } from './extras';
// The startup overheads and the startup checks live in their own modules; importers of memory.ts keep their names.
export * from './overheads';
export * from './startup';
// So do the serving settings and their resolution, the KV sizing and the budget's rows.
export type { EngineName, ResolvedServing, ServingInput } from './servingResolve';
export { SizingInputError, defaultServing, derivedMaxModelLen, sglangMemFractionStatic } from './servingResolve';
export type { KvSizing } from './kvSizing';
export type { Term } from './memoryTerms';

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
 * Sizes one deployment's memory on each GPU, as the named serving engine would: resolve the settings, lay out the
 * ranks, estimate each GPU's terms, fit the engine's budget, size the KV cache it buys, and judge the startup.
 */
export function sizeMemory(m: ModelArch, gpu: GpuSpec, input: ServingInput, opts: SizeOptions = {}): MemorySizing {
  const s = input;
  const cal = opts.calibration ?? null;
  // The settings as the engine runs them: defaults filled in, out-of-range values refused.
  const { serving, beh, quant } = resolvedServingOf(m, gpu, s);
  // What each rank holds (weights, KV layers), what the settings add (LoRA, drafter, offload), each stage's KV pool.
  const layout = rankLayoutOf(m, serving, beh, quant);
  const { ranks } = layout;
  const extras = servingExtrasOf(m, s, serving, beh, layout, opts.draftModel ?? null);
  const { rankKv, layouts } = rankPoolsOf(m, layout, serving, extras.draftKv);
  // Each GPU's terms at the low, expected and high ends of their bands.
  const total = totalBytesOf(gpu, cal);
  const nonTorch = nonTorchBandOf(gpu, serving, beh);
  const mm = mmProfileOf(m, s, serving, beh);
  const rankTerms = rankTermsOf({ m, serving, beh, ranks, extras, total, nonTorch, mm, cal });
  // The engine's budget less the terms, on the stage with the fewest KV blocks.
  const fit = budgetFitOf(serving, beh, rankTerms, total, layouts);
  const { exp } = fit;
  // The KV cache those blocks hold, and whether the engine starts at all.
  const counting: KvCounting = { serving, beh, layout: layouts[exp.rank] };
  const kvLocal = rankKv[exp.rank];
  const kv = kvSizingOf(m, counting, exp.b.numBlocks, kvLocal, layout.unshardedKv);
  const startup = startupVerdictOf({ m, s, serving, beh, fit, kv, kvLocal, layoutOpts: layout.layoutOpts, calibrationGiven: cal !== null });
  const host = hostRamOf(m, s, beh, extras.lora, opts.gpusPerNode);
  return {
    serving,
    behaviour: s.engine === 'vllm' ? beh : null,
    params: layout.params,
    ranks,
    limitingRank: exp.rank,
    memory: memoryOf(fit),
    kv,
    startup,
    bands: bandsOf(fit, counting, cal),
    terms: memoryTermsOf({ m, gpu, s, serving, fit, ranks, nonTorch, mm, extras, host, cal }),
    calibrated: !!cal && Object.values(cal).some((v) => v !== null && v !== undefined),
    extras: extraSizingOf(extras, ranks, exp.rank, host),
  };
}

/** The limiting GPU's terms, and what the process holds at peak: requested, plus CUDA graphs when not budgeted. */
function memoryOf(fit: BudgetFit): MemorySizing['memory'] {
  const { exp, total, requested, cgInBudget } = fit;
  const cudagraphBytes = exp.ts.cudagraph;
  return {
    totalBytes: total,
    requestedBytes: requested,
    weightsBytes: exp.ts.weights,
    activationPeakBytes: exp.ts.activation,
    nonTorchBytes: exp.ts.nonTorch,
    cudagraphBytes,
    cudagraphInBudget: cgInBudget,
    kvCacheBytes: Math.max(0, exp.b.available),
    peakUsageBytes: requested + (cgInBudget ? 0 : cudagraphBytes),
  };
}

/** Each figure between its two ends: low KV comes from high overheads and vice versa. */
function bandsOf(fit: BudgetFit, counting: KvCounting, cal: Calibration | null): MemorySizing['bands'] {
  const { lo, hi } = fit;
  return {
    activationPeakBytes: activationPeakBandOf(fit, cal),
    nonTorchBytes: [Math.min(lo.ts.nonTorch, hi.ts.nonTorch), Math.max(lo.ts.nonTorch, hi.ts.nonTorch)],
    cudagraphBytes: [Math.min(lo.ts.cudagraph, hi.ts.cudagraph), Math.max(lo.ts.cudagraph, hi.ts.cudagraph)],
    kvCacheBytes: [Math.max(0, lo.b.available), Math.max(0, hi.b.available)],
    numBlocks: [lo.b.numBlocks, hi.b.numBlocks],
    capacityTokens: [tokensOf(lo.b.numBlocks, counting), tokensOf(hi.b.numBlocks, counting)],
    maxConcurrency: [concurrencyOf(lo.b.numBlocks, counting), concurrencyOf(hi.b.numBlocks, counting)],
  };
}

function extraSizingOf(extras: ServingExtras, ranks: RankWeights[], rank: number, host: HostRam): ExtraSizing {
  const { lora } = extras;
  return {
    loraBytes: extras.loraBytes[rank],
    lora: lora ? { maxLoras: lora.maxLoras, maxLoraRank: lora.maxLoraRank, maxCpuLoras: lora.maxCpuLoras } : null,
    draft: extras.draft,
    cpuOffloadBytes: cpuOffloadBytesOf(extras, ranks, rank),
    kvCacheMemoryBytes: extras.kvCacheMemory,
    hostRam: host,
    unknowns: extras.unknowns,
  };
}

export { cdiv };
