// First principles of the latency-under-load model (server/src/engine/closedLoop.ts): one client is the single stream,
// more clients never make the first token come sooner, clients beyond the slots obey Little's Law, and the report says
// which load model it used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog';
import { workShape } from '../../server/src/engine/capacity';
import {
  COEF_NAMES,
  LATENCY_FIT,
  NCOEF,
  UNFITTED,
  allToAllsOf,
  coefficientsOf,
  latencyAt,
  loadFeatures,
  newFeatures,
  routedPerTokenOf,
  schedulerOf,
} from '../../server/src/engine/closedLoop';
import { perfModelOf, scratchLoad, stepTime } from '../../server/src/engine/latency';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { sizePerformance } from '../../server/src/engine/performance';
import type { WorkloadInput } from '../../server/src/engine/performance';
import { hardwareOf } from '../../server/src/engine/roofline';

const cat = builtinCatalog();
const llama = cat.resolveModel('meta-llama/Llama-3.1-70B-Instruct')!.arch;
const H100 = cat.resolveGpu('H100-SXM')!;
const mem = sizeMemory(llama, H100, { ...defaultServing(), tp: 4, quantization: 'fp8', maxModelLen: 8192 });
const pm = perfModelOf(llama, mem, hardwareOf(H100, mem, null));
const fit = coefficientsOf('vllm');
const k = LATENCY_FIT.engines.vllm.coefficients;
const wl = (o: Partial<WorkloadInput>): WorkloadInput => ({
  requestsPerSecond: null,
  inputTokens: 1024,
  outputTokens: 256,
  concurrency: null,
  prefixCacheHitRate: 0,
  ...o,
});
const near = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);

test('one client is the single stream: TTFT = the bare prompt step, TPOT = one decode step, each with the fitted costs', () => {
  const w = workShape(1024, 256, 0);
  const f = newFeatures();
  for (const phi of [0, 0.5, 1]) {
    const r = latencyAt(pm, w, 1, 64, 'mixed', phi, fit.coef, f);
    const prefill = stepTime(pm, scratchLoad(0, w.context, 1024, 512, 1024, 1));
    const decode = stepTime(pm, scratchLoad(1, w.context, 0, 0, 0, 1));
    const perStep = k.per_step_s + 80 * k.per_layer_step_s + k.per_request_step_s;
    // The prompt step's weight read (one token's decode step at no context) at the decode scale, the rest at the prompt scale.
    const weightRead = stepTime(pm, scratchLoad(1, 0, 0, 0, 0, 1));
    near(r.ttft, k.decode_scale * weightRead + k.prefill_scale * (prefill - weightRead) + perStep + k.per_request_api_s, 1e-12, `TTFT at phi ${phi}`);
    near(r.tpot, k.decode_scale * decode + perStep + k.per_output_token_s, 1e-12, `TPOT at phi ${phi}`);
  }
  // The report calls it single-stream and prints those numbers.
  const rep = sizePerformance(llama, H100, mem, wl({ concurrency: 1 }), { ttftMs: null, tpotMs: null }, null);
  assert.equal(rep.performance.load_model, 'single-stream');
  near(rep.performance.tpot_ms, latencyAt(pm, workShape(1024, 256, 0), 1, 64, 'mixed', fit.phi, fit.coef, f).tpot * 1e3, 1e-12, 'report TPOT');
});

test('TTFT and TPOT never fall as closed-loop clients are added (both schedulers)', () => {
  const f = newFeatures();
  for (const sched of ['mixed', 'separate'] as const) {
    for (const [P, O] of [
      [1024, 1024],
      [8192, 1024],
      [1024, 8192],
      [20000, 200],
    ]) {
      const w = workShape(P, O, 0);
      let last = { ttft: 0, tpot: 0 };
      for (let c = 1; c <= 512; c *= 2) {
        const r = latencyAt(pm, w, c, 256, sched, 0.3, fit.coef, f);
        assert.ok(r.ttft >= last.ttft * (1 - 1e-12), `${sched} ${P}/${O}: TTFT at ${c} clients ${r.ttft} < ${last.ttft}`);
        assert.ok(r.tpot >= last.tpot * (1 - 1e-12), `${sched} ${P}/${O}: TPOT at ${c} clients ${r.tpot} < ${last.tpot}`);
        assert.ok(Number.isFinite(r.ttft) && Number.isFinite(r.tpot));
        last = r;
      }
    }
  }
});

test("clients beyond the slots wait for one, as Little's Law says: C / (TTFT + (O-1) TPOT) = slots / the running cycle", () => {
  const w = workShape(2048, 512, 0);
  const f = newFeatures();
  const slots = 40;
  const run = latencyAt(pm, w, slots, slots, 'mixed', 0.2, fit.coef, f);
  const runX = slots / (run.ttft + 511 * run.tpot);
  for (const c of [41, 64, 100, 400]) {
    const r = latencyAt(pm, w, c, slots, 'mixed', 0.2, fit.coef, f);
    near(r.tpot, run.tpot, 1e-12, `TPOT at ${c} clients is that of the ${slots} running`);
    near(c / (r.ttft + 511 * r.tpot), runX, 1e-12, `throughput at ${c} clients`);
  }
});

