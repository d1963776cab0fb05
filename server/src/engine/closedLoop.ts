// Latency under load: what C clients see from one engine instance, per engine scheduler, with per-step costs fitted
// once across models (latencyFit.json, written by scripts/fit-latency.ts). Pure.
//
// Every prediction is linear in the fitted coefficients: the scheduler decides how many steps of which kind a request
// lives through (a function of the workload and the token budget alone), and each step costs
//   t = decode_scale x roofline(decode part) + prefill_scale x roofline(prompt part)
//       + per_step + per_layer_step x layers + per_request_step x requests in the step
// so the fit is a least-squares problem and the roofline stays the explanation (the scales multiply its times).
//
// Scheduler (steady state of C closed-loop clients on one instance, B = min(C, slots) running):
//   prompts of all B requests arrive in groups that stay together (they started together and have equal lengths), so a
//   cycle has K = max(ceil(P/M), ceil(B x P / M)) "heavy" steps carrying ~B x P / K prompt tokens, the rest pure decode.
//   - mixed (vLLM V1 chunked prefill, TensorRT-LLM in-flight batching): decodes advance inside the heavy steps, so a
//     request's O-1 decode steps include the K - ceil(P/M) heavy steps of the other groups (TPOT carries the prompts);
//   - separate (SGLang default, vLLM V0): a prefill batch runs alone and stalls the decodes: those K - ceil(P/M) prompt
//     steps are added to the O-1 decode steps.
//   TTFT = own prompt steps + half a step of waiting + the API's per-request cost; when prompts outpace decoding
//   (K - ceil(P/M) > O - 1) each request also waits for the excess prompt steps. The first wave (all clients at once)
//   waits (K + ceil(P/M)) / 2 prompt steps on average; a run's mean TTFT mixes it in with the fitted weight
//   first_wave_weight. Clients beyond the B slots (max_num_seqs or KV cache) wait in the closed loop for a slot:
//   Little's Law gives each client's cycle C / X with X = B / (TTFT + (O-1) TPOT), so TTFT += (C/B - 1) x cycle.
import type { WorkShape } from './capacity';
import type { MemorySizing } from './memory';
import type { PerfModel } from './latency';
import { scratchLoad, stepTime } from './latency';
import fitJson from './latencyFit.json';

const step = stepTime;
const scratch = scratchLoad;

export const COEF_NAMES = [
  'decode_scale',
  'prefill_scale',
  'per_step_s',
  'per_layer_step_s',
  'per_request_step_s',
  'per_request_api_s',
  'per_output_token_s',
  'per_routed_token_s',
  'per_all_to_all_s',
] as const;
export const NCOEF = COEF_NAMES.length;

export type SchedulerKind = 'mixed' | 'separate';
export type LoadModel = 'closed-loop' | 'open-loop' | 'single-stream';

export interface EngineFit {
  /** The step times the coefficients were fitted on, and that this engine's predictions use (absent: datasheet). */
  operator_utilisation?: 'measured' | 'datasheet';
  coefficients: Record<(typeof COEF_NAMES)[number], number>;
  first_wave_weight: number;
  rows: number;
  models: string[];
  /** measured / predicted at the 10th and 90th percentile of the fit's rows. */
  band: { ttft: [number, number]; tpot: [number, number] };
  fitted: { ttft_median_abs_pct: number; tpot_median_abs_pct: number };
  left_out: {
    ttft_median_abs_pct: number;
    tpot_median_abs_pct: number;
    by_model: Record<string, { rows: number; ttft_median_abs_pct: number; tpot_median_abs_pct: number }>;
  };
}

export interface LatencyFitFile {
  source: string;
  script: string;
  fit_date: string;
  engines: Record<string, EngineFit>;
}

export const LATENCY_FIT = fitJson as unknown as LatencyFitFile;

/** The roofline alone with no overheads: what the engine predicted before the fit (and what an unfitted engine uses). */
export const UNFITTED: Float64Array = Float64Array.from(COEF_NAMES, (k) => (k === 'decode_scale' || k === 'prefill_scale' ? 1 : 0));

