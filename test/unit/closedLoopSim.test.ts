// The event-driven scheduler simulation (server/src/engine/closedLoopSim.ts) against step schedules written out by hand:
// 2 closed-loop clients, prompts of 100 tokens, 3 output tokens, a token budget of 150. Every expected feature is a sum
// of stepTime calls of the steps each request lives through, so the test pins the schedule, not a fitted number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog';
import { workShape } from '../../server/src/engine/capacity';
import { NCOEF, newFeatures } from '../../server/src/engine/closedLoop';
import { closedLoopFeatures, simulateRounds } from '../../server/src/engine/closedLoopSim';
import type { PerfModel } from '../../server/src/engine/latency';
import { perfModelOf, scratchLoad, stepTime } from '../../server/src/engine/latency';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { hardwareOf } from '../../server/src/engine/roofline';

const cat = builtinCatalog();
const llama = cat.resolveModel('meta-llama/Llama-3.1-70B-Instruct')!.arch;
const H100 = cat.resolveGpu('H100-SXM')!;
const mem = sizeMemory(llama, H100, { ...defaultServing(), tp: 4, quantization: 'fp8', maxModelLen: 8192 });
// The same replica with a token budget of 150 (a fresh object: the simulation caches nothing across models).
const pm: PerfModel = { ...perfModelOf(llama, mem, hardwareOf(H100, mem, null)), maxNumBatchedTokens: 150 };
const L = 80; // Llama-3.1-70B layers
const w = workShape(100, 3, 0);
const st = (dec: number, ctx: number, n = 0, pctx = 0, kv = 0, logits = dec) => stepTime(pm, scratchLoad(dec, ctx, n, pctx, kv, logits));
// The weight read of one token at no context: a prompt step without decodes prices that much at the decode scale.
const wr = st(1, 0);

/**
 * Feature vector of one step: [decode roofline, prompt roofline beyond it, 1, layers, requests in the step, 0, 0, routed
 * tokens, all-to-alls] (a dense model routes nothing).
 */
function stepF(dec: number, ctx: number, n: number, pctx: number, kv: number, logits: number, seqs: number): number[] {
  const rd = dec > 0 ? st(dec, ctx) : wr;
  const rt = st(dec, ctx, n, pctx, kv, logits);
  return [rd, Math.max(0, rt - rd), 1, L, dec + seqs, 0, 0, 0, 0];
}
const add = (...fs: number[][]) => fs.reduce((a, f) => a.map((v, i) => v + f[i]));
const scale = (f: number[], k: number) => f.map((v) => v * k);

function assertFeatures(got: Float64Array, ttft: number[], tpot: number[], what: string): void {
  const want = [...ttft, ...tpot];
  for (let i = 0; i < 2 * NCOEF; i++)
    assert.ok(Math.abs(got[i] - want[i]) <= 1e-12 * Math.max(1, Math.abs(want[i])), `${what} feature ${i}: ${got[i]} vs ${want[i]}`);
}

const api = [0, 0, 0, 0, 0, 1, 0, 0, 0];
const tok = [0, 0, 0, 0, 0, 0, 1, 0, 0];
// Steps every schedule below uses: a lone prompt of 100 tokens with no decodes beside it; pure decode of r requests.
const pf = stepF(0, 0, 100, 50.5, 100, 1, 1);
const dec = (r: number, ctx: number) => stepF(r, ctx, 0, 0, 0, r, 0);

test('mixed steps (vLLM V1): decodes first, prompt chunks FCFS in the budget left; TTFT and TPOT are sums of those steps', () => {
  const first = newFeatures();
  const steady = newFeatures();
  simulateRounds(pm, w, 2, 2, 'mixed', first, steady);
  // First wave (both clients send at once). Step 0: r0's whole prompt + the first 50 tokens of r1's (r0's first token).
  // Step 1: r0 decodes at context 101 beside r1's last 50 prompt tokens (positions 50-99; r1's first token). Step 2: r0
  // (102) and r1 (101) decode; r0 ends, and its client's next request reaches the engine during step 3, in which r1
  // decodes alone at 102 and ends.
  const f0 = stepF(0, 0, 150, (100 * 50.5 + 50 * 25.5) / 150, 100 + 50, 1, 2);
  const f1 = stepF(1, 101, 50, 75.5, 100, 2, 1);
  assertFeatures(first, add(scale(add(f0, f0, f1), 1 / 2), api), add(scale(add(f1, dec(2, 101.5), dec(2, 101.5), dec(1, 102)), 1 / 4), tok), 'first wave');
  // Steady state: the two running requests start 1 and 0 decode steps in (contexts 102 and 101). Step 0: both decode;
  // the first ends and its client sends ra, which arrives during step 1 (the other decodes alone at 102, then ends and
  // sends rb) and waits half of it. Step 2: ra's prompt alone (rb arrives during it: half of it). Step 3: ra decodes at
  // 101 beside rb's prompt. Step 4: both decode (102, 101), ra ends. Step 5: rb decodes alone at 102 and ends.
  const f3 = stepF(1, 101, 100, 50.5, 100, 2, 1);
  const ttft = add(scale(dec(1, 102), 0.5), pf, scale(pf, 0.5), f3);
  const tpot = add(f3, dec(2, 101.5), dec(2, 101.5), dec(1, 102));
  assertFeatures(steady, add(scale(ttft, 1 / 2), api), add(scale(tpot, 1 / 4), tok), 'steady state');
  // A run's mean mixes them with the first-wave weight.
  const mixed = newFeatures();
  closedLoopFeatures(pm, w, 2, 2, 'mixed', 0.25, mixed);
  for (let i = 0; i < 2 * NCOEF; i++) assert.ok(Math.abs(mixed[i] - (0.75 * steady[i] + 0.25 * first[i])) <= 1e-15 * Math.max(1, Math.abs(mixed[i])));
});

