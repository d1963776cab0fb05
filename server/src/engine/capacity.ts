// Batch sweep, knee, SLO batch, Little's Law and queueing. Pure.
//   TPOT(B)  = step time of B decodes + the other requests' prompt tokens that share the step: (B-1) x P'/O per step
//   TTFT(B)  = queueing + chunked prefill of P' = P(1 - prefix hit) tokens, each chunk sharing its step with B-1 decodes
//   W(B)     = TTFT(B) + O x TPOT(B)        (a request's time in the system)
//   X(B)     = B x O / W(B)                 (Little's Law per replica: B/TPOT with the request's own prefill amortized)
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import { blocksNeeded } from './kvcache';
import type { PerfModel } from './latency';
import { prefillTime, scratchLoad, stepTime } from './latency';
import type { SchedulerKind } from './closedLoop';
import { latencyAt, newFeatures } from './closedLoop';

// Module-local copies of the hot imported functions (CommonJS interop makes each imported name a getter).
const step = stepTime;
const prefill = prefillTime;
const scratch = scratchLoad;

export interface WorkShape {
  /** Prompt tokens, new (after prefix-cache hits) and cached. */
  prompt: number;
  newPrompt: number;
  cached: number;
  output: number;
  /** Average context a decoding request attends to: P + O/2. */
  context: number;
}

export function workShape(inputTokens: number, outputTokens: number, hit: number): WorkShape {
  const P = Math.max(0, Math.round(inputTokens));
  const O = Math.max(1, Math.round(outputTokens));
  const h = Math.min(1, Math.max(0, hit));
  const newPrompt = Math.round(P * (1 - h));
  return { prompt: P, newPrompt, cached: P - newPrompt, output: O, context: P + O / 2 };
}

export interface BatchPoint {
  batch: number;
  tpot: number;
  ttft: number;
  throughput: number;
}

/**
 * Evaluates TPOT/TTFT/throughput at (possibly fractional) batch B for one replica. Each batch is evaluated once: the
 * sweep grid, the knee and SLO searches, Little's Law and the cost all ask for the same integer batches again, and a
 * step is the expensive part (memoized per exact B, so every result is bit-identical to re-evaluating).
 */
export class BatchModel {
  // Integer batches up to INT_CACHE (all the sweep and searches ask for, at vLLM's default max_num_seqs) in shared
  // typed arrays stamped with this model's generation: per-model arrays (16 KB each, off-heap) cost more in GC than the
  // steps they saved, and a sparse JS array indexed to 1024 turns into a slow dictionary. An entry is this model's only
  // when its stamp is this model's generation (a unique, never reused number), so interleaved models just miss.
  // Other batches (fractional Little's Law iterates, larger limits) in maps.
  private readonly gen = nextGeneration++;
  private tpotFrac: Map<number, number> | null = null;
  private ttftFrac: Map<number, number> | null = null;
  /**
   * With `lat`, TTFT and TPOT at batch B are those of B clients under the engine's scheduler with the fitted step costs
   * (closedLoop.ts); without it, the bare roofline of one step (the physics the tests of this class pin).
   */
  constructor(
    readonly pm: PerfModel,
    readonly w: WorkShape,
    readonly lat: LatencySpec | null = null,
  ) {}

  tpot(B: number): number {
    const b = Math.max(1, B);
    if (b <= INT_CACHE && Number.isInteger(b)) {
      if (TPOT_STAMP[b] === this.gen) return TPOT_AT[b];
      const t = this.tpotUncached(b);
      TPOT_AT[b] = t;
      TPOT_STAMP[b] = this.gen;
      return t;
    }
    const memo = (this.tpotFrac ??= new Map());
    let t = memo.get(b);
    if (t === undefined) {
      t = this.tpotUncached(b);
      if (memo.size < MEMO_LIMIT) memo.set(b, t);
    }
    return t;
  }

