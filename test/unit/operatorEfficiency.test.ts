// Measured operator utilisation (issue 12 item 3): log-space interpolation from first principles, the shipped tables
// against raw rows of aiconfigurator's database quoted below, and the null answers that keep today's path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tables from '../../server/src/engine/operatorTables.json';
import {
  commUtilisation,
  decodeAttentionUtilisation,
  fallbackNote,
  gemmUtilisation,
  gridLookup,
  logPosition,
  measuredGpus,
  moeUtilisation,
  prefillAttentionUtilisation,
} from '../../server/src/engine/operatorEfficiency';
import type { OperatorTables } from '../../server/src/engine/operatorEfficiency';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const round3 = (x: number) => Number(x.toPrecision(3));
const gpusJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'server', 'src', 'catalog', 'gpus.json'), 'utf8')).gpus as any[];
const H100 = gpusJson.find((g) => g.id === 'H100-SXM');

test('log position: a point halfway in log space weighs both neighbours equally; outside the axis the edge is held', () => {
  assert.deepEqual(logPosition([1, 100], 10), { lo: 0, hi: 1, w: 0.5, clamped: false });
  assert.deepEqual(logPosition([1, 100], 1), { lo: 0, hi: 0, w: 0, clamped: false });
  assert.deepEqual(logPosition([1, 100], 0.5), { lo: 0, hi: 0, w: 0, clamped: true });
  assert.deepEqual(logPosition([1, 100], 1000), { lo: 1, hi: 1, w: 0, clamped: true });
  const p = logPosition([16, 256, 4096], 64);
  assert.equal(p.lo, 0);
  close(p.w, 0.5); // log(64/16) / log(256/16) = 2/4
});

test('interpolation is a power law between grid points: geometric means at log midpoints', () => {
  const one = { axes: { x: [1, 100] }, util: [0.01, 1] };
  // util proportional to size (a fixed-time floor) is reproduced exactly: 0.01 at 1, 1 at 100 -> 0.1 at 10.
  close(gridLookup(one, ['x'], [10])!.utilisation, 0.1);
  assert.deepEqual(gridLookup(one, ['x'], [1]), { utilisation: 0.01, clamped: false });
  assert.deepEqual(gridLookup(one, ['x'], [0.001]), { utilisation: 0.01, clamped: true });
  assert.deepEqual(gridLookup(one, ['x'], [1e6]), { utilisation: 1, clamped: true });
  // Two axes, row-major (last fastest): at the log midpoint of both, the fourth root of the four corners' product.
  const two = { axes: { a: [1, 4], b: [10, 1000] }, util: [0.1, 0.4, 0.2, 0.8] };
  close(gridLookup(two, ['a', 'b'], [2, 100])!.utilisation, Math.pow(0.1 * 0.4 * 0.2 * 0.8, 0.25)); // 0.2 x sqrt 2
  close(gridLookup(two, ['a', 'b'], [4, 100])!.utilisation, Math.sqrt(0.2 * 0.8)); // on a grid line: one axis only
  assert.equal(gridLookup(two, ['a', 'b'], [4, 1000])!.utilisation, 0.8);
});

test('an unmeasured corner gives null unless it carries no weight; bad coordinates give null', () => {
  const t = { axes: { a: [1, 2], b: [1, 2] }, util: [0.5, null, 0.25, 0.125] };
  assert.equal(gridLookup(t, ['a', 'b'], [1.5, 1.5]), null);
  close(gridLookup(t, ['a', 'b'], [2, Math.SQRT2])!.utilisation, Math.sqrt(0.25 * 0.125));
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(gridLookup(t, ['a', 'b'], [bad, 1]), null);
});

