// Measured utilisation at a step's shapes, for stepTime (issue 12 item 3): each operator's roofline time at the
// datasheet peaks divided by the utilisation aiconfigurator measured at that shape (operatorEfficiency.ts,
// operatorTables.json, Apache-2.0, see NOTICE). Within one sizing only the tokens of a step change, so every lookup is
// precomputed once as a curve over the tables' own grid along that one axis (two for decode attention: batch x
// context), with the other axes interpolated at the model's fixed shape; multilinear log-space interpolation is
// separable, so the curve then answers exactly what operatorEfficiency.ts would at any point. Curves are cached per
// (GPU, shape) across sizings, so a hardware comparison computes each once. Pure apart from those caches.
import type { GemmDtype, KvDtype, MoeDtype, OperatorTables } from './operatorEfficiency';
import { commUtilisation, decodeAttentionUtilisation, gemmUtilisation, nearestMoeCurve, prefillAttentionUtilisation } from './operatorEfficiency';
import builtinTables from './operatorTables.json';

const BUILTIN = builtinTables as unknown as OperatorTables;

/** u(x) on an ascending grid, both in natural log; edge values held outside. */
export interface Curve {
  logX: Float64Array;
  logU: Float64Array;
  /** The last point read and its utilisation: a batch sweep reads each curve at the same token counts again and again. */
  lastLx: number;
  lastU: number;
}

/** u(a, b) on a row-major grid (b fastest), logs; edge values held outside. */
export interface Surface {
  logA: Float64Array;
  logB: Float64Array;
  logU: Float64Array;
  /** The last point read and its utilisation (as Curve's). */
  lastA: number;
  lastB: number;
  lastU: number;
}

/** One dense GEMM of a group: local weight n x k on this GPU, `count` of them in the stage. */
export interface GemmShape {
  n: number;
  k: number;
  count: number;
}

/** Peaks the tables' utilisation was defined against (the catalog's datasheet figures, recorded in the JSON). */
export interface TablePeaks {
  gemmFlops: number;
  moeFlops: number;
  attnFlops: number;
  bandwidth: number;
  linkPerDirection: number;
}

/** Per stage: the linear groups of stepTime as curves over the step's tokens (null: that group keeps the datasheet path). */
export interface MeasuredStage {
  qkv: Curve | null;
  mlp: Curve | null;
  shared: Curve | null;
  head: Curve | null;
}

export interface MeasuredSteps {
  gpuId: string;
  peaks: TablePeaks;
  stages: MeasuredStage[];
  /** MoE grouped GEMM over tokens reaching this GPU's experts (already rescaled to the measured pair's tokens per expert). */
  experts: Curve | null;
  /** Multiply tokens at the experts by this before looking up `experts` (same tokens per expert as the measured pair). */
  expertTokenScale: number;
  decodeAttention: Surface | null;
  /** One causal prompt of `length` new tokens. */
  prefillAttention: Curve | null;
  /** TP all-reduce by message bytes at this tp: vLLM's custom all-reduce up to CUSTOM_AR_MAX_BYTES, NCCL above. */
  allReduceSmall: Curve | null;
  allReduceLarge: Curve | null;
  /** Which families answered and which fell back, for the report. */
  note: string;
}

/** vLLM uses its custom all-reduce for messages up to 8 MiB (docs/OPERATOR-EFFICIENCY.md wiring table). */
export const CUSTOM_AR_MAX_BYTES = 8 * 1024 * 1024;

/** Utilisation at x on a curve (log-space linear interpolation, edges held). */
export function curveAt(c: Curve, x: number): number {
  return curveAtLog(c, Math.log(x > 0 ? x : 1e-30));
}

/** curveAt at a log coordinate the caller already has (a step prices several curves at the same token count). */
export function curveAtLog(c: Curve, lx: number): number {
  if (lx === c.lastLx) return c.lastU;
  const ax = c.logX;
  const n = ax.length;
  let u: number;
  if (n === 1 || lx <= ax[0]) u = Math.exp(c.logU[0]);
  else if (lx >= ax[n - 1]) u = Math.exp(c.logU[n - 1]);
  else {
    let hi = 1;
    while (ax[hi] < lx) hi++;
    const w = (lx - ax[hi - 1]) / (ax[hi] - ax[hi - 1]);
    u = w === 0 ? Math.exp(c.logU[hi - 1]) : Math.exp(c.logU[hi - 1] + w * (c.logU[hi] - c.logU[hi - 1]));
  }
  c.lastLx = lx;
  c.lastU = u;
  return u;
}

