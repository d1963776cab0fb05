// The per-GPU performance model of one replica: each pipeline stage's local parameters, weight bytes and GEMM shapes
// (built once per model and parallel layout), the load-independent constants of the step-time rule on this hardware,
// and the measured-utilisation curves when they are on. stepTime (latency.ts) evaluates steps against it.
import fitJson from './latencyFit.json';
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import type { Tensor } from './params';
import { tensorsOf } from './params';
import type { Hardware } from './roofline';
import { KERNELS_PER_LAYER, KERNELS_PER_MOE_LAYER_EXTRA, KERNELS_PER_STEP } from './roofline';
import { VOCAB_PADDING } from './weights';
import type { GemmShape, MeasuredSteps } from './stepUtilisation';
import { measuredStepsOf } from './measuredSteps';

/** One pipeline stage as seen by one of its GPUs. */
export interface StageProfile {
  layers: number;
  moeLayers: number;
  fullLayers: number;
  slidingLayers: number;
  linearLayers: number;
  lastStage: boolean;
  /** Local linear parameters per token, by group (FLOPs = 2 x params x tokens). */
  attnParams: number;
  mlpParams: number;
  /** All local routed-expert parameters (active per token: x k/E). */
  expertParams: number;
  sharedParams: number;
  headParams: number;
  /** Local weight bytes, by group. */
  attnBytes: number;
  mlpBytes: number;
  expertBytes: number;
  /** Router weights: read in full every step. */
  routerBytes: number;
  sharedBytes: number;
  headBytes: number;
  /** The local GEMMs of each linear group (n x k per GPU, with counts), for the measured-utilisation lookups. */
  gemms: { qkv: GemmShape[]; mlp: GemmShape[]; shared: GemmShape[]; head: GemmShape[] };
}

export interface PerfModel {
  hw: Hardware;
  tp: number;
  pp: number;
  dp: number;
  ep: number;
  hidden: number;
  actBytes: number;
  stages: StageProfile[];
  /** KV bytes per token per attention layer on one GPU. */
  kvPerLayer: number;
  /** Per request, per linear-attention layer (fixed state read each step). */
  linearStateBytes: number;
  /** Attention FLOPs per (token x attended context token) per layer on one GPU, decode and prefill paths (MLA differs). */
  attnFlopDecode: number;
  attnFlopPrefill: number;
  slidingWindow: number | null;
  numExperts: number;
  topk: number;
  /** Tokens from other data-parallel ranks that reach this GPU's experts (expert parallelism across dp). */
  expertTokenMult: number;
  /**
   * Token-expert assignments one GPU handles per token of a step, summed over the MoE layers: top-k per layer, times the
   * data-parallel ranks whose tokens reach these experts, over the expert-parallel group (0 for a dense model). The
   * routing work the roofline does not price (router top-k, permuting tokens to their experts and back, the grouped
   * GEMM's per-expert setup) scales with it (latencyFit.json per_routed_token_s).
   */
  routedPerToken: number;
  /**
   * Expert-parallel all-to-alls per step: a dispatch and a combine in every MoE layer when experts are spread across
   * data-parallel ranks (stepTime prices their bytes; their synchronisation and kernel latency, which the bytes do not
   * show, scale with this count: per_all_to_all_s). 0 when the MoE output is all-reduced within a tensor-parallel group.
   */
  allToAlls: number;
  maxNumBatchedTokens: number;
  /** Per-stage constants of the time rule on this hardware (the load-independent part of stepTime); see stepConstantsOf. */
  stageConstants: StageConstants[];
  /**
   * Measured utilisation at the step's shapes (operatorTables.json) when the GPU has tables and the option is on: each
   * operator then takes roofline time at datasheet peaks / utilisation; null keeps datasheet x efficiency everywhere.
   */
  measured: MeasuredSteps | null;
}

/**
 * The parts of a stage's step time that do not depend on the load, computed once per sizing (the batch sweep evaluates
 * about a hundred steps on the same stages).
 */
export interface StageConstants {
  /** 2 x params of each linear group (FLOPs per token), and its weight-read time in seconds. */
  qkvFlopPerToken: number;
  qkvMemS: number;
  mlpFlopPerToken: number;
  mlpMemS: number;
  sharedFlopPerToken: number;
  sharedMemS: number;
  /** 2 x expert params x k/E: FLOPs per token reaching the experts. */
  expertFlopPerToken: number;
  headFlopPerRow: number;
  headMemS: number;
  /** Launch floor of the stage's kernels, seconds. */
  floorS: number;
}

