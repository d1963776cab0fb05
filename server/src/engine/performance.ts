// Performance entry point: roofline per phase and operator, TTFT/TPOT at the workload, the batch sweep and its knee,
// Little's Law capacity, cost and a disaggregated prefill/decode split. Pure and deterministic; JSON-ready output
// with snake_case keys; no NaN or Infinity anywhere (sanitized, with a note when it happens). Each section is built in
// its own module; this one runs them in order (their notes and reasons are appended in that order).
import type { WorkShape } from './capacity';
import type { CostSection } from './costSection';
import { costSectionOf } from './costSection';
import type { DisaggregationSection } from './disaggregation';
import { disaggregationOf } from './disaggregation';
import { sanitize } from './finite';
import type { GpuSpec } from './hardware';
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import type { CapacitySection } from './operatingPoint';
import { capacitySectionOf, operatingPointOf } from './operatingPoint';
import type { PerformanceSection } from './performanceSection';
import { assumptionNotesOf, performanceSectionOf, phasesOf } from './performanceSection';
import type { DeployedInstances } from './replicaModel';
import { batchLimitsOf, replicaModelOf } from './replicaModel';
import type { SloInput, WorkloadInput } from './sizedWorkload';
import { sizedWorkloadOf } from './sizedWorkload';

export type { ComparisonRow } from './compare';
export type { CostSection } from './costSection';
export type { DisaggregationSection } from './disaggregation';
export { prefillThroughput } from './disaggregation';
export { sanitize } from './finite';
export type { CapacitySection } from './operatingPoint';
export type { Ceiling, CurvePoint, PerformanceSection, PhaseSummary } from './performanceSection';
export { ceilingsOf } from './performanceSection';
export type { DeployedInstances } from './replicaModel';
export { latencySpecOf } from './replicaModel';
export type { SloInput, WorkloadInput } from './sizedWorkload';

export interface PerformanceResult {
  performance: PerformanceSection;
  capacity: CapacitySection;
  cost: CostSection;
  disaggregation: DisaggregationSection;
}

export interface SizePerformanceOptions {
  /** false: skip the operator tables, the latency curve, the prefill breakdown and the disaggregated split (what the hardware comparison and the edit path need). */
  detail?: boolean;
  /** Engine instances the file deploys (replicas x data parallel ranks); unset: data_parallel_size instances, a fixed count. */
  instances?: DeployedInstances;
}

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
  const wl = sizedWorkloadOf(w, slo, mem, notes);
  const replica = replicaModelOf(m, gpu, mem, wl, opts.instances);
  const limits = batchLimitsOf(gpu, mem, wl, replica, reasons);
  const op = operatingPointOf(wl, replica, limits, notes, reasons);
  const phases = phasesOf(replica.pm, wl.shape, op.Beval, detail);
  const cost = costSectionOf(m, gpu, mem, gpuHourUsd, wl, replica, limits, op, notes);
  const disaggregation = disaggregationOf(mem, wl, replica, limits, op, detail);
  notes.push(...assumptionNotesOf(replica.pm, wl.shape));
  const performance = performanceSectionOf(gpu, mem, wl, replica, limits, op, phases, detail, notes);
  const capacity = capacitySectionOf(wl, replica, limits, op, reasons);
  const out: PerformanceResult = { performance, capacity, cost, disaggregation };
  const sanitizeNotes: string[] = [];
  const clean = sanitize(out, sanitizeNotes);
  if (sanitizeNotes.length) clean.performance.notes.push(...sanitizeNotes);
  return clean;
}

export type { WorkShape };
