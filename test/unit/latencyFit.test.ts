// The latency-under-load fit, recomputed from the vendored measured runs (test/data/calibration/silicon): the shipped
// coefficients are what scripts/fit-latency.ts derives from those rows, the real pipeline (native plan -> analysis ->
// report fields) reproduces the fitted errors, and the left-out-model errors are what the fit reports.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analysis';
import { COEF_NAMES, LATENCY_FIT, NCOEF } from '../../server/src/engine/closedLoop';
import { measuredUtilisationFor } from '../../server/src/engine/latency';
import type { RowFeatures, RowPlan } from '../../scripts/fit-latency';
import type { FitReport } from '../../scripts/fit-latency';
import { featuresOfRow, fitAll, measuredShips, median, planOfRow, score, siliconRows } from '../../scripts/fit-latency';

const rows = siliconRows();
// The two fits the shipped file is chosen from (datasheet x efficiency and measured operator utilisation step times),
// computed once for the tests that need them.
let fits: { datasheet: FitReport; measured: FitReport } | undefined;
function bothFits(): { datasheet: FitReport; measured: FitReport } {
  fits ??= { datasheet: fitAll(rows, 'analytic'), measured: fitAll(rows, 'measured') };
  return fits;
}
const plans: RowPlan[] = [];
for (const r of rows) {
  const p = planOfRow(r);
  if (!('skip' in p)) plans.push(p);
}

test('a CSV row becomes the native plan the held-out check hands over, and the report reads it as closed-loop clients', () => {
  const r =
    rows.find((x) => x.id === 'llama3_1_70b_b200_vllm_fp8_agg_1024x1024_c8_cfg0') ??
    rows.find(
      (x) =>
        x.backend === 'vllm' &&
        x.model_path === 'meta-llama/Llama-3.1-70B' &&
        x.mode === 'agg' &&
        x.precision === 'fp8' &&
        x.system === 'b200_sxm' &&
        x.tp_size === '4' &&
        x.isl === '1024' &&
        x.osl === '1024' &&
        x.batch_size === '8',
    );
  assert.ok(r, 'the Llama-3.1-70B fp8 4xB200 1024/1024 at 8 clients row');
  const p = planOfRow(r);
  assert.ok(!('skip' in p));
  assert.match(p.yaml, /^model: meta-llama\/Llama-3\.1-70B-Instruct$/m);
  assert.match(p.yaml, /^hardware: \{gpu: B200, count: 4\}$/m);
  assert.match(p.yaml, /^ {2}engine: vllm$/m);
  assert.match(p.yaml, /^ {2}tensor_parallel_size: 4$/m);
  assert.match(p.yaml, /^ {2}quantization: fp8$/m);
  assert.match(p.yaml, /^workload: \{input_tokens: 1024, output_tokens: 1024, concurrency: 8\}$/m);
  const fa = analyzeText(p.yaml, { performanceDetail: false });
  assert.deepEqual(
    fa.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const perf = fa.deployments[0].performance?.performance;
  assert.ok(perf);
  assert.equal(perf.load_model, 'closed-loop');
  assert.ok(perf.ttft_ms > 0 && perf.tpot_ms > 0);
  // The band brackets the prediction with the fit's p10-p90 residuals.
  const b = LATENCY_FIT.engines.vllm.band;
  assert.ok(perf.ttft_band_ms && perf.tpot_band_ms);
  assert.ok(Math.abs(perf.tpot_band_ms[0] - perf.tpot_ms * b.tpot[0]) < 1e-9 && Math.abs(perf.tpot_band_ms[1] - perf.tpot_ms * b.tpot[1]) < 1e-9);
  assert.ok(b.tpot[0] < 1 && b.tpot[1] > 1 && b.ttft[0] < 1 && b.ttft[1] > 1);
});

/** Median |error| in percent of the real pipeline's report fields against the measured rows of one engine. */
function pipelineErrors(engine: string): { ttft: number; tpot: number; n: number } {
  const te: number[] = [];
  const pe: number[] = [];
  for (const p of plans) {
    if (p.engine !== engine) continue;
    const d = analyzeText(p.yaml, { performanceDetail: false }).deployments[0];
    const perf = d?.performance?.performance;
    if (!perf || !d.sizing?.startup.ok) continue;
    te.push(Math.abs(perf.ttft_ms / p.ttftMs - 1) * 100);
    pe.push(Math.abs(perf.tpot_ms / p.tpotMs - 1) * 100);
  }
  return { ttft: median(te), tpot: median(pe), n: te.length };
}

test('the shipped coefficients are what the fit derives from the vendored rows, and its errors are what it reports', () => {
  const { datasheet, measured } = bothFits();
  for (const [engine, shipped] of Object.entries(LATENCY_FIT.engines)) {
    // Each engine ships the step times whose left-out error is better (measuredShips), and predicts with them.
    const m = measured.file.engines[engine];
    const d = datasheet.file.engines[engine];
    const mode = m && measuredShips(m, d) ? 'measured' : 'datasheet';
    assert.equal(shipped.operator_utilisation, mode, engine);
    assert.equal(measuredUtilisationFor(engine), mode === 'measured', engine);
    const got = mode === 'measured' ? m : d;
    assert.ok(got, engine);
    for (const k of COEF_NAMES) {
      const a = got.coefficients[k];
      const b = shipped.coefficients[k];
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1e-9, Math.abs(b)) + 1e-12, `${engine} ${k}: refit ${a}, shipped ${b}`);
    }
    assert.equal(got.first_wave_weight, shipped.first_wave_weight, `${engine} first-wave weight`);
    assert.deepEqual(got.fitted, shipped.fitted, `${engine} fitted errors`);
    assert.deepEqual(got.left_out, shipped.left_out, `${engine} left-out errors`);
    assert.equal(got.rows, shipped.rows);
    // Across models, never per model: every engine's fit spans at least two models, and each is left out once.
    assert.ok(got.models.length >= 2, `${engine} models`);
    assert.deepEqual(Object.keys(got.left_out.by_model).sort(), [...got.models].sort());
  }
});

