// KV-cache bytes per token and vLLM's page/block arithmetic. Pure.
// Formulas follow vllm/v1/kv_cache_interface.py (AttentionSpec.page_size_bytes, MLAAttentionSpec,
// SlidingWindowSpec.max_memory_usage_bytes) and vllm/v1/core/kv_cache_utils.py (grouping, num_blocks).
import type { LayerKind, ModelArch } from './model';
import { cdiv } from './units';

export type KvDtype = 'auto' | 'fp8' | 'fp8_e4m3' | 'fp8_e5m2' | 'bfloat16' | 'float16';

export function kvElementBytes(kvDtype: string, modelDtypeBytes: number): number {
  const k = kvDtype.toLowerCase();
  if (k.startsWith('fp8') || k === 'int8') return 1;
  if (k === 'float32') return 4;
  if (k === 'bfloat16' || k === 'float16' || k === 'half') return 2;
  return modelDtypeBytes; // auto: the model's dtype
}

export interface KvLayer {
  layer: number;
  kind: LayerKind;
  /** Bytes per token on one GPU for this layer. */
  bytesPerToken: number;
  /** Bytes per token for this layer over the whole model (all KV heads, not sharded). */
  bytesPerTokenUnsharded: number;
}

export interface KvOptions {
  tp: number;
  elementBytes: number;
  /** vLLM caches the MLA latent (kv_lora_rank + qk_rope_head_dim); before MLA support it cached full per-head K/V. */
  mlaLatent: boolean;
  /** Head size vLLM used for DeepSeek before MLA caching (q/k 192 and v 128 padded to 256). */
  preMlaHeadSize?: number;
}

/** Per-layer KV bytes per token, on one tensor-parallel rank and unsharded. */
export function kvLayers(m: ModelArch, o: KvOptions): KvLayer[] {
  return m.layerKinds.map((kind, layer) => {
    if (kind === 'linear') return { layer, kind, bytesPerToken: 0, bytesPerTokenUnsharded: 0 };
    if (m.mla) {
      if (o.mlaLatent) {
        // One latent "head" per token, replicated on every TP rank (not divided by tp).
        const b = (m.mla.kvLoraRank + m.mla.qkRopeHeadDim) * o.elementBytes;
        return { layer, kind, bytesPerToken: b, bytesPerTokenUnsharded: b };
      }
      // Pre-MLA DeepSeek in vLLM (0.5.0-0.7.0): full K and V for every head, at a padded head size.
      const d = o.preMlaHeadSize ?? m.mla.qkNopeHeadDim + m.mla.qkRopeHeadDim;
      return {
        layer,
        kind,
        bytesPerToken: 2 * (m.heads / o.tp) * d * o.elementBytes,
        bytesPerTokenUnsharded: 2 * m.heads * d * o.elementBytes,
      };
    }
    // num_kv_heads per rank = max(1, total // tp): heads are replicated when Hkv < tp.
    const local = Math.max(1, Math.floor(m.kvHeads / o.tp));
    return {
      layer,
      kind,
      bytesPerToken: 2 * local * m.headDim * o.elementBytes,
      bytesPerTokenUnsharded: 2 * m.kvHeads * m.headDim * o.elementBytes,
    };
  });
}

/** One vLLM KV cache group: layers sharing a spec, each holding one block table. */
export interface KvGroup {
  kind: LayerKind;
  layers: number;
  /** Bytes of one block of one layer (block_size tokens). */
  pageBytes: number;
  /** Blocks one request of `maxModelLen` tokens needs in this group. */
  blocksPerRequest: number;
}

export interface BlockLayout {
  blockSize: number;
  /** Bytes one block costs across all layers that take a block from the shared pool. */
  bytesPerBlock: number;
  /** Number of groups the shared block pool is divided among (1 for uniform models). */
  numGroups: number;
  groups: KvGroup[];
  blocksPerRequest: number;
  /** KV bytes one request of max_model_len needs (vLLM's check_enough_kv_cache_memory). */
  bytesPerRequest: number;
}