test('the first wave of a closed loop adds to TTFT; open-loop arrivals have none', () => {
  const w = workShape(4096, 256, 0);
  const f = newFeatures();
  const open = latencyAt(pm, w, 64, 256, 'mixed', 0, fit.coef, f);
  const wave = latencyAt(pm, w, 64, 256, 'mixed', 1, fit.coef, f);
  assert.ok(wave.ttft > open.ttft, `${wave.ttft} > ${open.ttft}`);
  assert.equal(wave.tpot, open.tpot);
  const rps = sizePerformance(llama, H100, mem, wl({ requestsPerSecond: 2 }), { ttftMs: null, tpotMs: null }, null);
  assert.equal(rps.performance.load_model, 'open-loop');
  const conc = sizePerformance(llama, H100, mem, wl({ concurrency: 32 }), { ttftMs: null, tpotMs: null }, null);
  assert.equal(conc.performance.load_model, 'closed-loop');
  near(
    conc.performance.ttft_ms,
    latencyAt(pm, workShape(1024, 256, 0), 32, 1e9, 'mixed', fit.phi, fit.coef, f).ttft * 1e3,
    1e-9,
    'closed-loop TTFT in the report',
  );
});

test('SGLang stalls decodes for prompt batches, vLLM V1 mixes them: prompts cost decoders more under SGLang', () => {
  assert.equal(schedulerOf('sglang', true), 'separate');
  assert.equal(schedulerOf('vllm', true), 'mixed');
  assert.equal(schedulerOf('vllm', false), 'separate');
  assert.equal(schedulerOf('trtllm', true), 'mixed');
  const w = workShape(8192, 512, 0);
  const f = newFeatures();
  const roofOnly = UNFITTED;
  const mixed = latencyAt(pm, w, 32, 256, 'mixed', 0, roofOnly, f);
  const separate = latencyAt(pm, w, 32, 256, 'separate', 0, roofOnly, f);
  assert.ok(separate.tpot > mixed.tpot, `${separate.tpot} > ${mixed.tpot}`);
  // An engine without a fit uses the bare roofline and says so.
  assert.equal(coefficientsOf('no-such-engine').fitted, false);
});

test('routing and all-to-all counts: top-k assignments per token over the expert-parallel group, two all-to-alls per MoE layer across ranks', () => {
  // Qwen3-30B-A3B: 48 layers, every one MoE, top-8 of 128 experts (its config.json).
  const qwen = cat.resolveModel('Qwen/Qwen3-30B-A3B')!.arch;
  const pmOf = (tp: number, dp: number, expertParallel: boolean) => {
    const m = sizeMemory(qwen, H100, { ...defaultServing(), tp, dp, expertParallel, maxModelLen: 8192 });
    return perfModelOf(qwen, m, hardwareOf(H100, m, null));
  };
  // Experts split by tensor parallelism: every GPU handles all 8 assignments of every token (a slice of each expert).
  assert.equal(routedPerTokenOf(pmOf(2, 1, false)), 48 * 8);
  assert.equal(allToAllsOf(pmOf(2, 1, false)), 0);
  // Expert parallel inside the tp group: each GPU holds half the experts, so half the assignments; still all-reduced.
  assert.equal(routedPerTokenOf(pmOf(2, 1, true)), (48 * 8) / 2);
  assert.equal(allToAllsOf(pmOf(2, 1, true)), 0);
  // tp 2 x dp 2 with expert parallelism (ep 4): a rank's experts see the tokens of both data-parallel ranks, a quarter
  // of their assignments; dispatch and combine in each of the 48 MoE layers.
  assert.equal(routedPerTokenOf(pmOf(2, 2, true)), (48 * 8 * 2) / 4);
  assert.equal(allToAllsOf(pmOf(2, 2, true)), 2 * 48);
  // A dense model routes nothing.
  assert.equal(routedPerTokenOf(pm), 0);
  assert.equal(allToAllsOf(pm), 0);
  // The single-stream TPOT features carry one token's assignments and the step's all-to-alls.
  const moe = pmOf(2, 2, true);
  const f = newFeatures();
  assert.ok(loadFeatures(moe, workShape(1024, 256, 0), 1, 64, 'mixed', 0, f));
  assert.equal(f[NCOEF + COEF_NAMES.indexOf('per_routed_token_s')], (48 * 8 * 2) / 4);
  assert.equal(f[NCOEF + COEF_NAMES.indexOf('per_all_to_all_s')], 2 * 48);
});
