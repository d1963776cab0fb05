// Step-time physics per operator group: one forward step over a mix of decode tokens and prefill tokens, on the
// GPUs of one replica (tp x pp). Linear layers: 2 x local params x tokens FLOPs, reading local weight bytes once per
// step; attention: about 4 x tokens x context x H_local x d FLOPs reading the KV it attends to; MoE reads only the
// experts the step's tokens touch. Pure; the hot path allocates nothing.
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import type { Tensor } from './params';
import { tensorsOf } from './params';
import type { Bound, Hardware } from './roofline';
import { KERNELS_PER_LAYER, KERNELS_PER_MOE_LAYER_EXTRA, KERNELS_PER_STEP, allReduceTime, sendRecvTime } from './roofline';

// Module-local copies of imported bindings: the hot path runs hundreds of times per sizing, and CommonJS interop turns
// every imported name into a property getter.
const K_LAYER = KERNELS_PER_LAYER;
const K_MOE = KERNELS_PER_MOE_LAYER_EXTRA;
const K_STEP = KERNELS_PER_STEP;
const allReduce = allReduceTime;
const sendRecv = sendRecvTime;
import { VOCAB_PADDING } from './weights';
import type { GemmDtype, MoeDtype } from './operatorEfficiency';
import type { Curve, GemmShape, MeasuredSteps } from './stepUtilisation';
import {
  CUSTOM_AR_MAX_BYTES,
  allReduceCurve,
  curveAt,
  decodeAttentionSurface,
  gemmGroupCurve,
  moeCurve,
  prefillAttentionCurve,
  surfaceAt,
  tablePeaksOf,
} from './stepUtilisation';

export const OPS = [
  'qkv_o_proj',
  'attention',
  'mlp',
  'experts',
  'shared_experts',
  'lm_head',
  'tp_allreduce',
  'pp_sendrecv',
  'ep_alltoall',
  'launch_floor',
] as const;
export type OpName = (typeof OPS)[number];
const I = { qkv: 0, attn: 1, mlp: 2, experts: 3, shared: 4, head: 5, ar: 6, pp: 7, a2a: 8, floor: 9 } as const;
const LINEAR_OPS = [I.qkv, I.mlp, I.experts, I.shared, I.head];

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
    floorS: (st.layers * K_LAYER + st.moeLayers * K_MOE + (st.lastStage ? K_STEP : 0)) * hw.launchFloorS,
  }));
}

/** One step's work: `decode` sequences emit one token each; `prefill` prompt tokens are processed alongside. */
export interface Load {
  decode: number;
  /** Average context each decoding sequence attends to. */
  context: number;
  prefill: number;
  /** Average context a prefill token attends to (causal). */
  prefillCtx: number;
  /** KV tokens the prefill reads (per sequence chunk: everything up to the chunk's end). */
  prefillKvRead: number;
  /** Rows through lm_head (decodes plus prompts whose last chunk is in this step). */
  logits: number;
}

/** Optional per-operator accumulator for reports. */
export class OpAccumulator {
  // One buffer: flops, bytes, time, compute time, memory time, each OPS.length long.
  private readonly buf = new Float64Array(5 * OPS.length);
  get flops(): Float64Array {
    return this.buf.subarray(0, OPS.length);
  }
  get bytes(): Float64Array {
    return this.buf.subarray(OPS.length, 2 * OPS.length);
  }
  get time(): Float64Array {
    return this.buf.subarray(2 * OPS.length, 3 * OPS.length);
  }
  get computeTime(): Float64Array {
    return this.buf.subarray(3 * OPS.length, 4 * OPS.length);
  }
  get memoryTime(): Float64Array {
    return this.buf.subarray(4 * OPS.length, 5 * OPS.length);
  }

  add(i: number, flops: number, bytes: number, t: number, tc: number, tm: number): void {
    const n = OPS.length;
    const b = this.buf;
    b[i] += flops;
    b[n + i] += bytes;
    b[2 * n + i] += t;
    b[3 * n + i] += tc;
    b[4 * n + i] += tm;
  }

