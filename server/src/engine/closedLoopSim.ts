// Latency of C closed-loop clients from an event-driven simulation of the engine's scheduler, with every prediction
// still linear in the fitted step costs (closedLoop.ts, latencyFit.json). Pure.
//
// Why a simulation stays linear: a closed-loop client with no think time sends its next request when its last one ends,
// at a step boundary. Which requests are in which step (prompt chunks under the token budget, the decode batch, the
// request slots, FCFS admission) is therefore fixed by the workload and the budget alone, not by how long steps take.
// Each request's TTFT and TPOT are sums of step durations, and each step costs
//   decode_scale x roofline(decode part) + prefill_scale x roofline(prompt part)
//   + per_step + per_layer_step x layers + per_request_step x requests in the step
// so the scheduler is simulated once per (plan, workload), the step features are summed per request (as differences of
// one running sum, so no per-request vectors), and the fit stays a least-squares problem in the coefficients.
//
// Event-driven: between events (a prompt step, a request finishing, a request arriving) the steps are pure decodes of
// the same batch whose contexts grow by one per step, so a run of k of them is k steps at the run's mean context
// (attention reads and FLOPs are linear in the context; exact while no operator changes from memory- to compute-bound
// within the run). Steps with prompt tokens are priced one by one. Cost: a few x (C x P / budget + C) roofline steps;
// measured 125-225 us per prediction for C = 256 with P/O = 1k/8k and 8k/1k on Llama-3.1-70B (one core, warm).
//
// Schedulers (SchedulerKind):
//   - mixed (vLLM V1 chunked prefill, TensorRT-LLM in-flight batching, treated alike for want of public facts on the
//     latter's policy): every step runs all decodes first, then prompt chunks FCFS (the partly prefilled request first,
//     then new ones) in the budget left (max_num_batched_tokens minus the decodes);
//   - separate (SGLang default, vLLM V0): when a prompt can be admitted, a prefill batch of up to the budget
//     (chunked_prefill_size / max_num_batched_tokens) runs alone and the decodes wait; otherwise a decode step.
//   Requests beyond the slots (max_num_seqs, or the requests the KV cache holds at their mean context P + O/2) wait FCFS:
//   this is the queueing in TTFT at high concurrency. Only what fits is admitted: recompute preemption (vLLM admitting
//   on the prompt alone and evicting when blocks run out) is not simulated.
//   A request sent when its predecessor ends reaches the engine while the next step runs (the client's round trip): the
//   scheduler sees it a step later and its TTFT starts half-way through that step (an idle engine starts it at once).
//
// What a run's mean is: aiperf / genai-perf and `vllm bench serve` report the mean over all completed requests; the
// number of requests per run is not in the data (aiconfigurator's generated benchmark sends 50 x C after 2 x C warmup,
// bench_run.sh.j2). Two simulations score C requests each: the first wave (all clients send at once) and the steady
// state (the running requests start evenly spread over their decode, so identical requests do not move in lock-step
// groups, which the measured runs do not show), each followed by C unscored requests that keep the load on. A run's
// mean mixes them with the fitted first-wave weight phi (latencyFit.json first_wave_weight), as a run of unstated
// length would. Open-loop arrivals (requests_per_second) are not simulated: they keep closedLoop.ts's analytic model.
//
// Status: `scripts/fit-latency.ts --sim` fits and scores these features against the measured runs. On architectures
// left out of the fit they came out within a point of the analytic scheduler (docs/ACCURACY.md), not better, so the
// engine still prices load with closedLoop.ts and this module is the comparison's model.
import type { WorkShape } from './capacity';
import type { Features, SchedulerKind } from './closedLoop';
import { NCOEF, allToAllsOf, layersOf, newFeatures, routedPerTokenOf, weightReadOf } from './closedLoop';
import type { PerfModel } from './latency';
import { scratchLoad, stepTime } from './latency';

// Module-local copies of imported bindings (CommonJS interop turns imported names into getters on the hot path).
const step = stepTime;
const scratch = scratchLoad;
const N = NCOEF;