test('the real pipeline reproduces the fitted errors per engine (plans from rows -> report ttft_ms / tpot_ms)', () => {
  for (const [engine, f] of Object.entries(LATENCY_FIT.engines)) {
    const e = pipelineErrors(engine);
    assert.equal(e.n, f.rows, `${engine}: every fitted row sizes through the pipeline`);
    // The pipeline and the fit's features are one model: equal to the reported figure (rounded to 0.1).
    assert.ok(Math.abs(e.tpot - f.fitted.tpot_median_abs_pct) <= 0.051, `${engine} TPOT ${e.tpot} vs ${f.fitted.tpot_median_abs_pct}`);
    assert.ok(Math.abs(e.ttft - f.fitted.ttft_median_abs_pct) <= 0.051, `${engine} TTFT ${e.ttft} vs ${f.fitted.ttft_median_abs_pct}`);
  }
  // The figures reached (docs/ACCURACY.md), with a small margin: a worse model or a broken pipeline fails here.
  const limits: Record<string, { tpot: number; ttft: number }> = {
    vllm: { tpot: 11.5, ttft: 20.5 },
    sglang: { tpot: 14.6, ttft: 35 },
    trtllm: { tpot: 20.5, ttft: 45 },
  };
  for (const [engine, lim] of Object.entries(limits)) {
    const f = LATENCY_FIT.engines[engine];
    assert.ok(f.fitted.tpot_median_abs_pct <= lim.tpot, `${engine} fitted TPOT ${f.fitted.tpot_median_abs_pct}% > ${lim.tpot}%`);
    assert.ok(f.fitted.ttft_median_abs_pct <= lim.ttft, `${engine} fitted TTFT ${f.fitted.ttft_median_abs_pct}% > ${lim.ttft}%`);
  }
});

