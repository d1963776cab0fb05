// Measured utilisation inside the step time (issue 12 item 3): at a grid point of aiconfigurator's tables an operator's
// compute time is its FLOPs at the datasheet peak divided by the table's cell, read here straight from
// operatorTables.json, its memory time datasheet bandwidth x eta; all-reduce bytes over the link / the cell;
// a GPU without tables keeps the datasheet x efficiency path, bit for bit, and the report says which path ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GpuSpec } from '../../server/src/engine/hardware';
import { H100_DATASHEET, LLAMA_31_70B_CONFIG } from './sharedFixtures';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import type { ServingInput } from '../../server/src/engine/memory';
import { modelFromConfig } from '../../server/src/engine/model';
import { OpAccumulator, decodeStepTime, perfModelOf, prefillTime } from '../../server/src/engine/latency';
import { hardwareOf } from '../../server/src/engine/roofline';
import { curveAt, gemmGroupCurve } from '../../server/src/engine/stepUtilisation';
import { sizePerformance } from '../../server/src/engine/performance';
import tables from '../../server/src/engine/operatorTables.json';

// H100 SXM datasheet (the catalog's figures, which the tables were derived against: peaks recorded in the JSON).
const H100: GpuSpec = H100_DATASHEET;
const PEAK_BF16 = 989.4e12;
const BW = 3.35e12;
const LINK = 450e9; // 900 GB/s NVLink, half per direction

const llama70bConfig = LLAMA_31_70B_CONFIG;
const llama70b = modelFromConfig('test/llama-3.1-70b', llama70bConfig);
const llama8b = modelFromConfig('test/llama-3.1-8b', {
  ...llama70bConfig,
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
});
const serving = (o: Partial<ServingInput> = {}): ServingInput => ({ ...defaultServing(), maxModelLen: 8192, ...o });

