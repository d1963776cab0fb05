// The memory vLLM measures at startup rather than computes: the profiling forward's activation peak (with the dummy
// sampler), non-torch memory (NCCL, custom all-reduce, cuBLAS) and the CUDA-graph pool, each estimated with a
// low/expected/high band from public logs (docs/VLLM-MEMORY.md). Pure.
import type { ModelArch } from './model';
import { GiB } from './units';

export interface Band {
  low: number;
  expected: number;
  high: number;
}

/** The CUDA context and allocator slack outside vLLM's budget (about 0.3-0.6 GiB: docs/VLLM-MEMORY.md section 2). */
export const CUDA_CONTEXT_BYTES = 0.5 * GiB;
/** The smallest CUDA context seen in that range: the favourable end a startup refusal must fail even at. */
export const CUDA_CONTEXT_MIN_BYTES = 0.3 * GiB;

/**
 * Bytes per (request x vocab entry) the V1 profile's dummy sampler holds at its peak (top_k = vocab - 1, top_p 0.9:
 * gpu_model_runner._dummy_sampler_run), by the top-k/top-p path the version takes (VllmBehaviour.samplerPath):
 *   native (vllm/v1/sample/ops/topk_topp_sampler.py apply_top_k_top_p, torch.sort): the model-dtype logits still held
 *     by the caller (2) + the float32 copy Sampler.forward makes (4) + the sorted values and int64 indices (12) + the
 *     sort's scratch, CUB's alternate keys and values (12: the single 1.74 GiB = 1024 x 151,936 x 12 B allocation that
 *     failed in vllm#15105 on 0.8.0 and in vllm PR #26278's log of December 2025) = 30;
 *   flashinfer (flashinfer_sample -> top_k_top_p_sampling_from_logits: top-k-masked logits, then softmax probs, no sort):
 *     2 + 4 + 4 + 4 = 14.
 */
export const SAMPLER_PROFILE_BYTES_PER_LOGIT = { native: 30, flashinfer: 14 } as const;

/** How the profile's sampler is counted: bytes per (request x vocab entry) and whether it runs after the forward. */
export interface SamplerProfile {
  bytesPerLogit: number;
  /**
   * V1 (gpu_model_runner.profile_run): _dummy_run returns, its activations are freed, and only the hidden states
   * [tokens, hidden] stay while _dummy_sampler_run runs, so the peak is the larger of the two phases. V0 keeps the
   * sum, which reproduces its measured peak (vllm#10517).
   */
  afterForward: boolean;
}

/** SGLang and TensorRT-LLM: the generic estimate (three float32 logits-sized copies beside the forward). */
export const OTHER_ENGINE_SAMPLER: SamplerProfile = { bytesPerLogit: 12, afterForward: false };

/** V0: two float32 logits-sized copies reproduce V0's peak for Llama-3.1-8B (vllm#10517: 2.99 GiB at 29,000 tokens). */
export const V0_SAMPLER: SamplerProfile = { bytesPerLogit: 8, afterForward: false };

/** Peak activation bytes on one GPU of a profiling forward pass (weights excluded). */
export function activationEstimate(
  m: ModelArch,
  tokens: number,
  maxNumSeqs: number,
  tp: number,
  ep: number,
  dtypeBytes: number,
  lastStage: boolean,
  sampler: SamplerProfile = V0_SAMPLER,
): number {
  const b = dtypeBytes;
  const h = m.hidden;
  const headsLocal = m.heads / tp;
  const kvLocal = Math.max(1, Math.floor(m.kvHeads / tp));
  const qHead = m.mla ? m.mla.qkNopeHeadDim + m.mla.qkRopeHeadDim : m.headDim;
  // Attention phase: residual + normed input + q/k/v + attention output.
  const attn = b * (2 * h + headsLocal * qHead + 2 * kvLocal * m.headDim + headsLocal * (m.mla ? m.mla.vHeadDim : m.headDim));
  let perToken = attn;
  const hasDense = !m.moe || m.moe.moeLayers.some((x) => !x);
  if (hasDense) {
    const f = (m.moe ? m.denseIntermediate : m.intermediate) / tp;
    // MLP phase: residual + normed input + gate_up output (2f, or f for plain MLPs) + activation output (f).
    perToken = Math.max(perToken, b * (2 * h + (m.gatedMlp ? 3 : 2) * f));
  }
  let moeBytes = 0;
  if (m.moe) {
    const e = m.moe;
    const f = e.expertIntermediate / (ep > 1 ? 1 : tp);
    const share = ep > 1 ? 1 / ep : 1;
    // fused_moe intermediate caches: [T, topk, 2f] + [T*topk, f], chunked at VLLM_FUSED_MOE_CHUNK_SIZE (32768).
    const chunk = Math.min(tokens, 32768);
    moeBytes = chunk * e.expertsPerToken * share * 3 * f * b + tokens * (2 * h * b + e.numExperts * 4);
  }
  const forward = Math.max(tokens * perToken, moeBytes);
  if (!lastStage) return forward;
  // The profile samples min(max_num_seqs, tokens) dummy requests with top-k/top-p on, over the full vocabulary.
  const samplerBytes = Math.min(maxNumSeqs, tokens) * m.vocab * sampler.bytesPerLogit;
  return sampler.afterForward ? Math.max(forward, tokens * h * b + samplerBytes) : forward + samplerBytes;
}

/** Non-torch memory (NCCL, custom all-reduce buffers, cuBLAS workspaces) grows with tp. */
export function nonTorchEstimate(tp: number, ncclCharged: boolean, commBuffersProfiled = false): Band {
  // Observed: 0.35 GiB at tp=1 (RTX 3090, vllm#10517), 0.34-0.43 GiB at tp=4 (A100 40GB, vllm#16570), 0.08-0.35 GiB
  // at tp=1 and ~0.8 GiB with tp/pp in V0 logs (docs/VLLM-MEMORY.md section 7). Where NCCL buffers are created after the
  // memory snapshot (V0 <= 0.6.3, V1 0.9.2-0.10.x) they are charged too: vllm#2031 saw blocks cut 34% at tp=4.
  if (ncclCharged && tp > 1) {
    const expected = (0.35 + 0.25 * (tp - 1)) * GiB;
    return { low: 0.3 * GiB, expected, high: (0.8 + 0.6 * (tp - 1)) * GiB };
  }
  if (commBuffersProfiled && tp > 1) {
    // V1 from 0.11 (NCCL initialised before the snapshot, vllm#25359): the communication buffers registered during the
    // first forward (custom all-reduce graph buffers, symmetric-memory / FlashInfer all-reduce workspaces) still land
    // in the profile's non-torch increase: 2.06-2.21 GiB per GPU measured at tp 2-4 on 0.19 (issue 13's public logs).
    const expected = (1.96 + 0.0625 * tp) * GiB;
    return { low: 0.5 * expected, expected, high: expected + 0.6 * GiB };
  }
  const expected = (0.35 + 0.02 * (tp - 1)) * GiB;
  return { low: 0.08 * GiB, expected, high: (0.7 + 0.15 * (tp - 1)) * GiB };
}

/** CUDA-graph pool: grows with the layers captured per graph and the number of capture sizes. */
export function cudagraphEstimate(layersLocal: number, enforceEager: boolean): Band {
  if (enforceEager) return { low: 0, expected: 0, high: 0 };
  const expected = (0.1 + 0.01 * layersLocal) * GiB;
  return { low: 0.3 * expected, expected, high: 2.5 * expected };
}
