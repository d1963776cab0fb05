// Performance physics: roofline, latency, knee, Little's Law, cost, comparison. Expected values are derived here from
// first principles (datasheet numbers, parameter counts, formulas), not copied from the implementation's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GpuSpec } from '../../server/src/engine/hardware';
import { H100_DATASHEET, LLAMA_31_70B_CONFIG } from './sharedFixtures';
import type { ServingInput } from '../../server/src/engine/memory';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { modelFromConfig } from '../../server/src/engine/model';
import { BatchModel, erlangC, kvLimitedConcurrency, sweep, workShape } from '../../server/src/engine/capacity';
import { OpAccumulator, decodeStepTime, perfModelOf, prefillTime } from '../../server/src/engine/latency';
import { distinctExperts, hardwareOf } from '../../server/src/engine/roofline';
import type { PerformanceResult, SloInput, WorkloadInput } from '../../server/src/engine/performance';
import { latencySpecOf, sizePerformance } from '../../server/src/engine/performance';
import { compareHardware } from '../../server/src/engine/compare';
import { LATENCY_FIT } from '../../server/src/engine/closedLoop';

// ---- Fixtures: H100 SXM datasheet numbers and HF config fields written out.
const H100: GpuSpec = H100_DATASHEET;
const ETA_M = 0.9;
const ETA_C = 0.81;

const llama70bConfig = LLAMA_31_70B_CONFIG;
const llama8bConfig = { ...llama70bConfig, hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32 };
const mixtralConfig = {
  model_type: 'mixtral',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  vocab_size: 32000,
  max_position_embeddings: 32768,
  num_local_experts: 8,
  num_experts_per_tok: 2,
  torch_dtype: 'bfloat16',
};
const llama70b = modelFromConfig('test/llama-3.1-70b', llama70bConfig);
const llama8b = modelFromConfig('test/llama-3.1-8b', llama8bConfig);
const mixtral = modelFromConfig('test/mixtral-8x7b', mixtralConfig);

const serving = (o: Partial<ServingInput> = {}): ServingInput => ({ ...defaultServing(), maxModelLen: 8192, ...o });
const wl = (o: Partial<WorkloadInput> = {}): WorkloadInput => ({
  requestsPerSecond: null,
  inputTokens: 1024,
  outputTokens: 256,
  concurrency: null,
  prefixCacheHitRate: 0,
  ...o,
});
const noSlo: SloInput = { ttftMs: null, tpotMs: null };

function allFinite(x: unknown, path = 'result'): string[] {
  if (typeof x === 'number') return Number.isFinite(x) ? [] : [path];
  if (Array.isArray(x)) return x.flatMap((v, i) => allFinite(v, `${path}[${i}]`));
  if (x && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => allFinite(v, `${path}.${k}`));
  return [];
}

