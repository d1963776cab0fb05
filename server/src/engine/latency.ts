// Step-time physics per operator group: one forward step over a mix of decode tokens and prefill tokens, on the
// GPUs of one replica (tp x pp). Linear layers: 2 x local params x tokens FLOPs, reading local weight bytes once per
// step; attention: about 4 x tokens x context x H_local x d FLOPs reading the KV it attends to; MoE reads only the
// experts the step's tokens touch. Pure; the hot path allocates nothing. The per-GPU model it evaluates is built in
// perfModel.ts (re-exported here).
import type { PerfModel } from './perfModel';
import type { Bound } from './roofline';
import { allReduceTime, sendRecvTime } from './roofline';

// Module-local copies of imported bindings: the hot path runs hundreds of times per sizing, and CommonJS interop turns
// every imported name into a property getter.
const allReduce = allReduceTime;
const sendRecv = sendRecvTime;
import type { Curve } from './stepUtilisation';
import { CUSTOM_AR_MAX_BYTES, curveAt, curveAtLog, surfaceAt } from './stepUtilisation';

export type { PerfModel, PerfModelOptions, StageConstants, StageProfile } from './perfModel';
export { measuredUtilisationFor, perfModelOf } from './perfModel';

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
  const gemmPeak = ms ? ms.peaks.gemmFlops : 0;
  // The token count's log, once: the measured curves of qkv/o, the MLP and the shared experts are all read at T.
  const lT = ms ? Math.log(T) : 0;
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
    tc = computeTime(flops, mst ? mst.qkv : null, lT, gemmPeak, F);
    tm = c.qkvMemS;
    total += tc >= tm ? tc : tm;
    if (acc) record(acc, I.qkv, flops, st.attnBytes, tc, tm);
    flops = c.mlpFlopPerToken * T;
    tc = computeTime(flops, mst ? mst.mlp : null, lT, gemmPeak, F);
    tm = c.mlpMemS;
    total += tc >= tm ? tc : tm;
    if (acc) record(acc, I.mlp, flops, st.mlpBytes, tc, tm);
    if (st.expertParams > 0 && pm.numExperts > 0) {
      const tokensAtExperts = T * pm.expertTokenMult;
      const touched = 1 - Math.pow(1 - Math.min(1, pm.topk / pm.numExperts), tokensAtExperts);
      const bytes = st.expertBytes * touched + st.routerBytes;
      flops = c.expertFlopPerToken * tokensAtExperts;
      tc = ms && ms.experts ? flops / ms.peaks.moeFlops / curveAt(ms.experts, tokensAtExperts * ms.expertTokenScale) : flops / F;
      tm = bytes / BW;
      total += tc >= tm ? tc : tm;
      if (acc) record(acc, I.experts, flops, bytes, tc, tm);
    }
    flops = c.sharedFlopPerToken * T;
    tc = computeTime(flops, mst ? mst.shared : null, lT, gemmPeak, F);
    tm = c.sharedMemS;
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
      tc = mst && rows > 0 && mst.head ? flops / gemmPeak / curveAt(mst.head, rows) : flops / F;
      tm = c.headMemS;
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

/**
 * Compute-side seconds of `flops` in a linear group: at the datasheet peak `peak` x the utilisation `curve` measured at
 * the token count whose log is `lx` when the GPU has that curve, else at the achievable rate `F` (datasheet x eta). The
 * memory side does not depend on the path, so callers set it once. A module-level function of plain numbers: no
 * closure per step.
 */
function computeTime(flops: number, curve: Curve | null, lx: number, peak: number, F: number): number {
  return curve ? flops / peak / curveAtLog(curve, lx) : flops / F;
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