// Scratch storage reused across calls (grown as needed): the waiting queue (count, class per entry) and the decoding
// cohorts (requests whose first token came in the same step: count, class, first decode step, finishing step).
let cap = 0;
let qn = new Float64Array(0);
let qc = new Int8Array(0);
let qvis = new Float64Array(0);
let cn = new Float64Array(0);
let cc = new Int8Array(0);
let cstart = new Float64Array(0);
let cfin = new Float64Array(0);
function ensure(n: number): void {
  if (n <= cap) return;
  cap = Math.max(n, 2 * cap, 64);
  qn = new Float64Array(cap);
  qc = new Int8Array(cap);
  qvis = new Float64Array(cap);
  cn = new Float64Array(cap);
  cc = new Int8Array(cap);
  cstart = new Float64Array(cap);
  cfin = new Float64Array(cap);
}
/** Running sum of all step features so far. */
const S = new Float64Array(N);
/** Summed TTFT features of the scored requests, then their summed decode-phase features. */
const ACC = new Float64Array(2 * N);

/**
 * Simulates `C` (an integer >= 1) closed-loop clients on one instance with `slots` request slots and fills `first` and
 * `steady` with the mean features (TTFT's NCOEF, then TPOT's NCOEF) of the first wave (every client's first request,
 * all sent at once) and of the steady state (each client's next request once the clients are spread over the cycle).
 */
export function simulateRounds(pm: PerfModel, w: WorkShape, C: number, slots: number, sched: SchedulerKind, first: Features, steady: Features): void {
  simulateScored(pm, w, C, slots, sched, false, first);
  simulateScored(pm, w, C, slots, sched, true, steady);
}

/**
 * One simulation, scoring C requests into `out`. Cold (`spread` false): all C clients send at once and their first
 * requests are scored. Spread: the running requests start at evenly spaced points of their decode (the clients beyond the
 * slots waiting in the queue), and the next C requests the clients send are scored. Identical requests that start
 * together stay in lock-step for ever in a deterministic schedule (a group finishing in one step sends its prompts into
 * one step again), which the measured runs do not show (their TTFT grows far slower with the clients than whole groups of
 * prompts would make it); the spread start is the steady state without that artefact. After the scored requests, the
 * clients keep sending (unscored) so the scored ones run under load to their end.
 */