export interface LayoutOptions {
  blockSize: number;
  maxModelLen: number;
  maxNumBatchedTokens: number;
  slidingWindow: number | null;
  /** vLLM's hybrid allocator: sliding layers keep only the window. Without it they are charged like full layers. */
  hybridAllocator: boolean;
}

/** Blocks that one sequence of `len` tokens holds in a layer of this kind. */
export function blocksNeeded(kind: LayerKind, len: number, o: LayoutOptions): number {
  if (kind === 'sliding' && o.hybridAllocator && o.slidingWindow) {
    const tokens = Math.min(o.slidingWindow - 1 + o.maxNumBatchedTokens, len);
    return cdiv(tokens, o.blockSize) + 1;
  }
  return cdiv(len, o.blockSize);
}

/**
 * The block layout of the KV pool for the layers of one GPU.
 * Uniform models: every layer takes one page per block. Hybrid (full + sliding) with the hybrid allocator:
 * layers are split into groups of `min(count per kind)` layers; the pool's tensors are shared across groups, so
 * one block costs page x group_size and the tokens vLLM prints are num_blocks / num_groups x block_size.
 */
export function blockLayout(layers: KvLayer[], o: LayoutOptions): BlockLayout {
  const cached = layers.filter((l) => l.kind !== 'linear' && l.bytesPerToken > 0);
  const byKind = new Map<LayerKind, KvLayer[]>();
  for (const l of cached) {
    const kind: LayerKind = o.hybridAllocator ? l.kind : 'full';
    byKind.set(kind, [...(byKind.get(kind) ?? []), l]);
  }
  const page = (l: KvLayer) => l.bytesPerToken * o.blockSize;
  const groups: KvGroup[] = [];
  if (byKind.size <= 1) {
    const kind = [...byKind.keys()][0] ?? 'full';
    const n = cached.length;
    const pageBytes = n ? cached.reduce((s, l) => s + page(l), 0) / n : 0;
    if (n) groups.push({ kind, layers: n, pageBytes, blocksPerRequest: blocksNeeded(kind, o.maxModelLen, o) });
    const bytesPerBlock = cached.reduce((s, l) => s + page(l), 0);
    return {
      blockSize: o.blockSize,
      bytesPerBlock,
      numGroups: groups.length ? 1 : 0,
      groups,
      blocksPerRequest: groups[0]?.blocksPerRequest ?? 0,
      bytesPerRequest: (groups[0]?.blocksPerRequest ?? 0) * bytesPerBlock,
    };
  }
  const groupSize = Math.min(...[...byKind.values()].map((v) => v.length));
  let maxPage = 0;
  for (const [kind, ls] of byKind) {
    for (let i = 0; i < ls.length; i += groupSize) {
      const part = ls.slice(i, i + groupSize);
      const pageBytes = Math.max(...part.map(page));
      maxPage = Math.max(maxPage, pageBytes);
      groups.push({ kind, layers: part.length, pageBytes, blocksPerRequest: blocksNeeded(kind, o.maxModelLen, o) });
    }
  }
  const blocksPerRequest = groups.reduce((s, g) => s + g.blocksPerRequest, 0);
  const bytesPerRequest = groups.reduce((s, g) => s + g.blocksPerRequest * g.pageBytes * g.layers, 0);
  return { blockSize: o.blockSize, bytesPerBlock: maxPage * groupSize, numGroups: groups.length, groups, blocksPerRequest, bytesPerRequest };
}

/** KV bytes one request of `len` tokens needs on this GPU (for the estimated-maximum-length search). */
export function bytesForLength(layers: KvLayer[], len: number, o: LayoutOptions): number {
  let s = 0;
  for (const l of layers) {
    if (l.kind === 'linear' || l.bytesPerToken <= 0) continue;
    const kind: LayerKind = o.hybridAllocator ? l.kind : 'full';
    s += blocksNeeded(kind, len, o) * l.bytesPerToken * o.blockSize;
  }
  return s;
}
