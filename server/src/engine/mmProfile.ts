// The multimodal half of vLLM's memory profile: what the dummy images of the profile run cost on the GPU that runs the
// vision encoder (the first pipeline stage). Pure. Sources (vllm-project/vllm, read through the code index):
//   vllm/worker/enc_dec_model_runner.py  EncoderDecoderModelRunner.profile_run: V0 builds max_num_seqs dummy sequence
//     groups and gives EVERY one of them encoder dummy data, i.e. limit_mm_per_prompt images at the maximum tile count
//     (vllm#10569 prints the batch: pixel_values [256, 1, 1, 4, 3, 560, 560] at the default 256 sequences).
//   vllm/model_executor/models/mllama.py  MllamaVisionModel.forward: all images in one batch; each image's tiles are
//     padded to a multiple of 8 patches and attend to each other under a dense [images, 1, T, T] mask
//     (_prepare_aspect_ratio_attention_mask); the projected states [sum of encoder tokens, text hidden] are then held
//     through the whole text forward (get_cross_attention_states / flat_encoder_result).
import type { ModelArch, VisionDims } from './model';

export interface MmProfileInput {
  v1: boolean;
  maxNumSeqs: number;
  /** Images per prompt (limit_mm_per_prompt.image); null = vLLM's default (1 on V0, 999 on V1); 0 = text-only. */
  imagesPerPrompt: number | null;
  /** Videos per prompt (limit_mm_per_prompt.video) for the families that take video; null = default. */
  videosPerPrompt?: number | null;
  dtypeBytes: number;
  tp: number;
  /** V1: the scheduler's max_num_batched_tokens, the default encoder compute and cache budget. */
  maxNumBatchedTokens?: number;
  /** mm_processor_kwargs.max_pixels when stated (Qwen2/2.5-VL image processor). */
  maxPixels?: number | null;
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
  /** V1: the encoder compute/cache budget in tokens and the dummy encoder outputs it keeps through the text forward. */
  encoderBudgetTokens?: number;
  encoderOutputBytes?: number;
  encoderFormula?: string;
}

export type MmProfileResult = { kind: 'none' } | { kind: 'text_only' } | { kind: 'modelled'; profile: MmProfile } | { kind: 'unknown'; why: string };

/** Images per prompt from limit_mm_per_prompt as vLLM takes it: JSON text or a mapping ({"image": 2}), or V0's "image=2". */
export function imagesPerPrompt(limit: unknown): number | null {
  return itemsPerPrompt(limit, 'image');
}

