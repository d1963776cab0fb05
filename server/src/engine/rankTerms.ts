// The memory terms of each pipeline stage's GPU, at the low, expected and high ends of their bands: weights (with the
// extras and less CPU offload), the profiled activation peak (text forward, sampler, vision encoder), non-torch memory
// and CUDA graphs; a calibration block's measured terms replace the estimates. Pure.
import type { GpuSpec } from './hardware';
import type { Calibration } from './memory';
import type { MmProfileResult } from './mmProfile';
import { imagesPerPrompt, itemsPerPrompt, maxPixelsOf, mmProfile } from './mmProfile';
import type { ModelArch } from './model';
import type { Band, SamplerProfile } from './overheads';
import { OTHER_ENGINE_SAMPLER, SAMPLER_PROFILE_BYTES_PER_LOGIT, V0_SAMPLER, activationEstimate, cudagraphEstimate, nonTorchEstimate } from './overheads';
import type { ServingExtras } from './servingExtras';
import type { ResolvedServing, ServingInput } from './servingResolve';
import { GiB } from './units';
import type { VllmBehaviour } from './vllmVersion';
import type { RankWeights } from './weights';
import { DTYPE_BYTES } from './weights';

export type BandEnd = 'low' | 'expected' | 'high';

/** One GPU's terms at one end of the bands. */
export interface TermSet {
  total: number;
  weights: number;
  activation: number;
  nonTorch: number;
  cudagraph: number;
  availableOverride: number | null;
}

/** The GPU's memory as the driver reports it, or as a startup log measured it. */
export function totalBytesOf(gpu: GpuSpec, cal: Calibration | null): number {
  return cal?.total_memory_gib ? cal.total_memory_gib * GiB : gpu.memoryBytes;
}

/**
 * Non-torch memory (NCCL, CUDA context, communication workspaces). The profiled communication workspaces (custom
 * all-reduce, symmetric memory) are NVLink-peer buffers; PCIe cards fall back to NCCL, which Era F initialises before
 * the snapshot (assumption: the 0.19 measurements name no PCIe run).
 */
export function nonTorchBandOf(gpu: GpuSpec, serving: ResolvedServing, beh: VllmBehaviour): Band {
  const vllm = serving.engine === 'vllm';
  return nonTorchEstimate(serving.tp, beh.ncclCharged && vllm, beh.commBuffersProfiled && vllm && gpu.interconnect.kind === 'nvlink');
}

/** The profile's dummy images run through the vision encoder on the first pipeline stage (engine/mmProfile.ts). */
export function mmProfileOf(m: ModelArch, s: ServingInput, serving: ResolvedServing, beh: VllmBehaviour): MmProfileResult {
  if (s.engine !== 'vllm') return { kind: 'none' };
  return mmProfile(m, {
    v1: beh.v1,
    maxNumSeqs: serving.maxNumSeqs,
    imagesPerPrompt: imagesPerPrompt(s.limitMmPerPrompt),
    videosPerPrompt: itemsPerPrompt(s.limitMmPerPrompt, 'video'),
    dtypeBytes: DTYPE_BYTES[serving.dtype],
    tp: s.tp,
    maxNumBatchedTokens: serving.maxNumBatchedTokens,
    maxPixels: maxPixelsOf(s.mmProcessorKwargs),
  });
}

/** The profiled activation peak of stage r. */
function activationBandOf(m: ModelArch, serving: ResolvedServing, beh: VllmBehaviour, mm: MmProfileResult, r: number): Band {
  const { engine, maxNumBatchedTokens, maxNumSeqs, tp, ep, dtype, pp } = serving;
  // The V1 sampler's top-k/top-p path is the version's default; the other path bounds the band (images may differ).
  const actWith = (sp: SamplerProfile) => {
    const textAct = activationEstimate(m, maxNumBatchedTokens, maxNumSeqs, tp, ep, DTYPE_BYTES[dtype], r === pp - 1, sp);
    // Vision phase first, then the text forward with what the vision phase leaves held: the larger of the two.
    return mm.kind === 'modelled' && r === 0 ? Math.max(textAct + mm.profile.heldBytes, mm.profile.visionPeakBytes) : textAct;
  };
  const v1Sampler = (path: 'native' | 'flashinfer'): SamplerProfile => ({ bytesPerLogit: SAMPLER_PROFILE_BYTES_PER_LOGIT[path], afterForward: true });
  // SGLang and TensorRT-LLM keep the earlier generic estimate (three float32 logits copies beside the forward).
  const path = engine === 'vllm' ? beh.samplerPath : null;
  const actExp = actWith(path ? v1Sampler(path) : engine === 'vllm' ? V0_SAMPLER : OTHER_ENGINE_SAMPLER);
  const actAlt = path ? actWith(v1Sampler(path === 'native' ? 'flashinfer' : 'native')) : actExp;
  return { low: Math.min(0.8 * actExp, actAlt), expected: actExp, high: Math.max(1.35 * actExp, actAlt) };
}

/** Which end of an overhead's band each end of the KV band takes: low KV from high overheads. */
const FLIPS: ReadonlyArray<readonly [BandEnd, keyof Band]> = [
  ['low', 'high'],
  ['expected', 'expected'],
  ['high', 'low'],
];

export interface RankTermsInput {
  m: ModelArch;
  serving: ResolvedServing;
  beh: VllmBehaviour;
  ranks: RankWeights[];
  extras: ServingExtras;
  total: number;
  nonTorch: Band;
  mm: MmProfileResult;
  cal: Calibration | null;
}

/** Each stage's terms at each end of the bands; low KV comes from high overheads and vice versa. */
export function rankTermsOf(x: RankTermsInput): Record<BandEnd, TermSet[]> {
  const { m, serving, beh, ranks, extras, total, nonTorch: nt, mm, cal } = x;
  const out: Record<BandEnd, TermSet[]> = { low: [], expected: [], high: [] };
  for (let r = 0; r < ranks.length; r++) {
    const act = activationBandOf(m, serving, beh, mm, r);
    const cg = cudagraphEstimate(ranks[r].layers[1] - ranks[r].layers[0], serving.enforceEager);
    // cpu_offload_gb keeps up to that many GiB of this GPU's weights in host memory (vLLM's offloader, per GPU).
    const weights = cal?.weights_gib != null ? cal.weights_gib * GiB : Math.max(0, ranks[r].bytes + extras.extraWeights[r] - extras.cpuOffload);
    const availableOverride = cal?.available_kv_gib != null ? cal.available_kv_gib * GiB : extras.kvCacheMemory;
    for (const [end, flip] of FLIPS) {
      out[end].push({
        total,
        weights,
        activation: cal?.activation_peak_gib != null ? cal.activation_peak_gib * GiB : act[flip],
        nonTorch: cal?.non_torch_gib != null ? cal.non_torch_gib * GiB : nt[flip],
        cudagraph: cal?.cudagraph_gib != null ? cal.cudagraph_gib * GiB : cg[flip],
        availableOverride,
      });
    }
  }
  return out;
}