const coefCache = new WeakMap<LatencyFitFile, Map<string, { coef: Float64Array; phi: number; fitted: boolean }>>();
/** The engine's fitted coefficients (read once per fit file and engine: the hardware comparison asks for every config). */
export function coefficientsOf(engine: string, fit: LatencyFitFile = LATENCY_FIT): { coef: Float64Array; phi: number; fitted: boolean } {
  let byEngine = coefCache.get(fit);
  if (!byEngine) coefCache.set(fit, (byEngine = new Map()));
  let r = byEngine.get(engine);
  if (!r) {
    const e = fit.engines[engine];
    r = e
      ? { coef: Float64Array.from(COEF_NAMES.map((k) => e.coefficients[k] ?? 0)), phi: e.first_wave_weight, fitted: true }
      : { coef: UNFITTED, phi: 0, fitted: false };
    byEngine.set(engine, r);
  }
  return r;
}

export function schedulerOf(engine: string, v1: boolean): SchedulerKind {
  if (engine === 'sglang') return 'separate';
  if (engine === 'trtllm') return 'mixed';
  return v1 ? 'mixed' : 'separate';
}

/** Where the features of one evaluation go: TTFT's (seconds per unit coefficient) then TPOT's, NCOEF each. */
export type Features = Float64Array;
export function newFeatures(): Features {
  return new Float64Array(2 * NCOEF);
}

// Scratch step-feature vectors: pure decode, average step, own prompt step, first-wave step.
const FD = new Float64Array(NCOEF);
const FA = new Float64Array(NCOEF);
const FO = new Float64Array(NCOEF);
const FW = new Float64Array(NCOEF);

/**
 * Features of one step: `dec` decodes at the mean context (whose roofline time `rd` the caller has) plus `n` prompt
 * tokens of `seqs` requests (at half their prompt).
 */
function stepFeatures(pm: PerfModel, w: WorkShape, dec: number, rd: number, n: number, seqs: number, layers: number, out: Float64Array): void {
  let rp = 0;
  if (n > 0) {
    const ctx = w.cached + w.newPrompt / 2;
    // A prompt step without decodes still reads every weight once: that part is priced like a decode step (the
    // weight read of one token), the rest (the prompt's extra compute and KV traffic) at the prompt scale. A short
    // prompt is as memory-bound as a decode step.
    if (dec === 0) rd = weightReadOf(pm);
    rp = Math.max(0, step(pm, scratch(dec, w.context, n, ctx, seqs * (ctx + n / Math.max(1, seqs) / 2), dec + seqs)) - rd);
  }
  out[0] = rd;
  out[1] = rp;
  out[2] = 1;
  out[3] = layers;
  out[4] = dec + seqs;
  out[5] = 0;
  out[6] = 0;
  out[7] = (dec + n) * pm.routedPerToken;
  out[8] = pm.allToAlls;
}

/**
 * Fills `out` with the features of C clients (closed loop; open loop: the steady state at C in flight, phi = 0) on one
 * instance with `slots` request slots. Returns false when nothing can run (slots < 1).
 *
 * Steady state: prompts arrive spread over the cycle (requests drift apart), so each step carries on average
 * n = B x P / S prompt tokens (S = steps of one request's cycle), at most the budget M; when B x P / M > S the prompts
 * set the pace and each request waits the difference. A request's own prompt step carries its chunk and the average
 * prompt load; it waits half a running step first when others are running. The first wave (all clients at once) fills
 * K = ceil(B x P / M) steps and waits (K + ceil(P/M)) / 2 of them on average.
 */