// Bracketing indices of a log coordinate on a log axis and the upper one's weight (edges held: weight 0), written to
// module scratch instead of returned as an object: the step-time hot path reads a surface per step and must not allocate.
let spanLo = 0;
let spanHi = 0;
let spanW = 0;
function logSpan(ax: Float64Array, l: number): void {
  const n = ax.length;
  if (l <= ax[0]) {
    spanLo = spanHi = 0;
    spanW = 0;
  } else if (l >= ax[n - 1]) {
    spanLo = spanHi = n - 1;
    spanW = 0;
  } else {
    let hi = 1;
    while (ax[hi] < l) hi++;
    spanLo = hi - 1;
    spanHi = hi;
    spanW = (l - ax[hi - 1]) / (ax[hi] - ax[hi - 1]);
  }
}

/** Utilisation at (a, b) on a surface (bilinear in log space, edges held). */
export function surfaceAt(s: Surface, a: number, b: number): number {
  if (a === s.lastA && b === s.lastB) return s.lastU;
  const la = Math.log(a > 0 ? a : 1e-30);
  const lb = Math.log(b > 0 ? b : 1e-30);
  const nb = s.logB.length;
  logSpan(s.logA, la);
  const i0 = spanLo;
  const i1 = spanHi;
  const wa = spanW;
  logSpan(s.logB, lb);
  const j0 = spanLo;
  const j1 = spanHi;
  const wb = spanW;
  const u = s.logU;
  const lo = u[i0 * nb + j0] + wb * (u[i0 * nb + j1] - u[i0 * nb + j0]);
  const hi = u[i1 * nb + j0] + wb * (u[i1 * nb + j1] - u[i1 * nb + j0]);
  const r = Math.exp(lo + wa * (hi - lo));
  s.lastA = a;
  s.lastB = b;
  s.lastU = r;
  return r;
}

const curveCache = new Map<string, Curve | Surface | null>();
function cached<T extends Curve | Surface | null>(key: string, make: () => T): T {
  if (curveCache.has(key)) return curveCache.get(key) as T;
  const v = make();
  // Bounded: a catalog has a few dozen GPUs and models; past this the cache is simply rebuilt.
  if (curveCache.size > 20000) curveCache.clear();
  curveCache.set(key, v);
  return v;
}

function curveOf(axis: number[], us: (number | null)[]): Curve | null {
  if (us.some((u) => u === null || !(u > 0))) return null;
  return { logX: Float64Array.from(axis, Math.log), logU: Float64Array.from(us as number[], Math.log), lastLx: NaN, lastU: 0 };
}

/** Bytes per weight element of a GEMM dtype as stored (the tables' convention; scales counted for nvfp4). */
const WEIGHT_BYTES: Record<GemmDtype, number> = { bf16: 2, fp8: 1, fp8_block: 1, nvfp4: 0.5 + 1 / 16 };

/**
 * A linear group (several GEMMs of fixed n, k) as one curve over the step's tokens m: the time-weighted utilisation
 * sum(roofline) / sum(roofline / u) at each of the table's m grid points. Null when any GEMM was not measured.
 */
export function gemmGroupCurve(gpuId: string, dtype: GemmDtype, shapes: GemmShape[], peakFlops: number, bandwidth: number, tables = BUILTIN): Curve | null {
  if (shapes.length === 0) return null;
  const mAxis = tables.gpus[gpuId]?.gemm?.[dtype]?.axes.m;
  if (!mAxis) return null;
  const key = `g|${gpuId}|${dtype}|${shapes.map((s) => `${s.n}x${s.k}x${s.count}`).join(',')}|${tables === BUILTIN ? '' : 'custom'}`;
  return cached(key, () => {
    const wb = WEIGHT_BYTES[dtype];
    const us: (number | null)[] = mAxis.map((m) => {
      let roof = 0;
      let measured = 0;
      for (const s of shapes) {
        const u = gemmUtilisation(gpuId, dtype, m, s.n, s.k, tables);
        if (!u) return null;
        const r = s.count * Math.max((2 * m * s.n * s.k) / peakFlops, (s.k * s.n * wb + m * (s.k + s.n) * 2) / bandwidth);
        roof += r;
        measured += r / u.utilisation;
      }
      return roof / measured;
    });
    return curveOf(mAxis, us);
  });
}

