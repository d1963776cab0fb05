// Bounds on the numbers a deployment file gives that the engine does not check itself (it validates the serving
// sizes: parallelism, max_model_len, max_num_seqs, ... in engine/memory.ts; model config numbers are bounded in
// engine/model.ts). A number outside its bound is an error at its position and the deployment is not sized: sizing
// with 1e300 GiB of calibration or 1e308 tokens per request printed "Infinity" where a number belongs.
import type { Deployment, Diagnostic, Range } from '../formats/types';

interface Bound {
  /** Field path as the file spells it (also the key of its range in `Deployment.ranges`). */
  path: string;
  value: (d: Deployment) => number | null | undefined;
  min: number;
  max: number;
  unit: string;
}

/** Largest HBM on one GPU today is 288 GB (B300); 4,096 GiB leaves room for any device of the next decade. */
const GIB_PER_GPU = 4096;
/** The engine's own ceiling on tokens in one request (engine/memory.ts MAX_MODEL_LEN_LIMIT, 2^31). */
const TOKENS = 2 ** 31;

const BOUNDS: Bound[] = [
  ...(['total_memory_gib', 'weights_gib', 'activation_peak_gib', 'non_torch_gib', 'cudagraph_gib'] as const).map((k) => ({
    path: `calibration.${k}`,
    value: (d: Deployment) => d.calibration?.[k],
    min: 0,
    max: GIB_PER_GPU,
    unit: 'GiB',
  })),
  // vLLM prints a negative "Available KV cache memory" when the model does not fit.
  { path: 'calibration.available_kv_gib', value: (d) => d.calibration?.available_kv_gib, min: -GIB_PER_GPU, max: GIB_PER_GPU, unit: 'GiB' },
  { path: 'workload.requests_per_second', value: (d) => d.workload.requestsPerSecond, min: 0, max: 1e6, unit: 'requests/s' },
  { path: 'workload.input_tokens', value: (d) => d.workload.inputTokens, min: 0, max: TOKENS, unit: 'tokens' },
  { path: 'workload.output_tokens', value: (d) => d.workload.outputTokens, min: 0, max: TOKENS, unit: 'tokens' },
  { path: 'workload.concurrency', value: (d) => d.workload.concurrency, min: 1, max: 1e7, unit: 'requests' },
  // A day: any latency target beyond it is a typo for a smaller unit.
  { path: 'slo.ttft_ms', value: (d) => d.slo.ttftMs, min: 0, max: 86_400_000, unit: 'ms' },
  { path: 'slo.tpot_ms', value: (d) => d.slo.tpotMs, min: 0, max: 86_400_000, unit: 'ms' },
  // On-demand prices are a few USD per GPU-hour; 10,000 is far past any.
  { path: 'cost.gpu_hour_usd', value: (d) => d.gpuHourUsd, min: 0, max: 10_000, unit: 'USD per GPU-hour' },
  // The plan schema's hardware.count maximum (the schema checks that one in plans); more replicas is no one deployment.
  { path: 'replicas', value: (d) => d.replicas, min: 0, max: 100_000, unit: 'replicas' },
];

const fmt = (v: number) =>
  Number.isFinite(v) ? (Math.abs(v) >= 1e15 ? v.toExponential(2) : v.toLocaleString('en-US', { maximumFractionDigits: 6 })) : 'not a finite number';

/** An `invalid-value` error for each number of `d` outside its bound; empty when all are inside. */
export function inputBoundDiagnostics(d: Deployment, fallback: Range): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const b of BOUNDS) {
    const v = b.value(d);
    if (v === null || v === undefined) continue;
    if (Number.isFinite(v) && v >= b.min && v <= b.max) continue;
    out.push({
      code: 'invalid-value',
      severity: 'error',
      message: `${b.path} must be from ${fmt(b.min)} to ${fmt(b.max)} ${b.unit}, got ${fmt(v)}; this deployment is not sized.`,
      range: d.ranges[b.path] ?? d.ranges.document ?? fallback,
    });
  }
  return out;
}