function stepConstantsOf(stages: StageProfile[], numExperts: number, topk: number, hw: Hardware): StageConstants[] {
  const bw = hw.bandwidthAchievable;
  return stages.map((st) => ({
    qkvFlopPerToken: 2 * st.attnParams,
    qkvMemS: st.attnBytes / bw,
    mlpFlopPerToken: 2 * st.mlpParams,
    mlpMemS: st.mlpBytes / bw,
    sharedFlopPerToken: 2 * st.sharedParams,
    sharedMemS: st.sharedBytes / bw,
    expertFlopPerToken: numExperts > 0 ? 2 * st.expertParams * (topk / numExperts) : 0,
    headFlopPerRow: 2 * st.headParams,
    headMemS: st.headBytes / bw,
    floorS: (st.layers * KERNELS_PER_LAYER + st.moeLayers * KERNELS_PER_MOE_LAYER_EXTRA + (st.lastStage ? KERNELS_PER_STEP : 0)) * hw.launchFloorS,
  }));
}

const tensorCache = new WeakMap<ModelArch, Tensor[]>();
function tensorsCached(m: ModelArch): Tensor[] {
  let t = tensorCache.get(m);
  if (!t) {
    t = tensorsOf(m);
    tensorCache.set(m, t);
  }
  return t;
}

/** Local share of a tensor on one tensor-parallel rank (mirrors weights.ts). */
function localShare(m: ModelArch, t: Tensor, tp: number, dp: number, ep: boolean): number {
  switch (t.shard) {
    case 'replicated':
      return 1;
    case 'tp':
      return 1 / tp;
    case 'kv':
      return Math.max(1, Math.floor(m.kvHeads / tp)) / m.kvHeads;
    case 'vocab':
      return Math.ceil((Math.ceil(m.vocab / VOCAB_PADDING) * VOCAB_PADDING) / tp) / m.vocab;
    case 'expert':
      return ep ? 1 / (tp * dp) : 1 / tp;
  }
}

/**
 * Per-stage operator profiles depend on the model and the parallel layout only (memory sizing memoizes `mem.ranks`
 * per layout, so a hardware sweep hands the same ranks array to every GPU): built once per ranks array.
 */
const stageCache = new WeakMap<MemorySizing['ranks'], { m: ModelArch; tp: number; dp: number; epOn: boolean; stages: StageProfile[] }>();

function stagesOf(m: ModelArch, mem: MemorySizing, tp: number, dp: number, epOn: boolean): StageProfile[] {
  const hit = stageCache.get(mem.ranks);
  if (hit && hit.m === m && hit.tp === tp && hit.dp === dp && hit.epOn === epOn) return hit.stages;
  const tensors = tensorsCached(m);
  const stages: StageProfile[] = mem.ranks.map((r, idx) => {
    const [lo, hi] = r.layers;
    const last = idx === mem.ranks.length - 1;
    const st: StageProfile = {
      layers: hi - lo,
      moeLayers: 0,
      fullLayers: 0,
      slidingLayers: 0,
      linearLayers: 0,
      lastStage: last,
      attnParams: 0,
      mlpParams: 0,
      expertParams: 0,
      sharedParams: 0,
      headParams: 0,
      attnBytes: r.byComponent.attention,
      mlpBytes: r.byComponent.mlp,
      expertBytes: r.byComponent.experts,
      routerBytes: r.byComponent.router,
      sharedBytes: r.byComponent.shared_experts,
      headBytes: last ? (m.tieEmbeddings ? r.byComponent.embedding : r.byComponent.lm_head) : 0,
      gemms: { qkv: [], mlp: [], shared: [], head: [] },
    };
    const shapes = new Map<string, GemmShape>();
    const addShape = (list: GemmShape[], group: string, n: number, k: number): void => {
      n = Math.round(n);
      k = Math.round(k);
      if (!(n > 0 && k > 0)) return;
      const key = `${group}|${n}|${k}`;
      const s = shapes.get(key);
      if (s) s.count++;
      else {
        const fresh = { n, k, count: 1 };
        shapes.set(key, fresh);
        list.push(fresh);
      }
    };
    for (let i = lo; i < hi; i++) {
      const k = m.layerKinds[i];
      if (k === 'sliding') st.slidingLayers++;
      else if (k === 'linear') st.linearLayers++;
      else st.fullLayers++;
      if (m.moe?.moeLayers[i]) st.moeLayers++;
    }
    for (const t of tensors) {
      if (!t.linear || t.layer === null || t.layer < lo || t.layer >= hi) continue;
      const share = localShare(m, t, tp, dp, epOn);
      const p = t.params * share;
      const out = t.outFeatures;
      if (t.component === 'attention') {
        st.attnParams += p;
        // Row-parallel output projections split k across tp; the others split n.
        if (out > 0) {
          if (/(o_proj|out_proj)$/.test(t.module)) addShape(st.gemms.qkv, 'a', out, (t.params / out) * share);
          else addShape(st.gemms.qkv, 'a', out * share, t.params / out);
        }
      } else if (t.component === 'mlp' || t.component === 'shared_experts') {
        if (t.component === 'mlp') st.mlpParams += p;
        else st.sharedParams += p;
        // Fused gate/up/down (or fc1/fc2) of intermediate `out`: gate_up n = (mats-1) x f / tp, down k = f / tp.
        if (out > 0) {
          const mats = Math.round(t.params / (m.hidden * out));
          const list = t.component === 'mlp' ? st.gemms.mlp : st.gemms.shared;
          addShape(list, t.component, Math.max(1, mats - 1) * out * share, m.hidden);
          addShape(list, t.component, m.hidden, out * share);
        }
      } else if (t.component === 'experts') st.expertParams += p;
    }
    if (last) {
      const rows = Math.ceil((Math.ceil(m.vocab / VOCAB_PADDING) * VOCAB_PADDING) / tp);
      st.headParams = rows * (m.embedProjDim ?? m.hidden);
      addShape(st.gemms.head, 'h', rows, m.embedProjDim ?? m.hidden);
    }
    return st;
  });
  stageCache.set(mem.ranks, { m, tp, dp, epOn, stages });
  return stages;
}

