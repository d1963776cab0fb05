// What changes with the vLLM version: defaults and the memory/KV accounting behaviours. Pure data + lookups.
// Each threshold names the vLLM change it comes from (see docs/VLLM-MEMORY.md for the research notes).

export interface Version {
  major: number;
  minor: number;
  patch: number;
  raw: string;
}

/** The newest vLLM release this engine models; `latest` and unknown future versions map here. */
export const LATEST_VLLM = '0.27.0';
export const OLDEST_VLLM = '0.4.0';

const versionCache = new Map<string, Version | null>();

export function parseVersion(v: string | number | null | undefined): Version | null {
  if (v === null || v === undefined) return null;
  const key = String(v);
  if (versionCache.has(key)) return versionCache.get(key)!;
  const parsed = parseVersionText(key);
  if (versionCache.size < 1000) versionCache.set(key, parsed);
  return parsed;
}

function parseVersionText(v: string): Version | null {
  const s = String(v).trim().replace(/^v/i, '');
  if (s === 'latest') return parseVersion(LATEST_VLLM);
  // A development build (the nightly image, `nightly-<commit>`, a build of main) is newer than every release: it
  // behaves as the newest release known here, and says so where the version is printed.
  if (/^(nightly|main)([-_.+].*)?$/i.test(s)) {
    const l = parseVersion(LATEST_VLLM)!;
    return { ...l, raw: `${s} (as ${LATEST_VLLM})` };
  }
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(s);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), raw: s };
}

export function cmp(a: Version, b: string): number {
  const v = parseVersion(b)!;
  return a.major - v.major || a.minor - v.minor || a.patch - v.patch;
}

export const atLeast = (a: Version, b: string) => cmp(a, b) >= 0;

export interface VllmBehaviour {
  version: Version;
  /** V1 engine is the default from 0.8.0 (VLLM_USE_V1 default flipped in 0.8.0). */
  v1: boolean;
  /** 0.9 in every release seen up to 0.27 (EngineArgs.gpu_memory_utilization); a fraction of each GPU's total. */
  defaultGpuMemoryUtilization: number;
  /** MLA latent caching for DeepSeek V2/V3 from 0.7.1 (V0 PR adding MLA); before, full K/V per head was cached. */
  mlaLatent: boolean;
  /** Before MLA support vLLM padded DeepSeek's 192-wide q/k heads (and 128-wide v) to a 256 head size. */
  preMlaHeadSize: number;
  /** Default block size for MLA models: FlashMLA (the Hopper default backend in V1) needs 64. */
  mlaBlockSize: number;
  /** Hybrid KV-cache allocator: sliding-window layers hold only their window (V1, shipped in 0.9.2/0.10.0). */
  hybridAllocator: boolean;
  /** `Maximum concurrency` = num_blocks / blocks_per_request (get_max_concurrency_for_kv_cache_config, ~0.9.0). */
  concurrencyFromBlocks: boolean;
  /** `GPU KV cache size` = int(max_concurrency x max_model_len) (first seen in a 0.24.0 log; newest refactor). */
  tokensFromConcurrency: boolean;
  /** The V1 max-model-len error states "the estimated maximum model length is N" (~0.9.0). */
  errorStatesEstimate: boolean;
  /** Both startup errors end with a link to the conserving-memory docs (~0.11). */
  errorDocsLink: boolean;
  /** CUDA-graph memory is estimated during profiling and subtracted (PR #30515, default on from 0.21.0, not ROCm). */
  cudagraphInBudget: boolean;
  /** NCCL buffers are created after the memory snapshot and so charged as non-torch (V0 <= 0.6.3; V1 0.9.2-0.10.x). */
  ncclCharged: boolean;
  /** V0: chunked prefill switched on automatically for max_model_len > 32K. */
  autoChunkedPrefillAbove32k: boolean;
  /**
   * tp > 1 communication buffers registered in the profile run count as non-torch (~2.1 GiB per GPU measured on 0.19;
   * assumed from 0.11, when NCCL init moved before the snapshot in vllm#25359: uncertain between 0.11 and 0.18).
   */
  commBuffersProfiled: boolean;
  /** V1 warms the sampler up with min(max_num_seqs, max_num_batched_tokens) requests after the KV allocation (vllm#15105, 0.8.0). */
  samplerWarmupAfterKv: boolean;
  /**
   * The top-k/top-p path the V1 profile's dummy sampler takes by default: its requests ask for top_k = vocab - 1 and
   * top_p 0.9 (gpu_model_runner._dummy_sampler_run). 'native' sorts the whole [requests, vocab] logits (torch.sort),
   * 'flashinfer' masks and samples without a sort; null for V0. V1 used FlashInfer's kernel by default wherever
   * FlashInfer is installed (vllm PR #11394; the vllm-openai images ship it: public L4 deployments of 0.8.5 and 0.10.0
   * start only without the sort's memory); PR #26859 (merged 2025-10-15) disabled it by default and PR #40376 (merged
   * 2026-04-20: taken as 0.20.0, first release uncertain) enabled it again. 0.11.0 is taken as native (uncertain): on
   * one H100 gpt-oss-120b profiled 7.44 GiB beyond its weights on ~0.10.1 (vllm#23278) and 7.55 on ~0.11 (#27508), and
   * with the sort (5.8 GiB of it at 1024 x 201,088 logits) both leave the same 1.3-1.4 GiB unexplained; llm-d#787's
   * 0.11.0 image failed its sampler warm-up as only the sort's memory explains. The other path bounds the band.
   */
  samplerPath: 'native' | 'flashinfer' | null;
}