  /** Zeroes every total (for reuse as scratch); returns this. */
  cleared(): this {
    this.buf.fill(0);
    return this;
  }

  /** Adds another accumulator's totals, each multiplied by `w` (a sampled chunk standing for `w` chunks). */
  addScaled(o: OpAccumulator, w: number): void {
    for (let i = 0; i < this.buf.length; i++) this.buf[i] += w * o.buf[i];
  }

  rows(phase: string): OperatorRow[] {
    const out: OperatorRow[] = [];
    const flopsA = this.flops;
    const bytesA = this.bytes;
    const timeA = this.time;
    const tcA = this.computeTime;
    const tmA = this.memoryTime;
    for (let i = 0; i < OPS.length; i++) {
      if (timeA[i] <= 0 && flopsA[i] <= 0 && bytesA[i] <= 0) continue;
      const name = OPS[i];
      let bound: Bound;
      if (name === 'tp_allreduce' || name === 'pp_sendrecv' || name === 'ep_alltoall') bound = 'communication';
      else if (name === 'launch_floor') bound = 'latency';
      else bound = tcA[i] >= tmA[i] ? 'compute' : 'memory';
      out.push({
        phase,
        name,
        flops: flopsA[i],
        bytes: bytesA[i],
        intensity: bytesA[i] > 0 ? flopsA[i] / bytesA[i] : 0,
        bound,
        time_ms: timeA[i] * 1e3,
      });
    }
    return out;
  }

  total(): { flops: number; bytes: number; time: number } {
    let flops = 0;
    let bytes = 0;
    let time = 0;
    const n = OPS.length;
    const b = this.buf;
    for (let i = 0; i < n; i++) {
      flops += b[i];
      bytes += b[n + i];
      time += b[2 * n + i];
    }
    return { flops, bytes, time };
  }

  /** FLOPs and bytes of the linear layers alone (qkv/o, mlp, experts, shared experts, lm_head), summed in that order. */
  linearTotals(): { flops: number; bytes: number } {
    const n = OPS.length;
    const b = this.buf;
    let flops = 0;
    let bytes = 0;
    for (const i of LINEAR_OPS) {
      flops += b[i];
      bytes += b[n + i];
    }
    return { flops, bytes };
  }

  /** The kind of limit that takes the largest share of the time (the same rule as rows(), without building them). */
  dominantBound(): Bound {
    const n = OPS.length;
    const b = this.buf;
    let compute = 0;
    let memory = 0;
    let communication = 0;
    let latency = 0;
    for (let i = 0; i < n; i++) {
      if (b[2 * n + i] <= 0 && b[i] <= 0 && b[n + i] <= 0) continue;
      // Summed in milliseconds, as the rows carry them, so ties resolve exactly as before.
      const ms = b[2 * n + i] * 1e3;
      if (i === I.ar || i === I.pp || i === I.a2a) communication += ms;
      else if (i === I.floor) latency += ms;
      else if (b[3 * n + i] >= b[4 * n + i]) compute += ms;
      else memory += ms;
    }
    // Order of the old Record's keys: compute, memory, communication, latency; the first strictly largest wins, memory on ties with 0.
    let best: Bound = 'memory';
    let top = memory;
    if (compute > top) {
      best = 'compute';
      top = compute;
    }
    if (memory > top) {
      best = 'memory';
      top = memory;
    }
    if (communication > top) {
      best = 'communication';
      top = communication;
    }
    if (latency > top) best = 'latency';
    return best;
  }
}