test('separate prefill steps (SGLang, vLLM V0): a prompt batch runs alone and stalls the decodes', () => {
  const first = newFeatures();
  const steady = newFeatures();
  simulateRounds(pm, w, 2, 2, 'separate', first, steady);
  // First wave. Step 0: r0 whole + r1's first 50 tokens. Step 1: r1's last 50 tokens alone, r0 waits (no decode).
  // Steps 2-3: r0 and r1 decode together at contexts 101 then 102 (mean 101.5), and both end.
  const p0 = stepF(0, 0, 150, (100 * 50.5 + 50 * 25.5) / 150, 150, 1, 2);
  const p1 = stepF(0, 0, 50, 75.5, 100, 1, 1);
  const run = scale(dec(2, 101.5), 2);
  assertFeatures(first, add(scale(add(p0, p0, p1), 1 / 2), api), add(scale(add(p1, run, run), 1 / 4), tok), 'first wave');
  // Steady state: as in the mixed case up to ra's prompt step (ra waits half of the lone decode step at 102, rb half of
  // ra's prompt step); then rb's prompt runs alone while ra's decode waits, and both decode twice together.
  assertFeatures(steady, add(scale(add(scale(dec(1, 102), 0.5), pf, scale(pf, 1.5)), 1 / 2), api), add(scale(add(pf, run, run), 1 / 4), tok), 'steady state');
});

test('clients beyond the slots wait FCFS for one: with one slot, two clients take turns', () => {
  const first = newFeatures();
  const steady = newFeatures();
  simulateRounds(pm, w, 2, 1, 'mixed', first, steady);
  // One request at a time: its prompt step (no decodes beside it), then 2 lone decode steps at contexts 101 and 102.
  const d = scale(dec(1, 101.5), 2);
  const cycle = add(pf, d);
  // First wave: r0 waits its prompt step; r1 waits r0's whole cycle and then its own prompt step.
  assertFeatures(first, add(scale(add(pf, cycle, pf), 1 / 2), api), add(scale(d, 1 / 2), tok), 'first wave');
  // Steady: a request sent when its client's previous one ends arrives during the other client's prompt step, waits
  // half of it and the other's decode, then runs its own prompt step.
  assertFeatures(steady, add(scale(pf, 1.5), d, api), add(scale(d, 1 / 2), tok), 'steady state');
});

test('one client is the single stream: the bare prompt step, then decodes alone', () => {
  const f = newFeatures();
  const w1 = workShape(1024, 256, 0);
  const big: PerfModel = { ...pm, maxNumBatchedTokens: 8192 };
  closedLoopFeatures(big, w1, 1, 64, 'mixed', 0.5, f);
  const ttft = [wr, st(0, 0, 1024, 512.5, 1024, 1) - wr, 1, L, 1, 1, 0, 0, 0];
  // 255 decode steps at contexts 1025..1279: mean 1152 = 1024 + 256/2, the workload's mean context.
  const tpot = [st(1, 1152), 0, 1, L, 1, 0, 1, 0, 0];
  assertFeatures(f, ttft, tpot, 'single stream');
  assert.equal(w1.context, 1152);
});

test('a fractional number of clients interpolates between the integers around it', () => {
  const a = newFeatures();
  const b = newFeatures();
  const m = newFeatures();
  closedLoopFeatures(pm, w, 2, 8, 'mixed', 0.3, a);
  closedLoopFeatures(pm, w, 3, 8, 'mixed', 0.3, b);
  closedLoopFeatures(pm, w, 2.25, 8, 'mixed', 0.3, m);
  for (let i = 0; i < 2 * NCOEF; i++) assert.ok(Math.abs(m[i] - (0.75 * a[i] + 0.25 * b[i])) <= 1e-15 * Math.max(1, Math.abs(m[i])));
  assert.equal(closedLoopFeatures(pm, w, 2, 0, 'mixed', 0.3, m), false);
});
