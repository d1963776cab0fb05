// Performance model vs published measurements (test/data/calibration/published_perf.json, relative to the repo root).
// Reproducible rows only: single-stream TTFT/TPOT (concurrency 1) and offline max-throughput runs with a stated
// model, GPU, tp and fixed ISL/OSL. Prints a table and exports perfAccuracyRows() for `npm run accuracy`.
//   node --import tsx scripts/perf-accuracy.ts
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUILTIN_GPUS, builtinCatalog, gpuSpecOf } from '../server/src/catalog';
import type { GpuSpec } from '../server/src/engine/hardware';
import type { ServingInput } from '../server/src/engine/memory';
import { defaultServing, sizeMemory } from '../server/src/engine/memory';
import type { ModelArch } from '../server/src/engine/model';
import { modelFromConfig } from '../server/src/engine/model';
import { sizePerformance } from '../server/src/engine/performance';

const ROOT = resolve(__dirname, '..');
const PUBLISHED = resolve(ROOT, 'test', 'data', 'calibration', 'published_perf.json');

// ---- Catalog lookups (the same built-in catalog and GpuSpec conversion the server uses).

export function catalogGpus(): GpuSpec[] {
  return BUILTIN_GPUS.map(gpuSpecOf);
}

/** ModelArch for a catalog id, with the base config merged under quantized variants and optional overrides. */
export function catalogModel(id: string, overrides: Record<string, unknown> = {}): ModelArch {
  const cat = builtinCatalog();
  const e = cat.findModelEntry(id);
  if (!e) throw new Error(`model ${id} is not in the catalog`);
  return modelFromConfig(id, { ...cat.mergedConfig(e), ...overrides });
}

export function catalogGpu(id: string): GpuSpec {
  const g = builtinCatalog().resolveGpu(id);
  if (!g) throw new Error(`GPU ${id} is not in the catalog`);
  return g;
}

// ---- The published rows we can reproduce.

interface PublishedEntry {
  source: string;
  framework: string;
  model: string;
  hardware: string;
  num_gpus: number;
  parallelism: string;
  precision: string;
  workload: { input_len?: number; output_len?: number; mode?: string; concurrency?: number };
  metric: string;
  value: number | { ttft_ms: number; tpot_ms: number };
  notes?: string;
}

interface Mapping {
  model: string;
  quant: 'fp8' | 'nvfp4' | null;
  gpu: string;
  ep: boolean;
  engine: 'vllm' | 'trtllm';
  kvFp8: boolean;
  caveat: string;
}

const NVFP4 = { quantization_config: { quant_method: 'modelopt', quant_algo: 'NVFP4' } };

function mapEntry(e: PublishedEntry): Mapping | null {
  const hw = e.hardware.toLowerCase();
  const gpu = hw.includes('h100')
    ? 'H100-SXM'
    : hw.includes('h200')
      ? 'H200-SXM'
      : hw.includes('b200') && !hw.includes('gb200')
        ? 'B200'
        : hw.includes('4090')
          ? 'RTX-4090'
          : null;
  if (!gpu) return null;
  const trt = e.framework.startsWith('TensorRT-LLM');
  const quant = e.precision === 'FP8' ? 'fp8' : e.precision === 'FP4' ? 'nvfp4' : null;
  const name = e.model.toLowerCase();
  let model: string | null = null;
  if (name.includes('llama-3.1-8b')) model = 'meta-llama/Llama-3.1-8B-Instruct';
  else if (name.includes('llama-3.3-70b')) model = 'meta-llama/Llama-3.3-70B-Instruct';
  else if (name.includes('llama-3.1-405b')) model = 'meta-llama/Llama-3.1-405B-Instruct';
  else if (name.includes('qwen3-235b')) model = 'Qwen/Qwen3-235B-A22B';
  else if (name.includes('qwen3-30b')) model = 'Qwen/Qwen3-30B-A3B';
  else if (name.includes('maverick')) model = 'meta-llama/Llama-4-Maverick-17B-128E-Instruct';
  else if (name.includes('qwen2.5-72b')) model = 'Qwen/Qwen2.5-72B-Instruct';
  else if (name.includes('qwen2.5-7b')) model = 'Qwen/Qwen2.5-7B-Instruct';
  if (!model) return null;
  const caveats: string[] = [];
  if (e.parallelism.includes('assumed') || e.framework.includes('ASSUMED') || e.framework.includes('assumed'))
    caveats.push('framework/parallelism assumed by the source');
  if (e.notes?.includes('UNCERTAIN')) caveats.push('hardware uncertain');
  if (e.precision.startsWith('not stated')) caveats.push('precision not stated: bf16 assumed');
  // NVIDIA's ModelOpt FP8/FP4 checkpoints declare kv_cache_quant_algo FP8 (see the catalog's nvidia/Llama-3.1-70B-Instruct-FP8).
  const nvidiaCkpt = e.model.includes('(nvidia)');
  return { model, quant, gpu, ep: e.parallelism.includes('MoE'), engine: trt ? 'trtllm' : 'vllm', kvFp8: nvidiaCkpt, caveat: caveats.join('; ') };
}