export interface OperatorRow {
  phase: string;
  name: OpName;
  flops: number;
  bytes: number;
  intensity: number;
  bound: Bound;
  time_ms: number;
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
 * Whether stepTime uses the measured operator tables where the GPU has them (issue 12 item 3). Off: refitted with them
 * (scripts/fit-latency.ts --measured, docs/ACCURACY.md) left-out TTFT improved for SGLang and TensorRT-LLM, but SGLang's
 * left-out TPOT worsened by 1.4 points, more than the one point allowed for shipping it.
 */
export const MEASURED_UTILISATION_DEFAULT = false;

export interface PerfModelOptions {
  /** Use measured utilisation at the step's shapes where the GPU has tables (default MEASURED_UTILISATION_DEFAULT). */
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
  const measured = (opts?.measuredUtilisation ?? MEASURED_UTILISATION_DEFAULT) ? measuredStepsOf(m, mem, hw, stages, kvPerLayer, tp, epOn ? s.ep : 1) : null;
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
    maxNumBatchedTokens: Math.max(1, s.maxNumBatchedTokens),
    stageConstants: stepConstantsOf(stages, numExperts, topk, hw),
    measured,
  };
}

/** The GEMM table a step's linear layers run in: the compute dtype hardwareOf chose, block-scaled FP8 for grouped scales. */
function gemmDtypeOf(hw: Hardware): GemmDtype | null {
  const d = hw.peak.dtype;
  if (d === 'bf16' || d === 'fp16') return 'bf16';
  // Block-scaled FP8 checkpoints (DeepSeek, Qwen FP8) read the per-tensor fp8 table: the fp8_block rows measure 0.005-0.18
  // of roofline at m <= 1024 against 0.06-0.48 for per-tensor fp8 on the same shapes (H200, B200), and the refit with
  // them had vLLM's left-out TPOT 20.1% against 15.8% with the launch floor cut (docs/ACCURACY.md).
  if (d === 'fp8') return 'fp8';
  if (d === 'fp4') return 'nvfp4';
  return null;
}

/** The MoE table: the checkpoint's expert format (weight-only 4-bit formats dequantise to 16-bit math), else the GEMM dtype. */
function moeDtypeOf(m: ModelArch, gemm: GemmDtype | null): MoeDtype | null {
  const q = m.quant?.method;
  if (q === 'mxfp4') return 'mxfp4_w4a16';
  if (q === 'awq' || q === 'gptq' || q === 'w4a16') return 'int4_wo';
  return gemm;
}

const measuredCache = new WeakMap<StageProfile[], Map<string, MeasuredSteps | null>>();