  private tpotUncached(b: number): number {
    if (this.lat) return this.bothAt(b).tpot;
    const w = this.w;
    // Other requests' prompts, spread over their outputs, share every decode step (chunked prefill).
    const n = ((b - 1) * w.newPrompt) / w.output;
    const chunk = Math.max(1, Math.min(w.newPrompt, this.pm.maxNumBatchedTokens));
    const seqChunks = w.newPrompt > 0 ? n / chunk : 0;
    return step(this.pm, scratch(b, w.context, n, w.cached + w.newPrompt / 2, seqChunks * (w.cached + w.newPrompt / 2 + chunk / 2), b + (b - 1) / w.output));
  }

  /** Prefill part of TTFT (no queueing). */
  ttft(B: number): number {
    const b = Math.max(1, B);
    if (b <= INT_CACHE && Number.isInteger(b)) {
      if (TTFT_STAMP[b] === this.gen) return TTFT_AT[b];
      const t = this.ttftUncached(b);
      TTFT_AT[b] = t;
      TTFT_STAMP[b] = this.gen;
      return t;
    }
    const memo = (this.ttftFrac ??= new Map());
    let t = memo.get(b);
    if (t === undefined) {
      t = this.ttftUncached(b);
      if (memo.size < MEMO_LIMIT) memo.set(b, t);
    }
    return t;
  }

  /**
   * Both latencies of B clients (the sweep never exceeds its slots: no waiting for a slot here), computed together and
   * remembered for the other metric too (one set of steps prices both).
   */
  private bothAt(b: number): { ttft: number; tpot: number } {
    const l = this.lat as LatencySpec;
    const r = latencyAt(this.pm, this.w, b, Math.max(b, l.slots), l.sched, l.phi, l.coef, SCRATCH_F);
    if (b <= INT_CACHE && Number.isInteger(b)) {
      TPOT_AT[b] = r.tpot;
      TPOT_STAMP[b] = this.gen;
      TTFT_AT[b] = r.ttft;
      TTFT_STAMP[b] = this.gen;
    } else {
      const tm = (this.tpotFrac ??= new Map());
      const fm = (this.ttftFrac ??= new Map());
      if (tm.size < MEMO_LIMIT) tm.set(b, r.tpot);
      if (fm.size < MEMO_LIMIT) fm.set(b, r.ttft);
    }
    return r;
  }

  private ttftUncached(b: number): number {
    if (this.lat) return this.bothAt(b).ttft;
    return prefill(this.pm, this.w.newPrompt, this.w.cached, b - 1, this.w.context);
  }

  point(B: number): BatchPoint {
    const tpot = this.tpot(B);
    const ttft = this.ttft(B);
    const W = ttft + this.w.output * tpot;
    return { batch: B, tpot, ttft, throughput: W > 0 ? (Math.max(1, B) * this.w.output) / W : 0 };
  }

  /** point(B).throughput without building the point (the searches ask for many). */
  throughput(B: number): number {
    const W = this.ttft(B) + this.w.output * this.tpot(B);
    return W > 0 ? (Math.max(1, B) * this.w.output) / W : 0;
  }
}

/** How a BatchModel turns a batch into latencies under load (closedLoop.ts). */
export interface LatencySpec {
  sched: SchedulerKind;
  /** Weight of the first wave in a closed-loop run's mean TTFT (0 for open-loop arrivals). */
  phi: number;
  coef: Float64Array;
  slots: number;
}
const SCRATCH_F = newFeatures();

/** Integer batches remembered by index (vLLM's default max_num_seqs is 256 to 1024). */
const INT_CACHE = 1024;
const TPOT_AT = new Float64Array(INT_CACHE + 1);
const TTFT_AT = new Float64Array(INT_CACHE + 1);
/** Generation of the model each entry belongs to (0: none); generations count up in doubles, exact to 2^53. */
const TPOT_STAMP = new Float64Array(INT_CACHE + 1);
const TTFT_STAMP = new Float64Array(INT_CACHE + 1);
let nextGeneration = 1;
/** Other batches remembered per BatchModel, at most. */
const MEMO_LIMIT = 4096;

/** Sample points: every batch to 16, then about 15% steps, always including the maximum. */
export function batchGrid(maxB: number): number[] {
  const top = Math.max(1, Math.floor(maxB));
  const g: number[] = [];
  for (let b = 1; b <= Math.min(16, top); b++) g.push(b);
  let b = 16;
  while (b < top) {
    b = Math.min(top, Math.max(b + 1, Math.round(b * 1.15)));
    g.push(b);
  }
  return g;
}

