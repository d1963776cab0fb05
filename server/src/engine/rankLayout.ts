// The parallel layout of one deployment: the weights each (tp, pp, dp, ep) rank holds, the KV layers each pipeline
// stage keeps, and each stage's KV block layout (with the drafter's layers on the last stage). Pure.
import { blockLayout, kvLayers } from './kvcache';
import type { BlockLayout, KvLayer, LayoutOptions } from './kvcache';
import type { ModelArch, QuantSpec } from './model';
import type { ParamCounts, Tensor } from './params';
import { paramCounts, tensorsOf } from './params';
import type { ResolvedServing } from './servingResolve';
import type { VllmBehaviour } from './vllmVersion';
import type { RankWeights } from './weights';
import { weightsPerRank } from './weights';

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

export interface RankLayout {
  params: ParamCounts;
  /** One entry per pipeline stage. */
  ranks: RankWeights[];
  /** Whether MLA models keep the compressed latent (vLLM's MLA backends, SGLang, TensorRT-LLM). */
  mlaLatent: boolean;
  /** Every layer's KV, sharded by tp. */
  allKv: KvLayer[];
  /** Every layer's KV on one GPU (tp 1): the whole model's bytes per token. */
  unshardedKv: KvLayer[];
  /** The KV layers of each pipeline stage, before any drafter. */
  baseRankKv: KvLayer[][];
  layoutOpts: LayoutOptions;
}

/** Weights and KV layers per rank; GPU-independent, so memoised per architecture. */
export function rankLayoutOf(m: ModelArch, serving: ResolvedServing, beh: VllmBehaviour, quant: QuantSpec | null): RankLayout {
  const { engine, tp, pp, dp, ep, dtype, kvElementBytes: kvEl } = serving;
  // GPU- and layout-independent: built once per architecture.
  const tensors: Tensor[] = memo(m, 'tensors', () => tensorsOf(m));
  const params = memo(m, 'params', () => paramCounts(m, tensors));
  const ranksKey = `w|${tp}|${pp}|${dp}|${ep}|${dtype}|${quant?.label ?? ''}|${quant === m.quant}`;
  const ranks = memo(m, ranksKey, () => weightsPerRank(m, tensors, { tp, pp, dp, expertParallel: ep > 1 }, dtype, quant));
  const mlaLatent = beh.mlaLatent || engine !== 'vllm';
  const kvKey = `kv|${tp}|${kvEl}|${mlaLatent}`;
  const allKv = memo(m, kvKey, () => kvLayers(m, { tp, elementBytes: kvEl, mlaLatent, preMlaHeadSize: beh.preMlaHeadSize }));
  const unshardedKv = memo(m, `kv|1|${kvEl}|${mlaLatent}`, () => kvLayers(m, { tp: 1, elementBytes: kvEl, mlaLatent, preMlaHeadSize: beh.preMlaHeadSize }));
  const layoutOpts: LayoutOptions = {
    blockSize: serving.blockSize,
    maxModelLen: serving.maxModelLen,
    maxNumBatchedTokens: serving.maxNumBatchedTokens,
    slidingWindow: m.slidingWindow,
    hybridAllocator: engine === 'vllm' && beh.hybridAllocator,
  };
  const baseRankKv: KvLayer[][] = memo(m, `rk|${ranksKey}|${kvKey}`, () => ranks.map((r) => allKv.slice(r.layers[0], r.layers[1])));
  return { params, ranks, mlaLatent, allKv, unshardedKv, baseRankKv, layoutOpts };
}

export interface RankPools {
  /** The KV layers each pipeline stage's pool pages for. */
  rankKv: KvLayer[][];
  layouts: BlockLayout[];
}

/** Each stage's KV pool: the drafter runs beside the last pipeline stage, and its layers take pages from the same pool. */
export function rankPoolsOf(m: ModelArch, layout: RankLayout, serving: ResolvedServing, draftKv: KvLayer[]): RankPools {
  const { ranks, baseRankKv, layoutOpts, mlaLatent } = layout;
  const { tp, kvElementBytes: kvEl } = serving;
  const last = serving.pp - 1;
  const rankKv: KvLayer[][] = draftKv.length ? baseRankKv.map((ls, r) => (r === last ? [...ls, ...draftKv] : ls)) : baseRankKv;
  const layouts = rankKv.map((ls, r) =>
    draftKv.length && r === last
      ? blockLayout(ls, layoutOpts)
      : memo(
          m,
          `bl|${tp}|${kvEl}|${mlaLatent}|${ranks[r].layers.join('-')}|${layoutOpts.blockSize}|${layoutOpts.maxModelLen}|${layoutOpts.maxNumBatchedTokens}|${layoutOpts.hybridAllocator}`,
          () => blockLayout(ls, layoutOpts),
        ),
  );
  return { rankKv, layouts };
}

/** The drafter's KV layers: the draft model's own when the catalog knows it, else copies of a target attention layer. */
export function draftKvOf(
  m: ModelArch,
  layout: RankLayout,
  kvLayerCount: number,
  draftModel: ModelArch | null,
  serving: ResolvedServing,
  beh: VllmBehaviour,
): KvLayer[] {
  const draftKv: KvLayer[] = [];
  const src = draftModel
    ? kvLayers(draftModel, { tp: serving.tp, elementBytes: serving.kvElementBytes, mlaLatent: layout.mlaLatent, preMlaHeadSize: beh.preMlaHeadSize })
    : null;
  const proto = layout.allKv.find((l) => l.kind === 'full') ?? layout.allKv.find((l) => l.kind !== 'linear');
  for (let i = 0; i < kvLayerCount; i++) {
    const l = src ? src[i] : proto;
    if (l) draftKv.push({ ...l, kind: 'full', layer: m.layers + i });
  }
  return draftKv;
}