/** Measured-utilisation curves for this model, layout and GPU, or null when the GPU has no tables (or no GEMM dtype). */
function measuredStepsOf(
  m: ModelArch,
  mem: MemorySizing,
  hw: Hardware,
  stages: StageProfile[],
  kvPerLayer: number,
  tp: number,
  ep: number,
): MeasuredSteps | null {
  const gpuId = hw.gpuId;
  const gemm = gemmDtypeOf(hw);
  const moe = m.moe ? moeDtypeOf(m, gemm) : null;
  const kv = /fp8/i.test(mem.serving.kvCacheDtype) ? 'fp8' : 'bf16';
  // KV heads of head_dim 128 with the same bytes per token (the tables' head shape; docs/OPERATOR-EFFICIENCY.md).
  const kvHeads = kvPerLayer / (2 * 128 * (kv === 'fp8' ? 1 : 2));
  const key = `${gpuId}|${gemm}|${moe}|${kv}|${kvHeads}|${tp}|${ep}`;
  let byKey = measuredCache.get(stages);
  if (!byKey) measuredCache.set(stages, (byKey = new Map()));
  if (byKey.has(key)) return byKey.get(key) ?? null;
  let out: MeasuredSteps | null = null;
  const peaks = gemm ? tablePeaksOf(gpuId, gemm, moe) : null;
  if (gemm && peaks && peaks.gemmFlops > 0) {
    const bw = peaks.bandwidth;
    const group = (shapes: GemmShape[]): Curve | null => gemmGroupCurve(gpuId, gemm, shapes, peaks.gemmFlops, bw);
    const mstages = stages.map((st) => ({ qkv: group(st.gemms.qkv), mlp: group(st.gemms.mlp), shared: group(st.gemms.shared), head: group(st.gemms.head) }));
    const numExperts = m.moe?.numExperts ?? 0;
    const topk = m.moe?.expertsPerToken ?? 0;
    const mc = moe && peaks.moeFlops > 0 ? moeCurve(gpuId, moe, numExperts / Math.max(1, ep), topk) : null;
    const decode = decodeAttentionSurface(gpuId, kv, kvHeads);
    const prefill = prefillAttentionCurve(gpuId, kvHeads);
    const small = tp > 1 ? allReduceCurve(gpuId, 'vllmCustomAllReduce', tp) : null;
    const large = tp > 1 ? allReduceCurve(gpuId, 'ncclAllReduce', tp) : null;
    const missing: string[] = [];
    if (mstages.some((s) => s.qkv === null || (s.mlp === null && s === mstages[0] && stages[0].mlpParams > 0))) missing.push('some GEMMs');
    if (m.moe && !mc) missing.push(`MoE ${moe ?? 'dtype'}`);
    if (!decode) missing.push('decode attention');
    if (!prefill) missing.push('prefill attention');
    if (tp > 1 && (!small || !large)) missing.push(`all-reduce over ${tp} GPUs`);
    out = {
      gpuId,
      peaks,
      stages: mstages,
      experts: mc?.curve ?? null,
      expertTokenScale: mc?.tokenScale ?? 1,
      decodeAttention: decode,
      prefillAttention: prefill,
      allReduceSmall: small,
      allReduceLarge: large,
      note:
        `${gpuId}: measured operator utilisation (aiconfigurator tables, GEMM ${gemm}${moe && m.moe ? `, MoE ${moe}` : ''}, KV ${kv})` +
        (missing.length ? `; datasheet x efficiency for ${missing.join(', ')} (not measured)` : ''),
    };
  }
  byKey.set(key, out);
  return out;
}

/**
 * Seconds for one step of `load` on one replica: the sum over stages of per-operator roofline times + comms + kernel
 * floors. The load-independent parts come precomputed (StageConstants); with an accumulator each operator's FLOPs,
 * bytes and time are also recorded (operators with neither FLOPs nor bytes are not). The batch sweep runs this about a
 * hundred times per sizing without one.
 */