function simulateScored(pm: PerfModel, w: WorkShape, C: number, slots: number, sched: SchedulerKind, spread: boolean, out: Features): void {
  const mixed = sched === 'mixed';
  const M = Math.max(1, Math.floor(pm.maxNumBatchedTokens));
  // Tokens each prompt computes, and where it starts (after its prefix-cache hits). A fully cached prompt still
  // computes its last token.
  const P = Math.max(1, w.newPrompt);
  const start0 = w.newPrompt > 0 ? w.cached : Math.max(0, w.prompt - 1);
  const O = Math.max(1, Math.round(w.output));
  // Context of a request's first decode step (prompt + first token); it grows by one per decode step.
  const ctx0 = w.prompt + 1;
  const slotsI = Number.isFinite(slots) ? Math.max(1, Math.floor(slots)) : C;
  const layers = layersOf(pm);
  const wr = weightReadOf(pm);
  const routed = routedPerTokenOf(pm);
  const a2a = allToAllsOf(pm);
  // Requests sent in the simulation: C scored, then C more that keep the load on.
  const total = 2 * C;
  ensure(total + C + 4);
  S.fill(0);
  ACC.fill(0);
  let issued = 0;
  let qh = 0;
  let qt = 0;
  let ch = 0;
  let ct = 0;
  // Decoding requests, and the sum over them of (ctx0 - first decode step): their mean context at decode step td is
  // (A + td x Nd) / Nd.
  let Nd = 0;
  let A = 0;
  // Decode steps so far (the clock of the decodes: separate prompt steps do not advance it).
  let td = 0;
  // The one request whose prompt is partly computed (FCFS leaves at most one), its progress and class.
  let partial = 0;
  let pDone = 0;
  let pCls = 0;
  let scored = 0;
  // Steps so far (prompt steps and decode steps), and the scored requests sent during the step about to run.
  let ts = 0;
  let pendingHalf = 0;

  // `n` clients send their next request now: class 0 (scored) for the first C sent, 1 after. A request sent when its
  // predecessor ends reaches the engine while the next step runs (the client's round trip): the scheduler sees it one
  // step later, and it waits for half of that step on average (charged when the step is priced, see half()).
  const arrive = (n: number, now: boolean): void => {
    while (n > 0 && issued < total) {
      const cls = issued < C ? 0 : 1;
      const k = Math.min(n, (cls + 1) * C - issued);
      qn[qt] = k;
      qc[qt] = cls;
      qvis[qt] = now ? ts : ts + 1;
      qt++;
      if (cls === 0) {
        for (let j = 0; j < N; j++) ACC[j] -= k * S[j];
        if (!now) pendingHalf += k;
      }
      issued += k;
      n -= k;
    }
  };
  // The step just priced (features f0, f1, f4 and one step's constants) ran while the requests sent before it arrived:
  // their TTFT starts half-way through it. A decode run passes its first step.
  const half = (f0: number, f1: number, f4: number, f7: number): void => {
    if (pendingHalf === 0) return;
    ACC[0] -= pendingHalf * 0.5 * f0;
    ACC[1] -= pendingHalf * 0.5 * f1;
    ACC[2] -= pendingHalf * 0.5;
    ACC[3] -= pendingHalf * 0.5 * layers;
    ACC[4] -= pendingHalf * 0.5 * f4;
    ACC[7] -= pendingHalf * 0.5 * f7;
    ACC[8] -= pendingHalf * 0.5 * a2a;
    pendingHalf = 0;
  };
  // `k` requests of class `cls` got their first token at the end of the step just run.
  const firstTokens = (k: number, cls: number): void => {
    if (k <= 0) return;
    if (cls === 0) {
      for (let j = 0; j < N; j++) {
        ACC[j] += k * S[j];
        ACC[N + j] -= k * S[j];
      }
    }
    cn[ct] = k;
    cc[ct] = cls;
    cstart[ct] = td;
    cfin[ct] = td + O - 1;
    ct++;
    Nd += k;
    A += k * (ctx0 - td);
  };
  // Cohorts whose last token is out: their clients send the next request. All cohorts decode for O - 1 steps, so they
  // finish in the order they started.
  const finishDue = (): void => {
    while (ch < ct && cfin[ch] <= td) {
      const n = cn[ch];
      if (cc[ch] === 0) {
        for (let j = 0; j < N; j++) ACC[N + j] += n * S[j];
        scored += n;
      }
      Nd -= n;
      A -= n * (ctx0 - cstart[ch]);
      ch++;
      arrive(n, false);
    }
  };

  if (spread) {
    // R running requests, the i-th (from the most advanced) with d_i = floor((R - i - 1/2) (O - 1) / R) decode steps
    // done, so they finish one by one over a decode of O - 1 steps; the other clients wait in the queue (unscored).
    const R = Math.min(C, slotsI);
    for (let i = 0; i < R; i++) {
      const d = Math.floor(((R - i - 0.5) * (O - 1)) / R);
      cn[ct] = 1;
      cc[ct] = 2;
      cstart[ct] = -d;
      cfin[ct] = O - 1 - d;
      ct++;
      Nd += 1;
      A += ctx0 + d;
    }
    if (C > R) {
      qn[qt] = C - R;
      qc[qt] = 2;
      qt++;
    }
    finishDue();
  } else arrive(C, true);
  const comp = [0, 0, 0];
  // Each pass is one prompt step or one run of pure decode steps; a pass finishes at least one chunk or one cohort.
  for (let guard = 0; scored < C && guard < 100 * (total + C) + 1000; guard++) {
    let bud = mixed ? M - Nd : M;
    const running = Nd + partial;
    if (Nd === 0 && partial === 0 && qh < qt && qvis[qh] > ts) {
      // An idle engine runs no step while the requests travel: they start the next step with no wait.
      for (let i = qh; i < qt; i++) qvis[i] = ts;
      pendingHalf = 0;
    }
    if (bud > 0 && (partial > 0 || (qh < qt && qvis[qh] <= ts && running < slotsI))) {
      // A step with prompt tokens: the partly computed prompt first, then new requests FCFS while slots and budget last.
      let tok = 0;
      let seqs = 0;
      let ctxW = 0;
      let kvR = 0;
      let done = 0;
      comp[0] = comp[1] = comp[2] = 0;
      let run = running;
      if (partial > 0) {
        const rem = P - pDone;
        const c = Math.min(rem, bud);
        const s = start0 + pDone;
        tok += c;
        seqs++;
        ctxW += c * (s + (c + 1) / 2);
        kvR += s + c;
        bud -= c;
        if (c === rem) {
          partial = 0;
          comp[pCls]++;
          done++;
        } else pDone += c;
      }
      while (bud > 0 && qh < qt && qvis[qh] <= ts && run < slotsI) {
        const n = qn[qh];
        const whole = Math.min(n, slotsI - run, Math.floor(bud / P));
        if (whole > 0) {
          tok += whole * P;
          seqs += whole;
          ctxW += whole * P * (start0 + (P + 1) / 2);
          kvR += whole * (start0 + P);
          bud -= whole * P;
          comp[qc[qh]] += whole;
          done += whole;
          run += whole;
          qn[qh] -= whole;
          if (qn[qh] === 0) qh++;
          continue;
        }
        // The budget left holds part of one prompt: its first chunk.
        const c = bud;
        tok += c;
        seqs++;
        ctxW += c * (start0 + (c + 1) / 2);
        kvR += start0 + c;
        bud = 0;
        partial = 1;
        pDone = c;
        pCls = qc[qh];
        run++;
        qn[qh] -= 1;
        if (qn[qh] === 0) qh++;
      }
      const dec = mixed ? Nd : 0;
      const ctx = dec > 0 ? (A + td * Nd) / Nd : 0;
      // A prompt step without decodes still reads every weight once: that part is priced like a decode step (the
      // weight read of one token), the rest (the prompt's extra compute and KV traffic) at the prompt scale.
      const rd = dec > 0 ? step(pm, scratch(dec, ctx, 0, 0, 0, dec)) : wr;
      const rt = step(pm, scratch(dec, ctx, tok, ctxW / tok, kvR, dec + done));
      const rp = rt > rd ? rt - rd : 0;
      S[0] += rd;
      S[1] += rp;
      S[2] += 1;
      S[3] += layers;
      S[4] += dec + seqs;
      S[7] += (dec + tok) * routed;
      S[8] += a2a;
      half(rd, rp, dec + seqs, (dec + tok) * routed);
      ts++;
      if (mixed) td++;
      firstTokens(comp[0], 0);
      firstTokens(comp[1], 1);
      firstTokens(comp[2], 2);
      finishDue();
      continue;
    }
    if (Nd <= 0) break;
    // Pure decode steps until the oldest cohort finishes (or one step, when a request on its way can then be admitted).
    const k = qh < qt && qvis[qh] > ts && running < slotsI ? 1 : cfin[ch] - td;
    const r = step(pm, scratch(Nd, (A + Nd * (td + (k - 1) / 2)) / Nd, 0, 0, 0, Nd));
    S[0] += k * r;
    S[2] += k;
    S[3] += k * layers;
    S[4] += k * Nd;
    S[7] += k * Nd * routed;
    S[8] += k * a2a;
    half(k === 1 ? r : step(pm, scratch(Nd, (A + Nd * td) / Nd, 0, 0, 0, Nd)), 0, Nd, Nd * routed);
    ts += k;
    td += k;
    finishDue();
  }
  for (let j = 0; j < N; j++) {
    out[j] = ACC[j] / C;
    out[N + j] = O > 1 ? ACC[N + j] / (C * (O - 1)) : 0;
  }
  out[5] += 1;
  if (O <= 1) {
    // One output token has no time per output token: report one lone decode step, as a single stream would see.
    out[N] = step(pm, scratch(1, ctx0, 0, 0, 0, 1));
    out[N + 2] = 1;
    out[N + 3] = layers;
    out[N + 4] = 1;
    out[N + 7] = routed;
    out[N + 8] = a2a;
  }
  out[N + 6] += 1;
}

