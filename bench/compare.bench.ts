// Times the full hardware comparison: every catalog GPU x tp in {1,2,4,8}, each with memory sizing, the batch sweep,
// knee/SLO searches, Little's Law, cost. Median of repeated runs, printed in ms, twice: as loaded by tsx (unbundled
// CommonJS, where every imported name is a property getter) and bundled by esbuild the way dist/ ships.
// Peer in the same run, interleaved with every measured round so load from other jobs hits both alike: JSON.parse +
// JSON.stringify of the catalog's gpus.json text (V8's own C++ JSON code on fixed input, none of ours). The ratio to
// it is the figure to compare across runs on a shared machine; wall-clock medians move with the machine's load.
//   node --import tsx bench/compare.bench.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance as clock } from 'node:perf_hooks';
import type { GpuSpec } from '../server/src/engine/hardware';
import type { MemorySizing, ServingInput } from '../server/src/engine/memory';
import { defaultServing, sizeMemory } from '../server/src/engine/memory';
import type { SloInput, WorkloadInput } from '../server/src/engine/performance';
import { sizePerformance } from '../server/src/engine/performance';
import { compareHardware } from '../server/src/engine/compare';
import { catalogGpus, catalogModel } from '../scripts/perf-accuracy';

const TARGET_MS = 10;
// Rounds before timing: with 20, V8 was still (re)optimizing in background threads during some timed rounds of the
// first model (process CPU twice the wall time, median 7.9 ms in one run and 5.2 ms in the next on an idle machine).
const WARMUP_ROUNDS = 80;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Medians (ms) of each function, run in turn within every round after a warm-up long enough for V8 to optimize: wall
 * clock, and CPU time of this process (getrusage; excludes time the OS gave to other jobs, includes V8's GC threads).
 */
function timeInterleaved(runs: number, fns: Array<() => unknown>): Array<{ median: number; min: number; cpu: number }> {
  for (let i = 0; i < WARMUP_ROUNDS; i++) for (const f of fns) f();
  const t: number[][] = fns.map(() => []);
  const c: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((f, j) => {
      const u = process.cpuUsage();
      const a = clock.now();
      f();
      t[j].push(clock.now() - a);
      const d = process.cpuUsage(u);
      c[j].push((d.user + d.system) / 1000);
    });
  }
  return t.map((x, j) => ({ median: median(x), min: Math.min(...x), cpu: median(c[j]) }));
}

function run(mode: string): void {
  const gpus: GpuSpec[] = catalogGpus();
  const base: ServingInput = { ...defaultServing(), maxModelLen: 16384 };
  const w: WorkloadInput = { requestsPerSecond: 5, inputTokens: 2000, outputTokens: 400, concurrency: null, prefixCacheHitRate: 0.2 };
  const slo: SloInput = { ttftMs: 1000, tpotMs: 50 };
  console.log(`-- ${mode}`);
  const gpusText = readFileSync(join(__dirname, '..', 'server', 'src', 'catalog', 'gpus.json'), 'utf8');
  const peerFn = () => JSON.stringify(JSON.parse(gpusText));
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
    const g = gpus.find((x) => x.id === 'H100-SXM')!;
    const mem = sizeMemory(m, g, { ...base, tp: 4 });
    const [full, perfOnly, one, peer] = timeInterleaved(31, [
      () => compareHardware(m, gpus, base, w, slo, sizeMem),
      () => compareHardware(m, gpus, base, w, slo, (g, s) => memo.get(`${g.id}/${s.tp}`) ?? sizeMem(g, s)),
      () => sizePerformance(m, g, mem, w, slo, null),
      peerFn,
    ]);
    const sized = memo.size;
    const name = id.split('/')[1];
    console.log(
      `${name.padEnd(24)} ${gpus.length} GPUs, ${rows.length} configs (${sized} sized): full comparison median ${full.median.toFixed(2)} ms (min ${full.min.toFixed(2)}, CPU ${full.cpu.toFixed(2)})` +
        ` ${full.median < TARGET_MS ? 'OK' : 'OVER'} ${TARGET_MS} ms; performance part ${perfOnly.median.toFixed(2)} ms (CPU ${perfOnly.cpu.toFixed(2)}); one detailed sizePerformance ${one.median.toFixed(3)} ms;` +
        ` peer (gpus.json JSON round-trip) ${peer.median.toFixed(3)} ms (CPU ${peer.cpu.toFixed(3)}): full = ${(full.median / peer.median).toFixed(1)}x peer (CPU ${(full.cpu / peer.cpu).toFixed(1)}x)`,
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
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when bundling is asked for
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({
      entryPoints: [__filename],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: out,
      logLevel: 'error',
      define: { __dirname: JSON.stringify(resolve(__dirname, '..', 'scripts')) },
    });
    const r = spawnSync(process.execPath, [out], { env: { ...process.env, LLM_SIZER_BENCH_INNER: 'bundled (esbuild, as dist/ ships)' }, stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
