// The KV cache the budget buys on the limiting GPU: blocks, the tokens they hold and the requests of max_model_len they
// serve at once, as each engine (and vLLM release) counts them. Pure.
import type { BlockLayout, KvLayer } from './kvcache';
import type { ModelArch } from './model';
import type { ResolvedServing } from './servingResolve';
import type { VllmBehaviour } from './vllmVersion';

export interface KvSizing {
  /** Whole model: all layers, all KV heads, every layer keeping the token. */
  bytesPerToken: number;
  /** On the limiting GPU (its layers, its share of KV heads, replication counted). */
  bytesPerTokenPerGpu: number;
  blockSize: number;
  pageBytes: number;
  bytesPerBlock: number;
  numGroups: number;
  blocksPerRequest: number;
  bytesPerRequest: number;
  numBlocks: number;
  /** What vLLM prints as `GPU KV cache size: N tokens`. */
  capacityTokens: number;
  /** What vLLM prints as `Maximum concurrency for L tokens per request: Xx` (unrounded). */
  maxConcurrency: number;
  /** KV heads per GPU and whether they are replicated (Hkv < tp). */
  kvHeadsPerGpu: number;
  kvHeadsReplicated: boolean;
  layout: BlockLayout;
}

/** What a block count means in requests and tokens on one pool. */
export interface KvCounting {
  serving: ResolvedServing;
  beh: VllmBehaviour;
  layout: BlockLayout;
}

/** Requests of max_model_len the blocks hold at once (`Maximum concurrency` as the engine prints it). */
export function concurrencyOf(numBlocks: number, c: KvCounting): number {
  const { engine, blockSize, maxModelLen } = c.serving;
  const layout = c.layout;
  if (layout.blocksPerRequest <= 0) return 0;
  if (engine !== 'vllm') return (numBlocks * blockSize) / maxModelLen;
  if (c.beh.concurrencyFromBlocks) return numBlocks / layout.blocksPerRequest;
  return (Math.floor(numBlocks / Math.max(1, layout.numGroups)) * blockSize) / maxModelLen;
}

/** Tokens the blocks hold (`GPU KV cache size`); SGLang and TensorRT-LLM size their pools by tokens rather than vLLM blocks. */
export function tokensOf(numBlocks: number, c: KvCounting): number {
  const { engine, blockSize, maxModelLen } = c.serving;
  if (engine === 'vllm' && c.beh.tokensFromConcurrency) return Math.floor(concurrencyOf(numBlocks, c) * maxModelLen);
  return Math.floor(numBlocks / Math.max(1, c.layout.numGroups)) * blockSize;
}

/** The KV cache of the limiting GPU: kvLocal are its layers, unshardedKv the whole model's on one GPU. */
export function kvSizingOf(m: ModelArch, c: KvCounting, numBlocks: number, kvLocal: KvLayer[], unshardedKv: KvLayer[]): KvSizing {
  const { layout, serving } = c;
  return {
    bytesPerToken: unshardedKv.reduce((a, l) => a + l.bytesPerTokenUnsharded, 0),
    bytesPerTokenPerGpu: kvLocal.reduce((a, l) => a + l.bytesPerToken, 0),
    blockSize: serving.blockSize,
    pageBytes: layout.groups[0]?.pageBytes ?? 0,
    bytesPerBlock: layout.bytesPerBlock,
    numGroups: layout.numGroups,
    blocksPerRequest: layout.blocksPerRequest,
    bytesPerRequest: layout.bytesPerRequest,
    numBlocks,
    capacityTokens: tokensOf(numBlocks, c),
    maxConcurrency: concurrencyOf(numBlocks, c),
    kvHeadsPerGpu: m.mla ? 1 : Math.max(1, Math.floor(m.kvHeads / serving.tp)),
    kvHeadsReplicated: !m.mla && m.kvHeads < serving.tp,
    layout,
  };
}
