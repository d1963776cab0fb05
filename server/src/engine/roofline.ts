// Roofline primitives: which peak applies, the ridge point, achievable fractions, link models and the
// per-operator time rule  time = max(FLOPs / (peak x eta_c), bytes / (BW x eta_m)). Pure.
import type { ComputeDtype, GpuSpec } from './hardware';
import type { MemorySizing } from './memory';
import type { QuantMethod } from './model';

export type Bound = 'compute' | 'memory' | 'communication' | 'latency';

/** Per-kernel floor: a kernel launched from a CUDA graph still costs a few microseconds however little it does. */
export const KERNEL_FLOOR_S = 5e-6;
/** Kernels per decoder layer: 2 norms, qkv, rope, attention, o, gate_up, activation, down. MoE layers add router, top-k, two grouped GEMMs' prologue and the combine. */
export const KERNELS_PER_LAYER = 9;
export const KERNELS_PER_MOE_LAYER_EXTRA = 4;
/** Final norm, lm_head, sampler. */
export const KERNELS_PER_STEP = 3;

export interface LinkModel {
  kind: string;
  /** Bytes per second in one direction (stated figures are bidirectional totals: per direction = half). */
  perDirection: number;
  /** Fixed cost of one collective (launch + synchronization). */
  latencyS: number;
  note: string;
}

export interface ComputePeak {
  dtype: ComputeDtype;
  flops: number;
  note: string;
}

export interface Hardware {
  gpuId: string;
  peak: ComputePeak;
  /** Datasheet memory bandwidth, bytes/s. */
  bandwidth: number;
  etaCompute: number;
  etaMemory: number;
  etaSource: string;
  /** Achievable rates used by the time rule. */
  flopsAchievable: number;
  bandwidthAchievable: number;
  /** Datasheet ridge point (peak / BW), FLOP per byte. */
  ridge: number;
  link: LinkModel;
  launchFloorS: number;
}

/**
 * 8- and 4-bit tensor-core GEMMs sustain a smaller share of their (doubled) peak than 16-bit ones: a sustained FP8 GEMM
 * reached 2744 of 5000 dense TFLOP/s per GB200 GPU (Azure ND GB200 v6, calibration published_perf.json).
 */
export const LOW_PRECISION_ETA_COMPUTE = 2744 / 5000;
export const LOW_PRECISION_ETA_SOURCE =
  'fp8/fp4/int8 GEMMs: 2744 of 5000 dense TFLOP/s sustained FP8 per GB200 GPU (Azure ND GB200 v6 MLPerf blog, calibration published_perf.json)';

const FALLBACK_16: ComputeDtype[] = ['bf16', 'fp16', 'tf32', 'fp32'];

