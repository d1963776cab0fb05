// Cost per token and model FLOP utilization. Pure.
//   $/Mtok output = GPUs x $/GPU-hour / (output tokens per hour) x 1e6
//   $/Mtok total  = the same over input + output tokens
//   MFU           = useful model FLOPs per second / (GPUs x dense peak of the compute dtype)
import type { MemorySizing } from './memory';
import type { ModelArch } from './model';
import type { WorkShape } from './capacity';

export interface CostInput {
  gpus: number;
  usdPerGpuHour: number;
  /** Output tokens per second the GPUs actually serve. */
  outputTokensPerS: number;
  peakFlopsPerGpu: number;
}

/** Useful FLOPs of one request: 2 x matmul parameters per token (active experts only) + causal attention over its context. */
export function usefulFlopsPerRequest(m: ModelArch, mem: MemorySizing, w: WorkShape): number {
  const c = mem.params.byComponent;
  const activeMatmul = mem.params.active - c.embedding - c.lm_head - c.norms;
  const head = m.vocab * (m.embedProjDim ?? m.hidden);
  const attnLayers = m.layerKinds.filter((k) => k !== 'linear').length;
  const perCtx = m.mla ? 2 * m.heads * (m.mla.kvLoraRank + m.mla.qkRopeHeadDim) + 2 * m.heads * m.mla.kvLoraRank : 4 * m.heads * m.headDim;
  const win = m.slidingWindow ?? Infinity;
  const ctxPrefill = Math.min(win, w.cached + w.newPrompt / 2);
  const ctxDecode = Math.min(win, w.context);
  const attn = perCtx * attnLayers * (w.newPrompt * ctxPrefill + w.output * ctxDecode);
  return 2 * activeMatmul * (w.newPrompt + w.output) + 2 * head * w.output + attn;
}

export interface CostResult {
  usd_per_million_output_tokens: number;
  usd_per_million_tokens: number;
  mfu: number;
}

export function costOf(ci: CostInput, w: WorkShape, flopsPerRequest: number): CostResult {
  const tokPerHour = ci.outputTokensPerS * 3600;
  const usdPerHour = ci.gpus * ci.usdPerGpuHour;
  const perMOut = tokPerHour > 0 && usdPerHour > 0 ? (usdPerHour / tokPerHour) * 1e6 : 0;
  const totalPerOut = (w.prompt + w.output) / w.output;
  const perMAll = perMOut > 0 ? perMOut / totalPerOut : 0;
  const requestsPerS = ci.outputTokensPerS / w.output;
  const peak = ci.gpus * ci.peakFlopsPerGpu;
  const mfu = peak > 0 ? Math.min(1, (requestsPerS * flopsPerRequest) / peak) : 0;
  return { usd_per_million_output_tokens: perMOut, usd_per_million_tokens: perMAll, mfu };
}