export function loadFeatures(pm: PerfModel, w: WorkShape, C: number, slots: number, sched: SchedulerKind, phi: number, out: Features): boolean {
  out.fill(0);
  const c = Math.max(1, C);
  if (!(slots >= 1)) return false;
  const B = Math.min(c, slots);
  const P = w.newPrompt;
  const O = w.output;
  const M = pm.maxNumBatchedTokens;
  const layers = layersOf(pm);
  const chunks = P > 0 ? Math.ceil(P / M) : 1;
  const chunk = P > 0 ? Math.min(P, M) : 0;
  const dsteps = Math.max(0, O - 1);
  // TTFT's features at out[0..NCOEF), TPOT's at out[NCOEF..2 NCOEF) (indexing, not subarray views: no allocation).
  const others = B - 1;
  // One decode-only roofline step of B serves every step with decodes in it (the own prompt's step has B-1 others
  // decoding: one row fewer, well under a percent of the step); the stepTime calls are the whole cost of a sizing.
  const rdB = step(pm, scratch(B, w.context, 0, 0, 0, B));
  stepFeatures(pm, w, B, rdB, 0, 0, layers, FD);
  // Prompts arrive spread over the cycle, one chunk of min(P, M) tokens each: `a` chunks per step on average. Steps
  // carry whole chunks (a prompt's chunk is not split across steps to even the load), so a share q = min(1, a) of the
  // steps carries prompt tokens (a / q chunks' worth, at most the budget) and the rest are pure decode: pricing the
  // average step instead would hide the weight read of the decode steps behind the prompt steps' compute.
  const S = chunks + dsteps;
  const a = (others * chunks) / Math.max(1, S);
  const q = Math.min(1, a);
  const n = q > 0 ? Math.min(M, (a * chunk) / q) : 0;
  const own = Math.min(M, chunk * Math.max(1, a));
  const waitSteps = (B * P) / Math.max(1, S) > M ? (B * P) / M - S : 0;
  if (sched === 'mixed') {
    // Decodes advance in every step, prompt steps included.
    stepFeatures(pm, w, B, rdB, n, n / Math.max(1, chunk), layers, FA);
    // A lone client's prompt step has no decodes beside it (single stream = the bare prefill).
    if (others === 0) promptOnlyFeatures(pm, w, own, 1, layers, FO);
    else if (own === n) FO.set(FA);
    else stepFeatures(pm, w, B, rdB, own, own / Math.max(1, chunk), layers, FO);
    for (let i = 0; i < NCOEF; i++) out[NCOEF + i] = dsteps > 0 ? q * FA[i] + (1 - q) * FD[i] : FD[i];
  } else {
    // Prompt batches run alone between decode steps and stall them.
    promptOnlyFeatures(pm, w, n, n / Math.max(1, chunk), layers, FA);
    if (own === n) FO.set(FA);
    else promptOnlyFeatures(pm, w, own, own / Math.max(1, chunk), layers, FO);
    for (let i = 0; i < NCOEF; i++) out[NCOEF + i] = FD[i] + (dsteps > 0 ? q * FA[i] : 0);
  }
  out[NCOEF + 6] += 1;
  // First wave: K steps of prompts, full budget-size steps but for the last (priced as full: at most one step of error
  // in K, and the wave step is then the same for every B, computed once per sizing). Its steps are priced as
  // prompt-only (the few groups already decoding in them are a small share of a full step).
  const K = P > 0 ? Math.max(chunks, Math.ceil((B * P) / M)) : 1;
  const perWaveStep = P > 0 ? Math.min(M, B * P) : 0;
  if (phi > 0) promptOnlyFeatures(pm, w, perWaveStep, perWaveStep / Math.max(1, chunk), layers, FW);
  else FW.fill(0);
  const waveSteps = (K + chunks) / 2;
  const busy = others > 0 ? 0.5 : 0;
  for (let i = 0; i < NCOEF; i++) {
    const avg = sched === 'mixed' ? q * FA[i] + (1 - q) * FD[i] : FD[i];
    const steady = chunks * FO[i] + busy * avg + Math.max(0, waitSteps) * avg;
    out[i] = (1 - phi) * steady + phi * waveSteps * FW[i];
  }
  out[5] += 1;
  // Clients waiting for a slot: each cycle is C/B times a running request's.
  if (c > B) {
    const f = c / B - 1;
    for (let i = 0; i < NCOEF; i++) out[i] += f * (out[i] + dsteps * out[NCOEF + i]);
  }
  return true;
}

/**
 * Requests one instance runs at once: the KV-limited count, and vLLM's max_num_seqs. SGLang sizes its running batch from
 * the KV pool (max_running_requests unset) and TensorRT-LLM's max_batch_size is set per deployment, so vLLM's default
 * does not bound them unless the plan sets max_num_seqs.
 */
export function requestSlots(mem: MemorySizing, kvLimited: number): number {
  const seqs = mem.serving.engine === 'vllm' || !('max_num_seqs' in mem.serving.defaulted) ? mem.serving.maxNumSeqs : Infinity;
  const kv = Number.isFinite(kvLimited) ? Math.floor(kvLimited) : Infinity;
  const s = Math.min(seqs, kv);
  return Number.isFinite(s) ? s : mem.serving.maxNumSeqs;
}

