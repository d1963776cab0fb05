// Measured operator utilisation: roofline time / measured time at the nearest measured shapes, from the tables
// scripts/derive-operator-tables.ts derives from NVIDIA aiconfigurator's operator database (operatorTables.json,
// Apache-2.0, see NOTICE). An operator's expected time is its roofline time at datasheet peaks divided by this
// utilisation. Between grid points both the axes and the utilisation are interpolated in log space (a power law between
// neighbours: exact where time is a fixed floor, util proportional to size, and where util saturates); outside the grid
// the edge value is held and `clamped` says so. A GPU without tables, a dtype or shape family not measured, or a cell
// the database lacks gives null: the caller keeps the datasheet x efficiency path and says so. Pure.
import builtinTables from './operatorTables.json';

export type GemmDtype = 'bf16' | 'fp8' | 'fp8_block' | 'nvfp4';
export type MoeDtype = GemmDtype | 'mxfp4_w4a16' | 'mxfp4_w4a8' | 'int4_wo';
export type KvDtype = 'bf16' | 'fp8';
export type Collective = 'ncclAllReduce' | 'ncclAllToAll' | 'vllmCustomAllReduce';

export interface OperatorUtilisation {
  /** Roofline time / measured time, in (0, 1]. */
  utilisation: number;
  source: 'measured';
  /** Which table answered, e.g. "H100-SXM gemm fp8". */
  table: string;
  /** True when a coordinate lay outside the measured grid and the edge value was held. */
  clamped: boolean;
}

interface GridTable {
  axes: Record<string, number[]>;
  util: (number | null)[];
}

/**
 * The measured (experts, top-k) curve nearest to the asked pair: expert count first (log distance x 1000), then top-k.
 * One choice for the per-operator lookup and the step-time curves, so both read the same measurements.
 */