export interface PerfAccuracyRow {
  entry: string;
  metric: string;
  measured: number;
  predicted: number;
  error_pct: number;
  source: string;
  caveat: string;
}

export function perfAccuracyRows(path = PUBLISHED): PerfAccuracyRow[] {
  if (!existsSync(path)) return [];
  const data = JSON.parse(readFileSync(path, 'utf8')) as { entries: PublishedEntry[] };
  const rows: PerfAccuracyRow[] = [];
  for (const e of data.entries) {
    const mp = mapEntry(e);
    const wl = e.workload;
    if (!mp || wl.input_len === undefined || wl.output_len === undefined) continue;
    const offline = wl.mode === 'offline max throughput';
    const single = wl.concurrency === 1;
    if (!offline && !single) continue;
    const tp = Number(/TP(\d+)/.exec(e.parallelism)?.[1] ?? e.num_gpus);
    const m = catalogModel(mp.model, mp.quant === 'nvfp4' ? NVFP4 : {});
    const gpu = catalogGpu(mp.gpu);
    const serving: ServingInput = {
      ...defaultServing(),
      engine: mp.engine,
      tp,
      expertParallel: mp.ep,
      quantization: mp.quant === 'fp8' ? 'fp8' : null,
      kvCacheDtype: mp.kvFp8 ? 'fp8' : 'auto',
      maxModelLen: wl.input_len + wl.output_len,
      // trtllm-bench: kv_cache_free_gpu_mem_fraction 0.95, large max batch, 8192-token steps (perf-overview methodology).
      ...(mp.engine === 'trtllm' ? { freeGpuMemoryFraction: 0.95, maxNumSeqs: 2048, maxNumBatchedTokens: 8192 } : {}),
    };
    const mem = sizeMemory(m, gpu, serving);
    const label = `${e.model} ${e.hardware.split(' (')[0]} TP${tp} ${wl.input_len}/${wl.output_len}`;
    const src = e.source.split(' ')[0];
    if (offline && typeof e.value === 'number') {
      const r = sizePerformance(
        m,
        gpu,
        mem,
        { requestsPerSecond: null, inputTokens: wl.input_len, outputTokens: wl.output_len, concurrency: null, prefixCacheHitRate: 0 },
        { ttftMs: null, tpotMs: null },
        null,
      );
      const replicas = Math.max(1, Math.floor(e.num_gpus / tp));
      const predicted = r.performance.max_throughput_tokens_per_s * replicas;
      if (process.env.PERF_DEBUG)
        console.error(
          label,
          JSON.stringify({
            maxB: r.performance.max_batch,
            lim: r.performance.max_batch_limit,
            bestB: r.performance.max_throughput_batch,
            knee: r.performance.knee_batch,
            kv: r.capacity.kv_limited_concurrency,
            dtype: r.performance.compute_dtype,
          }),
          r.performance.curve.filter((c) => c.batch === r.performance.max_throughput_batch).map((c) => [c.tpot_ms.toFixed(1), c.ttft_ms.toFixed(0)]),
        );
      rows.push({
        entry: label,
        metric: 'offline output tok/s',
        measured: e.value,
        predicted,
        error_pct: ((predicted - e.value) / e.value) * 100,
        source: src,
        caveat: [mp.caveat, mem.startup.ok ? '' : 'predicted not to start'].filter(Boolean).join('; '),
      });
    } else if (single && typeof e.value === 'object') {
      const r = sizePerformance(
        m,
        gpu,
        mem,
        { requestsPerSecond: null, inputTokens: wl.input_len, outputTokens: wl.output_len, concurrency: 1, prefixCacheHitRate: 0 },
        { ttftMs: null, tpotMs: null },
        null,
      );
      for (const k of ['ttft_ms', 'tpot_ms'] as const) {
        const measured = e.value[k];
        const predicted = r.performance[k];
        rows.push({
          entry: label,
          metric: `single-stream ${k.replace('_ms', '').toUpperCase()} ms`,
          measured,
          predicted,
          error_pct: ((predicted - measured) / measured) * 100,
          source: src,
          caveat: mp.caveat,
        });
      }
    }
  }
  return rows;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

if (require.main === module && /perf-accuracy/.test(process.argv[1] ?? '')) {
  const rows = perfAccuracyRows();
  const header = ['entry', 'metric', 'measured', 'predicted', 'error %', 'caveat'];
  const table = rows.map((r) => [r.entry, r.metric, fmt(r.measured), fmt(r.predicted), `${r.error_pct >= 0 ? '+' : ''}${r.error_pct.toFixed(1)}`, r.caveat]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const t of table) console.log(line(t));
  const abs = rows.map((r) => Math.abs(r.error_pct)).sort((a, b) => a - b);
  if (abs.length) console.log(`\n${rows.length} rows; median |error| ${abs[Math.floor(abs.length / 2)].toFixed(1)}%`);
}
