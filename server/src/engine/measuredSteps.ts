// Measured operator utilisation for one model, layout and GPU (aiconfigurator tables, operatorTables.json): which
// GEMM, MoE and KV tables the step runs in and the curves of its shapes, memoized per stage profile.
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import type { GemmDtype, MoeDtype } from './operatorEfficiency';
import type { StageProfile } from './perfModel';
import type { Hardware } from './roofline';
import type { Curve, GemmShape, MeasuredSteps } from './stepUtilisation';
import { allReduceCurve, decodeAttentionSurface, gemmGroupCurve, moeCurve, prefillAttentionCurve, tablePeaksOf } from './stepUtilisation';

/** The GEMM table a step's linear layers run in: the compute dtype hardwareOf chose, block-scaled FP8 for grouped scales. */
function gemmDtypeOf(hw: Hardware): GemmDtype | null {
  const d = hw.peak.dtype;
  if (d === 'bf16' || d === 'fp16') return 'bf16';
  // Block-scaled FP8 checkpoints (DeepSeek, Qwen FP8) read the per-tensor fp8 table: the fp8_block rows measure 0.005-0.18
  // of roofline at m <= 1024 against 0.06-0.48 for per-tensor fp8 on the same shapes (H200, B200), and the refit with
  // them had vLLM's left-out TPOT 20.1% against 15.8% with the launch floor cut (docs/ACCURACY.md).
  if (d === 'fp8') return 'fp8';
  if (d === 'fp4') return 'nvfp4';
  return null;
}

/** The MoE table: the checkpoint's expert format (weight-only 4-bit formats dequantise to 16-bit math), else the GEMM dtype. */
function moeDtypeOf(m: ModelArch, gemm: GemmDtype | null): MoeDtype | null {
  const q = m.quant?.method;
  if (q === 'mxfp4') return 'mxfp4_w4a16';
  if (q === 'awq' || q === 'gptq' || q === 'w4a16') return 'int4_wo';
  return gemm;
}

const measuredCache = new WeakMap<StageProfile[], Map<string, MeasuredSteps | null>>();

/** Measured-utilisation curves for this model, layout and GPU, or null when the GPU has no tables (or no GEMM dtype). */
export function measuredStepsOf(
  m: ModelArch,
  mem: MemorySizing,
  hw: Hardware,
  stages: StageProfile[],
  kvPerLayer: number,
  tp: number,
  ep: number,
): MeasuredSteps | null {
  const gpuId = hw.gpuId;
  const gemm = gemmDtypeOf(hw);
  const moe = m.moe ? moeDtypeOf(m, gemm) : null;
  const kv = /fp8/i.test(mem.serving.kvCacheDtype) ? 'fp8' : 'bf16';
  // KV heads of head_dim 128 with the same bytes per token (the tables' head shape; docs/OPERATOR-EFFICIENCY.md).
  const kvHeads = kvPerLayer / (2 * 128 * (kv === 'fp8' ? 1 : 2));
  const key = `${gpuId}|${gemm}|${moe}|${kv}|${kvHeads}|${tp}|${ep}`;
  let byKey = measuredCache.get(stages);
  if (!byKey) measuredCache.set(stages, (byKey = new Map()));
  if (byKey.has(key)) return byKey.get(key) ?? null;
  let out: MeasuredSteps | null = null;
  const peaks = gemm ? tablePeaksOf(gpuId, gemm, moe) : null;
  if (gemm && peaks && peaks.gemmFlops > 0) {
    const bw = peaks.bandwidth;
    const group = (shapes: GemmShape[]): Curve | null => gemmGroupCurve(gpuId, gemm, shapes, peaks.gemmFlops, bw);
    const mstages = stages.map((st) => ({ qkv: group(st.gemms.qkv), mlp: group(st.gemms.mlp), shared: group(st.gemms.shared), head: group(st.gemms.head) }));
    const numExperts = m.moe?.numExperts ?? 0;
    const topk = m.moe?.expertsPerToken ?? 0;
    const mc = moe && peaks.moeFlops > 0 ? moeCurve(gpuId, moe, numExperts / Math.max(1, ep), topk) : null;
    const decode = decodeAttentionSurface(gpuId, kv, kvHeads);
    const prefill = prefillAttentionCurve(gpuId, kvHeads);
    const small = tp > 1 ? allReduceCurve(gpuId, 'vllmCustomAllReduce', tp) : null;
    const large = tp > 1 ? allReduceCurve(gpuId, 'ncclAllReduce', tp) : null;
    const missing: string[] = [];
    if (mstages.some((s) => s.qkv === null || (s.mlp === null && s === mstages[0] && stages[0].mlpParams > 0))) missing.push('some GEMMs');
    if (m.moe && !mc) missing.push(`MoE ${moe ?? 'dtype'}`);
    if (!decode) missing.push('decode attention');
    if (!prefill) missing.push('prefill attention');
    if (tp > 1 && (!small || !large)) missing.push(`all-reduce over ${tp} GPUs`);
    out = {
      gpuId,
      peaks,
      stages: mstages,
      experts: mc?.curve ?? null,
      expertTokenScale: mc?.tokenScale ?? 1,
      decodeAttention: decode,
      prefillAttention: prefill,
      allReduceSmall: small,
      allReduceLarge: large,
      note:
        `${gpuId}: measured operator utilisation (aiconfigurator tables, GEMM ${gemm}${moe && m.moe ? `, MoE ${moe}` : ''}, KV ${kv})` +
        (missing.length ? `; datasheet x efficiency for ${missing.join(', ')} (not measured)` : ''),
    };
  }
  byKey.set(key, out);
  return out;
}
