// Weight bytes per GPU under tensor, pipeline and expert parallelism, by dtype and quantization. Pure.
import type { ModelArch, QuantSpec, WeightDtype } from './model';
import { quantOf } from './model';
import type { Component, Tensor } from './params';
import { emptyCounts } from './params';

export interface Parallelism {
  tp: number;
  pp: number;
  dp: number;
  /** vLLM --enable-expert-parallel: experts split whole across tp x dp ranks. */
  expertParallel: boolean;
}

export const DTYPE_BYTES: Record<WeightDtype, number> = { float32: 4, float16: 2, bfloat16: 2 };

/** vLLM pads vocab-parallel embeddings and heads to a multiple of 64 (DEFAULT_VOCAB_PADDING_SIZE in vocab_parallel_embedding.py). */
export const VOCAB_PADDING = 64;

/**
 * vLLM's pipeline split (vllm/distributed/utils.py get_pp_indices): every rank gets floor(L/pp) layers and the
 * remainder goes one each to the ranks before the last, counting back from the second-to-last.
 */
export function ppLayerRanges(layers: number, pp: number): Array<[number, number]> {
  const per = Math.floor(layers / pp);
  const parts = new Array(pp).fill(per);
  const rem = layers % pp;
  for (let i = 2; i < rem + 2; i++) parts[pp - i] += 1;
  const out: Array<[number, number]> = [];
  let start = 0;
  for (const n of parts) {
    out.push([start, start + n]);
    start += n;
  }
  return out;
}

function globToRegExp(pattern: string): RegExp {
  // compressed-tensors `ignore` entries prefixed "re:" are regular expressions matched against module names.
  if (pattern.startsWith('re:')) {
    try {
      return new RegExp(pattern.slice(3));
    } catch {
      return /$^/; // an invalid expression matches nothing, as it would ignore nothing
    }
  }
  const esc = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*');
  return new RegExp(`(^|\\.)${esc}(\\.|$)`);
}

/** Whether a quantization method converts this tensor, following vLLM's per-method rules. */
export function isConverted(q: QuantSpec, t: Tensor, patterns: RegExp[]): boolean {
  if (!t.linear) return false;
  // vLLM's Mxfp4Config quantizes only the fused MoE experts; other linears stay unquantized.
  if (q.method === 'mxfp4' && t.component !== 'experts') return false;
  return !patterns.some((re) => re.test(t.module));
}

/** Bytes of one tensor (unsharded) when stored with this quantization. */
export function quantizedBytes(q: QuantSpec, params: number, outFeatures: number): number {
  const groups = q.groupSize ? params / q.groupSize : 0;
  switch (q.method) {
    case 'fp8':
      return params + (q.groupSize ? groups * q.bytesPerGroup : outFeatures * 4); // fp32 scale per block or per row
    case 'fbgemm_fp8':
    case 'int8':
      return params + outFeatures * 4; // per-row fp32 scales
    default:
      return (params * q.bits) / 8 + (q.groupSize ? groups * q.bytesPerGroup : outFeatures * 2);
  }
}

/** Online quantization named by --quantization for an unquantized checkpoint (vLLM quantizes at load). */
export function onlineQuant(method: string | null | undefined): QuantSpec | null {
  if (!method) return null;
  const m = method.toLowerCase();
  if (m === 'fp8' || m === 'ptpc_fp8') return quantOf({ quant_method: 'fp8' });
  if (m === 'bitsandbytes') return quantOf({ quant_method: 'bitsandbytes' });
  // TGI's QUANTIZE=bitsandbytes-nf4 / -fp4: 4-bit with double-quantized block scales.
  if (m === 'bitsandbytes-4bit-dq') return quantOf({ quant_method: 'bitsandbytes', bnb_4bit_use_double_quant: true });
  // TGI's 8-bit online methods: LLM.int8 (QUANTIZE=bitsandbytes) and EETQ, one byte per weight plus row scales.
  if (m === 'bitsandbytes-8bit' || m === 'eetq') return quantOf({ quant_method: 'bitsandbytes', load_in_8bit: true });
  return null;
}

export interface RankWeights {
  pp: number;
  layers: [number, number];
  bytes: number;
  byComponent: Record<Component, number>;
  ropeCacheBytes: number;
}

/** Local share of a tensor on one tensor-parallel rank. */
function localFraction(m: ModelArch, t: Tensor, par: Parallelism): number {
  switch (t.shard) {
    case 'replicated':
      return 1;
    case 'tp':
      return 1 / par.tp;
    case 'kv':
      // QKVParallelLinear: each rank keeps max(1, Hkv/tp) KV heads; below Hkv < tp heads are replicated.
      return Math.max(1, Math.floor(m.kvHeads / par.tp)) / m.kvHeads;
    case 'vocab': {
      const padded = Math.ceil(m.vocab / VOCAB_PADDING) * VOCAB_PADDING;
      return Math.ceil(padded / par.tp) / m.vocab;
    }
    case 'expert':
      return par.expertParallel ? 1 / (par.tp * par.dp) : 1 / par.tp;
  }
}

/**
 * Weight bytes on each pipeline rank (every tensor-parallel rank of a stage holds the same amount).
 * `dtype` is the serving dtype for unquantized tensors; `quant` overrides the checkpoint's own method.
 */
export function weightsPerRank(m: ModelArch, tensors: Tensor[], par: Parallelism, dtype: WeightDtype, quant: QuantSpec | null): RankWeights[] {
  const b = DTYPE_BYTES[dtype];
  const patterns = (quant?.notConverted ?? []).map(globToRegExp);
  const ranges = ppLayerRanges(m.layers, par.pp);
  const ropeCacheBytes = m.ropeCacheLen * m.rotaryDim * b;
  return ranges.map(([lo, hi], r) => {
    const byComponent = emptyCounts();
    let bytes = 0;
    for (const t of tensors) {
      const onRank =
        t.layer !== null
          ? t.layer >= lo && t.layer < hi
          : t.component === 'vision'
            ? r === 0 // the vision encoder runs on the first pipeline stage
            : t.component === 'embedding'
              ? r === 0 || (m.tieEmbeddings && r === par.pp - 1) // a tied head is a copy of the embedding on the last stage
              : r === par.pp - 1;
      if (!onRank) continue;
      let full = quant && isConverted(quant, t, patterns) ? quantizedBytes(quant, t.params, t.outFeatures) : t.params * b;
      // vLLM's MXFP4 MoE kernels pad the expert intermediate size to a multiple of 256 (2880 -> 3072 for gpt-oss):
      // "Model loading took 64.38 GiB" for gpt-oss-120b (vllm#33155) against 60.7 GiB unpadded.
      if (quant?.method === 'mxfp4' && t.component === 'experts' && t.linear && t.outFeatures) full *= (Math.ceil(t.outFeatures / 256) * 256) / t.outFeatures;
      const local = full * localFraction(m, t, par);
      byComponent[t.component] += local;
      bytes += local;
    }
    bytes += ropeCacheBytes;
    return { pp: r, layers: [lo, hi], bytes, byComponent, ropeCacheBytes };
  });
}
