// Fits the per-engine step costs of the latency-under-load model (server/src/engine/closedLoop.ts) on the measured runs
// vendored at test/data/calibration/silicon/silicon_train.csv, and writes them with their provenance and errors to
// server/src/engine/latencyFit.json. Deterministic: the same rows give the same coefficients.
//   node --import tsx scripts/fit-latency.ts           fit, print, write
//   node --import tsx scripts/fit-latency.ts --check   fit and print only
//   node --import tsx scripts/fit-latency.ts --sim     fit and print the event-driven scheduler simulation's errors
//                                                      (closedLoopSim.ts), for comparison; writes nothing
//   node --import tsx scripts/fit-latency.ts --measured  fit and print the analytic scheduler with measured operator
//                                                      utilisation in the step times where the GPU has tables
//                                                      (latency.ts, stepUtilisation.ts), for comparison; writes nothing
// Fit: minimize the summed |relative error| of TTFT and TPOT (iteratively reweighted least squares on relative residuals,
// coefficients >= 0 by coordinate descent), a handful of coefficients per engine across every model, never per model.
// The weight of the first wave in a run's mean TTFT is picked from a fixed grid. Left-out error: fit without model X,
// score X, for every model of the engine.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeText } from '../server/src/analysis/analysis';
import { builtinCatalog } from '../server/src/catalog';
import { kvLimitedConcurrency, workShape } from '../server/src/engine/capacity';
import type { EngineFit, LatencyFitFile, SchedulerKind } from '../server/src/engine/closedLoop';
import { COEF_NAMES, NCOEF, loadFeatures, newFeatures, requestSlots, schedulerOf } from '../server/src/engine/closedLoop';
import { simulateRounds } from '../server/src/engine/closedLoopSim';
import { perfModelOf } from '../server/src/engine/latency';
import { hardwareOf } from '../server/src/engine/roofline';

const ROOT = resolve(__dirname, '..');
export const SILICON_CSV = resolve(ROOT, 'test', 'data', 'calibration', 'silicon', 'silicon_train.csv');
const OUT = resolve(ROOT, 'server', 'src', 'engine', 'latencyFit.json');

export type Row = Record<string, string>;

export function siliconRows(path = SILICON_CSV): Row[] {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    const r: Row = {};
    head.forEach((h, i) => (r[h] = f[i] ?? ''));
    return r;
  });
}

/** aiconfigurator system names -> catalog GPU ids. */
const GPU_OF: Record<string, string> = { h100_sxm: 'H100-SXM', h200_sxm: 'H200-SXM', b200_sxm: 'B200', gb200: 'GB200', b300_sxm: 'B300', gb300: 'GB300' };
/** Base checkpoints named differently in the catalog. */
const MODEL_OF: Record<string, string> = { 'meta-llama/Llama-3.1-70B': 'meta-llama/Llama-3.1-70B-Instruct' };

/**
 * The architecture a run's model belongs to: the unit left out of the fit. DeepSeek-V3, R1 and V3.1 (and NVIDIA's
 * NVFP4 checkpoints of them) share one architecture, so leaving out R1 while V3 stays in would not be a new model.
 */
