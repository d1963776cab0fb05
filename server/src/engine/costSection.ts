// What the deployment costs: GPU-hours at the plan's or the catalog's price over the output tokens served, and the
// MFU of the useful FLOPs; also the cost of one replica run at its capacity.
import { costOf, usefulFlopsPerRequest } from './cost';
import { validPositive } from './finite';
import type { GpuSpec } from './hardware';
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import type { OperatingPoint } from './operatingPoint';
import type { BatchLimits, ReplicaModel } from './replicaModel';
import type { SizedWorkload } from './sizedWorkload';

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

/** The cost section; a missing price is noted in `notes` (its costs are then 0). */
export function costSectionOf(
  m: ModelArch,
  gpu: GpuSpec,
  mem: MemorySizing,
  gpuHourUsd: number | null,
  wl: SizedWorkload,
  r: ReplicaModel,
  lim: BatchLimits,
  op: OperatingPoint,
  notes: string[],
): CostSection {
  const { shape } = wl;
  const { bm, hw, gpusPerReplica } = r;
  const { usable, cap } = lim;
  const priceIn = validPositive(gpuHourUsd) ? gpuHourUsd : validPositive(gpu.priceUsdPerHour) ? gpu.priceUsdPerHour : 0;
  const priceSource = validPositive(gpuHourUsd) ? 'plan' : validPositive(gpu.priceUsdPerHour) ? `catalog (${gpu.id})` : 'unknown: costs are 0';
  if (!priceIn) notes.push(`no price per GPU-hour for ${gpu.id}: cost fields are 0`);
  const gpusOp = usable ? op.replicasOp * gpusPerReplica : r.runningMin * gpusPerReplica;
  const servedOut = usable
    ? op.source === 'littles_law'
      ? op.queue.unbounded
        ? op.replicasOp * bm.throughput(cap)
        : op.lam * shape.output
      : op.replicasOp * op.throughputOp
    : 0;
  const flopsPerReq = usefulFlopsPerRequest(m, mem, shape);
  const cost = costOf({ gpus: gpusOp, usdPerGpuHour: priceIn, outputTokensPerS: servedOut, peakFlopsPerGpu: hw.peak.flops }, shape, flopsPerReq);
  const capX = cap >= 1 ? bm.throughput(cap) : 0;
  const atCap = costOf({ gpus: gpusPerReplica, usdPerGpuHour: priceIn, outputTokensPerS: capX, peakFlopsPerGpu: hw.peak.flops }, shape, flopsPerReq);
  return {
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
}
