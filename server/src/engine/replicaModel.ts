// One replica of a deployment as the performance sizing sees it: its hardware and per-GPU model, the engine's
// scheduler and fitted step costs, the load model, the engine instances the file deploys, and the batch limits
// (max_num_seqs, the KV cache, the SLO) with the batch sweep they bound.
import type { LatencySpec, SweepResult, WorkShape } from './capacity';
import { BatchModel, kvLimitedConcurrency, sweep } from './capacity';
import type { LoadModel, SchedulerKind } from './closedLoop';
import { coefficientsOf, requestSlots, schedulerOf } from './closedLoop';
import type { GpuSpec } from './hardware';
import type { PerfModel } from './latency';
import { perfModelOf } from './latency';
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import type { Hardware } from './roofline';
import { hardwareOf } from './roofline';
import type { SizedWorkload } from './sizedWorkload';

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

/** The replica and its deployment, for one sizing. */
export interface ReplicaModel {
  hw: Hardware;
  pm: PerfModel;
  engineName: string;
  sched: SchedulerKind;
  /** Fitted per-step costs of the engine (closedLoop.ts, engine/latencyFit.json). */
  fit: { coef: Float64Array; phi: number; fitted: boolean };
  loadModel: LoadModel;
  /** KV-limited concurrency at the workload's context (Infinity when the KV cache does not limit it). */
  kvLimited: number;
  phi: number;
  slots: number;
  bm: BatchModel;
  gpusPerReplica: number;
  inst: DeployedInstances;
  /** The fewest instances running (0: a parked deployment). */
  deployed: number;
  /** An operating point needs one instance: a count of 0 is sized per instance. */
  runningMin: number;
  /** The most the file lets run: the overload verdict compares with it (null: no ceiling stated, or the count is unknown). */
  ceiling: number | null;
}

export type BatchLimit = 'max_num_seqs' | 'kv_cache' | 'none';

/** What bounds the batch of one replica, and the sweep of batches up to that bound. */
export interface BatchLimits {
  maxSeqs: number;
  maxB: number;
  maxBLimit: BatchLimit;
  sw: SweepResult;
  sloGiven: boolean;
  /** The model starts and at least one request fits. */
  usable: boolean;
  /** Per-replica capacity: min(max_num_seqs, KV-limited concurrency, SLO batch); without a reachable SLO, the hardware limit. */
  cap: number;
}

export function replicaModelOf(m: ModelArch, gpu: GpuSpec, mem: MemorySizing, wl: SizedWorkload, instances: DeployedInstances | undefined): ReplicaModel {
  const hw: Hardware = hardwareOf(gpu, mem, m.quant?.method ?? null);
  const pm = perfModelOf(m, mem, hw);
  // Scheduler and fitted per-step costs of the engine (closedLoop.ts, engine/latencyFit.json).
  const engineName = mem.serving.engine;
  const sched = schedulerOf(engineName, mem.serving.v1);
  const fit = coefficientsOf(engineName);
  const conc = wl.conc;
  const loadModel: LoadModel =
    conc !== null ? (conc === 1 && Math.max(1, mem.serving.dp) === 1 ? 'single-stream' : 'closed-loop') : wl.lambda !== null ? 'open-loop' : 'closed-loop';
  const kvLimited = kvLimitedConcurrency(m, mem, wl.shape.context);
  const spec = latencySpecOf(m, mem, wl.shape, loadModel === 'open-loop', kvLimited);
  const bm = new BatchModel(pm, wl.shape, spec);
  const gpusPerReplica = pm.tp * pm.pp;
  const dpRanks = Math.max(1, mem.serving.dp);
  const inst: DeployedInstances = instances ?? { min: dpRanks, max: dpRanks, known: true, source: `data_parallel_size ${dpRanks}` };
  // The fewest instances running; an operating point needs one (a count of 0 is a parked deployment, sized per instance).
  const deployed = Math.max(0, Math.floor(inst.min));
  const runningMin = Math.max(1, deployed);
  // The most the file lets run: the overload verdict compares with it (null: no ceiling stated, or the count is unknown).
  const ceiling = inst.known && inst.max !== null ? Math.max(deployed, Math.floor(inst.max)) : null;
  return {
    hw,
    pm,
    engineName,
    sched,
    fit,
    loadModel,
    kvLimited,
    phi: spec.phi,
    slots: spec.slots,
    bm,
    gpusPerReplica,
    inst,
    deployed,
    runningMin,
    ceiling,
  };
}

/** The batch limits of one replica and its sweep; why no batch fits or meets the SLO goes to `reasons`. */
export function batchLimitsOf(gpu: GpuSpec, mem: MemorySizing, wl: SizedWorkload, r: ReplicaModel, reasons: string[]): BatchLimits {
  const { shape, tpotSlo, ttftSlo } = wl;
  const bm = r.bm;
  const maxSeqs = Math.max(0, Math.floor(mem.serving.maxNumSeqs));
  const kvLimRaw = r.kvLimited;
  const kvLim = Number.isFinite(kvLimRaw) ? kvLimRaw : maxSeqs;
  const fits = mem.startup.ok;
  let maxB = Math.min(maxSeqs, Math.floor(kvLim));
  const maxBLimit: BatchLimit = !Number.isFinite(kvLimRaw) || maxSeqs <= Math.floor(kvLim) ? 'max_num_seqs' : 'kv_cache';
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
      reasons.push(`TPOT at batch 1 is ${t1.toFixed(1)} ms, above the ${tpotSlo} ms SLO: no batch meets it on ${gpu.id} x ${r.gpusPerReplica}`);
    if (ttftSlo !== null && f1 > ttftSlo)
      reasons.push(`prefill of ${shape.newPrompt} tokens alone takes ${f1.toFixed(1)} ms, above the ${ttftSlo} ms TTFT SLO`);
  }
  const usable = fits && maxB >= 1;
  // Per-replica capacity: min(max_num_seqs, KV-limited concurrency, SLO batch); without a reachable SLO, the hardware limit.
  const capSlo = sloGiven ? Math.min(maxB, sw.sloBatch) : maxB;
  const cap = usable ? (capSlo >= 1 ? capSlo : maxB) : 0;
  return { maxSeqs, maxB, maxBLimit, sw, sloGiven, usable, cap };
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