function positive(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

function quantMethodOf(label: string | null, checkpoint: QuantMethod | null): QuantMethod | 'none' {
  if (checkpoint) return checkpoint;
  const l = (label ?? '').toLowerCase();
  if (!l) return 'none';
  if (l.includes('nvfp4')) return 'nvfp4';
  if (l.includes('mxfp4')) return 'mxfp4';
  if (l.includes('fp8') || l.includes('float8')) return 'fp8';
  if (l.includes('int8')) return 'int8';
  if (l.includes('awq')) return 'awq';
  if (l.includes('gptq')) return 'gptq';
  if (l.includes('nf4') || l.includes('bitsandbytes')) return 'bitsandbytes';
  return 'w4a16';
}

/**
 * The dtype the matmuls run in and its dense peak. FP8 checkpoints/online fp8 (W8A8) use fp8 tensor cores where the
 * GPU has them; NVFP4 uses fp4 where present; 4-bit weight-only methods (AWQ, GPTQ, W4A16, NF4, MXFP4 on vLLM's
 * Marlin/Triton paths) dequantize and compute in 16 bits while reading 4-bit weights; everything else uses the serving dtype.
 */
export function computePeakOf(gpu: GpuSpec, mem: MemorySizing, checkpointQuant: QuantMethod | null): ComputePeak {
  const method = quantMethodOf(mem.serving.quantization, checkpointQuant);
  const base: ComputeDtype = mem.serving.dtype === 'float16' ? 'fp16' : mem.serving.dtype === 'float32' ? 'tf32' : 'bf16';
  const wanted: ComputeDtype[] = [];
  let why: string;
  if (method === 'fp8' || method === 'fbgemm_fp8') {
    wanted.push('fp8');
    why = 'fp8 weights and activations (W8A8)';
  } else if (method === 'int8') {
    wanted.push('int8');
    why = 'int8 weights and activations (W8A8)';
  } else if (method === 'nvfp4') {
    wanted.push('fp4');
    why = 'nvfp4 (W4A4)';
  } else if (method === 'none') {
    why = `serving dtype ${mem.serving.dtype}`;
  } else {
    why = `${method} is weight-only: 16-bit matmuls on dequantized 4-bit weights`;
  }
  const chain = [...wanted, base, ...FALLBACK_16.filter((d) => d !== base)];
  for (const d of chain) {
    const f = gpu.flopsDense[d];
    if (positive(f)) {
      const fellBack =
        wanted.length > 0 && d !== wanted[0]
          ? ` (${gpu.id} has no ${wanted[0]} tensor cores: ${d})`
          : d !== base && !wanted.includes(d)
            ? ` (${gpu.id} lists no dense ${base} figure: ${d})`
            : '';
      return { dtype: d, flops: f, note: `${why}${fellBack}` };
    }
  }
  // No FLOP figure at all: a placeholder that keeps every result finite, and says so.
  return { dtype: base, flops: 1e12, note: `${why}; ${gpu.id} lists no dense FLOP/s figure: assumed 1 TFLOP/s` };
}

/** Link per direction and latency floor. NVLink/Infinity Fabric/ICI: 8 us; PCIe and anything unknown: 20 us. */
export function linkOf(gpu: GpuSpec): LinkModel {
  const kind = (gpu.interconnect.kind || 'pcie').toLowerCase();
  const stated = gpu.interconnect.bandwidth;
  const pcie = gpu.interconnect.pcieBandwidth;
  const fast = kind === 'nvlink' || kind === 'infinity-fabric' || kind === 'ici';
  if (fast && positive(stated)) {
    return {
      kind,
      perDirection: stated / 2,
      latencyS: 8e-6,
      note: `${kind} ${(stated / 1e9).toFixed(0)} GB/s bidirectional: ${(stated / 2e9).toFixed(0)} GB/s per direction, 8 us per collective`,
    };
  }
  const bw = positive(pcie) ? pcie : positive(stated) ? stated : 64e9;
  const label = positive(pcie) || positive(stated) ? `${(bw / 1e9).toFixed(0)} GB/s bidirectional` : 'no figure: assumed PCIe Gen4 x16 64 GB/s bidirectional';
  return {
    kind: kind === 'nvlink' ? 'pcie' : kind,
    perDirection: bw / 2,
    latencyS: 20e-6,
    note: `${kind === 'pcie' || kind === 'nvlink' ? 'PCIe' : kind} ${label}: ${(bw / 2e9).toFixed(0)} GB/s per direction, 20 us per collective`,
  };
}

/**
 * Hardware depends on the GPU and on the serving dtype, quantization and eager flag only; a hardware sweep asks for the
 * same GPU at every tp, so each is built once (the notes format numbers, the costly part). Callers never mutate it.
 */
const hardwareCache = new WeakMap<GpuSpec, Map<string, Hardware>>();

export function hardwareOf(gpu: GpuSpec, mem: MemorySizing, checkpointQuant: QuantMethod | null): Hardware {
  const s = mem.serving;
  const key = `${s.dtype}|${s.quantization}|${checkpointQuant}|${s.enforceEager}`;
  let table = hardwareCache.get(gpu);
  if (!table) hardwareCache.set(gpu, (table = new Map()));
  let hw = table.get(key);
  if (!hw) {
    hw = hardwareUncached(gpu, mem, checkpointQuant);
    if (table.size < 64) table.set(key, hw);
  }
  return hw;
}

function hardwareUncached(gpu: GpuSpec, mem: MemorySizing, checkpointQuant: QuantMethod | null): Hardware {
  const peak = computePeakOf(gpu, mem, checkpointQuant);
  const bandwidth = positive(gpu.memoryBandwidth) ? gpu.memoryBandwidth : 1e11;
  const eta16 = positive(gpu.efficiency?.compute) ? Math.min(1, gpu.efficiency.compute) : 0.81;
  const lowPrecision = peak.dtype === 'fp8' || peak.dtype === 'fp4' || peak.dtype === 'int8';
  const etaC = lowPrecision ? Math.min(eta16, LOW_PRECISION_ETA_COMPUTE) : eta16;
  const etaM = positive(gpu.efficiency?.memory) ? Math.min(1, gpu.efficiency.memory) : 0.9;
  const eager = mem.serving.enforceEager;
  return {
    gpuId: gpu.id,
    peak,
    bandwidth,
    etaCompute: etaC,
    etaMemory: etaM,
    etaSource: `${gpu.efficiency?.source ?? 'assumed'}${lowPrecision ? `; compute eta ${etaC.toFixed(2)} for ${LOW_PRECISION_ETA_SOURCE}` : ''}`,
    flopsAchievable: peak.flops * etaC,
    bandwidthAchievable: bandwidth * etaM,
    ridge: peak.flops / bandwidth,
    link: linkOf(gpu),
    // enforce_eager launches every kernel from Python: about twice the per-kernel floor.
    launchFloorS: eager ? 2 * KERNEL_FLOOR_S : KERNEL_FLOOR_S,
  };
}

/** Roofline time of one operator (seconds) and what bounds it. */
export function rooflineTime(flops: number, bytes: number, hw: Hardware): { time: number; bound: Bound } {
  const tc = flops / hw.flopsAchievable;
  const tm = bytes / hw.bandwidthAchievable;
  return tc >= tm ? { time: tc, bound: 'compute' } : { time: tm, bound: 'memory' };
}

/** Ring all-reduce over n ranks: 2(n-1)/n of the message each way, plus the latency floor. */
export function allReduceTime(msgBytes: number, n: number, link: LinkModel): number {
  if (n <= 1) return 0;
  return link.latencyS + ((2 * (n - 1)) / n) * (msgBytes / link.perDirection);
}

/** Point-to-point send of one message (pipeline stage boundary). */
export function sendRecvTime(msgBytes: number, link: LinkModel): number {
  return link.latencyS + msgBytes / link.perDirection;
}

/** All-to-all over n ranks: (n-1)/n of the message leaves each rank. */
export function allToAllTime(msgBytes: number, n: number, link: LinkModel): number {
  if (n <= 1) return 0;
  return link.latencyS + (((n - 1) / n) * msgBytes) / link.perDirection;
}

/** Distinct experts a batch of `tokens` touches per layer: E(1 - (1 - k/E)^tokens), routing assumed uniform. */
export function distinctExperts(numExperts: number, topk: number, tokens: number): number {
  if (numExperts <= 0 || tokens <= 0) return 0;
  const p = Math.min(1, Math.max(0, topk / numExperts));
  return numExperts * (1 - Math.pow(1 - p, tokens));
}
