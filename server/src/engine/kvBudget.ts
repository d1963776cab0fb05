// The engine's KV budget on each GPU and the limiting pipeline stage:
//   vLLM:    available_kv = total x gpu_memory_utilization - weights - activation_peak - non_torch [- cudagraph]
//   SGLang:  total x mem_fraction_static - weights - non_torch (activations live in the remaining fraction)
//   TRT-LLM: free_gpu_memory_fraction x (total - weights - activation - non_torch), a fraction of *free* memory
//   num_blocks = floor(available_kv / bytes_per_block)                 (vllm/v1/core/kv_cache_utils.py)
// Pure.
import type { BlockLayout } from './kvcache';
import type { BandEnd, TermSet } from './rankTerms';
import type { EngineName, ResolvedServing } from './servingResolve';
import type { VllmBehaviour } from './vllmVersion';

export interface RankBudget {
  available: number;
  numBlocks: number;
}

/** The stage with the fewest KV blocks (vLLM takes the minimum over workers), its budget and its terms. */
export interface LimitingRank {
  rank: number;
  b: RankBudget;
  ts: TermSet;
}

/** The budget at each end of the bands, and the fraction and graphs that shaped it. */
export interface BudgetFit {
  exp: LimitingRank;
  lo: LimitingRank;
  hi: LimitingRank;
  total: number;
  /** total x the engine's memory fraction. */
  requested: number;
  /** Whether the CUDA graphs are profiled inside the budget (vLLM V1 releases that do) or captured beyond it. */
  cgInBudget: boolean;
}

/** Available KV bytes on one GPU, per engine (the formulas above); a measured or --kv-cache-memory budget replaces them. */
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

/** The stage with the fewest blocks; on a tie, the one with the fewer available bytes. */
function limitingRankOf(engine: EngineName, sets: TermSet[], util: number, cgInBudget: boolean, layouts: BlockLayout[]): LimitingRank {
  let best: LimitingRank | null = null;
  for (let r = 0; r < sets.length; r++) {
    const ts = sets[r];
    const b = budgetForRank(engine, ts, util, cgInBudget, layouts[r]);
    if (!best || b.numBlocks < best.b.numBlocks || (b.numBlocks === best.b.numBlocks && b.available < best.b.available)) best = { rank: r, b, ts };
  }
  return best!;
}

export function budgetFitOf(serving: ResolvedServing, beh: VllmBehaviour, terms: Record<BandEnd, TermSet[]>, total: number, layouts: BlockLayout[]): BudgetFit {
  const { engine, gpuMemoryUtilization: util } = serving;
  const cgInBudget = beh.cudagraphInBudget && engine === 'vllm';
  return {
    exp: limitingRankOf(engine, terms.expected, util, cgInBudget, layouts),
    lo: limitingRankOf(engine, terms.low, util, cgInBudget, layouts),
    hi: limitingRankOf(engine, terms.high, util, cgInBudget, layouts),
    total,
    requested: total * util,
    cgInBudget,
  };
}