// Raw rows of the database (ai-dynamo/aiconfigurator at 095f58a51, aic-core/src/aiconfigurator_core/systems/data/...),
// latency in ms, and the utilisation they imply against our H100 SXM datasheet figures.
test('shipped H100 GEMM cells equal roofline / measured latency of the quoted database rows', () => {
  // h100_sxm/gemm/vllm/0.24.0/gemm_perf.parquet: torch.nn.functional.linear bfloat16 m=4096 n=8192 k=8192 latency 0.697748449113634
  const bf16 = (2 * 4096 * 8192 * 8192) / H100.flops_dense.bf16; // compute-bound: 0.556 ms at 989.4 TFLOP/s
  assert.equal(round3(bf16 / (0.697748449113634 / 1000)), 0.796);
  assert.deepEqual(gemmUtilisation('H100-SXM', 'bf16', 4096, 8192, 8192), {
    utilisation: 0.796,
    source: 'measured',
    table: 'H100-SXM gemm bf16',
    clamped: false,
  });
  // same file: CutlassFP8ScaledMMLinearKernel fp8 m=16 n=8192 k=8192 latency 0.0328453348742591 (memory-bound: fp8 weights,
  // fp8 activations in, bf16 out, at 3.35 TB/s)
  const fp8Bytes = 16 * 8192 + 8192 * 8192 + 16 * 8192 * 2;
  assert.equal(round3(fp8Bytes / H100.memory_bandwidth_bytes_per_s / (0.0328453348742591 / 1000)), 0.613);
  assert.equal(gemmUtilisation('H100-SXM', 'fp8', 16, 8192, 8192)!.utilisation, 0.613);
});

test('shipped H100 decode-attention and NCCL cells equal roofline / measured latency of the quoted rows', () => {
  // h100_sxm/attention/vllm/0.24.0/generation_attention_perf.parquet: vllm_flash_attn_fa3 batch 64, isl 1 + step 2047,
  // 64 heads, 8 kv heads, head_dim 128, bf16 KV, latency 0.18775999546051025. Reads 64 x 2048 x 2 x 8 x 128 x 2 B of KV.
  const kvBytes = 64 * 2048 * 2 * 8 * 128 * 2 + 2 * 64 * 64 * 128 * 2;
  assert.equal(round3(kvBytes / H100.memory_bandwidth_bytes_per_s / (0.18775999546051025 / 1000)), 0.857);
  assert.equal(decodeAttentionUtilisation('H100-SXM', 'bf16', 64, 2048, 8)!.utilisation, 0.857);
  // h100_sxm/comm/nccl/2.29.2/nccl_perf.parquet: all_reduce half, 8 GPUs, message_size 2097152 elements (4 MiB),
  // latency 0.05049. Ring: 2 x 7/8 of the message at 450 GB/s per direction (900 GB/s NVLink bidirectional).
  const ring = (((2 * 7) / 8) * 4194304) / (H100.interconnect.bandwidth_bytes_per_s / 2);
  assert.equal(round3(ring / (0.05049 / 1000)), 0.323);
  assert.equal(commUtilisation('H100-SXM', 'ncclAllReduce', 4194304, 8)!.utilisation, 0.323);
});

