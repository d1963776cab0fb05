// The GPU description the engine needs. Catalog entries (server/src/catalog/gpus.json) map onto it.

export type ComputeDtype = 'fp32' | 'tf32' | 'fp16' | 'bf16' | 'fp8' | 'int8' | 'fp4';

export interface GpuSpec {
  id: string;
  name: string;
  vendor: string;
  architecture: string;
  computeCapability: string | null;
  /** Total memory as the driver reports it (what vLLM's total_gpu_memory is). */
  memoryBytes: number;
  memoryBandwidth: number;
  /** Dense (non-sparse) peak FLOP/s per dtype; null where the GPU has no such support. */
  flopsDense: Partial<Record<ComputeDtype, number | null>>;
  interconnect: { kind: string; bandwidth: number | null; pcieBandwidth: number | null };
  efficiency: { memory: number; compute: number; source: string };
  priceUsdPerHour: number;
}

/** vLLM picks larger scheduler defaults on GPUs of at least 70 GiB that are not A100s (arg_utils.py). */
export function isLargeGpu(g: GpuSpec): boolean {
  return g.memoryBytes >= 70 * 1024 ** 3 && !/a100/i.test(g.id + g.name);
}

/** Whether the GPU runs this dtype natively (bf16 from Ampere, fp8 from Ada/Hopper). */
export function supportsDtype(g: GpuSpec, d: ComputeDtype): boolean {
  const v = g.flopsDense[d];
  return typeof v === 'number' && v > 0;
}