interface Grid {
  axes: Record<string, number[]>;
  util: (number | null)[];
}
const h100 = (tables as unknown as { gpus: Record<string, Record<string, Record<string, Grid>>> }).gpus['H100-SXM'];
/** The table's cell at exact grid coordinates (row-major, last axis fastest). */
function cell(t: Grid, at: Record<string, number>): number {
  let i = 0;
  for (const [name, axis] of Object.entries(t.axes)) {
    const j = axis.indexOf(at[name]);
    assert.ok(j >= 0, `${at[name]} is a grid point of ${name}`);
    i = i * axis.length + j;
  }
  const u = t.util[i];
  assert.ok(typeof u === 'number' && u > 0, 'measured cell');
  return u;
}
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${what}: ${a} vs ${b}`);

test('a GEMM group at a grid point: sum of rooflines / sum of roofline / cell (time-weighted utilisation)', () => {
  const m = 64;
  const one = gemmGroupCurve('H100-SXM', 'bf16', [{ n: 8192, k: 8192, count: 1 }], PEAK_BF16, BW)!;
  const u1 = cell(h100.gemm.bf16, { m, n: 8192, k: 8192 });
  close(curveAt(one, m), u1, 'one GEMM');
  // q (8192 x 8192) and k+v (1024 x 8192, twice): each memory-bound at m = 64, roofline = (weights + activations) / BW.
  const u2 = cell(h100.gemm.bf16, { m, n: 1024, k: 8192 });
  const r1 = Math.max((2 * m * 8192 * 8192) / PEAK_BF16, (8192 * 8192 * 2 + m * (8192 + 8192) * 2) / BW);
  const r2 = Math.max((2 * m * 1024 * 8192) / PEAK_BF16, (8192 * 1024 * 2 + m * (8192 + 1024) * 2) / BW);
  const two = gemmGroupCurve(
    'H100-SXM',
    'bf16',
    [
      { n: 8192, k: 8192, count: 1 },
      { n: 1024, k: 8192, count: 2 },
    ],
    PEAK_BF16,
    BW,
  )!;
  close(curveAt(two, m), (r1 + 2 * r2) / (r1 / u1 + (2 * r2) / u2), 'q + k + v');
  // Between grid points: a power law, so at the log midpoint of m = 64 and 128 the geometric mean.
  const u128 = cell(h100.gemm.bf16, { m: 128, n: 8192, k: 8192 });
  close(curveAt(one, Math.sqrt(64 * 128)), Math.sqrt(u1 * u128), 'log midpoint');
});

test('decode attention and the tp all-reduce at grid points: roofline at datasheet peaks / the measured cell', () => {
  // Llama-3.1-70B on 2 H100: 32 query and 4 KV heads of 128 per GPU, bf16 KV: 2 x 4 x 128 x 2 = 2048 bytes per token per layer.
  const mem = sizeMemory(llama70b, H100, serving({ tp: 2 }));
  const pm = perfModelOf(llama70b, mem, hardwareOf(H100, mem, null), { measuredUtilisation: true });
  assert.ok(pm.measured, 'H100-SXM has tables');
  assert.equal(pm.kvPerLayer, 2048);
  const B = 32;
  const ctx = 2048;
  const L = 80;
  const acc = new OpAccumulator();
  decodeStepTime(pm, B, ctx, acc);
  const rows = acc.rows('decode');
  const attn = rows.find((r) => r.name === 'attention')!;
  const flops = 4 * 32 * 128 * B * ctx * L;
  const bytes = 2048 * (B * ctx * L + B * L);
  const u = cell(h100.decodeAttention.bf16, { batch: B, context: ctx, kvHeads: 4 });
  // The compute side runs at peak x the measured cell; the memory side keeps datasheet bandwidth x eta (0.9).
  close(acc.computeTime[1], flops / PEAK_BF16 / u, 'decode attention compute time');
  close(attn.time_ms / 1e3, Math.max(flops / PEAK_BF16 / u, bytes / (BW * 0.9)), 'decode attention');
  // Two all-reduces per layer of B x 8192 x 2 bytes = 512 KiB: vLLM's custom all-reduce (used up to 8 MiB).
  const msg = B * 8192 * 2;
  const ar = rows.find((r) => r.name === 'tp_allreduce')!;
  const uAr = cell(h100.comm.vllmCustomAllReduce, { bytes: msg, gpus: 2 });
  close(ar.time_ms / 1e3, (2 * L * ((2 * 1) / 2) * msg) / LINK / uAr, 'all-reduce');
  // Kernel floor unchanged (9 per layer, 3 per step, 5 us each): the fitted per-layer cost stays one meaning on GPUs
  // with and without tables (cutting the five timed kernels made the refit put ~24 us per layer back, for every GPU).
  close(rows.find((r) => r.name === 'launch_floor')!.time_ms / 1e3, (L * 9 + 3) * 5e-6, 'launch floor');
});

test('prefill attention of one 1024-token prompt: its causal roofline / the prefill cell at length 1024', () => {
  const mem = sizeMemory(llama70b, H100, serving({ tp: 2 }));
  const pm = perfModelOf(llama70b, mem, hardwareOf(H100, mem, null), { measuredUtilisation: true });
  const P = 1024;
  const acc = new OpAccumulator();
  prefillTime(pm, P, 0, 0, 0, acc);
  const attn = acc.rows('prefill').find((r) => r.name === 'attention')!;
  // Each token attends to (P + 1) / 2 positions on average: 4 x 32 x 128 x P x (P + 1) / 2 FLOPs per layer; reads the P
  // tokens' KV and writes them.
  const flops = 4 * 32 * 128 * P * ((P + 1) / 2) * 80;
  const bytes = 2048 * (P * 80 + P * 80);
  const u = cell(h100.prefillAttention.bf16, { batch: 1, length: P, kvHeads: 4 });
  assert.ok(flops / PEAK_BF16 / u > bytes / (BW * 0.9), 'compute-bound');
  close(attn.time_ms / 1e3, flops / PEAK_BF16 / u, 'prefill attention');
});

test('a GPU without tables keeps datasheet x efficiency bit for bit, and the report says which path ran', () => {
  const other: GpuSpec = { ...H100, id: 'NO-TABLES-GPU' };
  const mem = sizeMemory(llama8b, other, serving({ tp: 2 }));
  const hw = hardwareOf(other, mem, null);
  const on = perfModelOf(llama8b, mem, hw, { measuredUtilisation: true });
  const off = perfModelOf(llama8b, mem, hw, { measuredUtilisation: false });
  assert.equal(on.measured, null);
  assert.equal(decodeStepTime(on, 32, 900), decodeStepTime(off, 32, 900));
  assert.equal(prefillTime(on, 3000, 0), prefillTime(off, 3000, 0));
  const wl = { requestsPerSecond: null, inputTokens: 1024, outputTokens: 256, concurrency: 4, prefixCacheHitRate: 0 };
  const r = sizePerformance(llama8b, other, mem, wl, { ttftMs: null, tpotMs: null }, null);
  assert.equal(r.performance.operator_efficiency.path, 'datasheet');
  assert.match(r.performance.operator_efficiency.note, /^NO-TABLES-GPU: no measured operator tables/);
  // Every engine's fit ships them since the second fit (latencyFit.json operator_utilisation 'measured',
  // docs/ACCURACY.md): on by default on a GPU with tables, said in the report.
  const memH = sizeMemory(llama8b, H100, serving({ tp: 2 }));
  const rH = sizePerformance(llama8b, H100, memH, wl, { ttftMs: null, tpotMs: null }, null);
  assert.equal(rH.performance.operator_efficiency.path, 'measured');
  assert.match(rH.performance.latency_fit, /fitted on measured operator utilisation/);
  const memT = sizeMemory(llama8b, H100, serving({ tp: 2, engine: 'trtllm' }));
  const rT = sizePerformance(llama8b, H100, memT, wl, { ttftMs: null, tpotMs: null }, null);
  assert.equal(rT.performance.operator_efficiency.path, 'measured');
  assert.match(rT.performance.latency_fit, /fitted on measured operator utilisation/);
  // The measured path names its tables.
  const pmH = perfModelOf(llama8b, memH, hardwareOf(H100, memH, null), { measuredUtilisation: true });
  assert.equal(pmH.measured?.note, 'H100-SXM: measured operator utilisation (aiconfigurator tables, GEMM bf16, KV bf16)');
});