test('shipped H100 prefill-attention and MoE cells equal roofline / measured latency of the quoted rows', () => {
  // h100_sxm/attention/vllm/0.24.0/context_attention_perf.parquet: vllm_flash_attn_fa3 batch 4, isl 4096, 64 heads,
  // 8 kv heads, head_dim 128, bf16 KV, latency 1.902191956837972. Causal: 2 x 4 x 4096^2 x 64 x 128 FLOPs.
  const flops = 2 * 4 * 4096 * 4096 * 64 * 128;
  assert.equal(round3(flops / H100.flops_dense.bf16 / (1.902191956837972 / 1000)), 0.584);
  assert.equal(prefillAttentionUtilisation('H100-SXM', 4, 4096, 8)!.utilisation, 0.584);
  // h100_sxm/moe/vllm/0.24.0/moe_perf.parquet: vllm_gptossmxfp4moe_triton_oaitritonmxfp4expertsmonolithic w4a16_mxfp4,
  // 64 tokens, hidden 2880, inter 2880, top-4 of 128 experts, tp 1, ep 1, balanced, latency 0.6890933513641357 (gpt-oss-120b's
  // shape, the only one measured at 128 x top-4). Memory-bound: the experts 64 tokens touch, 128 (1 - (1 - 4/128)^64),
  // at 4.25 bits per weight (MXFP4: 4 bits + an 8-bit scale per 32), plus bf16 activations in/out and the hidden 3i per routed token.
  const touched = 128 * (1 - Math.pow(1 - 4 / 128, 64));
  const bytes = touched * 3 * 2880 * 2880 * (0.5 + 1 / 32) + 64 * 2880 * 4 + 64 * 4 * (2880 + 2 * 2880) * 2;
  assert.equal(round3(bytes / H100.memory_bandwidth_bytes_per_s / (0.6890933513641357 / 1000)), 0.639);
  assert.equal(moeUtilisation('H100-SXM', 'mxfp4_w4a16', 64, 128, 4)!.utilisation, 0.639);
});

test('between shipped grid points the lookup is the geometric mean of its neighbours', () => {
  const a = gemmUtilisation('H100-SXM', 'bf16', 2048, 8192, 8192)!.utilisation;
  const b = gemmUtilisation('H100-SXM', 'bf16', 4096, 8192, 8192)!.utilisation;
  close(gemmUtilisation('H100-SXM', 'bf16', Math.sqrt(2048 * 4096), 8192, 8192)!.utilisation, Math.sqrt(a * b));
  const p = prefillAttentionUtilisation('H100-SXM', 1, 2048, 8)!.utilisation;
  const q = prefillAttentionUtilisation('H100-SXM', 1, 4096, 8)!.utilisation;
  close(prefillAttentionUtilisation('H100-SXM', 1, Math.sqrt(2048 * 4096), 8)!.utilisation, Math.sqrt(p * q));
  // Beyond the measured 32768 tokens the 32768 value is held and flagged.
  const edge = gemmUtilisation('H100-SXM', 'bf16', 32768, 8192, 8192)!;
  assert.deepEqual(gemmUtilisation('H100-SXM', 'bf16', 100000, 8192, 8192), { ...edge, clamped: true });
});

test('MoE: the exact (experts, top-k) pair answers unflagged; another pair takes the nearest curve and is flagged', () => {
  const exact = moeUtilisation('H100-SXM', 'bf16', 64, 128, 8)!;
  assert.equal(exact.table, 'H100-SXM moe bf16 128 experts top-8');
  assert.equal(exact.clamped, false);
  const near = moeUtilisation('H100-SXM', 'bf16', 64, 120, 8)!;
  assert.equal(near.table, 'H100-SXM moe bf16 128 experts top-8');
  assert.equal(near.utilisation, exact.utilisation);
  assert.equal(near.clamped, true);
  // gpt-oss (128 experts, top-4, MXFP4 weights, bf16 activations on Hopper) is measured as such.
  assert.equal(moeUtilisation('H100-SXM', 'mxfp4_w4a16', 16, 128, 4)!.table, 'H100-SXM moe mxfp4_w4a16 128 experts top-4');
});

test('attention beyond the measured batch holds the largest measured batch at that length, flagged', () => {
  // Synthetic: batch x length, the (4, 100) cell unmeasured; (4, 100) takes (2, 100), and the log midpoint in length at
  // batch 4 blends 0.5 (batch 4, length 10) with the held 0.2.
  const t = { axes: { batch: [1, 2, 4], length: [10, 100] }, util: [0.1, 0.15, 0.3, 0.2, 0.5, null] };
  assert.equal(gridLookup(t, ['batch', 'length'], [4, 100]), null);
  assert.deepEqual(gridLookup(t, ['batch', 'length'], [4, 100], 0), { utilisation: 0.2, clamped: true });
  close(gridLookup(t, ['batch', 'length'], [4, Math.sqrt(1000)], 0)!.utilisation, Math.sqrt(0.5 * 0.2));
  // Shipped: the H100 decode collector stops at batch 256 with 4 KV heads beyond 1024 cached tokens (256 x 2048 not measured).
  const held = decodeAttentionUtilisation('H100-SXM', 'bf16', 256, 2048, 4)!;
  assert.deepEqual(held, { ...decodeAttentionUtilisation('H100-SXM', 'bf16', 128, 2048, 4)!, clamped: true });
});