/** TPOT of a decode-only pool (disaggregated decode workers): B decodes per step, no prompts, with the fitted costs. */
export function decodeOnlyTpot(pm: PerfModel, w: WorkShape, B: number, coef: Float64Array): number {
  const b = Math.max(1, B);
  stepFeatures(pm, w, b, step(pm, scratch(b, w.context, 0, 0, 0, b)), 0, 0, layersOf(pm), FD);
  FD[6] = 1;
  let t = 0;
  for (let i = 0; i < NCOEF; i++) t += FD[i] * coef[i];
  return t;
}

/** Prompt tokens per second of a prefill-only pool running full-budget steps (whole prompts, or chunks of long ones). */
export function prefillOnlyThroughput(pm: PerfModel, w: WorkShape, coef: Float64Array): number {
  const P = w.newPrompt;
  if (P <= 0) return 0;
  const M = pm.maxNumBatchedTokens;
  const n = P >= M ? M : Math.max(1, Math.floor(M / P)) * P;
  stepFeatures(pm, w, 0, 0, n, P >= M ? 1 : n / P, layersOf(pm), FA);
  let t = 0;
  for (let i = 0; i < NCOEF; i++) t += FA[i] * coef[i];
  return t > 0 ? n / t : 0;
}

export function dot(f: Float64Array, coef: Float64Array, offset: number): number {
  let s = 0;
  for (let i = 0; i < NCOEF; i++) s += f[offset + i] * coef[i];
  return s;
}

/**
 * stepFeatures of a prompt-only step, remembered for the last few (model, workload, tokens): the batch sweep asks for
 * the same full-budget wave step at every batch.
 */
const PROMPT_CACHE: { pm: PerfModel | null; w: WorkShape | null; n: number; seqs: number; f: Float64Array }[] = Array.from({ length: 4 }, () => ({
  pm: null,
  w: null,
  n: -1,
  seqs: -1,
  f: new Float64Array(NCOEF),
}));
let promptNext = 0;
function promptOnlyFeatures(pm: PerfModel, w: WorkShape, n: number, seqs: number, layers: number, out: Float64Array): void {
  for (const e of PROMPT_CACHE) {
    if (e.pm === pm && e.w === w && e.n === n && e.seqs === seqs) {
      out.set(e.f);
      return;
    }
  }
  stepFeatures(pm, w, 0, 0, n, seqs, layers, out);
  const e = PROMPT_CACHE[promptNext];
  promptNext = (promptNext + 1) % PROMPT_CACHE.length;
  e.pm = pm;
  e.w = w;
  e.n = n;
  e.seqs = seqs;
  e.f.set(out);
}

/** Roofline time of one decode token at no context: the weight read and kernel floors every step pays. */
const weightReadCache = new WeakMap<PerfModel, number>();
export function weightReadOf(pm: PerfModel): number {
  let t = weightReadCache.get(pm);
  if (t === undefined) {
    t = step(pm, scratch(1, 0, 0, 0, 0, 1));
    weightReadCache.set(pm, t);
  }
  return t;
}

/** Token-expert assignments one GPU handles per token of a step (PerfModel.routedPerToken). */
export function routedPerTokenOf(pm: PerfModel): number {
  return pm.routedPerToken;
}

/** Expert-parallel all-to-alls per step (PerfModel.allToAlls). */
export function allToAllsOf(pm: PerfModel): number {
  return pm.allToAlls;
}

const layersCache = new WeakMap<PerfModel, number>();
export function layersOf(pm: PerfModel): number {
  let n = layersCache.get(pm);
  if (n === undefined) {
    n = 0;
    for (const s of pm.stages) n += s.layers;
    layersCache.set(pm, n);
  }
  return n;
}

/** TTFT and TPOT in seconds for C clients (closed loop) or C in flight (open loop, phi = 0). */
export function latencyAt(
  pm: PerfModel,
  w: WorkShape,
  C: number,
  slots: number,
  sched: SchedulerKind,
  phi: number,
  coef: Float64Array,
  scratchF: Features,
): { ttft: number; tpot: number } {
  if (!loadFeatures(pm, w, C, slots, sched, phi, scratchF)) return { ttft: 0, tpot: 0 };
  return { ttft: dot(scratchF, coef, 0), tpot: dot(scratchF, coef, NCOEF) };
}
