// Times the full hardware comparison: every catalog GPU x tp in {1,2,4,8}, each with memory sizing, the batch sweep,
// knee/SLO searches, Little's Law, cost. Median of repeated runs, printed in ms, twice: as loaded by tsx (unbundled
// CommonJS, where every imported name is a property getter) and bundled by esbuild the way dist/ ships.
//   node --import tsx bench/compare.bench.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance as clock } from 'node:perf_hooks';
import type { GpuSpec } from '../server/src/engine/hardware';
import type { MemorySizing, ServingInput } from '../server/src/engine/memory';
import { defaultServing, sizeMemory } from '../server/src/engine/memory';
import type { SloInput, WorkloadInput } from '../server/src/engine/performance';
import { compareHardware, sizePerformance } from '../server/src/engine/performance';
import { catalogGpus, catalogModel } from '../scripts/perf-accuracy';

const TARGET_MS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(runs: number, fn: () => unknown): { median: number; min: number } {
  for (let i = 0; i < 5; i++) fn(); // warm up (JIT)
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = clock.now();
    fn();
    t.push(clock.now() - a);
  }
  return { median: median(t), min: Math.min(...t) };
}

function run(mode: string): void {
  const gpus: GpuSpec[] = catalogGpus();
  const base: ServingInput = { ...defaultServing(), maxModelLen: 16384 };
  const w: WorkloadInput = { requestsPerSecond: 5, inputTokens: 2000, outputTokens: 400, concurrency: null, prefixCacheHitRate: 0.2 };
  const slo: SloInput = { ttftMs: 1000, tpotMs: 50 };
  console.log(`-- ${mode}`);
  for (const id of ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct', 'Qwen/Qwen3-30B-A3B']) {
    const m = catalogModel(id);
    // Memory sizing results, recorded once, so the performance share can be timed on its own.
    const memo = new Map<string, MemorySizing>();
    const sizeMem = (g: GpuSpec, s: ServingInput) => sizeMemory(m, g, s);
    const rows = compareHardware(m, gpus, base, w, slo, (g, s) => {
      const r = sizeMem(g, s);
      memo.set(`${g.id}/${s.tp}`, r);
      return r;
    });
    const full = time(31, () => compareHardware(m, gpus, base, w, slo, sizeMem));
    const perfOnly = time(31, () => compareHardware(m, gpus, base, w, slo, (g, s) => memo.get(`${g.id}/${s.tp}`) ?? sizeMem(g, s)));
    const sized = memo.size;
    const g = gpus.find((x) => x.id === 'H100-SXM')!;
    const mem = sizeMemory(m, g, { ...base, tp: 4 });
    const one = time(101, () => sizePerformance(m, g, mem, w, slo, null));
    const name = id.split('/')[1];
    console.log(
      `${name.padEnd(24)} ${gpus.length} GPUs, ${rows.length} configs (${sized} sized): full comparison median ${full.median.toFixed(2)} ms (min ${full.min.toFixed(2)})` +
        ` ${full.median < TARGET_MS ? 'OK' : 'OVER'} ${TARGET_MS} ms; performance part ${perfOnly.median.toFixed(2)} ms; one sizePerformance ${one.median.toFixed(3)} ms`,
    );
  }
}

if (process.env.LLM_SIZER_BENCH_INNER) {
  run(process.env.LLM_SIZER_BENCH_INNER);
} else {
  run('tsx (unbundled)');
  // Bundle this file with esbuild (as scripts/build.mjs does for dist/) and run it again.
  const dir = mkdtempSync(join(tmpdir(), 'llm-sizer-bench-'));
  try {
    const out = join(dir, 'compare.bench.js');
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [__filename], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: out, logLevel: 'error', define: { __dirname: JSON.stringify(resolve(__dirname, '..', 'scripts')) } });
    const r = spawnSync(process.execPath, [out], { env: { ...process.env, LLM_SIZER_BENCH_INNER: 'bundled (esbuild, as dist/ ships)' }, stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