test('what was not measured is null, so the caller keeps datasheet x efficiency and says so', () => {
  assert.equal(gemmUtilisation('A10', 'bf16', 64, 4096, 4096), null);
  assert.match(fallbackNote('A10')!, /^A10: no measured operator tables .*datasheet peaks x fixed efficiency used$/);
  assert.equal(fallbackNote('H100-SXM'), null);
  assert.equal(gemmUtilisation('A100-SXM4-80GB', 'fp8', 64, 4096, 4096), null); // A100 has no fp8 tensor cores
  assert.equal(gemmUtilisation('H100-SXM', 'nvfp4', 64, 4096, 4096), null); // no fp4 on Hopper
  assert.equal(moeUtilisation('A100-SXM4-80GB', 'bf16', 64, 128, 8), null); // only power-law routing measured there
  // Collectives: the database has no multi-node rows; GB200 was measured on 2 and 4 GPUs only.
  assert.equal(commUtilisation('H100-SXM', 'ncclAllReduce', 1 << 20, 16), null);
  assert.equal(commUtilisation('GB200', 'ncclAllReduce', 1 << 20, 8), null);
  assert.notEqual(commUtilisation('GB200', 'ncclAllReduce', 1 << 20, 4), null);
  assert.equal(commUtilisation('H100-SXM', 'ncclAllReduce', 1 << 20, 1), null);
});

test('shipped tables: under 1 MB, utilisation in (0, 1], provenance named, peaks equal to the catalog', () => {
  const raw = readFileSync(join(__dirname, '..', '..', 'server', 'src', 'engine', 'operatorTables.json'));
  assert.ok(raw.length < 1_000_000, `${raw.length} bytes`);
  const t = tables as unknown as OperatorTables & { provenance: { repository: string; commit: string; paths: string[] } };
  assert.equal(t.provenance.repository, 'https://github.com/ai-dynamo/aiconfigurator');
  assert.match(t.provenance.commit, /^[0-9a-f]{40}$/);
  assert.ok(t.provenance.paths.includes('aic-core/src/aiconfigurator_core/systems/data/h100_sxm/gemm/vllm/0.24.0/gemm_perf.parquet'));
  assert.deepEqual(measuredGpus().sort(), ['A100-SXM4-80GB', 'B200', 'GB200', 'H100-SXM', 'H200-SXM', 'L40S']);
  let cells = 0;
  const check = (u: (number | null)[]) => {
    for (const x of u) {
      if (x === null) continue;
      cells++;
      assert.ok(x > 0 && x <= 1, String(x));
    }
  };
  for (const [id, g] of Object.entries(t.gpus) as [string, any][]) {
    const c = gpusJson.find((x) => x.id === id);
    assert.equal(g.peaks.bandwidthBytesPerS, c.memory_bandwidth_bytes_per_s, id);
    assert.equal(g.peaks.bf16, c.flops_dense.bf16, id);
    assert.equal(g.peaks.fp8, c.flops_dense.fp8, id);
    for (const fam of ['gemm', 'decodeAttention', 'prefillAttention', 'comm']) for (const tab of Object.values(g[fam] ?? {}) as any[]) if (tab) check(tab.util);
    for (const m of Object.values(g.moe ?? {}) as any[]) for (const cv of m.curves) check(cv.util);
  }
  assert.ok(cells > 10000, String(cells));
});