/** Decode attention at this GPU's KV heads (bytes-equivalent heads of head_dim 128) as a surface over batch x context. */
export function decodeAttentionSurface(gpuId: string, kv: KvDtype, kvHeads: number, tables = BUILTIN): Surface | null {
  const t = tables.gpus[gpuId]?.decodeAttention?.[kv];
  if (!t || !(kvHeads > 0)) return null;
  return cached(`d|${gpuId}|${kv}|${kvHeads}|${tables === BUILTIN ? '' : 'custom'}`, () => {
    const A = t.axes.batch;
    const B = t.axes.context;
    const us: number[] = [];
    for (const a of A)
      for (let j = 0; j < B.length; j++) {
        const u = decodeAttentionUtilisation(gpuId, kv, a, B[j], kvHeads, tables);
        // The collector stopped before the longest context at the smallest batches (GPU memory or time): hold the
        // nearest shorter context of the same batch, as the lookup holds the nearest smaller batch.
        if (u) us.push(Math.log(u.utilisation));
        else if (j > 0) us.push(us[us.length - 1]);
        else return null;
      }
    return { logA: Float64Array.from(A, Math.log), logB: Float64Array.from(B, Math.log), logU: Float64Array.from(us), lastA: NaN, lastB: NaN, lastU: 0 };
  });
}

/** Prefill attention of one prompt over its new tokens, at this GPU's KV heads. */
export function prefillAttentionCurve(gpuId: string, kvHeads: number, tables = BUILTIN): Curve | null {
  const t = tables.gpus[gpuId]?.prefillAttention?.bf16;
  if (!t || !(kvHeads > 0)) return null;
  return cached(`p|${gpuId}|${kvHeads}|${tables === BUILTIN ? '' : 'custom'}`, () =>
    curveOf(
      t.axes.length,
      t.axes.length.map((l) => prefillAttentionUtilisation(gpuId, 1, l, kvHeads, tables)?.utilisation ?? null),
    ),
  );
}

/**
 * MoE grouped GEMM: the measured (experts, top-k) pair nearest to this GPU's (local experts, top-k), as
 * operatorEfficiency.moeUtilisation picks it, and the token scale that gives the same tokens per expert.
 */
export function moeCurve(gpuId: string, dtype: MoeDtype, localExperts: number, topk: number, tables = BUILTIN): { curve: Curve; tokenScale: number } | null {
  const curves = tables.gpus[gpuId]?.moe?.[dtype]?.curves;
  if (!curves || curves.length === 0 || !(localExperts > 0) || !(topk > 0)) return null;
  const best = nearestMoeCurve(curves, localExperts, topk);
  const curve = curveOf(best.tokens, best.util);
  // Tokens per expert here: tokens x k / E; on the measured pair: tokens' x k' / E'.
  return curve ? { curve, tokenScale: (topk / localExperts) * (best.experts / best.topk) } : null;
}

/** All-reduce of `op` over `gpus` GPUs of one node, by message bytes. Null beyond the measured GPU counts (every multi-node tp). */
export function allReduceCurve(gpuId: string, op: 'ncclAllReduce' | 'vllmCustomAllReduce', gpus: number, tables = BUILTIN): Curve | null {
  const t = tables.gpus[gpuId]?.comm?.[op];
  if (!t) return null;
  return cached(`c|${gpuId}|${op}|${gpus}|${tables === BUILTIN ? '' : 'custom'}`, () =>
    curveOf(
      t.axes.bytes,
      t.axes.bytes.map((b) => commUtilisation(gpuId, op, b, gpus, tables)?.utilisation ?? null),
    ),
  );
}

/** The datasheet peaks the tables were derived against, for a GEMM / MoE dtype; null when the catalog lists none. */
export function tablePeaksOf(gpuId: string, gemm: GemmDtype | null, moe: MoeDtype | null, tables = BUILTIN): TablePeaks | null {
  const p = (tables.gpus[gpuId] as { peaks?: Record<string, number | string | null> } | undefined)?.peaks;
  if (!p) return null;
  const peakOf = (d: GemmDtype | MoeDtype | null): number => {
    const key = d === 'fp8' || d === 'fp8_block' || d === 'mxfp4_w4a8' ? 'fp8' : d === 'nvfp4' ? 'fp4' : 'bf16';
    const v = p[key];
    return typeof v === 'number' && v > 0 ? v : 0;
  };
  const bf16 = peakOf('bf16');
  const bw = p.bandwidthBytesPerS;
  const link = p.linkPerDirectionBytesPerS;
  if (!(bf16 > 0) || typeof bw !== 'number' || typeof link !== 'number') return null;
  return { gemmFlops: peakOf(gemm), moeFlops: peakOf(moe), attnFlops: bf16, bandwidth: bw, linkPerDirection: link };
}