const within = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} not within ${rel * 100}% of ${expected}`);

// ---- Roofline basics.

test('ridge point is peak / bandwidth for the compute dtype (bf16, and fp8 for fp8 weights)', () => {
  const mem = sizeMemory(llama8b, H100, serving());
  const r = sizePerformance(llama8b, H100, mem, wl({ concurrency: 1 }), noSlo, null);
  assert.equal(r.performance.compute_dtype, 'bf16');
  within(r.performance.ridge_point_flop_per_byte, 989.4e12 / 3.35e12, 1e-9, 'bf16 ridge');
  const mem8 = sizeMemory(llama8b, H100, serving({ quantization: 'fp8' }));
  const r8 = sizePerformance(llama8b, H100, mem8, wl({ concurrency: 1 }), noSlo, null);
  assert.equal(r8.performance.compute_dtype, 'fp8');
  within(r8.performance.ridge_point_flop_per_byte, 1978.9e12 / 3.35e12, 1e-9, 'fp8 ridge');
  // 4-bit weight-only: reads 4-bit weights, computes in 16 bits.
  const awq = modelFromConfig('test/awq', { ...llama8bConfig, quantization_config: { quant_method: 'awq', bits: 4, group_size: 128 } });
  const rA = sizePerformance(awq, H100, sizeMemory(awq, H100, serving()), wl({ concurrency: 1 }), noSlo, null);
  assert.equal(rA.performance.compute_dtype, 'bf16');
});

test('decode of a 70B bf16 model at B=1 on one H100 is weight-bandwidth-bound at weight_bytes / (3.35e12 x eta)', () => {
  const mem = sizeMemory(llama70b, H100, serving());
  assert.equal(mem.startup.ok, false, '141 GB of bf16 weights cannot start on 80 GB');
  // Parameters read per decode step: every matmul weight (not the embedding table, which is gathered by row).
  const h = 8192,
    L = 80,
    f = 28672,
    V = 128256,
    q = 64 * 128,
    kv = 8 * 128;
  const matmulParams = L * (h * q + 2 * h * kv + q * h + 3 * h * f) + V * h;
  const expected = (matmulParams * 2) / (3.35e12 * ETA_M);
  const r = sizePerformance(llama70b, H100, mem, wl({ inputTokens: 1, outputTokens: 1, concurrency: 1 }), noSlo, null);
  const dec = r.performance.operators.filter((o) => o.phase === 'decode');
  for (const name of ['qkv_o_proj', 'mlp', 'lm_head']) assert.equal(dec.find((o) => o.name === name)?.bound, 'memory', name);
  const linearMs = dec.filter((o) => ['qkv_o_proj', 'mlp', 'lm_head'].includes(o.name)).reduce((a, o) => a + o.time_ms, 0);
  within(linearMs / 1e3, expected, 1e-6, 'weight-read time');
  // Whole TPOT: the roofline step (weight read plus the stated floors, kernels x 5 us, a few percent) scaled and
  // topped up by vLLM's fitted step costs (engine/latencyFit.json): per step, per layer, per request, per output token.
  const floorMs = (L * 9 + 3) * 5e-3;
  const k = LATENCY_FIT.engines.vllm.coefficients;
  const roofMs = r.performance.decode.time_ms;
  within(roofMs, expected * 1e3 + floorMs, 0.01, 'roofline decode step');
  within(
    r.performance.tpot_ms,
    k.decode_scale * roofMs + 1e3 * (k.per_step_s + L * k.per_layer_step_s + k.per_request_step_s + k.per_output_token_s),
    1e-9,
    'TPOT',
  );
  assert.equal(r.performance.load_model, 'single-stream');
  assert.equal(r.capacity.meets_slo, false);
  assert.ok(r.capacity.reasons[0].startsWith('does not start'));
  assert.deepEqual(allFinite(r), []);
});

test('prefill intensity of dense linear layers is P, decode intensity is B (16-bit weights)', () => {
  const mem = sizeMemory(llama8b, H100, serving());
  const pm = perfModelOf(llama8b, mem, hardwareOf(H100, mem, null));
  for (const P of [64, 512, 4096]) {
    const acc = new OpAccumulator();
    prefillTime(pm, P, 0, 0, 0, acc);
    for (const row of acc.rows('prefill').filter((r) => r.name === 'qkv_o_proj' || r.name === 'mlp'))
      within(row.intensity, P, 1e-9, `prefill ${row.name} P=${P}`);
  }
  for (const B of [1, 8, 64, 256]) {
    const acc = new OpAccumulator();
    decodeStepTime(pm, B, 1000, acc);
    for (const row of acc.rows('decode').filter((r) => r.name === 'qkv_o_proj' || r.name === 'mlp'))
      within(row.intensity, B, 1e-9, `decode ${row.name} B=${B}`);
    // Attention never amortizes: ~ 4 x H x d FLOPs per (2 x Hkv x d x 2 bytes) of KV = H/Hkv = 4 FLOP/byte at most.
    const attn = acc.rows('decode').find((r) => r.name === 'attention')!;
    assert.ok(attn.intensity < 4 && attn.bound === 'memory', `attention intensity ${attn.intensity}`);
  }
  // Prefill of a long prompt is compute-bound; decode at B=1 memory-bound.
  const r = sizePerformance(llama8b, H100, mem, wl({ inputTokens: 4096, concurrency: 1 }), noSlo, null);
  assert.equal(r.performance.prefill.bound, 'compute');
  assert.equal(r.performance.decode.bound, 'memory');
  // Prefill time of 4096 tokens ~ 2 x params x P / (989.4e12 x 0.81) (+ attention, + floors).
  const params = 32 * (4096 * 4096 * 2 + 2 * 4096 * 1024 + 3 * 4096 * 14336);
  const linear = (2 * params * 4096) / (989.4e12 * ETA_C);
  assert.ok(
    r.performance.prefill.time_ms / 1e3 > linear && r.performance.prefill.time_ms / 1e3 < linear * 1.25,
    `prefill ${r.performance.prefill.time_ms} ms vs linear ${linear * 1e3} ms`,
  );
});

test('MoE decode reads E(1-(1-k/E)^B) experts per layer', () => {
  assert.equal(distinctExperts(8, 2, 1), 2);
  within(distinctExperts(8, 2, 4), 8 * (1 - 0.75 ** 4), 1e-12, 'E=8 k=2 B=4');
  within(distinctExperts(128, 8, 16), 128 * (1 - (1 - 8 / 128) ** 16), 1e-12, 'E=128 k=8 B=16');
  assert.ok(distinctExperts(8, 2, 1000) > 7.999999);
  assert.equal(distinctExperts(8, 2, 0), 0);
  const mem = sizeMemory(mixtral, H100, serving({ tp: 2 }));
  const pm = perfModelOf(mixtral, mem, hardwareOf(H100, mem, null));
  const expertBytes = mem.ranks[0].byComponent.experts;
  const routerBytes = mem.ranks[0].byComponent.router;
  for (const B of [1, 3, 16]) {
    const acc = new OpAccumulator();
    decodeStepTime(pm, B, 500, acc);
    const row = acc.rows('decode').find((r) => r.name === 'experts')!;
    within(row.bytes, (expertBytes * distinctExperts(8, 2, B)) / 8 + routerBytes, 1e-9, `expert bytes at B=${B}`);
    // FLOPs use active parameters: k of E experts, 3 x h x f each, per token, split over tp=2.
    within(row.flops, (2 * B * 32 * 2 * 3 * 4096 * 14336) / 2, 1e-9, `expert FLOPs at B=${B}`);
  }
});

test('tensor parallel all-reduce: twice per layer, ring 2(tp-1)/tp of tokens x hidden x 2 bytes over half the NVLink figure + 8 us', () => {
  const mem = sizeMemory(llama8b, H100, serving({ tp: 4 }));
  // The datasheet path (vLLM's fit runs on measured utilisation, whose all-reduce is the measured curve instead).
  const pm = perfModelOf(llama8b, mem, hardwareOf(H100, mem, null), { measuredUtilisation: false });
  const acc = new OpAccumulator();
  const B = 32;
  decodeStepTime(pm, B, 100, acc);
  const row = acc.rows('decode').find((r) => r.name === 'tp_allreduce')!;
  const per = 8e-6 + ((2 * 3) / 4) * ((B * 4096 * 2) / 450e9);
  within(row.time_ms / 1e3, 2 * 32 * per, 1e-9, 'all-reduce time');
  assert.equal(row.bound, 'communication');
});

test("Little's Law: L = lambda x W, replicas = ceil(L / per-replica capacity), utilization = L / (R x capacity)", () => {
  const mem = sizeMemory(llama8b, H100, serving());
  const w = wl({ requestsPerSecond: 40, inputTokens: 1000, outputTokens: 200 });
  const slo: SloInput = { ttftMs: null, tpotMs: 40 };
  const r = sizePerformance(llama8b, H100, mem, w, slo, 2);
  const c = r.capacity;
  const pm = perfModelOf(llama8b, mem, hardwareOf(H100, mem, null));
  // The engine's own latency model: vLLM's scheduler and fitted step costs, open loop (Poisson arrivals).
  const bm = new BatchModel(pm, workShape(1000, 200, 0), latencySpecOf(llama8b, mem, workShape(1000, 200, 0), true));
  assert.equal(r.performance.load_model, 'open-loop');
  const cap = c.concurrency_per_replica;
  assert.ok(cap >= 1 && cap <= mem.serving.maxNumSeqs);
  assert.ok(
    bm.tpot(cap) * 1e3 <= 40 && (cap === c.max_num_seqs || cap === Math.floor(c.kv_limited_concurrency) || bm.tpot(cap + 1) * 1e3 > 40),
    'capacity is the SLO batch',
  );
  const Wcap = bm.ttft(cap) + 200 * bm.tpot(cap);
  assert.equal(c.replicas_needed, Math.ceil((40 * Wcap) / cap));
  // At the operating batch: B = L / R with L = lambda x W(B).
  const B = r.performance.batch;
  const W = bm.ttft(Math.max(1, B)) + 200 * bm.tpot(Math.max(1, B));
  within(c.concurrency_needed, 40 * W, 1e-9, 'L = lambda W');
  within(B, c.concurrency_needed / c.replicas_needed, 1e-6, 'B = L / R');
  within(c.utilization, c.concurrency_needed / (c.replicas_needed * cap), 1e-9, 'utilization');
  within(r.performance.tpot_ms, bm.tpot(B) * 1e3, 1e-9, 'TPOT at the operating batch');
  // Cost: GPUs x $/h / output tokens per hour.
  within(r.cost.usd_per_million_output_tokens, ((c.replicas_needed * 2) / (40 * 200 * 3600)) * 1e6, 1e-9, '$/Mtok output');
  within(r.cost.usd_per_million_tokens, ((c.replicas_needed * 2) / (40 * 1200 * 3600)) * 1e6, 1e-9, '$/Mtok all tokens');
  assert.ok(r.cost.mfu > 0 && r.cost.mfu < 1);
  // Concurrency given: replicas = ceil(concurrency / capacity); single stream = B of 1.
  const r2 = sizePerformance(llama8b, H100, mem, wl({ concurrency: 3 * cap + 1, inputTokens: 1000, outputTokens: 200 }), slo, 2);
  assert.equal(r2.capacity.replicas_needed, 4);
  const r1 = sizePerformance(llama8b, H100, mem, wl({ concurrency: 1 }), noSlo, null);
  assert.equal(r1.performance.batch, 1);
  assert.equal(r1.performance.batch_source, 'workload.concurrency');
  // Queueing: Erlang C is 0 with no load, 1 at saturation, and in between otherwise.
  assert.equal(erlangC(10, 0), 0);
  assert.equal(erlangC(10, 10), 1);
  within(erlangC(1, 0.5), 0.5, 1e-12, 'M/M/1 wait probability = rho');
});

test('rates beyond what the deployed replicas serve are flagged as unbounded queues', () => {
  const mem = sizeMemory(llama8b, H100, serving());
  const r = sizePerformance(llama8b, H100, mem, wl({ requestsPerSecond: 1000 }), noSlo, null);
  assert.equal(r.capacity.queue_unbounded, true);
  assert.ok(r.capacity.replicas_needed > 1);
  assert.ok(r.performance.notes.some((n) => n.includes('without bound')));
});

test('the knee moves right when memory bandwidth rises (fixed per-kernel and link floors stop shrinking)', () => {
  const fast: GpuSpec = { ...H100, id: 'fast-hbm', memoryBandwidth: 2 * 3.35e12 };
  const w = wl({ inputTokens: 1024, outputTokens: 1024, concurrency: 1 });
  const k1 = sizePerformance(llama8b, H100, sizeMemory(llama8b, H100, serving()), w, noSlo, null).performance;
  const k2 = sizePerformance(llama8b, fast, sizeMemory(llama8b, fast, serving()), w, noSlo, null).performance;
  assert.ok(k1.knee_batch > 1 && k1.knee_batch < k1.max_batch, `knee ${k1.knee_batch} inside the sweep ${k1.max_batch}`);
  // The roofline alone (the bare BatchModel): the fitted per-request step cost does not shrink with bandwidth either,
  // so the engine's own knee may move either way; the physics claim is about the roofline's fixed floors.
  const memS = sizeMemory(llama8b, H100, serving());
  const memF = sizeMemory(llama8b, fast, serving());
  const shape = workShape(1024, 1024, 0);
  const bare1 = sweep(new BatchModel(perfModelOf(llama8b, memS, hardwareOf(H100, memS, null)), shape), k1.max_batch, null, null).knee;
  const bare2 = sweep(new BatchModel(perfModelOf(llama8b, memF, hardwareOf(fast, memF, null)), shape), k2.max_batch, null, null).knee;
  assert.ok(bare2 > bare1, `roofline knee ${bare2} at 6.7 TB/s vs ${bare1} at 3.35 TB/s`);
  // The curve is sane: TPOT rises with B, throughput rises then flattens.
  const c = k1.curve;
  for (let i = 1; i < c.length; i++) assert.ok(c[i].tpot_ms >= c[i - 1].tpot_ms, 'TPOT non-decreasing');
  assert.ok(c[c.length - 1].throughput_tokens_per_s > 5 * c[0].throughput_tokens_per_s);
  assert.match(k1.knee_rule, /10%/);
});

test('KV-limited concurrency = num_blocks / cdiv(context, block_size)', () => {
  const mem = sizeMemory(llama8b, H100, serving());
  assert.equal(kvLimitedConcurrency(llama8b, mem, 1000), mem.kv.numBlocks / Math.ceil(1000 / 16));
  const r = sizePerformance(llama8b, H100, mem, wl({ inputTokens: 6000, outputTokens: 2000, concurrency: 1 }), noSlo, null);
  assert.equal(r.performance.max_batch, Math.min(mem.serving.maxNumSeqs, Math.floor(mem.kv.numBlocks / Math.ceil(7000 / 16))));
});

test('absurd workloads and SLOs give finite results and clear reasons', () => {
  const mem = sizeMemory(llama8b, H100, serving());
  const cases: Array<[WorkloadInput, SloInput]> = [
    [wl({ requestsPerSecond: 0 }), noSlo],
    [wl({ requestsPerSecond: -5, concurrency: -1 }), noSlo],
    [wl({ requestsPerSecond: Number.NaN, inputTokens: -10, outputTokens: 0 }), noSlo],
    [wl({ requestsPerSecond: Number.POSITIVE_INFINITY, prefixCacheHitRate: 7 }), noSlo],
    [wl({ requestsPerSecond: 1e12 }), { ttftMs: 0.001, tpotMs: 0.001 }],
    [wl({ inputTokens: 1e9, outputTokens: 1e9, concurrency: 1e9 }), { ttftMs: -1, tpotMs: -1 }],
  ];
  for (const [w, s] of cases) {
    const r: PerformanceResult = sizePerformance(llama8b, H100, mem, w, s, null);
    assert.deepEqual(allFinite(r), [], JSON.stringify(w));
  }
  // 1e308 req/s: rate x time overflowed to 'until Infinity replicas run' (found by npm run fuzz); sized at 1e9 req/s.
  const flood = sizePerformance(llama8b, H100, mem, wl({ requestsPerSecond: 1e308 }), noSlo, null);
  const at1e9 = sizePerformance(llama8b, H100, mem, wl({ requestsPerSecond: 1e9 }), noSlo, null);
  assert.doesNotMatch(JSON.stringify(flood), /Infinity|NaN/);
  assert.ok(flood.performance.notes.includes('requests_per_second 1e+308 is above 1e+9 req/s: sized at 1e+9'), flood.performance.notes.join('; '));
  assert.equal(flood.capacity.replicas_needed, at1e9.capacity.replicas_needed);
  assert.ok(Number.isSafeInteger(flood.capacity.replicas_needed) && flood.capacity.replicas_needed > 1e6);
  const unreachable = sizePerformance(llama8b, H100, mem, wl({ requestsPerSecond: 5 }), { ttftMs: 1, tpotMs: 0.5 }, null);
  assert.equal(unreachable.capacity.meets_slo, false);
  assert.ok(unreachable.capacity.reasons.some((x) => x.includes('TPOT at batch 1')));
  // Zero KV blocks: the engine would not start; still finite, with a reason.
  const starved = sizeMemory(llama8b, H100, serving({ gpuMemoryUtilization: 0.2 }));
  assert.equal(starved.kv.numBlocks, 0);
  const z = sizePerformance(llama8b, H100, starved, wl({ requestsPerSecond: 10 }), { ttftMs: 500, tpotMs: 50 }, 2);
  assert.deepEqual(allFinite(z), []);
  assert.equal(z.capacity.meets_slo, false);
  assert.equal(z.capacity.concurrency_per_replica, 0);
  assert.ok(z.capacity.reasons.length > 0);
  // A GPU with no FLOP figures, no bandwidth, no price and no interconnect figure.
  const bare: GpuSpec = { ...H100, id: 'bare', flopsDense: {}, interconnect: { kind: 'pcie', bandwidth: null, pcieBandwidth: null }, priceUsdPerHour: 0 };
  const b = sizePerformance(
    llama8b,
    bare,
    sizeMemory(llama8b, { ...bare, flopsDense: { bf16: 1 } }, serving({ tp: 2 })),
    wl({ requestsPerSecond: 1 }),
    noSlo,
    null,
  );
  assert.deepEqual(allFinite(b), []);
  assert.equal(b.cost.usd_per_million_output_tokens, 0);
});

test('disaggregation: prefill pool by prompt compute, decode pool by KV and bandwidth', () => {
  const mem = sizeMemory(llama8b, H100, serving());
  const r = sizePerformance(llama8b, H100, mem, wl({ requestsPerSecond: 20, inputTokens: 4000, outputTokens: 300 }), { ttftMs: null, tpotMs: 50 }, null);
  const d = r.disaggregation;
  assert.ok(d.prefill_gpus >= 1 && d.decode_gpus >= 1);
  assert.equal(d.prefill_replicas, Math.ceil((20 * 4000) / d.prefill_tokens_per_s_per_replica));
  assert.equal(d.decode_replicas, Math.ceil((20 * 300 * d.decode_tpot_ms) / 1e3 / d.decode_batch));
  assert.equal(d.colocated_gpus, r.capacity.replicas_needed);
  assert.match(d.ratio, /^\d+:\d+$/);
});

test('compareHardware ranks fitting, SLO-meeting configurations by $/Mtok and explains the others', () => {
  const slow: GpuSpec = {
    ...H100,
    id: 'slow-24g',
    name: 'slow 24 GB',
    memoryBytes: 24e9,
    memoryBandwidth: 0.3e12,
    flopsDense: { bf16: 120e12, fp16: 120e12 },
    interconnect: { kind: 'pcie', bandwidth: 64e9, pcieBandwidth: 64e9 },
    priceUsdPerHour: 0.5,
  };
  const rows = compareHardware(llama70b, [H100, slow], serving(), wl({ requestsPerSecond: 2 }), { ttftMs: 2000, tpotMs: 60 }, (g, s) =>
    sizeMemory(llama70b, g, s),
  );
  assert.ok(rows.length >= 6);
  assert.deepEqual(allFinite(rows), []);
  const ok = rows.filter((r) => r.meets_slo);
  assert.ok(ok.length >= 1);
  for (let i = 1; i < ok.length; i++) assert.ok(ok[i].usd_per_million_output_tokens >= ok[i - 1].usd_per_million_output_tokens);
  assert.ok(rows.indexOf(ok[ok.length - 1]) < rows.findIndex((r) => !r.meets_slo), 'SLO-meeting rows first');
  const h100tp1 = rows.find((r) => r.gpu === 'H100-SXM' && r.tp === 1)!;
  assert.equal(h100tp1.fits, false);
  assert.match(h100tp1.why, /exceed/);
  for (const r of rows.filter((x) => !x.meets_slo)) assert.ok(r.why.length > 0, `${r.gpu} tp${r.tp} has a reason`);
  assert.deepEqual(
    rows.map((r) => r.rank),
    rows.map((_, i) => i + 1),
  );
  assert.equal(ok[0].gpus, ok[0].replicas_needed * ok[0].tp);
});

// ---- Roofline data for the report's charts (issue 6): ceilings per dtype, decode points along the batch curve, SLO.

test('detailed report: every curve point carries the decode step roofline point derived from weights, KV and the datasheet', () => {
  const mem = sizeMemory(llama8b, H100, serving());
  const slo: SloInput = { ttftMs: 800, tpotMs: 40 };
  const r = sizePerformance(llama8b, H100, mem, wl({ requestsPerSecond: 10 }), slo, null);
  const p = r.performance;
  // One dense roof per dtype H100 lists (fp4 is null), fastest first.
  assert.deepEqual(p.ceilings, [
    { dtype: 'fp8', flop_per_s: 1978.9e12 },
    { dtype: 'int8', flop_per_s: 1978.9e12 },
    { dtype: 'bf16', flop_per_s: 989.4e12 },
    { dtype: 'fp16', flop_per_s: 989.4e12 },
    { dtype: 'tf32', flop_per_s: 494.7e12 },
    { dtype: 'fp32', flop_per_s: 67e12 },
  ]);
  assert.equal(p.slo_tpot_ms, 40);
  assert.equal(p.slo_ttft_ms, 800);
  // A decode step of B sequences at context C = 1024 + 256/2 on one H100, bf16: linear layers read their weights once
  // (2 bytes per parameter) and do 2 FLOPs per parameter per token; attention does 4 x H x d FLOPs per context token
  // per layer and reads 2 x Hkv x d x 2 bytes per context token per layer, plus the new token's KV written.
  const h = 4096,
    L = 32,
    f = 14336,
    V = 128256,
    H = 32,
    Hkv = 8,
    d = 128,
    C = 1024 + 128;
  const linearParams = L * (h * H * d + 2 * h * Hkv * d + H * d * h + 3 * h * f) + V * h;
  const kvPerTokenLayer = 2 * Hkv * d * 2;
  const flopsAt = (B: number) => 2 * linearParams * B + 4 * H * d * B * L * C;
  const bytesAt = (B: number) => 2 * linearParams + kvPerTokenLayer * (B * L * C + B * L);
  // Below B ~ 266 every operator is memory-bound at 3.35 TB/s x 0.9 vs 989.4 TFLOP/s x 0.81: time = bytes / (BW x eta)
  // plus the launch floor of (32 x 9 + 3) kernels x 5 us.
  const timeAt = (B: number) => bytesAt(B) / (3.35e12 * ETA_M) + (L * 9 + 3) * 5e-6;
  const byBatch = new Map(p.curve.map((c) => [c.batch, c]));
  for (const B of [1, 2, 8, 16]) {
    const c = byBatch.get(B);
    assert.ok(c, `curve sample at batch ${B}`);
    within(c.intensity, flopsAt(B) / bytesAt(B), 1e-9, `intensity at B=${B}`);
    within(c.flop_per_s, flopsAt(B) / timeAt(B), 1e-9, `FLOP/s at B=${B}`);
  }
  // The point moves with the batch: more FLOPs per byte read and more FLOP/s as B grows.
  const pts = p.curve.map((c) => [c.intensity, c.flop_per_s]);
  for (let i = 1; i < pts.length; i++) assert.ok(pts[i][0] > pts[i - 1][0] && pts[i][1] > pts[i - 1][1], `curve point ${i} does not move up and right`);
  // performance.decode is the same step at the operating batch: its point is flops / time.
  within(p.decode.flop_per_s, p.decode.flops / (p.decode.time_ms / 1e3), 1e-12, 'decode FLOP/s');
  within(p.prefill.flop_per_s, p.prefill.flops / (p.prefill.time_ms / 1e3), 1e-12, 'prefill FLOP/s');
  // Without an SLO both are null; the lean path (detail false) leaves the chart-only ceilings and curve out.
  const none = sizePerformance(llama8b, H100, mem, wl({ requestsPerSecond: 10 }), noSlo, null, { detail: false }).performance;
  assert.equal(none.slo_tpot_ms, null);
  assert.equal(none.slo_ttft_ms, null);
  assert.deepEqual(none.ceilings, []);
  assert.deepEqual(none.curve, []);
  assert.equal(sizePerformance(llama8b, H100, mem, wl({ requestsPerSecond: 10 }), { ttftMs: null, tpotMs: Infinity }, null).performance.slo_tpot_ms, null);
});

test('step time without an accumulator (the sweep path) equals step time with one, bit for bit', () => {
  const cases: [ReturnType<typeof modelFromConfig>, Partial<ServingInput>][] = [
    [llama8b, {}],
    [llama8b, { tp: 4 }],
    [llama70b, { tp: 4, pp: 2 }],
    [mixtral, { tp: 2 }],
    [mixtral, { tp: 2, dp: 2, expertParallel: true }],
  ];
  for (const [m, o] of cases) {
    const mem = sizeMemory(m, H100, serving(o));
    const pm = perfModelOf(m, mem, hardwareOf(H100, mem, null));
    for (const B of [1, 7, 64, 300]) {
      for (const P of [0, 1, 900, 20000]) {
        const with1 = prefillTime(pm, P, 100, B - 1, 2000, new OpAccumulator());
        assert.equal(prefillTime(pm, P, 100, B - 1, 2000), with1, `${m.id} ${JSON.stringify(o)} prefill P=${P} B=${B}`);
      }
      assert.equal(decodeStepTime(pm, B, 1500), decodeStepTime(pm, B, 1500, new OpAccumulator()), `${m.id} ${JSON.stringify(o)} decode B=${B}`);
    }
  }
});

test("batch evaluations are remembered per model: two models used in turn never see each other's values", () => {
  const slow: GpuSpec = { ...H100, id: 'slow', memoryBandwidth: 1e12 };
  const memA = sizeMemory(llama8b, H100, serving());
  const memB = sizeMemory(llama8b, slow, serving());
  const shape = workShape(1000, 200, 0);
  const a = new BatchModel(perfModelOf(llama8b, memA, hardwareOf(H100, memA, null)), shape);
  const b = new BatchModel(perfModelOf(llama8b, memB, hardwareOf(slow, memB, null)), shape);
  const batches = [1, 2, 16, 37, 1024, 1025, 2.5];
  const got: number[][] = [];
  for (let round = 0; round < 2; round++) for (const x of batches) got.push([a.tpot(x), b.tpot(x), a.ttft(x), b.ttft(x)]);
  // The same batches on models that did nothing else (each a fresh cache), and the step functions directly.
  const freshA = new BatchModel(perfModelOf(llama8b, memA, hardwareOf(H100, memA, null)), shape);
  const freshB = new BatchModel(perfModelOf(llama8b, memB, hardwareOf(slow, memB, null)), shape);
  batches.forEach((x, i) => {
    const want = [freshA.tpot(x), freshB.tpot(x), freshA.ttft(x), freshB.ttft(x)];
    assert.deepEqual(got[i], want, `batch ${x}, first round`);
    assert.deepEqual(got[i + batches.length], want, `batch ${x}, second round (remembered)`);
    assert.ok(want[0] < want[1], `the slower GPU has the longer TPOT at batch ${x}`);
  });
  assert.equal(a.ttft(4), prefillTime(a.pm, 1000, 0, 3, shape.context));
});
