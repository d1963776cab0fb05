// Performance entry point: roofline per phase and operator, TTFT/TPOT at the workload, the batch sweep and its knee,
// Little's Law capacity, cost and a disaggregated prefill/decode split. Pure and deterministic; JSON-ready output
// with snake_case keys; no NaN or Infinity anywhere (sanitized, with a note when it happens).
import type { ComputeDtype, GpuSpec } from './hardware';
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import type { BatchPoint, LatencySpec, WorkShape } from './capacity';
import { BatchModel, KNEE_RULE, kvLimitedConcurrency, operatingBatch, queueWait, sweep, workShape } from './capacity';
import { costOf, usefulFlopsPerRequest } from './cost';
import type { OperatorRow, PerfModel } from './latency';
import { MEASURED_UTILISATION_DEFAULT, OpAccumulator, decodeStepTime, perfModelOf, prefillChunks, prefillTime, stepTime } from './latency';
import type { Bound, Hardware } from './roofline';
import { KERNELS_PER_LAYER, KERNELS_PER_MOE_LAYER_EXTRA, KERNELS_PER_STEP, hardwareOf } from './roofline';
import { fallbackNote } from './operatorEfficiency';
import { largestTrue } from './capacity';
import type { LoadModel } from './closedLoop';
import { LATENCY_FIT, coefficientsOf, decodeOnlyTpot, latencyAt, newFeatures, prefillOnlyThroughput, requestSlots, schedulerOf } from './closedLoop';

export type { ComparisonRow } from './compare';

export interface WorkloadInput {
  requestsPerSecond: number | null;
  inputTokens: number;
  outputTokens: number;
  concurrency: number | null;
  /** 0..1 */
  prefixCacheHitRate: number;
}

export interface SloInput {
  ttftMs: number | null;
  tpotMs: number | null;
}

export interface PhaseSummary {
  flops: number;
  bytes: number;
  intensity: number;
  /** FLOPs / bytes over the linear layers alone (weights read once per step): about tokens per step for 16-bit weights. */
  linear_intensity: number;
  bound: Bound;
  time_ms: number;
  /** Achieved FLOP/s of the phase: flops / time (its roofline point is (intensity, flop_per_s)). */
  flop_per_s: number;
}

export interface CurvePoint {
  batch: number;
  tpot_ms: number;
  ttft_ms: number;
  throughput_tokens_per_s: number;
  /** FLOP/byte of a pure decode step of `batch` sequences at the workload's average context (as performance.decode). */
  intensity: number;
  /** Achieved FLOP/s of that decode step: its FLOPs / its time. */
  flop_per_s: number;
}

/** One compute roof of the GPU: its dense peak in one dtype (datasheet, not derated). */
export interface Ceiling {
  dtype: ComputeDtype;
  flop_per_s: number;
}

export interface PerformanceSection {
  compute_dtype: string;
  compute_dtype_note: string;
  peak_flops_per_s: number;
  memory_bandwidth_bytes_per_s: number;
  ridge_point_flop_per_byte: number;
  /** Ridge point at achievable rates (peak x eta_c / (BW x eta_m)). */
  achievable_ridge_point_flop_per_byte: number;
  eta: { memory: number; compute: number; source: string };
  /**
   * Which efficiency the step times used: measured operator utilisation at the step's shapes (aiconfigurator tables,
   * operatorTables.json) or the datasheet peaks x the fixed eta above, and why.
   */
  operator_efficiency: { path: 'measured' | 'datasheet'; note: string };
  interconnect: { kind: string; per_direction_bytes_per_s: number; latency_us: number; note: string };
  launch_floor: { us_per_kernel: number; kernels_per_step: number; ms_per_step: number; rule: string };
  prefill: PhaseSummary & { tokens: number; cached_tokens: number; chunks: number };
  decode: PhaseSummary & { batch: number; context: number };
  /** At the operating point: workload.concurrency when given, else the Little's Law point (else a saturated replica). */
  batch: number;
  batch_source: 'workload.concurrency' | 'littles_law' | 'saturated';
  /**
   * What ttft_ms / tpot_ms mean: 'closed-loop' = the mean C clients report when each sends its next request as its last
   * ends (workload.concurrency; also a saturated replica), 'open-loop' = Poisson arrivals at requests_per_second (TTFT
   * includes the queue), 'single-stream' = one client.
   */
  load_model: LoadModel;
  /** p10-p90 of measured / predicted in the latency fit's rows, applied to ttft_ms and tpot_ms; null when the engine has no fit. */
  ttft_band_ms: [number, number] | null;
  tpot_band_ms: [number, number] | null;
  /** Which fitted step costs priced the steps, with their rows and errors (engine/latencyFit.json). */
  latency_fit: string;
  ttft_ms: number;
  ttft_queue_ms: number;
  tpot_ms: number;
  /** Per replica at the operating batch: B x O / (TTFT + O x TPOT). */
  throughput_tokens_per_s: number;
  throughput_rule: string;
  max_throughput_tokens_per_s: number;
  max_throughput_batch: number;
  max_batch: number;
  max_batch_limit: 'max_num_seqs' | 'kv_cache' | 'none';
  knee_batch: number;
  knee_rule: string;
  knee_reason: string;
  slo_batch: number;
  bound: Bound;
  curve: CurvePoint[];
  operators: OperatorRow[];
  /** Dense peak of every dtype the GPU lists (fastest first); empty without detail. */
  ceilings: Ceiling[];
  /** The plan's SLO (null when it sets none), for the latency chart's SLO line. */
  slo_tpot_ms: number | null;
  slo_ttft_ms: number | null;
  notes: string[];
}

