// Engine II (performance, capacity, cost) applied to an analyzed deployment.
import type { GpuSpec } from '../engine/hardware';
import type { MemorySizing } from '../engine/memory';
import type { ModelArch } from '../engine/model';
import { sizePerformance } from '../engine/performance';
import type { DisaggregationSection, PerformanceResult, PerformanceSection } from '../engine/performance';
import type { Deployment } from '../formats/types';
import { deployedInstances } from './instances';

/**
 * JSON-ready sections added to each deployment of the report: performance, capacity, cost, disaggregation. The lean
 * edit-path analysis (analysis.ts) leaves out the parts only the full report shows: the curve, operator table,
 * ceilings and disaggregation.
 */
export type PerformanceOutput = Omit<PerformanceResult, 'performance' | 'disaggregation'> & {
  performance: Omit<PerformanceSection, Detail> & Partial<Pick<PerformanceSection, Detail>>;
  disaggregation?: DisaggregationSection;
};
type Detail = 'curve' | 'operators' | 'ceilings';

/** Roofline, latency-throughput curve, Little's Law capacity and cost for the deployment's workload and SLO. */
export function performanceFor(m: ModelArch, gpu: GpuSpec, mem: MemorySizing, d: Deployment, price: number): PerformanceOutput | null {
  if (!mem.startup.ok && mem.kv.numBlocks <= 0) return null;
  return sizePerformance(m, gpu, mem, d.workload, d.slo, price, { instances: deployedInstances(d, mem.serving) });
}