test('a deliberately wrong coefficient fails the thresholds (the check can fail)', () => {
  const fit = LATENCY_FIT.engines.vllm;
  const feats: RowFeatures[] = [];
  for (const p of plans) {
    if (p.engine !== 'vllm') continue;
    const f = featuresOfRow(p, fit.operator_utilisation === 'measured' ? 'measured' : 'analytic');
    if (!('skip' in f)) feats.push(f);
  }
  const phiIndex = Math.round(fit.first_wave_weight * 10);
  const x = Float64Array.from(COEF_NAMES.map((k) => fit.coefficients[k]));
  assert.equal(x.length, NCOEF);
  const good = score(feats, x, phiIndex);
  assert.ok(Math.abs(median(good.tpotErr) - fit.fitted.tpot_median_abs_pct) <= 0.051);
  // Decode 30% slower than fitted: TPOT misses by far more than the limit.
  const slow = Float64Array.from(x);
  slow[0] *= 1.3;
  assert.ok(median(score(feats, slow, phiIndex).tpotErr) > 11.5 + 5);
  // No API cost per request: TTFT misses far more.
  const noApi = Float64Array.from(x);
  noApi[5] = 0;
  assert.ok(median(score(feats, noApi, phiIndex).ttftErr) > 20.5 + 5);
  // No cost per routed token: the MoE models' TTFT misses far more.
  const noRouting = Float64Array.from(x);
  noRouting[COEF_NAMES.indexOf('per_routed_token_s')] = 0;
  assert.ok(median(score(feats, noRouting, phiIndex).ttftErr) > 20.5 + 5);
});

test('the event-driven scheduler simulation scores as docs/ACCURACY.md says (fitted and left out, per engine)', () => {
  // The doc's comparison table (written from `scripts/fit-latency.ts --sim`) must be what the simulation gives now.
  const doc = readFileSync(resolve(__dirname, '..', '..', 'docs', 'ACCURACY.md'), 'utf8');
  const at = doc.indexOf('An event-driven simulation of the schedulers');
  assert.ok(at > 0, 'the comparison paragraph');
  const { file } = fitAll(rows, 'simulated');
  const pct = (v: number) => `${v}%`;
  for (const [engine, f] of Object.entries(file.engines)) {
    const line = `| ${engine} | ${pct(f.fitted.ttft_median_abs_pct)} | ${pct(f.fitted.tpot_median_abs_pct)} | ${pct(f.left_out.ttft_median_abs_pct)} | ${pct(f.left_out.tpot_median_abs_pct)} | ${f.first_wave_weight} |`;
    assert.ok(doc.indexOf(line, at) > at, `${engine}: ${line}`);
    // The doc's reading: within a point of the analytic fit on the same (datasheet x efficiency) step times on left-out
    // architectures, so not worth switching.
    const shipped = bothFits().datasheet.file.engines[engine];
    assert.ok(Math.abs(f.left_out.ttft_median_abs_pct - shipped.left_out.ttft_median_abs_pct) <= 1, `${engine} left-out TTFT`);
    assert.ok(Math.abs(f.left_out.tpot_median_abs_pct - shipped.left_out.tpot_median_abs_pct) <= 1, `${engine} left-out TPOT`);
  }
});

test('both step-time fits score as docs/ACCURACY.md says, and each engine ships the one the rule picks', () => {
  // The doc's comparison rows (datasheet x efficiency and measured utilisation per engine) are what the fits give now.
  const doc = readFileSync(resolve(__dirname, '..', '..', 'docs', 'ACCURACY.md'), 'utf8');
  assert.ok(doc.includes('Measured operator utilisation in the step time'), 'the comparison paragraph');
  const { datasheet, measured } = bothFits();
  const shippedModes: string[] = [];
  for (const [engine, d] of Object.entries(datasheet.file.engines)) {
    const m = measured.file.engines[engine];
    const ships = measuredShips(m, d);
    for (const [label, f, on] of [
      ['datasheet x efficiency', d, !ships],
      ['measured utilisation', m, ships],
    ] as const) {
      const line = `| ${engine} | ${label}${on ? ' (shipped)' : ''} | ${f.fitted.ttft_median_abs_pct}% | ${f.fitted.tpot_median_abs_pct}% | ${f.left_out.ttft_median_abs_pct}% | ${f.left_out.tpot_median_abs_pct}% |`;
      assert.ok(doc.includes(line), `${engine}: ${line}`);
    }
    if (ships) shippedModes.push(engine);
  }
  // The rule's outcome on these rows: with the routing and all-to-all costs, measured utilisation is better on every
  // left-out figure of every engine, so all three ship it.
  assert.deepEqual(shippedModes, ['sglang', 'trtllm', 'vllm']);
});
