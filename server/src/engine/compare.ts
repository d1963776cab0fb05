// The same workload across GPUs and tensor-parallel sizes, ranked by $ per million output tokens among the
// configurations that fit and meet the SLO. Pure: memory sizing is passed in as a function.
import type { GpuSpec } from './hardware';
import type { MemorySizing, ServingInput } from './memory';
import type { ModelArch } from './model';
import type { SloInput, WorkloadInput } from './performance';
import { sizePerformance } from './performance';

export interface ComparisonRow {
  rank: number;
  gpu: string;
  gpu_name: string;
  tp: number;
  pp: number;
  gpus_per_replica: number;
  /** GPUs for the whole workload (replicas x tp x pp). */
  gpus: number;
  fits: boolean;
  meets_slo: boolean;
  tpot_ms: number;
  ttft_ms: number;
  /** Per replica at the operating batch. */
  throughput_tokens_per_s: number;
  max_throughput_tokens_per_s: number;
  batch: number;
  knee_batch: number;
  usd_per_gpu_hour: number;
  usd_per_million_output_tokens: number;
  replicas_needed: number;
  bound: string;
  why: string;
}

export interface CompareOptions {
  /** Tensor-parallel sizes to try (default 1, 2, 4, 8). */
  tps?: number[];
  /** Keep only the best row per GPU. */
  bestPerGpu?: boolean;
}

/** vLLM needs attention heads divisible by tp, and KV heads divisible by tp or tp divisible by KV heads. */
export function tpAllowed(m: ModelArch, tp: number): string | null {
  if (m.heads % tp !== 0) return `${m.heads} attention heads are not divisible by tp ${tp}`;
  if (!m.mla && m.kvHeads % tp !== 0 && tp % m.kvHeads !== 0) return `${m.kvHeads} KV heads and tp ${tp} do not divide one another`;
  return null;
}

function blank(gpu: GpuSpec, tp: number, pp: number, why: string): ComparisonRow {
  return {
    rank: 0,
    gpu: gpu.id,
    gpu_name: gpu.name,
    tp,
    pp,
    gpus_per_replica: tp * pp,
    gpus: 0,
    fits: false,
    meets_slo: false,
    tpot_ms: 0,
    ttft_ms: 0,
    throughput_tokens_per_s: 0,
    max_throughput_tokens_per_s: 0,
    batch: 0,
    knee_batch: 0,
    usd_per_gpu_hour: gpu.priceUsdPerHour > 0 ? gpu.priceUsdPerHour : 0,
    usd_per_million_output_tokens: 0,
    replicas_needed: 0,
    bound: 'n/a',
    why,
  };
}

function fitReason(mem: MemorySizing, gpu: GpuSpec): string {
  const s = mem.startup;
  if (s.errorKind === 'weights_exceed_memory')
    return `weights ${(mem.memory.weightsBytes / 1024 ** 3).toFixed(1)} GiB per GPU exceed ${gpu.id}'s ${(mem.memory.totalBytes / 1024 ** 3).toFixed(1)} GiB`;
  if (s.errorKind === 'no_kv_memory') return 'no memory left for KV cache blocks';
  if (s.errorKind === 'max_model_len')
    return `one max_model_len request does not fit${s.estimatedMaxModelLen ? ` (largest that fits: ${s.estimatedMaxModelLen})` : ''}`;
  return s.error ?? 'does not start';
}

