// Engine II (performance, capacity, cost) applied to an analyzed deployment.
import type { GpuSpec } from './engine/hardware';
import type { MemorySizing } from './engine/memory';
import type { ModelArch } from './engine/model';
import type { Deployment } from './formats/types';

export type PerformanceOutput = Record<string, unknown>;

export function performanceFor(_m: ModelArch, _gpu: GpuSpec, _mem: MemorySizing, _d: Deployment, _price: number): PerformanceOutput | null {
  return null;
}