/** mm_processor_kwargs.max_pixels (JSON text or a mapping), null when absent or unreadable. */
export function maxPixelsOf(kwargs: unknown): number | null {
  let obj: unknown = kwargs;
  if (typeof kwargs === 'string') {
    try {
      obj = JSON.parse(kwargs);
    } catch {
      return null;
    }
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const v = (obj as Record<string, unknown>).max_pixels;
  return typeof v === 'number' && v > 0 ? v : null;
}

/** Items of one modality per prompt from limit_mm_per_prompt (see imagesPerPrompt). */
export function itemsPerPrompt(limit: unknown, modality: 'image' | 'video'): number | null {
  if (limit === null || limit === undefined || limit === '') return null;
  let obj: unknown = limit;
  if (typeof limit === 'string') {
    const t = limit.trim();
    try {
      obj = JSON.parse(t);
    } catch {
      const m = new RegExp(`(?:^|,)\\s*${modality}\\s*=\\s*(\\d+)`).exec(t);
      return m ? Number(m[1]) : null;
    }
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const v = (obj as Record<string, unknown>)[modality];
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
  if (o.v1 && !v.crossAttention) return v1Profile(m, v, o);
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

// V1 (vllm/v1/worker/gpu_model_runner.py profile_run, 0.8-0.11; vllm/multimodal/budget.py MultiModalBudget later):
//   budget = min(compute budget, cache size), both max(max_num_batched_tokens, max tokens per item)
//     (vllm/v1/core/encoder_cache_manager.py compute_encoder_budget; SchedulerConfig sets max_num_encoder_input_tokens
//     and encoder_cache_size to max_num_batched_tokens);
//   items = max(1, min(budget // tokens per item, max_num_seqs x limit_mm_per_prompt)), one modality (the one with the
//     most tokens per item), every item a copy of the largest dummy ("profiled with N image items of the maximum
//     feature size"). The items run through get_multimodal_embeddings in ONE batch; the outputs are parked in
//     encoder_cache["tmp"] and the batched inputs stay referenced while _dummy_run(max_num_batched_tokens) runs.
//   limit_mm_per_prompt defaults to 999 per modality on V1 (vllm.config.multimodal.MultiModalConfig, v0.11.0 docs).
const V1_DEFAULT_LIMIT = 999;
// Qwen2-VL / Qwen2.5-VL checkpoints ship preprocessor_config.json max_pixels = 12845056 (= 3584^2; Qwen/Qwen2.5-VL-7B-
// Instruct and Qwen2-VL-7B-Instruct), which gives the 16384-token image vLLM logs ("Encoder cache budget of 16384
// tokens", vllm#34209). vLLM sizes the dummy image with smart_resize at max_pixels (qwen2_vl.py
// get_image_size_with_most_features).
const QWEN_VL_MAX_PIXELS = 12845056;
// Qwen3-VL checkpoints ship preprocessor_config.json size {"longest_edge": 16777216 (= 4096^2), "shortest_edge": 65536}
// with patch_size 16, merge_size 2 (Qwen/Qwen3-VL-8B-Instruct and the family; Qwen3VLProcessor with
// Qwen2VLImageProcessorFast). vLLM's Qwen3VLProcessingInfo._get_vision_info (vllm/model_executor/models/qwen3_vl.py
// @ 002d7b9) smart_resizes the 9999999-px square of Qwen2VLProcessingInfo.get_image_size_with_most_features to
// max_pixels = image_processor.size["longest_edge"]: 4096 x 4096 px -> 256 x 256 patches of 16 px -> 16384 tokens.
// Later vLLM factors longest_edge // (patch x merge)^2 = 16384 into the closest pair (128 x 128): the same square.
const QWEN3_VL_MAX_PIXELS = 16777216;
// Llama-4 (Scout and Maverick) ship preprocessor_config.json max_patches 16 with the global tile on
// (Llama4ImageProcessorFast; NVIDIA aiconfigurator's bundled Llama-4 configs assert image_processor_config
// {"max_patches": 16, "add_global_tile": true, "resize_to_max_canvas": false}). vLLM reads it as
// Mllama4ProcessingInfo.get_max_num_tiles (vllm/model_executor/models/mllama4.py); config.json does not carry it.
const LLAMA4_MAX_TILES = 16;

interface ItemShape {
  /** Text tokens (encoder embeddings) one dummy item becomes. */
  tokens: number;
  /** Patches the ViT runs for one item. */
  patches: number;
  /** Pixel elements of one item as the processor hands them over (float32). */
  pixelElems: number;
  /**
   * Encoder output width per token in text hidden sizes: 1, or 1 + deepstack levels for Qwen3-VL, whose
   * get_multimodal_embeddings returns [tokens, out_hidden_size x (1 + len(deepstack_visual_indexes))] per item (the
   * merger output concatenated with the deepstack mergers' outputs, split apart only in get_input_embeddings), so the
   * encoder cache holds every level (vllm/model_executor/models/qwen3_vl.py @ 002d7b9 Qwen3_VisionTransformer.forward,
   * _process_image_input, _compute_deepstack_embeds). out_hidden_size is the text hidden size in every checkpoint.
   */
  outputLevels: number;
  /** Embeddings the encoder returns per item when fewer than the budgeted tokens (Pixtral's break/end tokens). */
  embeds?: number;
  how: string;
}

const QWEN3_VL = new Set(['qwen3_vl', 'qwen3_vl_moe']);

/** The largest dummy image of a processor-sized vision tower, from the config (null when the family is not modelled). */
export function maxImageShape(v: VisionDims, maxPixels?: number | null): ItemShape | null {
  const w = v.wrapper ?? '';
  const p = v.patchSize;
  if (w === 'qwen2_vl' || w === 'qwen2_5_vl' || QWEN3_VL.has(w)) {
    // smart_resize of a huge square to max_pixels: each side floor(sqrt(max_pixels) / (patch x merge)) x patch x merge.
    const merge = v.mergeSize ?? 2;
    const unit = p * merge;
    const qwen3 = QWEN3_VL.has(w);
    const px = maxPixels ?? (qwen3 ? QWEN3_VL_MAX_PIXELS : QWEN_VL_MAX_PIXELS);
    const side = Math.floor(Math.sqrt(px) / unit + 1e-9) * unit;
    const patches = (side / p) ** 2;
    const temporal = v.temporalPatch ?? 2;
    return {
      tokens: patches / (merge * merge),
      patches,
      // pixel_values [patches, C x temporal x p x p] (the still image repeated over the temporal patch).
      pixelElems: patches * v.channels * temporal * p * p,
      outputLevels: 1 + (qwen3 ? (v.deepstackLevels ?? 0) : 0),
      how: `${side}x${side} px at max_pixels ${px}: ${patches} patches / ${merge}^2${qwen3 && v.deepstackLevels ? ` (+${v.deepstackLevels} deepstack levels)` : ''}`,
    };
  }
  if (!v.imageSize) return null;
  if (v.family === 'pixtral' && (w === 'mistral3' || w === 'llava')) return pixtralShape(v, v.imageSize, w === 'mistral3');
  if (w.startsWith('llama4') && v.pixelShuffleRatio) return llama4Shape(v, v.imageSize, v.pixelShuffleRatio);
  if (w === 'llava_next') return v.gridPinpoints && v.family === 'clip_vision_model' ? llavaNextShape(v, v.imageSize, v.gridPinpoints) : null;
  const grid = (v.imageSize / p) ** 2;
  const pixelElems = v.channels * v.imageSize * v.imageSize;
  if (w.startsWith('gemma3')) {
    // SigLIP at image_size, average-pooled to mm_tokens_per_image soft tokens (gemma3_mm.py; pan-and-scan off by
    // default). vLLM may count the begin/end-of-image tokens too: a few tokens more per item (uncertain).
    const tokens = v.tokensPerImage ?? 256;
    return { tokens, patches: grid, pixelElems, outputLevels: 1, how: `${v.imageSize}px SigLIP: ${grid} patches pooled to ${tokens}` };
  }
  if (w === 'llava') {
    // CLIP ViT at image_size; the 'default' feature strategy drops the class token (llava.py get_num_image_tokens).
    const tokens = v.featureSelect === 'full' ? grid + 1 : grid;
    return { tokens, patches: grid + 1, pixelElems, outputLevels: 1, how: `${v.imageSize}px CLIP: ${grid} patches` };
  }
  return null;
}

/**
 * Pixtral's largest dummy image: a square of the image processor's longest_edge (Mistral3ProcessingInfo and
 * LLaVA's PixtralHFProcessingInfo get_image_size_with_most_features; the checkpoints' preprocessor_config.json
 * size.longest_edge equals vision_config.image_size, 1540 for Mistral-Small-3.1, which older vLLM read directly).
 * PixtralHFEncoderInfo.get_patch_grid_size: n = (side - 1) // (patch x merge) + 1 tokens per row and column, merge =
 * hf_config.spatial_merge_size for Mistral3 and 1 for the LLaVA wrapper (LlavaConfig has none). The prompt replacement
 * is n rows of n [IMG] tokens and one [IMG_BREAK], the last break an [IMG_END] (mistral3.py / llava.py
 * _get_prompt_updates), and since vllm#21798 (0.10.1) the encoder budget counts that whole placeholder, n x (n + 1);
 * the encoder returns the n^2 [IMG] embeddings (Mistral3PatchMerger, then linear_1/linear_2 to the text width).
 */
function pixtralShape(v: VisionDims, side: number, mistral3: boolean): ItemShape {
  const merge = mistral3 ? (v.mergeSize ?? 2) : 1;
  const n = Math.floor((side - 1) / (v.patchSize * merge)) + 1;
  // The processor resizes to whole merged patches: n x patch x merge px a side, (n x merge)^2 ViT patches.
  const px = n * v.patchSize * merge;
  const patches = (n * merge) ** 2;
  return {
    tokens: n * (n + 1),
    embeds: n * n,
    patches,
    pixelElems: v.channels * px * px,
    outputLevels: 1,
    how: `${px}px Pixtral: ${patches} patches${merge > 1 ? ` merged ${merge}x${merge}` : ''} -> ${n}x${n} [IMG] + ${n} break/end tokens`,
  };
}

/**
 * Llama-4's largest dummy image (vllm/model_executor/models/mllama4.py): Mllama4ProcessingInfo
 * get_image_size_with_most_features is max_num_tiles tiles tall and one wide (h:w = 16:1), which tiles as aspect ratio
 * (16, 1) plus the global tile: patches_per_image = 1 + 16 = 17 chunks of image_size^2 px. Each chunk runs
 * (image_size / patch)^2 patches + the class token through the ViT, and the pixel shuffle leaves
 * get_patch_per_chunk = (image_size / patch)^2 // round(1 / ratio^2) embeddings. The prompt replacement
 * (transformers Llama4Processor._prompt_split_image) is <|image_start|>, per tile row the tiles' <|patch|> tokens with
 * <|tile_x_separator|> between them and a <|tile_y_separator|> after, then <|image|>, the global tile's patches and
 * <|image_end|>; the budget counts all of it (vllm#21798), the encoder returns the patches.
 */
function llama4Shape(v: VisionDims, tile: number, ratio: number): ItemShape {
  const rows = LLAMA4_MAX_TILES;
  const cols = 1;
  const chunks = rows * cols + 1;
  const grid = (tile / v.patchSize) ** 2;
  const perChunk = Math.floor(grid / Math.round(1 / (ratio * ratio)));
  return {
    tokens: 1 + rows * cols * perChunk + rows * (cols - 1) + rows + 1 + perChunk + 1,
    embeds: chunks * perChunk,
    patches: chunks * (grid + 1),
    pixelElems: chunks * v.channels * tile * tile,
    outputLevels: 1,
    how: `${rows}x${cols} tiles + global of ${tile}px: ${chunks} x ${grid + 1} patches, ${perChunk} tokens a tile after pixel shuffle`,
  };
}

/**
 * LLaVA-NeXT's largest dummy image (vllm/model_executor/models/llava_next.py LlavaNextProcessingInfo): the
 * image_grid_pinpoints canvas (height, width) with the most features, first one on a tie. Features of a canvas tiled
 * rows x cols = (height / image_size) x (width / image_size) (get_anyres_image_grid_shape picks the canvas itself):
 * the base image's CLIP patches (the 'default' strategy drops the class token), plus the unpadded grid
 * (npatches x rows) x (npatches x cols) with the padding the aspect ratio leaves removed, plus one image_newline per
 * unpadded row (_get_num_unpadded_features, from TGI). The ViT runs the rows x cols crops and the base image, each
 * (image_size / patch)^2 + 1 patches; the placeholder is all image tokens, so budget and cache count the same.
 */
function llavaNextShape(v: VisionDims, side: number, pinpoints: number[][]): ItemShape | null {
  const npatches = side / v.patchSize;
  const grid = npatches * npatches;
  const base = v.featureSelect === 'full' ? grid + 1 : grid;
  let best: { tokens: number; rows: number; cols: number } | null = null;
  for (const [h, w] of pinpoints) {
    const rows = Math.floor(h / side);
    const cols = Math.floor(w / side);
    if (rows < 1 || cols < 1) return null;
    let curH = npatches * rows;
    let curW = npatches * cols;
    if (w / h > curW / curH) curH -= 2 * Math.floor((curH - Math.floor((h * curW) / w)) / 2);
    else curW -= 2 * Math.floor((curW - Math.floor((w * curH) / h)) / 2);
    const tokens = curH * curW + curH + base;
    if (!best || tokens > best.tokens) best = { tokens, rows, cols };
  }
  if (!best) return null;
  const crops = best.rows * best.cols + 1;
  return {
    tokens: best.tokens,
    patches: crops * (grid + 1),
    pixelElems: crops * v.channels * side * side,
    outputLevels: 1,
    how: `${best.rows * side}x${best.cols * side} px anyres canvas: ${crops} crops of ${side}px CLIP`,
  };
}

function v1Profile(m: ModelArch, v: VisionDims, o: MmProfileInput): MmProfileResult {
  // Qwen2/2.5/3-VL also build dummy videos (Qwen3VLDummyInputsBuilder.get_dummy_mm_data).
  const video = v.wrapper === 'qwen2_vl' || v.wrapper === 'qwen2_5_vl' || QWEN3_VL.has(v.wrapper ?? '');
  if (o.imagesPerPrompt === 0) {
    // With images off, a video-capable model still profiles its video modality.
    return video && o.videosPerPrompt !== 0 ? { kind: 'unknown', why: 'the V1 profile of the video modality is not modelled' } : { kind: 'text_only' };
  }
  const shape = maxImageShape(v, o.maxPixels);
  if (!shape || !o.maxNumBatchedTokens) {
    return {
      kind: 'unknown',
      why: `the V1 encoder-cache profile of ${v.wrapper || v.family} is not modelled: its dummy item size comes from the image processor`,
    };
  }
  const b = o.dtypeBytes;
  const T = shape.tokens;
  const budget = Math.max(o.maxNumBatchedTokens, T);
  const limit = o.imagesPerPrompt ?? V1_DEFAULT_LIMIT;
  const items = Math.max(1, Math.min(Math.floor(budget / T), o.maxNumSeqs * limit));
  // One ViT layer's working set per patch, as for Mllama above: layer input, post-attention residual, normed input and
  // the kept embeddings (4 h) plus the MLP's column-parallel outputs (fc1 + GELU: 2 f; gate_up + SiluAndMul: 3 f).
  const mlp = (v.gatedMlp ? 3 : 2) * v.intermediate;
  // Qwen3-VL also keeps each deepstack merger's output [tokens, text hidden] until the final concatenation.
  const working = shape.patches * b * (4 * v.hidden + mlp / o.tp) + (shape.outputLevels - 1) * T * m.hidden * b;
  // float32 pixels from the processor plus the model-dtype copy the vision tower runs on.
  const pixels32 = shape.pixelElems * 4;
  const pixelsCast = shape.pixelElems * b;
  const visionPeakBytes = items * (pixels32 + pixelsCast + working);
  const embeds = shape.embeds ?? T;
  const encoderOutputBytes = items * embeds * m.hidden * shape.outputLevels * b;
  const heldBytes = items * pixels32 + encoderOutputBytes;
  return {
    kind: 'modelled',
    profile: {
      visionPeakBytes,
      heldBytes,
      items,
      tokensPerItem: T,
      encoderBudgetTokens: budget,
      encoderOutputBytes,
      formula:
        `${items} dummy image(s) of ${T} tokens (${shape.how}; budget ${budget} // ${T}, max_num_seqs ${o.maxNumSeqs} x limit ${limit}): ` +
        `pixels fp32 + ${b} B copy + ${shape.patches} patches x (4 x ${v.hidden} + ${v.gatedMlp ? 3 : 2} x ${v.intermediate}${o.tp > 1 ? `/${o.tp}` : ''}) x ${b} B` +
        (shape.outputLevels > 1 ? ` + ${shape.outputLevels - 1} deepstack outputs x ${T} x ${m.hidden} x ${b} B` : ''),
      encoderFormula:
        `encoder budget max(max_num_batched_tokens ${o.maxNumBatchedTokens}, ${T} per item) = ${budget} tokens; ` +
        `${items} x ${embeds} dummy outputs x text hidden ${m.hidden}${shape.outputLevels > 1 ? ` x ${shape.outputLevels} levels` : ''} x ${b} B held through the text forward`,
    },
  };
}