export interface CapacitySection {
  arrival_rate_rps: number;
  request_latency_s: number;
  concurrency_needed: number;
  concurrency_per_replica: number;
  /** Most requests/s one replica serves: concurrency_per_replica / W at that batch (Little's Law). */
  max_rps_per_replica: number;
  /** W at concurrency_per_replica: TTFT + output x TPOT, in seconds. */
  request_latency_at_capacity_s: number;
  kv_limited_concurrency: number;
  max_num_seqs: number;
  replicas_needed: number;
  /** Engine instances (data-parallel ranks of gpus_per_replica GPUs each) deployed: the fixed count, or the autoscaler's minimum. */
  replicas_deployed: number;
  /** The most instances the file lets run (= replicas_deployed for a fixed count); null when unknown or without a stated ceiling. */
  replicas_deployed_max: number | null;
  /** False when the file's replica count is not known (a template placeholder): no overload is claimed. */
  replicas_deployed_known: boolean;
  /** Where the instance count comes from (`3 replicas x data_parallel_size 2`, `autoscaling 1..4 replicas`), or why it is unknown. */
  replicas_source: string;
  /** What every surface shows for the instances deployed: `6 (3 replicas x data_parallel_size 2)`, `1-4 (autoscaling ...)`, `unknown (...)`. */
  replicas_deployed_text: string;
  /** Little's Law's verdict: more instances needed than the file lets run (replicas_deployed_max); false when that is unknown. */
  overloaded: boolean;
  gpus_per_replica: number;
  utilization: number;
  queue_unbounded: boolean;
  meets_slo: boolean;
  reasons: string[];
}

export interface CostSection {
  usd_per_million_output_tokens: number;
  usd_per_million_tokens: number;
  mfu: number;
  usd_per_gpu_hour: number;
  price_source: string;
  gpus: number;
  usd_per_hour: number;
  output_tokens_per_s: number;
  usd_per_million_output_tokens_at_capacity: number;
}

export interface DisaggregationSection {
  prefill_gpus: number;
  decode_gpus: number;
  colocated_gpus: number;
  ratio: string;
  prefill_replicas: number;
  decode_replicas: number;
  prefill_tokens_per_s_per_replica: number;
  decode_batch: number;
  decode_tpot_ms: number;
  kv_transfer_bytes_per_request: number;
  kv_transfer_ms: number;
  note: string;
}

export interface PerformanceResult {
  performance: PerformanceSection;
  capacity: CapacitySection;
  cost: CostSection;
  disaggregation: DisaggregationSection;
}

/** Assumed inter-node link for disaggregated KV transfer: 400 Gb/s RDMA NIC = 50 GB/s. */
const KV_TRANSFER_BYTES_PER_S = 50e9;