/**
 * Whether stepTime uses the measured operator tables where the GPU has them (issue 12 item 3), per engine: the engine's
 * latency fit says which step times its coefficients were fitted on (latencyFit.json operator_utilisation). The fit
 * script ships measured utilisation for an engine when, refitted with it, its left-out TTFT is lower and its left-out
 * TPOT at most one point higher (docs/ACCURACY.md): TensorRT-LLM; SGLang's left-out TPOT and vLLM's left-out TTFT
 * worsened.
 */
export function measuredUtilisationFor(engine: string): boolean {
  return (fitJson.engines as Record<string, { operator_utilisation?: string }>)[engine]?.operator_utilisation === 'measured';
}

export interface PerfModelOptions {
  /** Use measured utilisation at the step's shapes where the GPU has tables (default: measuredUtilisationFor(engine)). */
  measuredUtilisation?: boolean;
}

/** Builds the per-GPU performance model of one replica from the memory sizing (weights bytes per GPU come from it). */
export function perfModelOf(m: ModelArch, mem: MemorySizing, hw: Hardware, opts?: PerfModelOptions): PerfModel {
  const s = mem.serving;
  const tp = Math.max(1, s.tp);
  const pp = Math.max(1, s.pp);
  const dp = Math.max(1, s.dp);
  const epOn = s.ep > 1;
  const stages = stagesOf(m, mem, tp, dp, epOn);
  const lim = mem.ranks[mem.limitingRank] ?? mem.ranks[0];
  let attnLayersOnLim = 0;
  for (let i = lim.layers[0]; i < lim.layers[1]; i++) if (m.layerKinds[i] !== 'linear') attnLayersOnLim++;
  const kvPerLayer = attnLayersOnLim > 0 ? mem.kv.bytesPerTokenPerGpu / attnLayersOnLim : 0;
  const hLocal = m.heads / tp;
  let attnFlopDecode: number;
  let attnFlopPrefill: number;
  if (m.mla) {
    // Decode absorbs the up-projections: scores over the latent (kv_lora + rope), values in the latent (kv_lora).
    attnFlopDecode = 2 * hLocal * (m.mla.kvLoraRank + m.mla.qkRopeHeadDim) + 2 * hLocal * m.mla.kvLoraRank;
    attnFlopPrefill = 2 * hLocal * (m.mla.qkNopeHeadDim + m.mla.qkRopeHeadDim) + 2 * hLocal * m.mla.vHeadDim;
  } else {
    attnFlopDecode = 4 * hLocal * m.headDim;
    attnFlopPrefill = attnFlopDecode;
  }
  const numExperts = m.moe?.numExperts ?? 0;
  const topk = m.moe?.expertsPerToken ?? 0;
  let moeLayers = 0;
  for (const st of stages) moeLayers += st.moeLayers;
  const measured =
    (opts?.measuredUtilisation ?? measuredUtilisationFor(s.engine)) ? measuredStepsOf(m, mem, hw, stages, kvPerLayer, tp, epOn ? s.ep : 1) : null;
  return {
    hw,
    tp,
    pp,
    dp,
    ep: s.ep,
    hidden: m.hidden,
    actBytes: s.dtype === 'float32' ? 4 : 2,
    stages,
    kvPerLayer,
    linearStateBytes: m.linearStateBytes,
    attnFlopDecode,
    attnFlopPrefill,
    slidingWindow: m.slidingWindow,
    numExperts,
    topk,
    expertTokenMult: epOn ? dp : 1,
    routedPerToken: numExperts > 0 ? (moeLayers * topk * (epOn ? dp : 1)) / Math.max(1, s.ep) : 0,
    allToAlls: s.ep > 1 && dp > 1 ? 2 * moeLayers : 0,
    maxNumBatchedTokens: Math.max(1, s.maxNumBatchedTokens),
    stageConstants: stepConstantsOf(stages, numExperts, topk, hw),
    measured,
  };
}