/** Largest integer B in [1, hi] with pred(B) true, for a predicate true then false as B grows; 0 when pred(1) fails. */
export function largestTrue(hi: number, pred: (b: number) => boolean): number {
  if (hi < 1 || !pred(1)) return 0;
  let lo = 1;
  let up = Math.floor(hi);
  if (pred(up)) return up;
  while (up - lo > 1) {
    const mid = Math.floor((lo + up) / 2);
    if (pred(mid)) lo = mid;
    else up = mid;
  }
  return lo;
}

export const KNEE_RULE =
  'knee = the smallest batch B where adding one more sequence gains less than 10% of the throughput the second sequence added (X(B+1) - X(B) < 0.1 x (X(2) - X(1))), or where TPOT has risen 50% over B = 1, whichever comes first';

export interface SweepResult {
  grid: BatchPoint[];
  knee: number;
  kneeReason: string;
  maxThroughput: BatchPoint;
  /** Largest batch meeting the SLO's TPOT and TTFT (prefill part), 0 when even B = 1 misses. */
  sloMax: number;
  /** The batch maximizing throughput among those meeting the SLO (0 when none). */
  sloBatch: number;
}

export function sweep(bm: BatchModel, maxB: number, tpotSlo: number | null, ttftSlo: number | null): SweepResult {
  const top = Math.max(1, Math.floor(maxB));
  const grid = batchGrid(top).map((b) => bm.point(b));
  const at = (b: number) => grid.find((p) => p.batch === b) ?? bm.point(b);
  // Knee.
  let knee = top;
  let kneeReason = `no knee below the batch limit (${top})`;
  if (top >= 2) {
    const g1 = at(2).throughput - at(1).throughput;
    const t1 = at(1).tpot;
    const tpotKnee = largestTrue(top, (b) => bm.tpot(b) < 1.5 * t1); // last B below +50%
    const tpotCross = tpotKnee < top ? tpotKnee + 1 : Infinity;
    let gainCross = Infinity;
    if (!(g1 > 0)) gainCross = 1;
    else {
      const slowGain = (b: number) => bm.throughput(b + 1) - bm.throughput(b) < 0.1 * g1;
      // Scan the grid for the first interval whose average slope is below the threshold, then bisect inside it.
      for (let i = 0; i + 1 < grid.length; i++) {
        const a = grid[i];
        const c = grid[i + 1];
        const slope = (c.throughput - a.throughput) / (c.batch - a.batch);
        if (slope < 0.1 * g1) {
          let lo = a.batch;
          let hi = c.batch;
          if (slowGain(lo)) {
            gainCross = lo;
            break;
          }
          while (hi - lo > 1) {
            const mid = Math.floor((lo + hi) / 2);
            if (slowGain(mid)) hi = mid;
            else lo = mid;
          }
          gainCross = hi;
          break;
        }
      }
    }
    if (gainCross <= tpotCross && Number.isFinite(gainCross)) {
      knee = Math.min(top, gainCross);
      kneeReason = `marginal throughput per added sequence fell below 10% of the second sequence's gain at B = ${knee}`;
    } else if (Number.isFinite(tpotCross)) {
      knee = Math.min(top, tpotCross);
      kneeReason = `TPOT reached 1.5x its B = 1 value at B = ${knee}`;
    }
  } else {
    knee = 1;
    kneeReason = 'only one sequence fits';
  }
  let best = grid[0];
  for (const p of grid) if (p.throughput > best.throughput) best = p;
  // SLO.
  const ok = (b: number) => (tpotSlo === null || bm.tpot(b) * 1e3 <= tpotSlo) && (ttftSlo === null || bm.ttft(b) * 1e3 <= ttftSlo);
  const sloMax = tpotSlo === null && ttftSlo === null ? top : largestTrue(top, ok);
  let sloBatch = 0;
  if (sloMax >= 1) {
    let bestX = bm.throughput(sloMax);
    sloBatch = sloMax;
    for (const p of grid)
      if (p.batch < sloMax && p.throughput > bestX) {
        bestX = p.throughput;
        sloBatch = p.batch;
      }
  }
  return { grid, knee, kneeReason, maxThroughput: best, sloMax, sloBatch };
}