function validPositive(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

function allFinite(x: unknown): boolean {
  if (typeof x === 'number') return Number.isFinite(x);
  if (Array.isArray(x)) {
    for (const v of x) if (!allFinite(v)) return false;
    return true;
  }
  if (x && typeof x === 'object') {
    for (const k in x as Record<string, unknown>) if (!allFinite((x as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Replaces NaN/Infinity by 0 (recording where) so that every result is JSON- and arithmetic-safe. */
export function sanitize<T>(x: T, notes: string[], path = ''): T {
  if (path === '' && allFinite(x)) return x;
  if (typeof x === 'number') {
    if (Number.isFinite(x)) return x;
    notes.push(`non-finite value at ${path || 'result'} replaced by 0`);
    return 0 as unknown as T;
  }
  if (Array.isArray(x)) return x.map((v, i) => sanitize(v, notes, `${path}[${i}]`)) as unknown as T;
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) out[k] = sanitize(v, notes, path ? `${path}.${k}` : k);
    return out as T;
  }
  return x;
}

/** Compute roofs drawn on the roofline, fastest dtype first; equal peaks (fp16 and bf16) stay separate entries. */
const CEILING_DTYPES: ComputeDtype[] = ['fp4', 'fp8', 'int8', 'bf16', 'fp16', 'tf32', 'fp32'];

export function ceilingsOf(gpu: GpuSpec): Ceiling[] {
  const out: Ceiling[] = [];
  for (const d of CEILING_DTYPES) {
    const f = gpu.flopsDense[d];
    if (typeof f === 'number' && Number.isFinite(f) && f > 0) out.push({ dtype: d, flop_per_s: f });
  }
  return out;
}

function phaseSummary(acc: OpAccumulator): PhaseSummary {
  const t = acc.total();
  const { flops: lf, bytes: lb } = acc.linearTotals();
  return {
    flops: t.flops,
    bytes: t.bytes,
    intensity: t.bytes > 0 ? t.flops / t.bytes : 0,
    linear_intensity: lb > 0 ? lf / lb : 0,
    bound: acc.dominantBound(),
    time_ms: t.time * 1e3,
    flop_per_s: t.time > 0 ? t.flops / t.time : 0,
  };
}

/** A curve sample with its decode-step roofline point (the same phaseSummary as performance.decode, so they agree). */
function curvePoint(p: BatchPoint, pm: PerfModel, context: number): CurvePoint {
  const acc = SCRATCH_ACC.cleared();
  decodeStepTime(pm, Math.max(1, p.batch), context, acc);
  const d = phaseSummary(acc);
  return {
    batch: p.batch,
    tpot_ms: p.tpot * 1e3,
    ttft_ms: p.ttft * 1e3,
    throughput_tokens_per_s: p.throughput,
    intensity: d.intensity,
    flop_per_s: d.flop_per_s,
  };
}

/** Prompt tokens per second one replica prefills when it does nothing else (full max_num_batched_tokens steps). */
export function prefillThroughput(pm: PerfModel, w: WorkShape): number {
  const M = pm.maxNumBatchedTokens;
  const P = w.newPrompt;
  if (P <= 0) return 0;
  if (P >= M) {
    const t = prefillTime(pm, P, w.cached);
    return t > 0 ? P / t : 0;
  }
  const k = Math.max(1, Math.floor(M / P));
  const t = stepTime(pm, { decode: 0, context: 0, prefill: k * P, prefillCtx: w.cached + (P + 1) / 2, prefillKvRead: k * (w.cached + P), logits: k });
  return t > 0 ? (k * P) / t : 0;
}

export interface SizePerformanceOptions {
  /** false: skip the operator tables, the latency curve, the prefill breakdown and the disaggregated split (what the hardware comparison and the edit path need). */
  detail?: boolean;
  /** Engine instances the file deploys (replicas x data parallel ranks); unset: data_parallel_size instances, a fixed count. */
  instances?: DeployedInstances;
}

/**
 * Engine instances (each one data-parallel rank of tp x pp GPUs) a file deploys: a fixed count (min = max), an
 * autoscaler's range (max null when it states no ceiling), or unknown (a template placeholder). Little's Law's overload
 * verdict compares the instances needed with `max` only: an autoscaler that may reach the need is not an overload, and
 * an unknown count claims nothing.
 */
export interface DeployedInstances {
  min: number;
  max: number | null;
  known: boolean;
  /** Where the count comes from, for the messages (`2 replicas x data_parallel_size 2`). */
  source: string;
}

/** Never added to: the prefill summary of a sizing without detail. */
const EMPTY_ACC = new OpAccumulator();
/** Decode-step accumulator of a sizing without detail, cleared before each use (a sizing is synchronous). */
const SCRATCH_ACC = new OpAccumulator();

/** Largest arrival rate sized (req/s): a billion requests per second is beyond any serving fleet. */
const MAX_RATE = 1e9;

export function sizePerformance(
  m: ModelArch,
  gpu: GpuSpec,
  mem: MemorySizing,
  w: WorkloadInput,
  slo: SloInput,
  gpuHourUsd: number | null,
  opts: SizePerformanceOptions = {},
): PerformanceResult {
  const detail = opts.detail !== false;
  const notes: string[] = [];
  const reasons: string[] = [];
  // ---- Inputs, made safe.
  const rawIn = Number.isFinite(w.inputTokens) ? w.inputTokens : 0;
  const rawOut = Number.isFinite(w.outputTokens) ? w.outputTokens : 1;
  if (!(rawIn >= 0)) notes.push(`input_tokens ${w.inputTokens} is negative: using 0`);
  if (!(rawOut >= 1)) notes.push(`output_tokens ${w.outputTokens} is below 1: using 1`);
  const hitIn = Number.isFinite(w.prefixCacheHitRate) ? w.prefixCacheHitRate : 0;
  if (hitIn < 0 || hitIn > 1) notes.push(`prefix_cache_hit_rate ${w.prefixCacheHitRate} is outside 0..1: clamped`);
  // A request never exceeds max_model_len tokens (vLLM rejects longer ones); clamping also bounds the work below.
  const mml = Math.max(2, mem.serving.maxModelLen);
  const inClamped = Math.min(Math.max(0, rawIn), mml - 1);
  const outClamped = Math.min(Math.max(1, rawOut), mml - inClamped);
  if (inClamped + outClamped < Math.max(0, rawIn) + Math.max(1, rawOut))
    notes.push(`input + output tokens exceed max_model_len ${mml}: a request is cut to ${inClamped} + ${outClamped} tokens`);
  const shape = workShape(inClamped, outClamped, hitIn);
  let lambda: number | null = null;
  if (w.requestsPerSecond !== null && w.requestsPerSecond !== undefined) {
    if (validPositive(w.requestsPerSecond)) {
      // Beyond any fleet; above this, rate x time overflows to Infinity in the replica count (found by npm run fuzz).
      lambda = Math.min(w.requestsPerSecond, MAX_RATE);
      if (w.requestsPerSecond > MAX_RATE)
        notes.push(`requests_per_second ${w.requestsPerSecond} is above ${MAX_RATE.toExponential()} req/s: sized at ${MAX_RATE.toExponential()}`);
    } else notes.push(`requests_per_second ${w.requestsPerSecond} is not a positive rate: ignored`);
  }
  let conc: number | null = null;
  if (w.concurrency !== null && w.concurrency !== undefined) {
    if (validPositive(w.concurrency)) conc = w.concurrency;
    else notes.push(`concurrency ${w.concurrency} is not positive: ignored`);
  }
  const tpotSlo = slo.tpotMs !== null && slo.tpotMs !== undefined && !Number.isNaN(slo.tpotMs) ? slo.tpotMs : null;
  const ttftSlo = slo.ttftMs !== null && slo.ttftMs !== undefined && !Number.isNaN(slo.ttftMs) ? slo.ttftMs : null;

  // ---- Hardware and the per-GPU model.
  const hw: Hardware = hardwareOf(gpu, mem, m.quant?.method ?? null);
  const pm = perfModelOf(m, mem, hw);
  // Scheduler and fitted per-step costs of the engine (closedLoop.ts, engine/latencyFit.json).
  const engineName = mem.serving.engine;
  const sched = schedulerOf(engineName, mem.serving.v1);
  const fit = coefficientsOf(engineName);
  const loadModel: LoadModel =
    conc !== null ? (conc === 1 && Math.max(1, mem.serving.dp) === 1 ? 'single-stream' : 'closed-loop') : lambda !== null ? 'open-loop' : 'closed-loop';
  const kvLimForSlots = kvLimitedConcurrency(m, mem, shape.context);
  const spec = latencySpecOf(m, mem, shape, loadModel === 'open-loop', kvLimForSlots);
  const phi = spec.phi;
  const slotsOp = spec.slots;
  const bm = new BatchModel(pm, shape, spec);
  const tp = pm.tp;
  const pp = pm.pp;
  const gpusPerReplica = tp * pp;
  const dpRanks = Math.max(1, mem.serving.dp);
  const inst: DeployedInstances = opts.instances ?? { min: dpRanks, max: dpRanks, known: true, source: `data_parallel_size ${dpRanks}` };
  // The fewest instances running; an operating point needs one (a count of 0 is a parked deployment, sized per instance).
  const deployed = Math.max(0, Math.floor(inst.min));
  const runningMin = Math.max(1, deployed);
  // The most the file lets run: the overload verdict compares with it (null: no ceiling stated, or the count is unknown).
  const ceiling = inst.known && inst.max !== null ? Math.max(deployed, Math.floor(inst.max)) : null;

  // ---- Batch limits.
  const maxSeqs = Math.max(0, Math.floor(mem.serving.maxNumSeqs));
  const kvLimRaw = kvLimForSlots;
  const kvLim = Number.isFinite(kvLimRaw) ? kvLimRaw : maxSeqs;
  const fits = mem.startup.ok;
  let maxB = Math.min(maxSeqs, Math.floor(kvLim));
  const maxBLimit: PerformanceSection['max_batch_limit'] = !Number.isFinite(kvLimRaw) || maxSeqs <= Math.floor(kvLim) ? 'max_num_seqs' : 'kv_cache';
  if (!fits) {
    reasons.push(`does not start: ${mem.startup.error ?? mem.startup.errorKind ?? 'startup check failed'}`);
  }
  if (maxB < 1) {
    if (fits)
      reasons.push(`the KV cache (${mem.kv.numBlocks} blocks) holds ${kvLim.toFixed(2)} requests of ${Math.round(shape.context)} tokens: less than one`);
    maxB = 0;
  }
  const sweepTop = Math.max(1, maxB);
  const sw = sweep(bm, sweepTop, tpotSlo, ttftSlo);
  const sloGiven = tpotSlo !== null || ttftSlo !== null;
  if (sloGiven && sw.sloMax < 1) {
    const t1 = bm.tpot(1) * 1e3;
    const f1 = bm.ttft(1) * 1e3;
    if (tpotSlo !== null && t1 > tpotSlo)
      reasons.push(`TPOT at batch 1 is ${t1.toFixed(1)} ms, above the ${tpotSlo} ms SLO: no batch meets it on ${gpu.id} x ${gpusPerReplica}`);
    if (ttftSlo !== null && f1 > ttftSlo)
      reasons.push(`prefill of ${shape.newPrompt} tokens alone takes ${f1.toFixed(1)} ms, above the ${ttftSlo} ms TTFT SLO`);
  }
  const usable = fits && maxB >= 1;
  // Per-replica capacity: min(max_num_seqs, KV-limited concurrency, SLO batch); without a reachable SLO, the hardware limit.
  const capSlo = sloGiven ? Math.min(maxB, sw.sloBatch) : maxB;
  const cap = usable ? (capSlo >= 1 ? capSlo : maxB) : 0;

  // ---- Operating point.
  const Wof = (b: number) => bm.ttft(b) + shape.output * bm.tpot(b);
  let source: PerformanceSection['batch_source'];
  let Bop: number;
  let replicasNeeded: number;
  let replicasOp: number;
  let L: number;
  let lam: number;
  let queue = { wait: 0, unbounded: false };
  let queueUnboundedAsDeployed = false;
  if (conc !== null) {
    source = 'workload.concurrency';
    L = conc;
    replicasNeeded = cap >= 1 ? Math.ceil(L / cap) : 0;
    replicasOp = Math.max(runningMin, replicasNeeded);
    Bop = L / replicasOp;
    lam = L / Wof(Math.max(1, Bop));
    if (cap >= 1 && ceiling !== null && L > ceiling * cap)
      notes.push(`concurrency ${L} exceeds the ${ceiling * cap} request slots deployed (${ceiling} replica(s) x ${cap}): ${replicasNeeded} replicas needed`);
  } else if (lambda !== null) {
    source = 'littles_law';
    lam = lambda;
    replicasNeeded = cap >= 1 ? Math.max(1, Math.ceil((lam * Wof(cap)) / cap)) : 0;
    replicasOp = Math.max(runningMin, replicasNeeded);
    Bop = cap >= 1 ? operatingBatch(bm, lam, replicasOp, cap) : 0;
    L = lam * Wof(Math.max(1, Bop));
    if (cap >= 1) {
      queueUnboundedAsDeployed = ceiling !== null && lam * Wof(cap) > ceiling * cap;
      queue = queueWait(replicasOp * cap, lam, Wof(Math.max(1, Bop)));
      // With a TTFT SLO, add replicas while queueing (M/M/c) is what pushes TTFT over it: the smallest R (up to 4x + 64
      // more) whose queueing + prefill meets the SLO, by doubling then bisection (queueing falls as R grows).
      const prefillAt = (R: number) => {
        const b = operatingBatch(bm, lam, R, cap);
        const q = queueWait(R * cap, lam, Wof(Math.max(1, b)));
        return { b, q, ok: !q.unbounded && (bm.ttft(Math.max(1, b)) + q.wait) * 1e3 <= (ttftSlo ?? Infinity) };
      };
      if (ttftSlo !== null && queue.wait > 0 && bm.ttft(Math.max(1, Bop)) * 1e3 <= ttftSlo && (ttftPrefillAt(bm, Bop) + queue.wait) * 1e3 > ttftSlo) {
        const limit = replicasOp * 4 + 64;
        let bad = replicasOp;
        let step = 1;
        let good = -1;
        while (bad + step <= limit) {
          if (prefillAt(bad + step).ok) {
            good = bad + step;
            break;
          }
          bad += step;
          step *= 2;
        }
        if (good < 0 && prefillAt(limit).ok) good = limit;
        if (good > 0) {
          while (good - bad > 1) {
            const mid = Math.floor((good + bad) / 2);
            if (prefillAt(mid).ok) good = mid;
            else bad = mid;
          }
          replicasOp = good;
          replicasNeeded = Math.max(replicasNeeded, good);
          const at = prefillAt(good);
          Bop = at.b;
          queue = at.q;
        }
        L = lam * Wof(Math.max(1, Bop));
      }
      if (queueUnboundedAsDeployed && ceiling !== null)
        notes.push(
          `${lam} req/s exceeds what ${ceiling} deployed replica(s) serve (${((ceiling * cap) / Wof(cap)).toFixed(2)} req/s at ${cap} per replica): the queue grows without bound until ${replicasNeeded} replicas run`,
        );
    } else {
      queueUnboundedAsDeployed = true;
    }
  } else {
    source = 'saturated';
    replicasNeeded = runningMin;
    replicasOp = runningMin;
    Bop = cap >= 1 ? cap : 1;
    L = replicasOp * Bop;
    lam = L / Wof(Bop);
    notes.push('no requests_per_second or concurrency: each replica is assumed saturated at its capacity');
  }
  if (!Number.isFinite(Bop) || Bop < 0) Bop = 0;
  const Beval = Math.max(1, Bop);
  let tpotOp = bm.tpot(Beval);
  let ttftPrefillOp = bm.ttft(Beval);
  if (source === 'workload.concurrency' && conc !== null && usable) {
    // What the clients see as deployed: conc / instances clients per instance, waiting for a slot when they outnumber
    // them. An autoscaler runs up to its ceiling; an unknown count is taken as the instances needed.
    const serving = ceiling !== null ? Math.max(1, Math.min(ceiling, replicasOp)) : replicasOp;
    const seen = latencyAt(pm, shape, conc / serving, slotsOp, sched, phi, fit.coef, newFeatures());
    tpotOp = seen.tpot;
    ttftPrefillOp = seen.ttft;
  }
  const Wop = ttftPrefillOp + shape.output * tpotOp;
  if (queue.wait < 1e-9) queue = { ...queue, wait: 0 };
  const ttftOp = ttftPrefillOp + queue.wait;
  const throughputOp = Wop > 0 ? (Bop * shape.output) / Wop : 0;
  if (queue.unbounded) reasons.push('arrivals exceed capacity: the queue grows without bound');
  if (tpotSlo !== null && sw.sloMax >= 1 && tpotOp * 1e3 > tpotSlo)
    reasons.push(`TPOT at the operating batch ${Beval.toFixed(1)} is ${(tpotOp * 1e3).toFixed(1)} ms, above the ${tpotSlo} ms SLO`);
  if (ttftSlo !== null && sw.sloMax >= 1 && ttftOp * 1e3 > ttftSlo)
    reasons.push(`TTFT at the operating point is ${(ttftOp * 1e3).toFixed(1)} ms (queueing ${(queue.wait * 1e3).toFixed(1)} ms), above the ${ttftSlo} ms SLO`);

  // ---- Operators: pure prefill of the prompt, pure decode at the operating batch.
  // Without detail the prefill accumulator stays empty (a shared all-zero one), and the decode one is reused scratch.
  const pAcc = detail ? new OpAccumulator() : EMPTY_ACC;
  if (detail) prefillTime(pm, shape.newPrompt, shape.cached, 0, 0, pAcc);
  const dAcc = detail ? new OpAccumulator() : SCRATCH_ACC.cleared();
  decodeStepTime(pm, Beval, shape.context, dAcc);
  const operators = detail ? [...pAcc.rows('prefill'), ...dAcc.rows('decode')] : [];

  // ---- Cost.
  const priceIn = validPositive(gpuHourUsd) ? gpuHourUsd : validPositive(gpu.priceUsdPerHour) ? gpu.priceUsdPerHour : 0;
  const priceSource = validPositive(gpuHourUsd) ? 'plan' : validPositive(gpu.priceUsdPerHour) ? `catalog (${gpu.id})` : 'unknown: costs are 0';
  if (!priceIn) notes.push(`no price per GPU-hour for ${gpu.id}: cost fields are 0`);
  const gpusOp = usable ? replicasOp * gpusPerReplica : runningMin * gpusPerReplica;
  const servedOut = usable
    ? source === 'littles_law'
      ? queue.unbounded
        ? replicasOp * bm.throughput(cap)
        : lam * shape.output
      : replicasOp * throughputOp
    : 0;
  const flopsPerReq = usefulFlopsPerRequest(m, mem, shape);
  const cost = costOf({ gpus: gpusOp, usdPerGpuHour: priceIn, outputTokensPerS: servedOut, peakFlopsPerGpu: hw.peak.flops }, shape, flopsPerReq);
  const capX = cap >= 1 ? bm.throughput(cap) : 0;
  const atCap = costOf({ gpus: gpusPerReplica, usdPerGpuHour: priceIn, outputTokensPerS: capX, peakFlopsPerGpu: hw.peak.flops }, shape, flopsPerReq);

  // ---- Disaggregated prefill / decode.
  const lamD = lam > 0 ? lam : 0;
  // Pools priced with the engine's fitted step costs, as the colocated latency is.
  const xPrefill = detail ? prefillOnlyThroughput(pm, shape, fit.coef) : 0;
  const prefillReplicas = detail && usable && lamD > 0 && shape.newPrompt > 0 ? Math.max(1, Math.ceil((lamD * shape.newPrompt) / Math.max(1e-9, xPrefill))) : 0;
  // Decode pool: pure decode steps (no prompt interference), as large a batch as the KV, max_num_seqs and TPOT SLO allow.
  const dOk = (b: number) => tpotSlo === null || decodeOnlyTpot(pm, shape, b, fit.coef) * 1e3 <= tpotSlo;
  const dCap = detail && usable ? Math.max(largestTrue(maxB, dOk), 0) : 0;
  const dBatch = dCap >= 1 ? dCap : detail && usable ? maxB : 0;
  const dTpot = decodeOnlyTpot(pm, shape, Math.max(1, dBatch), fit.coef);
  const decodeReplicas = detail && usable && lamD > 0 && dBatch >= 1 ? Math.max(1, Math.ceil((lamD * shape.output * dTpot) / dBatch)) : 0;
  const colocated = usable ? replicasOp * gpusPerReplica : 0;
  const pG = prefillReplicas * gpusPerReplica;
  const dG = decodeReplicas * gpusPerReplica;
  const g = gcd(pG, dG);
  const kvPerReq = mem.kv.bytesPerToken * shape.prompt;
  const disaggregation: DisaggregationSection = {
    prefill_gpus: pG,
    decode_gpus: dG,
    colocated_gpus: colocated,
    ratio: pG > 0 && dG > 0 ? `${pG / g}:${dG / g}` : pG > 0 ? 'prefill only' : dG > 0 ? 'decode only' : 'n/a',
    prefill_replicas: prefillReplicas,
    decode_replicas: decodeReplicas,
    prefill_tokens_per_s_per_replica: xPrefill,
    decode_batch: dBatch,
    decode_tpot_ms: dTpot * 1e3,
    kv_transfer_bytes_per_request: kvPerReq,
    kv_transfer_ms: (kvPerReq / KV_TRANSFER_BYTES_PER_S) * 1e3,
    note: "step times carry the engine's fitted step costs (engine/latencyFit.json; fitted on colocated runs); prefill pool = ceil(lambda x new prompt tokens / prefill tokens/s per replica) at full max_num_batched_tokens steps; decode pool = ceil(lambda x O x TPOT / batch) with pure decode steps at the largest batch the KV cache, max_num_seqs and the TPOT SLO allow; same tp x pp per replica; KV moves over an assumed 400 Gb/s RDMA link (50 GB/s); no headroom added",
  };

  // ---- Notes on the model's assumptions.
  const floorKernels = pm.stages.reduce(
    (a, s) => a + s.layers * KERNELS_PER_LAYER + s.moeLayers * KERNELS_PER_MOE_LAYER_EXTRA + (s.lastStage ? KERNELS_PER_STEP : 0),
    0,
  );
  if (pp > 1)
    notes.push(`pipeline parallel: a step runs its ${pp} stages one after another (no micro-batch overlap counted), so TPOT and throughput are conservative`);
  if (shape.cached > 0) notes.push(`prefix cache: ${shape.cached} of ${shape.prompt} prompt tokens are hits; their KV is still read by attention`);
  if (pm.numExperts > 0) notes.push(`MoE: routing assumed uniform; a step of T tokens reads E(1-(1-k/E)^T) of ${pm.numExperts} experts per layer`);

  const pSum = phaseSummary(pAcc);
  const dSum = phaseSummary(dAcc);
  const performance: PerformanceSection = {
    compute_dtype: hw.peak.dtype,
    compute_dtype_note: hw.peak.note,
    peak_flops_per_s: hw.peak.flops,
    memory_bandwidth_bytes_per_s: hw.bandwidth,
    ridge_point_flop_per_byte: hw.ridge,
    achievable_ridge_point_flop_per_byte: hw.flopsAchievable / hw.bandwidthAchievable,
    eta: { memory: hw.etaMemory, compute: hw.etaCompute, source: hw.etaSource },
    operator_efficiency: pm.measured
      ? { path: 'measured', note: pm.measured.note }
      : {
          path: 'datasheet',
          note:
            fallbackNote(hw.gpuId) ??
            (MEASURED_UTILISATION_DEFAULT
              ? `${hw.gpuId}: measured operator tables have no ${hw.peak.dtype} GEMMs; datasheet peaks x fixed efficiency used`
              : `${hw.gpuId}: measured operator tables exist but are off by default (they did not improve left-out error enough, docs/ACCURACY.md); datasheet peaks x fixed efficiency used`),
        },
    interconnect: { kind: hw.link.kind, per_direction_bytes_per_s: hw.link.perDirection, latency_us: hw.link.latencyS * 1e6, note: hw.link.note },
    launch_floor: {
      us_per_kernel: hw.launchFloorS * 1e6,
      kernels_per_step: floorKernels,
      ms_per_step: floorKernels * hw.launchFloorS * 1e3,
      rule: `${hw.launchFloorS * 1e6} us per kernel${mem.serving.enforceEager ? ' (enforce_eager: launched from Python)' : ' (CUDA graphs)'}; ${KERNELS_PER_LAYER} kernels per layer, +${KERNELS_PER_MOE_LAYER_EXTRA} per MoE layer, +${KERNELS_PER_STEP} per step`,
    },
    // Written out rather than spread: object spread was the largest single cost of a sizing in a CPU profile.
    prefill: {
      flops: pSum.flops,
      bytes: pSum.bytes,
      intensity: pSum.intensity,
      linear_intensity: pSum.linear_intensity,
      bound: pSum.bound,
      time_ms: pSum.time_ms,
      flop_per_s: pSum.flop_per_s,
      tokens: shape.newPrompt,
      cached_tokens: shape.cached,
      chunks: prefillChunks(pm, shape.newPrompt),
    },
    decode: {
      flops: dSum.flops,
      bytes: dSum.bytes,
      intensity: dSum.intensity,
      linear_intensity: dSum.linear_intensity,
      bound: dSum.bound,
      time_ms: dSum.time_ms,
      flop_per_s: dSum.flop_per_s,
      batch: Beval,
      context: shape.context,
    },
    batch: Bop,
    batch_source: source,
    load_model: loadModel,
    ttft_band_ms: bandOf(engineName, 'ttft', ttftOp * 1e3),
    tpot_band_ms: bandOf(engineName, 'tpot', tpotOp * 1e3),
    latency_fit: fit.fitted ? fitNote(engineName, sched) : `no fitted step costs for ${engineName}: bare roofline steps, no overheads`,
    ttft_ms: ttftOp * 1e3,
    ttft_queue_ms: queue.wait * 1e3,
    tpot_ms: tpotOp * 1e3,
    throughput_tokens_per_s: throughputOp,
    throughput_rule:
      "per replica: B x O / (TTFT + O x TPOT) (Little's Law; B / TPOT with each request's own prefill amortized over its output); TPOT includes the other requests' prompt chunks sharing each step",
    max_throughput_tokens_per_s: usable ? sw.maxThroughput.throughput : 0,
    max_throughput_batch: usable ? sw.maxThroughput.batch : 0,
    max_batch: maxB,
    max_batch_limit: usable ? maxBLimit : 'none',
    knee_batch: usable ? sw.knee : 0,
    knee_rule: KNEE_RULE,
    knee_reason: usable ? sw.kneeReason : 'no batch fits',
    slo_batch: usable ? (sloGiven ? sw.sloBatch : maxB) : 0,
    bound: dSum.bound,
    curve: detail ? sw.grid.map((p) => curvePoint(p, pm, shape.context)) : [],
    operators,
    ceilings: detail ? ceilingsOf(gpu) : [],
    // An infinite SLO is no limit: null, as when none is set (sanitize would otherwise print 0 with a note).
    slo_tpot_ms: tpotSlo !== null && Number.isFinite(tpotSlo) ? tpotSlo : null,
    slo_ttft_ms: ttftSlo !== null && Number.isFinite(ttftSlo) ? ttftSlo : null,
    notes,
  };
  const capacity: CapacitySection = {
    arrival_rate_rps: lam,
    request_latency_s: Wop + queue.wait,
    concurrency_needed: L,
    concurrency_per_replica: cap,
    max_rps_per_replica: usable && cap >= 1 ? cap / Wof(cap) : 0,
    request_latency_at_capacity_s: usable && cap >= 1 ? Wof(cap) : 0,
    kv_limited_concurrency: Number.isFinite(kvLimRaw) ? kvLimRaw : maxSeqs,
    max_num_seqs: maxSeqs,
    replicas_needed: replicasNeeded,
    replicas_deployed: deployed,
    replicas_deployed_max: ceiling,
    replicas_deployed_known: inst.known,
    replicas_source: inst.source,
    replicas_deployed_text: deployedText(inst, deployed, ceiling),
    overloaded: usable && source !== 'saturated' && ceiling !== null && lam > 0 && replicasNeeded > ceiling,
    gpus_per_replica: gpusPerReplica,
    utilization: usable && replicasOp * cap > 0 ? Math.min(1, L / (replicasOp * cap)) : 0,
    queue_unbounded: queueUnboundedAsDeployed || queue.unbounded,
    meets_slo: usable && reasons.length === 0,
    reasons,
  };
  const costSection: CostSection = {
    usd_per_million_output_tokens: cost.usd_per_million_output_tokens,
    usd_per_million_tokens: cost.usd_per_million_tokens,
    mfu: cost.mfu,
    usd_per_gpu_hour: priceIn,
    price_source: priceSource,
    gpus: gpusOp,
    usd_per_hour: gpusOp * priceIn,
    output_tokens_per_s: servedOut,
    usd_per_million_output_tokens_at_capacity: atCap.usd_per_million_output_tokens,
  };
  const out: PerformanceResult = { performance, capacity, cost: costSection, disaggregation };
  const sanitizeNotes: string[] = [];
  const clean = sanitize(out, sanitizeNotes);
  if (sanitizeNotes.length) clean.performance.notes.push(...sanitizeNotes);
  return clean;
}

/** The instances deployed as every surface shows them (see CapacitySection.replicas_deployed_text). */
function deployedText(inst: DeployedInstances, min: number, ceiling: number | null): string {
  if (!inst.known) return `unknown (${inst.source})`;
  if (ceiling === min) return /^(\d+ replicas?|data_parallel_size \d+)$/.test(inst.source) ? `${min}` : `${min} (${inst.source})`;
  return ceiling === null ? `at least ${min} (${inst.source})` : `${min}-${ceiling} (${inst.source})`;
}

/**
 * How the engine prices latency under load for this deployment: its engine's scheduler and fitted step costs, the
 * first-wave weight of a closed loop (0 for open-loop arrivals) and the request slots of one replica.
 */
export function latencySpecOf(
  m: ModelArch,
  mem: MemorySizing,
  shape: WorkShape,
  openLoop: boolean,
  kvLimited = kvLimitedConcurrency(m, mem, shape.context),
): LatencySpec {
  const fit = coefficientsOf(mem.serving.engine);
  return { sched: schedulerOf(mem.serving.engine, mem.serving.v1), phi: openLoop ? 0 : fit.phi, coef: fit.coef, slots: requestSlots(mem, kvLimited) };
}

/** p10-p90 band of a prediction from the fit's residuals (measured / predicted), or null without a fit. */
function bandOf(engine: string, metric: 'ttft' | 'tpot', value: number): [number, number] | null {
  const e = LATENCY_FIT.engines[engine];
  if (!e || !(value > 0)) return null;
  const [lo, hi] = e.band[metric];
  return [value * lo, value * hi];
}

function fitNote(engine: string, sched: string): string {
  const e = LATENCY_FIT.engines[engine];
  return `${engine} ${sched === 'mixed' ? 'mixed prefill+decode steps' : 'separate prefill steps'}; step costs fitted on ${e.rows} measured runs of ${e.models.length} models (${LATENCY_FIT.source.split(' ')[0]}): median |error| TTFT ${e.fitted.ttft_median_abs_pct}% / TPOT ${e.fitted.tpot_median_abs_pct}% fitted, ${e.left_out.ttft_median_abs_pct}% / ${e.left_out.tpot_median_abs_pct}% on models left out`;
}

function ttftPrefillAt(bm: BatchModel, b: number): number {
  return bm.ttft(Math.max(1, b));
}

function gcd(a: number, b: number): number {
  let x = Math.abs(Math.round(a));
  let y = Math.abs(Math.round(b));
  while (y) [x, y] = [y, x % y];
  return x || 1;
}

export type { WorkShape };
