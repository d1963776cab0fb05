// Engine II (performance, capacity, cost) applied to an analyzed deployment.
import type { GpuSpec } from './engine/hardware';
import type { MemorySizing } from './engine/memory';
import type { ModelArch } from './engine/model';
import { sizePerformance } from './engine/performance';
import type { Deployment } from './formats/types';

/** JSON-ready sections added to each deployment of the report: performance, capacity, cost, disaggregation. */
export type PerformanceOutput = Record<string, unknown>;

/** Roofline, latency-throughput curve, Little's Law capacity and cost for the deployment's workload and SLO. */
export function performanceFor(m: ModelArch, gpu: GpuSpec, mem: MemorySizing, d: Deployment, price: number): PerformanceOutput | null {
  if (!mem.startup.ok && mem.kv.numBlocks <= 0) return null;
  return sizePerformance(m, gpu, mem, d.workload, d.slo, price) as unknown as PerformanceOutput;
}