export function stepTime(pm: PerfModel, L: Load, acc?: OpAccumulator): number {
  const B = Math.max(0, L.decode);
  const n = Math.max(0, L.prefill);
  const T = B + n;
  if (T <= 0) return 0;
  const hw = pm.hw;
  const F = hw.flopsAchievable;
  const BW = hw.bandwidthAchievable;
  const W = pm.slidingWindow;
  const ctxFull = Math.max(0, L.context);
  const ctxSlide = W ? Math.min(W, ctxFull) : ctxFull;
  const pCtxFull = Math.max(0, L.prefillCtx);
  const pCtxSlide = W ? Math.min(W, pCtxFull) : pCtxFull;
  const pReadFull = Math.max(0, L.prefillKvRead);
  const pReadSlide = W ? Math.min(pReadFull, W + n) : pReadFull;
  const msg = T * pm.hidden * pm.actBytes;
  const stages = pm.stages;
  const ms = pm.measured;
  let total = 0;
  let flops: number;
  let tc: number;
  let tm: number;
  let u: number;
  for (let k = 0; k < stages.length; k++) {
    const st = stages[k];
    const c = pm.stageConstants[k];
    const mst = ms ? ms.stages[k] : null;
    // Linear layers: weights read once per step, FLOPs proportional to tokens. Measured: the compute side runs at the
    // datasheet peak x the utilisation measured at this many tokens; the memory side keeps datasheet bandwidth x eta
    // (dividing it by the tables' small-m utilisation too made decode 2-5x too slow: docs/ACCURACY.md).
    flops = c.qkvFlopPerToken * T;
    if (mst && mst.qkv) {
      u = curveAt(mst.qkv, T);
      tc = flops / ms!.peaks.gemmFlops / u;
      tm = c.qkvMemS;
    } else {
      tc = flops / F;
      tm = c.qkvMemS;
    }
    total += tc >= tm ? tc : tm;
    if (acc) record(acc, I.qkv, flops, st.attnBytes, tc, tm);
    flops = c.mlpFlopPerToken * T;
    if (mst && mst.mlp) {
      u = curveAt(mst.mlp, T);
      tc = flops / ms!.peaks.gemmFlops / u;
      tm = c.mlpMemS;
    } else {
      tc = flops / F;
      tm = c.mlpMemS;
    }
    total += tc >= tm ? tc : tm;
    if (acc) record(acc, I.mlp, flops, st.mlpBytes, tc, tm);
    if (st.expertParams > 0 && pm.numExperts > 0) {
      const tokensAtExperts = T * pm.expertTokenMult;
      const touched = 1 - Math.pow(1 - Math.min(1, pm.topk / pm.numExperts), tokensAtExperts);
      const bytes = st.expertBytes * touched + st.routerBytes;
      flops = c.expertFlopPerToken * tokensAtExperts;
      if (ms && ms.experts) {
        u = curveAt(ms.experts, tokensAtExperts * ms.expertTokenScale);
        tc = flops / ms.peaks.moeFlops / u;
        tm = bytes / BW;
      } else {
        tc = flops / F;
        tm = bytes / BW;
      }
      total += tc >= tm ? tc : tm;
      if (acc) record(acc, I.experts, flops, bytes, tc, tm);
    }
    flops = c.sharedFlopPerToken * T;
    if (mst && mst.shared) {
      u = curveAt(mst.shared, T);
      tc = flops / ms!.peaks.gemmFlops / u;
      tm = c.sharedMemS;
    } else {
      tc = flops / F;
      tm = c.sharedMemS;
    }
    total += tc >= tm ? tc : tm;
    if (acc) record(acc, I.shared, flops, st.sharedBytes, tc, tm);
    // Attention: decode tokens attend to their context; prefill tokens to their causal prefix. KV written once per token.
    const attnLayers = st.fullLayers + st.slidingLayers;
    if (attnLayers > 0 && ms && ms.decodeAttention && ms.prefillAttention) {
      // Measured: the decode part (B sequences at their mean attended context) and the prefill part (a prompt chunk of
      // n new tokens) each with its own utilisation on the compute side, as the tables measured them separately.
      const peak = ms.peaks.attnFlops;
      let t = 0;
      let fAll = 0;
      let bAll = 0;
      tc = 0;
      tm = 0;
      if (B > 0) {
        const attended = st.fullLayers * ctxFull + st.slidingLayers * ctxSlide;
        const f = pm.attnFlopDecode * B * attended;
        const b = pm.kvPerLayer * (B * attended + B * attnLayers) + B * st.linearLayers * pm.linearStateBytes;
        u = surfaceAt(ms.decodeAttention, B, attended / attnLayers);
        const c1 = f / peak / u;
        const m1 = b / BW;
        t += c1 >= m1 ? c1 : m1;
        tc += c1;
        tm += m1;
        fAll += f;
        bAll += b;
      }
      if (n > 0) {
        const f = pm.attnFlopPrefill * n * (st.fullLayers * pCtxFull + st.slidingLayers * pCtxSlide);
        const b = pm.kvPerLayer * (st.fullLayers * pReadFull + st.slidingLayers * pReadSlide + n * attnLayers);
        u = curveAt(ms.prefillAttention, n);
        const c1 = f / peak / u;
        const m1 = b / BW;
        t += c1 >= m1 ? c1 : m1;
        tc += c1;
        tm += m1;
        fAll += f;
        bAll += b;
      }
      total += t;
      if (acc && (fAll > 0 || bAll > 0)) acc.add(I.attn, fAll, bAll, t, tc, tm);
    } else if (attnLayers > 0) {
      flops =
        pm.attnFlopDecode * B * (st.fullLayers * ctxFull + st.slidingLayers * ctxSlide) +
        pm.attnFlopPrefill * n * (st.fullLayers * pCtxFull + st.slidingLayers * pCtxSlide);
      const kvTokens = B * (st.fullLayers * ctxFull + st.slidingLayers * ctxSlide) + st.fullLayers * pReadFull + st.slidingLayers * pReadSlide + T * attnLayers;
      const bytes = pm.kvPerLayer * kvTokens + B * st.linearLayers * pm.linearStateBytes;
      tc = flops / F;
      tm = bytes / BW;
      total += tc >= tm ? tc : tm;
      if (acc) record(acc, I.attn, flops, bytes, tc, tm);
    } else if (st.linearLayers > 0) {
      const bytes = B * st.linearLayers * pm.linearStateBytes;
      tm = bytes / BW;
      total += 0 >= tm ? 0 : tm;
      if (acc) record(acc, I.attn, 0, bytes, 0, tm);
    }
    if (st.lastStage) {
      const rows = Math.max(0, L.logits);
      flops = c.headFlopPerRow * rows;
      if (mst && mst.head && rows > 0) {
        u = curveAt(mst.head, rows);
        tc = flops / ms!.peaks.gemmFlops / u;
        tm = c.headMemS;
      } else {
        tc = flops / F;
        tm = c.headMemS;
      }
      total += tc >= tm ? tc : tm;
      if (acc) record(acc, I.head, flops, st.headBytes, tc, tm);
    }
    // Tensor parallel: two all-reduces per layer (after attention and after the MLP). Expert parallelism inside one
    // tp group keeps that pattern (tokens are replicated after attention; each rank runs its experts; the MoE output is
    // all-reduced). Across data-parallel ranks (ep = tp x dp) MoE layers replace the second with a dispatch + combine
    // all-to-all: each token goes once to every rank holding one of its k experts, (ep-1)(1-(1-1/ep)^k) remote ranks.
    const a2a = pm.ep > 1 && pm.dp > 1 && st.moeLayers > 0;
    if (pm.tp > 1) {
      const perLayer = a2a ? 2 * st.layers - st.moeLayers : 2 * st.layers;
      // Measured: the ring's bytes over the link at the utilisation measured for this message and GPU count (its
      // latency is in the measurement); vLLM's custom all-reduce up to 8 MiB, NCCL above.
      const arc = ms ? (msg <= CUSTOM_AR_MAX_BYTES ? ms.allReduceSmall : ms.allReduceLarge) : null;
      const t = arc
        ? (perLayer * (((2 * (pm.tp - 1)) / pm.tp) * msg)) / ms!.peaks.linkPerDirection / curveAt(arc, msg)
        : perLayer * allReduce(msg, pm.tp, hw.link);
      total += t;
      if (acc && t > 0) acc.add(I.ar, 0, perLayer * msg, t, 0, 0);
    }
    if (a2a) {
      const remoteRanks = (pm.ep - 1) * (1 - Math.pow(1 - 1 / pm.ep, pm.topk));
      const a2aMsg = T * remoteRanks * pm.hidden * pm.actBytes;
      const t = 2 * st.moeLayers * (hw.link.latencyS + a2aMsg / hw.link.perDirection);
      total += t;
      if (acc && t > 0) acc.add(I.a2a, 0, 2 * st.moeLayers * a2aMsg, t, 0, 0);
    }
    total += c.floorS;
    if (acc) acc.add(I.floor, 0, 0, c.floorS, 0, 0);
  }
  if (pm.pp > 1) {
    const t = (pm.pp - 1) * sendRecv(msg, hw.link);
    total += t;
    if (acc && t > 0) acc.add(I.pp, 0, (pm.pp - 1) * msg, t, 0, 0);
  }
  return total;
}