export function compareHardware(
  m: ModelArch,
  gpus: GpuSpec[],
  baseServing: ServingInput,
  w: WorkloadInput,
  slo: SloInput,
  sizeMem: (gpu: GpuSpec, serving: ServingInput) => MemorySizing,
  opts: CompareOptions = {},
): ComparisonRow[] {
  const tps = opts.tps ?? [1, 2, 4, 8];
  const pp = Math.max(1, baseServing.pp);
  const rows: ComparisonRow[] = [];
  // Weight bytes of the whole model at the serving dtype/quantization are GPU-independent; a GPU can hold no less than
  // weights / (tp x pp [x dp with expert parallelism]), so configurations below that bound are reported without sizing.
  let weightsOne: number | null = null;
  const shards = (tp: number) => tp * pp * (baseServing.expertParallel && m.moe ? Math.max(1, baseServing.dp) : 1);
  // One serving input per tp, shared by every GPU (sizing does not mutate it): spreading the input per configuration
  // cost more than the memory sizing it fed in a CPU profile.
  const servingByTp = new Map<number, ServingInput>();
  for (const tp of tps) servingByTp.set(tp, { ...baseServing, tp, pp });
  for (const gpu of gpus) {
    for (const tp of tps) {
      if (tpAllowed(m, tp)) continue;
      if (weightsOne !== null && weightsOne / shards(tp) > gpu.memoryBytes) {
        rows.push(
          blank(
            gpu,
            tp,
            pp,
            `weights need at least ${(weightsOne / shards(tp) / 1024 ** 3).toFixed(1)} GiB per GPU at tp ${tp}: more than ${gpu.id}'s ${(gpu.memoryBytes / 1024 ** 3).toFixed(1)} GiB`,
          ),
        );
        continue;
      }
      let mem: MemorySizing;
      try {
        mem = sizeMem(gpu, servingByTp.get(tp)!);
      } catch (e) {
        rows.push(blank(gpu, tp, pp, e instanceof Error ? e.message : String(e)));
        continue;
      }
      if (weightsOne === null && tp * pp === 1 && !(baseServing.expertParallel && baseServing.dp > 1)) weightsOne = mem.memory.weightsBytes;
      if (!mem.startup.ok) {
        rows.push(blank(gpu, tp, pp, fitReason(mem, gpu)));
        continue;
      }
      const r = sizePerformance(m, gpu, mem, w, slo, null, { detail: false });
      const p = r.performance;
      const c = r.capacity;
      let why = c.reasons[0] ?? '';
      if (!why && !(r.cost.usd_per_gpu_hour > 0)) why = 'no price per GPU-hour in the catalog';
      rows.push({
        rank: 0,
        gpu: gpu.id,
        gpu_name: gpu.name,
        tp,
        pp,
        gpus_per_replica: tp * pp,
        gpus: r.cost.gpus,
        fits: true,
        meets_slo: c.meets_slo,
        tpot_ms: p.tpot_ms,
        ttft_ms: p.ttft_ms,
        throughput_tokens_per_s: p.throughput_tokens_per_s,
        max_throughput_tokens_per_s: p.max_throughput_tokens_per_s,
        batch: p.batch,
        knee_batch: p.knee_batch,
        usd_per_gpu_hour: r.cost.usd_per_gpu_hour,
        usd_per_million_output_tokens: r.cost.usd_per_million_output_tokens,
        replicas_needed: c.replicas_needed,
        bound: p.bound,
        why,
      });
    }
  }
  // Rank: meeting the SLO and priced, by $/Mtok; then meeting but unpriced; then fitting but missing the SLO; then not fitting.
  const tier = (r: ComparisonRow) => (!r.fits ? 3 : !r.meets_slo ? 2 : r.usd_per_million_output_tokens > 0 ? 0 : 1);
  rows.sort((a, b) => {
    const t = tier(a) - tier(b);
    if (t) return t;
    if (tier(a) === 0 || (tier(a) === 2 && a.usd_per_million_output_tokens > 0 && b.usd_per_million_output_tokens > 0)) {
      const d = a.usd_per_million_output_tokens - b.usd_per_million_output_tokens;
      if (d) return d;
    }
    return a.tpot_ms - b.tpot_ms || a.gpus - b.gpus || a.gpu.localeCompare(b.gpu) || a.tp - b.tp;
  });
  let out = rows;
  if (opts.bestPerGpu) {
    const seen = new Set<string>();
    out = rows.filter((r) => (seen.has(r.gpu) ? false : (seen.add(r.gpu), true)));
  }
  out.forEach((r, i) => (r.rank = i + 1));
  return out;
}