export function nearestMoeCurve(curves: MoeCurve[], experts: number, topk: number): MoeCurve {
  let best = curves[0];
  let bestD = Infinity;
  for (const c of curves) {
    const d = Math.abs(Math.log(c.experts / experts)) * 1000 + Math.abs(Math.log(c.topk / topk));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

export interface MoeCurve {
  experts: number;
  topk: number;
  tokens: number[];
  util: number[];
}

interface GpuTables {
  gemm?: Record<string, GridTable>;
  decodeAttention?: Record<string, GridTable>;
  prefillAttention?: Record<string, GridTable>;
  moe?: Record<string, { curves: MoeCurve[] }>;
  comm?: Record<string, GridTable | null>;
}

export interface OperatorTables {
  provenance?: unknown;
  gpus: Record<string, GpuTables>;
}

const BUILTIN = builtinTables as unknown as OperatorTables;

/** Catalog GPU ids that have measured tables. */
export function measuredGpus(tables: OperatorTables = BUILTIN): string[] {
  return Object.keys(tables.gpus);
}

/** What the caller says when a GPU has no tables: today's datasheet x efficiency path stays. */
export function fallbackNote(gpuId: string, tables: OperatorTables = BUILTIN): string | null {
  return tables.gpus[gpuId]
    ? null
    : `${gpuId}: no measured operator tables (aiconfigurator measures ${measuredGpus(tables).join(', ')}); datasheet peaks x fixed efficiency used`;
}

/** Position of x on an ascending axis in log space: lower index, upper index, weight of the upper one. */
export function logPosition(axis: number[], x: number): { lo: number; hi: number; w: number; clamped: boolean } {
  const n = axis.length;
  if (n === 1 || x <= axis[0]) return { lo: 0, hi: 0, w: 0, clamped: n > 1 ? x < axis[0] : x !== axis[0] };
  if (x >= axis[n - 1]) return { lo: n - 1, hi: n - 1, w: 0, clamped: x > axis[n - 1] };
  let hi = 1;
  while (axis[hi] < x) hi++;
  const lo = hi - 1;
  return { lo, hi, w: Math.log(x / axis[lo]) / Math.log(axis[hi] / axis[lo]), clamped: false };
}

/**
 * Multilinear interpolation of log(util) over log(coordinates) on a row-major grid (last axis fastest). Null when a
 * coordinate is not a positive finite number or any corner that carries weight was not measured. With `holdAxis`, an
 * unmeasured corner takes the nearest measured cell below it along that axis and the answer is flagged clamped: the
 * attention collectors stop where batch x length outgrows the GPU (aiconfigurator holds the boundary value there too).
 */
export function gridLookup(t: GridTable, names: string[], xs: number[], holdAxis?: number): { utilisation: number; clamped: boolean } | null {
  const pos: { lo: number; hi: number; w: number }[] = [];
  let clamped = false;
  for (let d = 0; d < names.length; d++) {
    const axis = t.axes[names[d]];
    const x = xs[d];
    if (!axis || axis.length === 0 || !(x > 0) || !Number.isFinite(x)) return null;
    const p = logPosition(axis, x);
    clamped ||= p.clamped;
    pos.push(p);
  }
  const idx: number[] = new Array(names.length).fill(0);
  const cellAt = (): number => {
    let index = 0;
    for (let d = 0; d < names.length; d++) index = index * t.axes[names[d]].length + idx[d];
    return index;
  };
  let logU = 0;
  for (let corner = 0; corner < 1 << names.length; corner++) {
    let weight = 1;
    for (let d = 0; d < names.length; d++) {
      const upper = (corner >> d) & 1;
      const p = pos[d];
      weight *= upper ? p.w : 1 - p.w;
      idx[d] = upper ? p.hi : p.lo;
    }
    if (weight === 0) continue;
    let u = t.util[cellAt()];
    if (holdAxis !== undefined) {
      while ((u === null || u === undefined) && idx[holdAxis] > 0) {
        idx[holdAxis]--;
        u = t.util[cellAt()];
        clamped = true;
      }
    }
    if (u === null || u === undefined || !(u > 0)) return null;
    // On a grid point one corner carries all the weight: its value, exactly (exp(log u) may differ in the last bit).
    if (weight === 1) return { utilisation: Math.min(1, u), clamped };
    logU += weight * Math.log(u);
  }
  return { utilisation: Math.min(1, Math.exp(logU)), clamped };
}

function answer(r: { utilisation: number; clamped: boolean } | null, table: string): OperatorUtilisation | null {
  return r ? { utilisation: r.utilisation, source: 'measured', table, clamped: r.clamped } : null;
}

/** Dense GEMM of an m x k activation by a k x n weight (m = tokens in the step). */
export function gemmUtilisation(
  gpuId: string,
  dtype: GemmDtype,
  m: number,
  n: number,
  k: number,
  tables: OperatorTables = BUILTIN,
): OperatorUtilisation | null {
  const t = tables.gpus[gpuId]?.gemm?.[dtype];
  return t ? answer(gridLookup(t, ['m', 'n', 'k'], [m, n, k]), `${gpuId} gemm ${dtype}`) : null;
}

/**
 * Decode attention: `batch` sequences each attending `context` cached tokens with `kvHeads` KV heads on this GPU (the
 * table was measured with 8 query heads per KV head and head_dim 128). Beyond the measured batch at a long context the
 * largest measured batch's value is held (flagged clamped).
 */
export function decodeAttentionUtilisation(
  gpuId: string,
  kv: KvDtype,
  batch: number,
  context: number,
  kvHeads: number,
  tables: OperatorTables = BUILTIN,
): OperatorUtilisation | null {
  const t = tables.gpus[gpuId]?.decodeAttention?.[kv];
  return t ? answer(gridLookup(t, ['batch', 'context', 'kvHeads'], [batch, context, kvHeads], 0), `${gpuId} decode attention kv ${kv}`) : null;
}

/**
 * Prefill (context) attention: `batch` causal prompts of `length` new tokens each (no cached prefix), `kvHeads` KV
 * heads on this GPU, bf16 KV (8 query heads per KV head, head_dim 128, as measured). Beyond the measured batch at a
 * long prompt the largest measured batch's value is held (flagged clamped).
 */
export function prefillAttentionUtilisation(
  gpuId: string,
  batch: number,
  length: number,
  kvHeads: number,
  tables: OperatorTables = BUILTIN,
): OperatorUtilisation | null {
  const t = tables.gpus[gpuId]?.prefillAttention?.bf16;
  return t ? answer(gridLookup(t, ['batch', 'length', 'kvHeads'], [batch, length, kvHeads], 0), `${gpuId} prefill attention`) : null;
}

/**
 * MoE grouped GEMM on one GPU (all experts local). The database measured a few (experts, top-k) pairs, not a grid: the
 * pair nearest in log space (experts first, then top-k) is used, and its token curve is interpolated in log space.
 * `clamped` is also set when the pair is not an exact match.
 */
export function moeUtilisation(
  gpuId: string,
  dtype: MoeDtype,
  tokens: number,
  experts: number,
  topk: number,
  tables: OperatorTables = BUILTIN,
): OperatorUtilisation | null {
  const curves = tables.gpus[gpuId]?.moe?.[dtype]?.curves;
  if (!curves || curves.length === 0 || !(tokens > 0) || !(experts > 0) || !(topk > 0)) return null;
  const best = nearestMoeCurve(curves, experts, topk);
  const r = gridLookup({ axes: { tokens: best.tokens }, util: best.util }, ['tokens'], [tokens]);
  if (!r) return null;
  const exact = best.experts === experts && best.topk === topk;
  return {
    utilisation: r.utilisation,
    source: 'measured',
    table: `${gpuId} moe ${dtype} ${best.experts} experts top-${best.topk}`,
    clamped: r.clamped || !exact,
  };
}

/**
 * A collective of `bytes` per GPU over `gpus` GPUs within one node. More GPUs than were measured (which is every
 * multi-node case: the database has none) gives null rather than a within-node figure.
 */
export function commUtilisation(gpuId: string, op: Collective, bytes: number, gpus: number, tables: OperatorTables = BUILTIN): OperatorUtilisation | null {
  const t = tables.gpus[gpuId]?.comm?.[op];
  if (!t || !(gpus >= 2)) return null;
  const g = t.axes.gpus;
  if (gpus > g[g.length - 1]) return null;
  return answer(gridLookup(t, ['bytes', 'gpus'], [bytes, gpus]), `${gpuId} ${op}`);
}