/** Records one operator's roofline time (an operator with neither FLOPs nor bytes is left out of the table). */
function record(acc: OpAccumulator, i: number, flops: number, bytes: number, tc: number, tm: number): void {
  if (flops > 0 || bytes > 0) acc.add(i, flops, bytes, tc >= tm ? tc : tm, tc, tm);
}

/**
 * A step's load filled in place and passed to stepTime, which reads it and keeps nothing: a fresh object per step
 * (with its six numbers boxed on the heap) was most of the ~8 MB a hardware comparison allocated. Callers fill every
 * field before each use; stepTime never calls back into them, so one object serves all.
 */
export function scratchLoad(decode: number, context: number, prefill: number, prefillCtx: number, prefillKvRead: number, logits: number): Load {
  const l = SCRATCH_LOAD;
  l.decode = decode;
  l.context = context;
  l.prefill = prefill;
  l.prefillCtx = prefillCtx;
  l.prefillKvRead = prefillKvRead;
  l.logits = logits;
  return l;
}
// Initialized with non-integers so V8 keeps every field as an unboxed-in-place double.
const SCRATCH_LOAD: Load = { decode: 0.5, context: 0.5, prefill: 0.5, prefillCtx: 0.5, prefillKvRead: 0.5, logits: 0.5 };