const FIRST = newFeatures();
const STEADY = newFeatures();
const LO = newFeatures();

/**
 * Mean features (TTFT then TPOT) of C closed-loop clients on one instance with `slots` slots: (1 - phi) x steady round +
 * phi x first wave. A fractional C (clients split over replicas) interpolates linearly between the integers around it.
 * Returns false when nothing can run.
 */
export function closedLoopFeatures(pm: PerfModel, w: WorkShape, C: number, slots: number, sched: SchedulerKind, phi: number, out: Features): boolean {
  out.fill(0);
  if (!(slots >= 1) || !(C > 0)) return false;
  const c = Math.max(1, C);
  const lo = Math.floor(c);
  mixRounds(pm, w, lo, slots, sched, phi, out);
  if (c > lo) {
    LO.set(out);
    mixRounds(pm, w, lo + 1, slots, sched, phi, out);
    const f = c - lo;
    for (let i = 0; i < 2 * N; i++) out[i] = (1 - f) * LO[i] + f * out[i];
  }
  return true;
}

function mixRounds(pm: PerfModel, w: WorkShape, C: number, slots: number, sched: SchedulerKind, phi: number, out: Features): void {
  simulateRounds(pm, w, C, slots, sched, FIRST, STEADY);
  for (let i = 0; i < 2 * N; i++) out[i] = (1 - phi) * STEADY[i] + phi * FIRST[i];
}