export function architectureOf(modelPath: string): string {
  const name = modelPath.replace(/^.*\//, '').replace(/-NVFP4$|-FP4$|-FP8$/i, '');
  if (/^DeepSeek-(V3|R1)/i.test(name)) return 'DeepSeek-V3/R1';
  return name;
}

/** Where the catalog has NVIDIA's NVFP4 checkpoint of a model (nvidia/<name>-NVFP4); else none. */
function nvfp4IdOf(modelPath: string): string | null {
  if (/NVFP4|FP4/i.test(modelPath)) return modelPath;
  const name = modelPath.replace(/^.*\//, '');
  const cat = builtinCatalog();
  for (const id of [`nvidia/${name}-NVFP4`, `nvidia/${name}-FP4`, `nvidia/${name}-Instruct-FP4`]) if (cat.findModelEntry(id)) return id;
  return null;
}

/**
 * The native plan's `model:` of a run: the catalog id; for an FP4 run NVIDIA's NVFP4 checkpoint when the catalog has it,
 * else the base architecture inline with a ModelOpt NVFP4 quantization_config (how nvidia/<model>-FP4 checkpoints
 * state it). gpt-oss's own checkpoint is MXFP4 already.
 */
function modelOfRow(r: Row): { lines: string[]; id: string; quant: string | null } {
  const base = MODEL_OF[r.model_path] ?? r.model_path;
  const cat = builtinCatalog();
  if (r.precision === 'fp4' && !r.model_path.includes('gpt-oss')) {
    const id = nvfp4IdOf(r.model_path);
    if (id) return { lines: [`model: ${id}`], id, quant: null };
    return {
      lines: ['model:', `  id: ${base}-NVFP4`, `  base: ${base}`, '  config: {quantization_config: {quant_method: modelopt, quant_algo: NVFP4}}'],
      id: `${base}-NVFP4`,
      quant: null,
    };
  }
  // fp8 runs: --quantization fp8 on a 16-bit checkpoint (online) or an FP8 one; other quantized checkpoints speak for themselves.
  const ckpt = cat.findModelEntry(base) ? (cat.resolveModel(base)?.arch.quant?.method ?? null) : null;
  const quant = r.precision === 'fp8' && (ckpt === null || ckpt === 'fp8') ? 'fp8' : null;
  return { lines: [`model: ${base}`], id: base, quant };
}

export interface RowPlan {
  row: Row;
  engine: string;
  model: string;
  /** The native plan (YAML) of the row: what the held-out check hands over. */
  yaml: string;
  /** Clients per engine instance (a data-parallel rank) and in total. */
  clientsPerRank: number;
  clients: number;
  ttftMs: number;
  tpotMs: number;
}

/** The native plan a measured aggregated run corresponds to, or why none is built. */
export function planOfRow(r: Row): RowPlan | { skip: string } {
  if (r.mode !== 'agg') return { skip: 'disaggregated run (prefill and decode pools are not fitted)' };
  const gpu = GPU_OF[r.system];
  if (!gpu) return { skip: `system ${r.system}` };
  const tp = Number(r.tp_size) || 1;
  const pp = Number(r.pp_size) || 1;
  const dp = Number(r.attention_dp_size) || 1;
  const bs = Number(r.batch_size);
  const isl = Number(r.isl);
  const osl = Number(r.osl);
  const ttft = Number(r.silicon_ttft_ms);
  const tpot = Number(r.silicon_tpot_ms);
  if (!(bs >= 1 && isl >= 1 && osl >= 1 && ttft > 0 && tpot > 0)) return { skip: 'incomplete row' };
  const ep = (Number(r.moe_ep_size) || 1) > 1;
  // vLLM's release or development build (nightly-<commit>, which sizes as the newest release); the other engines'
  // versions do not change what is sized.
  const version = /^\d+\.\d+\.\d+$|^nightly-[0-9a-f]+$/.test(r.backend_version) && r.backend === 'vllm' ? r.backend_version : null;
  const mo = modelOfRow(r);
  const lowBits = r.precision === 'fp8' || r.precision === 'fp4' || r.precision === 'int4';
  const yaml = [
    'apiVersion: llm-sizer/v1',
    'kind: ServingPlan',
    ...mo.lines,
    `hardware: {gpu: ${gpu}, count: ${tp * pp * dp}}`,
    'serving:',
    `  engine: ${r.backend}`,
    ...(version ? [`  engine_version: "${version}"`] : []),
    `  tensor_parallel_size: ${tp}`,
    `  pipeline_parallel_size: ${pp}`,
    `  data_parallel_size: ${dp}`,
    `  enable_expert_parallel: ${ep}`,
    `  quantization: ${mo.quant ?? 'null'}`,
    // The 8- and 4-bit runs keep an FP8 KV cache: at 64 clients of 8k tokens on one B200 an FP8 Llama-3.1-70B holds ~61
    // requests with FP8 KV and ~30 with 16-bit KV, and the measured TPOT (70.7 ms, vs 40.9 ms at 32 clients) shows
    // ~60 running, not 30.
    ...(lowBits ? ['  kv_cache_dtype: fp8'] : []),
    `  max_model_len: ${isl + osl}`,
    `workload: {input_tokens: ${isl}, output_tokens: ${osl}, concurrency: ${bs * dp}}`,
    '',
  ].join('\n');
  return { row: r, engine: r.backend, model: architectureOf(r.model_path), yaml, clientsPerRank: bs, clients: bs * dp, ttftMs: ttft, tpotMs: tpot };
}

export interface RowFeatures {
  plan: RowPlan;
  sched: SchedulerKind;
  /** Features at each first-wave weight of PHI_GRID: TTFT's NCOEF then TPOT's NCOEF. */
  byPhi: Float64Array[];
}

export const PHI_GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * How a row's features are computed: the analytic steady-state scheduler the engine ships (closedLoop.ts loadFeatures),
 * the event-driven scheduler simulation (closedLoopSim.ts), which `--sim` fits and scores for comparison, or the
 * analytic scheduler with measured operator utilisation where the GPU has tables (`--measured`, also for comparison).
 * Stated explicitly, so that the engine's default (MEASURED_UTILISATION_DEFAULT) never changes what a mode means.
 */
export type FeatureModel = 'analytic' | 'simulated' | 'measured';

/** Features of a row through the real pipeline (plan -> analysis -> memory sizing -> per-GPU model), or why not. */
export function featuresOfRow(p: RowPlan, model: FeatureModel = 'analytic'): RowFeatures | { skip: string } {
  const fa = analyzeText(p.yaml, { memoryOnly: true });
  const d = fa.deployments[0];
  if (!d?.model) return { skip: `model ${p.model} not in the catalog` };
  if (!d.gpu) return { skip: `GPU of ${p.row.system} not in the catalog` };
  if (!d.sizing) return { skip: 'not sized' };
  const mem = d.sizing;
  const hw = hardwareOf(d.gpu, mem, d.model.arch.quant?.method ?? null);
  const pm = perfModelOf(d.model.arch, mem, hw, { measuredUtilisation: model === 'measured' });
  const w = workShape(Number(p.row.isl), Number(p.row.osl), 0);
  const kv = kvLimitedConcurrency(d.model.arch, mem, w.context);
  const slots = requestSlots(mem, kv);
  if (!mem.startup.ok || slots < 1) return { skip: 'does not start or holds no request (as modelled)' };
  const sched = schedulerOf(mem.serving.engine, mem.serving.v1);
  if (model === 'simulated') {
    // One simulation per row (closedLoopSim.ts): the first wave's and the steady round's features, mixed per weight.
    const first = newFeatures();
    const steady = newFeatures();
    simulateRounds(pm, w, p.clientsPerRank, slots, sched, first, steady);
    return { plan: p, sched, byPhi: PHI_GRID.map((phi) => Float64Array.from(steady, (v, i) => (1 - phi) * v + phi * first[i])) };
  }
  const byPhi = PHI_GRID.map((phi) => {
    const f = newFeatures();
    loadFeatures(pm, w, p.clientsPerRank, slots, sched, phi, f);
    return f;
  });
  return { plan: p, sched, byPhi };
}

// ---- Fitting.

/** min ||A x - b||^2 with x >= 0, by cyclic coordinate descent on the normal equations (exact per coordinate). */
function nnls(AtA: Float64Array, Atb: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let sweep = 0; sweep < 2000; sweep++) {
    let moved = 0;
    for (let j = 0; j < n; j++) {
      const d = AtA[j * n + j];
      if (!(d > 0)) continue;
      let g = Atb[j];
      for (let k = 0; k < n; k++) if (k !== j) g -= AtA[j * n + k] * x[k];
      const nx = Math.max(0, g / d);
      moved = Math.max(moved, Math.abs(nx - x[j]) / Math.max(1e-12, Math.abs(nx)));
      x[j] = nx;
    }
    if (moved < 1e-10) break;
  }
  return x;
}

/**
 * Coefficients held at 0. A cost per output token on the API side and a cost per engine step are the same column in
 * TPOT (every decode step emits one token per request) and differ only in TTFT, so the rows cannot tell them apart;
 * left free, the API cost took TensorRT-LLM's per-step cost, which offline throughput (engine steps alone) then lost.
 * The per-step cost carries both.
 */
export const NOT_FITTED: boolean[] = COEF_NAMES.map((k) => k === 'per_output_token_s');

/**
 * Coefficients minimizing the summed |log(predicted / measured)| of TTFT and TPOT: Gauss-Newton on the log residuals
 * (each step a non-negative least-squares problem in the coefficients themselves), with L1 weights
 * 1 / max(|log ratio|, 1%) (IRLS). Log ratios treat 10x over and 10x under alike, so the few runs whose queueing the
 * model mis-sizes by orders of magnitude cannot drag the per-step costs. Columns are scaled for conditioning.
 */
export function fitCoefficients(rows: RowFeatures[], phiIndex: number): Float64Array {
  const n = NCOEF;
  // Start from the roofline alone plus a 50 ms API cost.
  const x = Float64Array.from([1, 1, 0, 0, 0, 0.05, 0, 0, 0]);
  for (let iter = 0; iter < 40; iter++) {
    const scale = new Float64Array(n);
    const pre: { a: Float64Array; t: number; w: number }[] = [];
    for (const r of rows) {
      const f = r.byPhi[phiIndex];
      for (let m = 0; m < 2; m++) {
        const y = (m === 0 ? r.plan.ttftMs : r.plan.tpotMs) / 1e3;
        const p0 = Math.max(1e-6, dotN(f, x, m * n));
        const lr = Math.log(p0 / y);
        const a = new Float64Array(n);
        for (let j = 0; j < n; j++) {
          a[j] = NOT_FITTED[j] ? 0 : f[m * n + j] / p0;
          scale[j] = Math.max(scale[j], Math.abs(a[j]));
        }
        pre.push({ a, t: 1 - lr, w: 1 / Math.max(0.01, Math.abs(lr)) });
      }
    }
    for (let j = 0; j < n; j++) if (!(scale[j] > 0)) scale[j] = 1;
    const AtA = new Float64Array(n * n);
    const Atb = new Float64Array(n);
    for (const { a, t, w } of pre) {
      for (let i = 0; i < n; i++) {
        const ai = a[i] / scale[i];
        Atb[i] += w * ai * t;
        for (let j = 0; j < n; j++) AtA[i * n + j] += (w * ai * a[j]) / scale[j];
      }
    }
    // A whisper of ridge keeps collinear columns (per step vs per output token) determined.
    for (let i = 0; i < n; i++) AtA[i * n + i] += 1e-9 * rows.length;
    const z = nnls(AtA, Atb, n);
    const next = Float64Array.from(z, (v, j) => v / scale[j]);
    // Damped step: halfway between the linearization's optimum and the current point (the log is concave).
    let change = 0;
    for (let j = 0; j < n; j++) {
      const v = 0.5 * (x[j] + next[j]);
      change = Math.max(change, Math.abs(v - x[j]) / Math.max(1e-9, Math.abs(v)));
      x[j] = v;
    }
    if (change < 1e-6) break;
  }
  return x;
}

function dotN(f: Float64Array, x: Float64Array, off: number): number {
  let s = 0;
  for (let j = 0; j < NCOEF; j++) s += f[off + j] * x[j];
  return s;
}

export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs: number[], q: number): number {
  if (!xs.length) return 1;
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export interface Scored {
  ttftErr: number[];
  tpotErr: number[];
  /** measured / predicted */
  ttftRatio: number[];
  tpotRatio: number[];
}

export function score(rows: RowFeatures[], x: Float64Array, phiIndex: number): Scored {
  const out: Scored = { ttftErr: [], tpotErr: [], ttftRatio: [], tpotRatio: [] };
  for (const r of rows) {
    const f = r.byPhi[phiIndex];
    const t1 = dotN(f, x, 0) * 1e3;
    const t2 = dotN(f, x, NCOEF) * 1e3;
    out.ttftErr.push(Math.abs(t1 / r.plan.ttftMs - 1) * 100);
    out.tpotErr.push(Math.abs(t2 / r.plan.tpotMs - 1) * 100);
    out.ttftRatio.push(r.plan.ttftMs / t1);
    out.tpotRatio.push(r.plan.tpotMs / t2);
  }
  return out;
}

/** Summed |log(measured / predicted)| of both metrics: what the fit minimizes. */
function objective(s: Scored): number {
  let o = 0;
  for (const v of s.ttftRatio) o += Math.abs(Math.log(v));
  for (const v of s.tpotRatio) o += Math.abs(Math.log(v));
  return o;
}

/** Best first-wave weight on the grid and its coefficients. */
export function fitEngine(rows: RowFeatures[]): { x: Float64Array<ArrayBufferLike>; phiIndex: number } {
  let best: { x: Float64Array<ArrayBufferLike>; phiIndex: number; obj: number } = { x: new Float64Array(NCOEF), phiIndex: 0, obj: Infinity };
  for (let i = 0; i < PHI_GRID.length; i++) {
    const x: Float64Array = fitCoefficients(rows, i);
    const o = objective(score(rows, x, i));
    if (o < best.obj) best = { x, phiIndex: i, obj: o };
  }
  return { x: best.x, phiIndex: best.phiIndex };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

export interface FitReport {
  file: LatencyFitFile;
  skipped: Record<string, number>;
}

/** Everything the fit computes from the rows: coefficients, fitted and left-out errors, bands. */
export function fitAll(allRows: Row[] = siliconRows(), model: FeatureModel = 'analytic'): FitReport {
  const skipped: Record<string, number> = {};
  const byEngine = new Map<string, RowFeatures[]>();
  for (const r of allRows) {
    const p = planOfRow(r);
    const f = 'skip' in p ? p : featuresOfRow(p, model);
    if ('skip' in f) {
      skipped[f.skip] = (skipped[f.skip] ?? 0) + 1;
      continue;
    }
    const list = byEngine.get(f.plan.engine) ?? [];
    list.push(f);
    byEngine.set(f.plan.engine, list);
  }
  const engines: Record<string, EngineFit> = {};
  for (const [engine, rows] of [...byEngine.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const { x, phiIndex } = fitEngine(rows);
    const s = score(rows, x, phiIndex);
    const models = [...new Set(rows.map((r) => r.plan.model))].sort();
    const byModel: EngineFit['left_out']['by_model'] = {};
    const loTtft: number[] = [];
    const loTpot: number[] = [];
    if (models.length > 1) {
      for (const m of models) {
        const train = rows.filter((r) => r.plan.model !== m);
        const test = rows.filter((r) => r.plan.model === m);
        const fm = fitEngine(train);
        const sm = score(test, fm.x, fm.phiIndex);
        loTtft.push(...sm.ttftErr);
        loTpot.push(...sm.tpotErr);
        byModel[m] = { rows: test.length, ttft_median_abs_pct: r1(median(sm.ttftErr)), tpot_median_abs_pct: r1(median(sm.tpotErr)) };
      }
    }
    const coefficients = Object.fromEntries(COEF_NAMES.map((k, j) => [k, Number(x[j].toPrecision(6))])) as EngineFit['coefficients'];
    engines[engine] = {
      coefficients,
      first_wave_weight: PHI_GRID[phiIndex],
      rows: rows.length,
      models,
      band: {
        ttft: [Number(quantile(s.ttftRatio, 0.1).toFixed(3)), Number(quantile(s.ttftRatio, 0.9).toFixed(3))],
        tpot: [Number(quantile(s.tpotRatio, 0.1).toFixed(3)), Number(quantile(s.tpotRatio, 0.9).toFixed(3))],
      },
      fitted: { ttft_median_abs_pct: r1(median(s.ttftErr)), tpot_median_abs_pct: r1(median(s.tpotErr)) },
      left_out: { ttft_median_abs_pct: r1(median(loTtft)), tpot_median_abs_pct: r1(median(loTpot)), by_model: byModel },
    };
  }
  const file: LatencyFitFile = {
    source:
      'test/data/calibration/silicon/silicon_train.csv (aiconfigurator silicon_sample.csv rows, Apache-2.0; see NOTICE): aggregated runs whose model and GPU the catalog has',
    script: 'scripts/fit-latency.ts',
    fit_date: '2026-12-02',
    engines,
  };
  return { file, skipped };
}

/**
 * Per engine, whether its fit ships on measured operator utilisation: refitted with it, the engine's left-out TTFT is
 * lower and its left-out TPOT at most one point higher than the datasheet x efficiency fit's (left-out error decides:
 * the fitted error of a more flexible model always looks better).
 */
export function measuredShips(measured: EngineFit, datasheet: EngineFit): boolean {
  return (
    measured.left_out.ttft_median_abs_pct < datasheet.left_out.ttft_median_abs_pct &&
    measured.left_out.tpot_median_abs_pct - datasheet.left_out.tpot_median_abs_pct <= 1
  );
}

/** The file fit-latency writes: per engine the datasheet x efficiency fit or, where measuredShips, the measured one. */
export function shippedFit(allRows: Row[] = siliconRows()): { file: LatencyFitFile; datasheet: FitReport; measured: FitReport } {
  const datasheet = fitAll(allRows, 'analytic');
  const measured = fitAll(allRows, 'measured');
  const engines: Record<string, EngineFit> = {};
  for (const [e, d] of Object.entries(datasheet.file.engines)) {
    const m = measured.file.engines[e];
    engines[e] = m && measuredShips(m, d) ? { operator_utilisation: 'measured', ...m } : { operator_utilisation: 'datasheet', ...d };
  }
  return { file: { ...datasheet.file, engines }, datasheet, measured };
}

export function fitTable(file: LatencyFitFile): string[] {
  const lines = [
    '| engine | rows | models | TTFT fitted | TPOT fitted | TTFT left out | TPOT left out | first-wave weight |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [e, f] of Object.entries(file.engines)) {
    lines.push(
      `| ${e} | ${f.rows} | ${f.models.length} | ${f.fitted.ttft_median_abs_pct}% | ${f.fitted.tpot_median_abs_pct}% | ${f.left_out.ttft_median_abs_pct}% | ${f.left_out.tpot_median_abs_pct}% | ${f.first_wave_weight} |`,
    );
  }
  return lines;
}

if (require.main === module) {
  const t0 = Date.now();
  // --sim: fit and score the event-driven scheduler simulation instead (printed only, never written).
  // --measured: the analytic scheduler on measured operator utilisation (printed only, never written).
  const sim = process.argv.includes('--sim');
  const measured = process.argv.includes('--measured');
  const both = sim || measured ? null : shippedFit();
  const { file, skipped } = both ? both.datasheet : fitAll(siliconRows(), sim ? 'simulated' : 'measured');
  const shipped = both ? both.file : null;
  for (const l of fitTable(file)) console.log(l);
  for (const [e, f] of Object.entries(file.engines)) {
    console.log(`\n${e}: ${JSON.stringify(f.coefficients)} phi ${f.first_wave_weight} band ${JSON.stringify(f.band)}`);
    for (const [m, s] of Object.entries(f.left_out.by_model))
      console.log(`  left out ${m}: ${s.rows} rows, TTFT ${s.ttft_median_abs_pct}%, TPOT ${s.tpot_median_abs_pct}%`);
  }
  console.log('\nskipped:', skipped);
  console.log(`${((Date.now() - t0) / 1e3).toFixed(1)} s`);
  if (both) {
    console.log('\nmeasured operator utilisation:');
    for (const l of fitTable(both.measured.file)) console.log(l);
  }
  if (shipped) {
    console.log('\nshipped (per engine, the step times whose left-out error is better by measuredShips):');
    for (const l of fitTable(shipped)) console.log(l);
  }
  if (!process.argv.includes('--check') && shipped) {
    writeFileSync(OUT, JSON.stringify(shipped, null, 2) + '\n');
    console.log(`written ${OUT}`);
  }
}