/** Pure decode step: B sequences at average context C. */
export function decodeStepTime(pm: PerfModel, B: number, C: number, acc?: OpAccumulator): number {
  return stepTime(pm, scratchLoad(B, C, 0, 0, 0, B), acc);
}

/**
 * Prefill of `newTokens` prompt tokens after `cached` prefix-cache hits, chunked by max_num_batched_tokens and sharing
 * each step with `decodes` running sequences at context `ctx` (which also take budget tokens). Seconds.
 */
export function prefillTime(pm: PerfModel, newTokens: number, cached: number, decodes = 0, ctx = 0, acc?: OpAccumulator): number {
  const P = Math.max(0, newTokens);
  const budget = Math.max(1, pm.maxNumBatchedTokens - Math.max(0, Math.floor(decodes)));
  if (P <= 0) {
    // Everything was cached: one step still computes the last token's logits.
    return stepTime(pm, scratchLoad(decodes, ctx, 1, cached, cached, decodes + 1), acc);
  }
  const chunks = Math.ceil(P / budget);
  let t = 0;
  const start0 = Math.max(0, cached);
  // Long prompts are many identical-size chunks whose cost grows with the context already cached; past 64 chunks,
  // evaluate 64 evenly spaced ones and weight each by the chunks it stands for (keeps absurd inputs bounded).
  const samples = Math.min(chunks, 64);
  for (let i = 0; i < samples; i++) {
    const c = samples === chunks ? i : Math.min(chunks - 1, Math.floor(((i + 0.5) * chunks) / samples));
    const weight = samples === chunks ? 1 : chunks / samples;
    const n = Math.min(budget, P - c * budget);
    const last = c === chunks - 1;
    const start = start0 + c * budget;
    const load = scratchLoad(decodes, ctx, n, start + (n + 1) / 2, start + n, decodes + (last ? 1 : 0));
    if (weight === 1 || !acc) t += weight * stepTime(pm, load, acc);
    else {
      const part = new OpAccumulator();
      t += weight * stepTime(pm, load, part);
      acc.addScaled(part, weight);
    }
  }
  return t;
}

/** Chunks a prompt of `newTokens` takes at this token budget. */
export function prefillChunks(pm: PerfModel, newTokens: number, decodes = 0): number {
  const budget = Math.max(1, pm.maxNumBatchedTokens - Math.max(0, Math.floor(decodes)));
  return Math.max(1, Math.ceil(Math.max(0, newTokens) / budget));
}
