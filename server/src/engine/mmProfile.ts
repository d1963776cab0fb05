// The multimodal half of vLLM's memory profile: what the dummy images of the profile run cost on the GPU that runs the
// vision encoder (the first pipeline stage). Pure. Sources (vllm-project/vllm, read through the code index):
//   vllm/worker/enc_dec_model_runner.py  EncoderDecoderModelRunner.profile_run: V0 builds max_num_seqs dummy sequence
//     groups and gives EVERY one of them encoder dummy data, i.e. limit_mm_per_prompt images at the maximum tile count
//     (vllm#10569 prints the batch: pixel_values [256, 1, 1, 4, 3, 560, 560] at the default 256 sequences).
//   vllm/model_executor/models/mllama.py  MllamaVisionModel.forward: all images in one batch; each image's tiles are
//     padded to a multiple of 8 patches and attend to each other under a dense [images, 1, T, T] mask
//     (_prepare_aspect_ratio_attention_mask); the projected states [sum of encoder tokens, text hidden] are then held
//     through the whole text forward (get_cross_attention_states / flat_encoder_result).
import type { ModelArch } from './model';

export interface MmProfileInput {
  v1: boolean;
  maxNumSeqs: number;
  /** Images per prompt (limit_mm_per_prompt.image); null = vLLM's default of 1; 0 = text-only, no encoder pass. */
  imagesPerPrompt: number | null;
  dtypeBytes: number;
  tp: number;
}

export interface MmProfile {
  /** Peak of the vision-encoder phase on one GPU (bytes beyond the weights). */
  visionPeakBytes: number;
  /** Bytes the text phase still holds from the vision phase (pixel inputs, cross-attention states). */
  heldBytes: number;
  /** Dummy images encoded and the encoder tokens each one makes (padded, as the ViT runs them). */
  items: number;
  tokensPerItem: number;
  formula: string;
}

export type MmProfileResult = { kind: 'none' } | { kind: 'text_only' } | { kind: 'modelled'; profile: MmProfile } | { kind: 'unknown'; why: string };

/** Images per prompt from limit_mm_per_prompt as vLLM takes it: JSON text or a mapping ({"image": 2}), or V0's "image=2". */
export function imagesPerPrompt(limit: unknown): number | null {
  if (limit === null || limit === undefined || limit === '') return null;
  let obj: unknown = limit;
  if (typeof limit === 'string') {
    const t = limit.trim();
    try {
      obj = JSON.parse(t);
    } catch {
      const m = /(?:^|,)\s*image\s*=\s*(\d+)/.exec(t);
      return m ? Number(m[1]) : null;
    }
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const v = (obj as Record<string, unknown>).image;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  // Newer vLLM also takes {"image": {"count": N, ...}} (per-modality dummy options).
  if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).count === 'number') return (v as { count: number }).count;
  return null;
}

/**
 * The profile run's multimodal cost. Modelled for Mllama on V0 (the encoder-decoder runner): per dummy image of T
 * padded tokens (tiles x ceil8((image/patch)^2 + 1)) the vision phase holds
 *   2 float32 copies of the pixels (the batched input on the GPU and the padded copy _parse_and_validate_image_input makes)
 * + the dense T x T attention mask in the model dtype
 * + one ViT layer's working set at its MLP, T x (4 h + 2 f / tp) x dtype: the layer input, the post-attention residual,
 *   the normed input and the patch embeddings the forward keeps (4 h), the fc1 output and the GELU output (2 f, column
 *   parallel so split by tp).
 * No fitted coefficient: every term is a tensor shape from the source above. Uncertain: later layers of the same code
 * also keep the 5 intermediate states mllama concatenates (5 h more per token); the one public measurement (vllm PR
 * 12126: 36.63 GiB at 128 images) matches the working set without them (37.01 GiB), so they are left out.
 */
export function mmProfile(m: ModelArch, o: MmProfileInput): MmProfileResult {
  const v = m.vision;
  if (!v) return { kind: 'none' };
  if (o.imagesPerPrompt === 0) return { kind: 'text_only' };
  if (!v.crossAttention || o.v1 || !v.imageSize || !v.maxTiles) {
    return {
      kind: 'unknown',
      why: v.crossAttention
        ? 'the V1 profile of an encoder-decoder vision model is not modelled'
        : `the vision encoder's pass over the profile's dummy images (${v.family}) is not modelled: its size comes from the image processor's config`,
    };
  }
  const b = o.dtypeBytes;
  const images = o.imagesPerPrompt ?? 1;
  const items = o.maxNumSeqs * images;
  const patches = (v.imageSize / v.patchSize) ** 2 + 1;
  const tokensPerItem = v.maxTiles * Math.ceil(patches / 8) * 8;
  const pixelBytes = 2 * v.maxTiles * v.channels * v.imageSize * v.imageSize * 4;
  const maskBytes = tokensPerItem * tokensPerItem * b;
  const workingBytes = tokensPerItem * b * (4 * v.hidden + (2 * v.intermediate) / o.tp);
  const visionPeakBytes = items * (pixelBytes + maskBytes + workingBytes);
  // Held through the text forward: the pixels and the flat projected states [images x tiles x patches, text hidden].
  const heldBytes = items * (pixelBytes + v.maxTiles * patches * m.hidden * b);
  return {
    kind: 'modelled',
    profile: {
      visionPeakBytes,
      heldBytes,
      items,
      tokensPerItem,
      formula:
        `${items} dummy images (max_num_seqs ${o.maxNumSeqs} x ${images} per prompt) x ${tokensPerItem} tokens (${v.maxTiles} tiles): ` +
        `pixels 2 x fp32 + ${tokensPerItem}^2 mask + tokens x (4 x ${v.hidden} + 2 x ${v.intermediate}${o.tp > 1 ? `/${o.tp}` : ''}) x ${b} B`,
    },
  };
}