/** KV-limited concurrency at a context length: num_blocks / blocks one request of that length holds (summed over groups). */
export function kvLimitedConcurrency(m: ModelArch, mem: MemorySizing, contextTokens: number): number {
  const layout = mem.kv.layout;
  if (!layout.groups.length) return Number.POSITIVE_INFINITY; // no attention KV (pure linear-attention): not KV-limited
  const len = Math.max(1, Math.ceil(contextTokens));
  const opts = {
    blockSize: mem.kv.blockSize,
    maxModelLen: mem.serving.maxModelLen,
    maxNumBatchedTokens: mem.serving.maxNumBatchedTokens,
    slidingWindow: m.slidingWindow,
    hybridAllocator: mem.serving.engine === 'vllm' && (mem.behaviour?.hybridAllocator ?? false),
  };
  let per = 0;
  for (const g of layout.groups) per += blocksNeeded(g.kind, len, opts);
  if (per <= 0) return 0;
  return Math.max(0, mem.kv.numBlocks) / per;
}

/**
 * Erlang C: probability an arrival waits, for `servers` slots and offered load a (= lambda x W). Erlang B by the stable
 * recursion 1/B(k) = 1 + (k/a)/B(k-1), started at k0 = a - 12 sqrt(a) from B ~ 1 - k0/a (errors shrink by k/a per step,
 * so the start error is below e^-70 by k = a); beyond a + 12 sqrt(a) + 20 slots the wait probability is below e^-70: 0.
 */
export function erlangC(servers: number, a: number): number {
  const c = Math.floor(servers);
  if (c <= 0) return 1;
  if (a <= 0) return 0;
  if (a >= c) return 1;
  const spread = 12 * Math.sqrt(a);
  if (c > a + spread + 20) return 0;
  const k0 = Math.max(0, Math.floor(a - spread));
  let invB = k0 === 0 ? 1 : 1 / (1 - k0 / a);
  for (let k = k0 + 1; k <= c; k++) invB = 1 + (k / a) * invB;
  const b = 1 / invB;
  const C = (c * b) / (c - a * (1 - b));
  return Math.min(1, Math.max(0, C));
}

/** Mean queueing delay (M/M/c with c request slots, mean service time W): C(c, a) x W / (c - a). */
export function queueWait(servers: number, lambda: number, W: number): { wait: number; unbounded: boolean } {
  const a = lambda * W;
  if (!(lambda > 0) || !(W > 0)) return { wait: 0, unbounded: false };
  if (a >= servers) return { wait: 0, unbounded: true };
  return { wait: (erlangC(servers, a) * W) / (servers - a), unbounded: false };
}

/** Fixed point of Little's Law on R replicas: B = lambda x W(B) / R, B in [0, cap] (Illinois false position; W is nearly linear in B). */
export function operatingBatch(bm: BatchModel, lambda: number, replicas: number, cap: number): number {
  const W = (b: number) => bm.ttft(b) + bm.w.output * bm.tpot(b);
  const f = (b: number) => (lambda * W(b)) / replicas - b;
  if (!(lambda > 0) || !(replicas > 0) || !(cap > 0)) return 0;
  let hi = cap;
  let fhi = f(hi);
  if (fhi >= 0) return cap;
  let lo = 0;
  let flo = f(lo);
  if (flo <= 0) return 0;
  let side = 0;
  let x = lo;
  for (let i = 0; i < 60; i++) {
    x = (lo * fhi - hi * flo) / (fhi - flo);
    const fx = f(x);
    if (Math.abs(fx) <= 1e-9 * Math.max(1, x) || hi - lo <= 1e-12 * Math.max(1, x)) return x;
    if (fx > 0) {
      lo = x;
      flo = fx;
      if (side === 1) fhi /= 2;
      side = 1;
    } else {
      hi = x;
      fhi = fx;
      if (side === -1) flo /= 2;
      side = -1;
    }
  }
  return x;
}
