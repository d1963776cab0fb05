// The performance section of a sizing: the roofline of the GPU (its roofs, ridge points and efficiencies), the prefill
// and decode phase summaries with their operators, TTFT/TPOT at the operating point with the latency fit's bands, the
// batch sweep (knee, SLO batch, maximum throughput) and its latency curve.
import type { BatchPoint, WorkShape } from './capacity';
import { KNEE_RULE } from './capacity';
import type { LoadModel } from './closedLoop';
import { LATENCY_FIT } from './closedLoop';
import type { ComputeDtype, GpuSpec } from './hardware';
import type { OperatorRow, PerfModel } from './latency';
import { OpAccumulator, measuredUtilisationFor, decodeStepTime, prefillChunks, prefillTime } from './latency';
import type { MemorySizing } from './memory';
import type { BatchSource, OperatingPoint } from './operatingPoint';
import { fallbackNote } from './operatorEfficiency';
import type { BatchLimit, BatchLimits, ReplicaModel } from './replicaModel';
import type { Bound } from './roofline';
import { KERNELS_PER_LAYER, KERNELS_PER_MOE_LAYER_EXTRA, KERNELS_PER_STEP } from './roofline';
import type { SizedWorkload } from './sizedWorkload';

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
  batch_source: BatchSource;
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
  max_batch_limit: BatchLimit;
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

/** Pure prefill of the prompt and pure decode at the operating batch, summarized, with their operator rows. */
export interface Phases {
  prefill: PhaseSummary;
  decode: PhaseSummary;
  operators: OperatorRow[];
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

/** Never added to: the prefill summary of a sizing without detail. */
const EMPTY_ACC = new OpAccumulator();
/** Decode-step accumulator of a sizing without detail, cleared before each use (a sizing is synchronous). */
const SCRATCH_ACC = new OpAccumulator();

/** The phases at the operating batch. Without detail the prefill stays empty (a shared all-zero accumulator), the decode one is reused scratch, and no operator rows are built. */
export function phasesOf(pm: PerfModel, shape: WorkShape, batch: number, detail: boolean): Phases {
  const pAcc = detail ? new OpAccumulator() : EMPTY_ACC;
  if (detail) prefillTime(pm, shape.newPrompt, shape.cached, 0, 0, pAcc);
  const dAcc = detail ? new OpAccumulator() : SCRATCH_ACC.cleared();
  decodeStepTime(pm, batch, shape.context, dAcc);
  const operators = detail ? [...pAcc.rows('prefill'), ...dAcc.rows('decode')] : [];
  return { prefill: phaseSummary(pAcc), decode: phaseSummary(dAcc), operators };
}

/** Notes on the model's assumptions that this sizing relies on (pipeline stages, prefix cache, MoE routing). */
export function assumptionNotesOf(pm: PerfModel, shape: WorkShape): string[] {
  const notes: string[] = [];
  if (pm.pp > 1)
    notes.push(
      `pipeline parallel: a step runs its ${pm.pp} stages one after another (no micro-batch overlap counted), so TPOT and throughput are conservative`,
    );
  if (shape.cached > 0) notes.push(`prefix cache: ${shape.cached} of ${shape.prompt} prompt tokens are hits; their KV is still read by attention`);
  if (pm.numExperts > 0) notes.push(`MoE: routing assumed uniform; a step of T tokens reads E(1-(1-k/E)^T) of ${pm.numExperts} experts per layer`);
  return notes;
}

/** The performance section; `notes` becomes its notes (the caller adds to it until the sizing is done). */
export function performanceSectionOf(
  gpu: GpuSpec,
  mem: MemorySizing,
  wl: SizedWorkload,
  r: ReplicaModel,
  lim: BatchLimits,
  op: OperatingPoint,
  phases: Phases,
  detail: boolean,
  notes: string[],
): PerformanceSection {
  const { shape, tpotSlo, ttftSlo } = wl;
  const { hw, pm, engineName, fit } = r;
  const { usable, sw, maxB } = lim;
  const { ttftOp, tpotOp, queue } = op;
  const pSum = phases.prefill;
  const dSum = phases.decode;
  const floorKernels = pm.stages.reduce(
    (a, s) => a + s.layers * KERNELS_PER_LAYER + s.moeLayers * KERNELS_PER_MOE_LAYER_EXTRA + (s.lastStage ? KERNELS_PER_STEP : 0),
    0,
  );
  return {
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
            (measuredUtilisationFor(mem.serving.engine)
              ? `${hw.gpuId}: measured operator tables have no ${hw.peak.dtype} GEMMs; datasheet peaks x fixed efficiency used`
              : `${hw.gpuId}: measured operator tables exist but are off for ${mem.serving.engine} (they did not improve its left-out error enough, docs/ACCURACY.md); datasheet peaks x fixed efficiency used`),
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
      batch: op.Beval,
      context: shape.context,
    },
    batch: op.Bop,
    batch_source: op.source,
    load_model: r.loadModel,
    ttft_band_ms: bandOf(engineName, 'ttft', ttftOp * 1e3),
    tpot_band_ms: bandOf(engineName, 'tpot', tpotOp * 1e3),
    latency_fit: fit.fitted ? fitNote(engineName, r.sched) : `no fitted step costs for ${engineName}: bare roofline steps, no overheads`,
    ttft_ms: ttftOp * 1e3,
    ttft_queue_ms: queue.wait * 1e3,
    tpot_ms: tpotOp * 1e3,
    throughput_tokens_per_s: op.throughputOp,
    throughput_rule:
      "per replica: B x O / (TTFT + O x TPOT) (Little's Law; B / TPOT with each request's own prefill amortized over its output); TPOT includes the other requests' prompt chunks sharing each step",
    max_throughput_tokens_per_s: usable ? sw.maxThroughput.throughput : 0,
    max_throughput_batch: usable ? sw.maxThroughput.batch : 0,
    max_batch: maxB,
    max_batch_limit: usable ? lim.maxBLimit : 'none',
    knee_batch: usable ? sw.knee : 0,
    knee_rule: KNEE_RULE,
    knee_reason: usable ? sw.kneeReason : 'no batch fits',
    slo_batch: usable ? (lim.sloGiven ? sw.sloBatch : maxB) : 0,
    bound: dSum.bound,
    curve: detail ? sw.grid.map((p) => curvePoint(p, pm, shape.context)) : [],
    operators: phases.operators,
    ceilings: detail ? ceilingsOf(gpu) : [],
    // An infinite SLO is no limit: null, as when none is set (sanitize would otherwise print 0 with a note).
    slo_tpot_ms: tpotSlo !== null && Number.isFinite(tpotSlo) ? tpotSlo : null,
    slo_ttft_ms: ttftSlo !== null && Number.isFinite(ttftSlo) ? ttftSlo : null,
    notes,
  };
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
  return `${engine} ${sched === 'mixed' ? 'mixed prefill+decode steps' : 'separate prefill steps'}; step costs fitted on ${e.rows} measured runs of ${e.models.length} models (${LATENCY_FIT.source.split(' ')[0]}): median |error| TTFT ${e.fitted.ttft_median_abs_pct}% / TPOT ${e.fitted.tpot_median_abs_pct}% fitted, ${e.left_out.ttft_median_abs_pct}% / ${e.left_out.tpot_median_abs_pct}% on models left out${e.operator_utilisation === 'measured' ? '; fitted on measured operator utilisation, as its steps are priced where the GPU has tables' : ''}`;
}