export function vllmBehaviour(version: Version): VllmBehaviour {
  const v1 = atLeast(version, '0.8.0');
  return {
    version,
    v1,
    defaultGpuMemoryUtilization: 0.9,
    mlaLatent: atLeast(version, '0.7.1'),
    preMlaHeadSize: 256,
    mlaBlockSize: v1 ? 64 : 16,
    hybridAllocator: atLeast(version, '0.10.0'),
    concurrencyFromBlocks: atLeast(version, '0.9.0'),
    tokensFromConcurrency: atLeast(version, '0.24.0'),
    errorStatesEstimate: atLeast(version, '0.9.0'),
    errorDocsLink: atLeast(version, '0.11.0'),
    cudagraphInBudget: atLeast(version, '0.21.0'),
    ncclCharged: !atLeast(version, '0.6.4') || (atLeast(version, '0.9.2') && !atLeast(version, '0.11.0')),
    autoChunkedPrefillAbove32k: !v1 && atLeast(version, '0.5.1'),
    commBuffersProfiled: atLeast(version, '0.11.0'),
    samplerWarmupAfterKv: v1,
    samplerPath: !v1 ? null : atLeast(version, '0.11.0') && !atLeast(version, '0.20.0') ? 'native' : 'flashinfer',
  };
}

export interface ServingDefaults {
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
  chunkedPrefill: boolean;
  why: string;
}

/**
 * Scheduler defaults as vLLM resolves them (vllm/engine/arg_utils.py EngineArgs._set_default_args, vllm/config.py
 * SchedulerConfig). `largeGpu`: at least 70 GiB and not an A100 (vLLM's H100-class rule, from 0.9.0, PR #17885);
 * `server`: the OpenAI API server usage context (`vllm serve`), else the offline LLM class.
 */
export function servingDefaults(b: VllmBehaviour, maxModelLen: number, largeGpu: boolean, server = true): ServingDefaults {
  if (!b.v1) {
    const chunked = b.autoChunkedPrefillAbove32k && maxModelLen > 32768;
    if (chunked) {
      const t = atLeast(b.version, '0.7.0') ? 2048 : 512;
      return { maxNumBatchedTokens: t, maxNumSeqs: 256, chunkedPrefill: true, why: `V0 chunked prefill, on by default above 32K context: ${t}` };
    }
    return {
      maxNumBatchedTokens: Math.max(maxModelLen, 2048),
      maxNumSeqs: 256,
      chunkedPrefill: false,
      why: 'V0 without chunked prefill: max(max_model_len, 2048)',
    };
  }
  const big = largeGpu && atLeast(b.version, '0.9.0');
  const t = big ? (server ? 8192 : 16384) : server ? 2048 : 8192;
  const seqs = Math.min(big ? 1024 : 256, t);
  return {
    maxNumBatchedTokens: t,
    maxNumSeqs: seqs,
    chunkedPrefill: true,
    why: `V1 ${server ? 'API server' : 'LLM class'} default on a ${big ? '>=70 GiB non-A100' : largeGpu ? 'large (pre-0.9 table)' : 'smaller or A100'} GPU`,
  };
}
