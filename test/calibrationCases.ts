// Public vLLM startup logs (test/data/calibration/vllm_startup_logs.json) mapped onto plans the engine can size.
// Shared by test/unit/calibration.test.ts and scripts/accuracy.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinCatalog } from '../server/src/catalog/index';
import type { Calibration, ServingInput } from '../server/src/engine/memory';
import type { ModelArch } from '../server/src/engine/model';
import { modelFromConfig } from '../server/src/engine/model';

export const CALIBRATION_DIR = path.resolve(__dirname, 'data', 'calibration');

export interface LogEntry {
  id: string;
  model: string;
  gpu: string;
  measured: Record<string, unknown>;
  log_lines: string[];
}

/** Both log files: the first set and issue 13's multi-GPU / multimodal / late-failure set. */
export const LOG_FILES = ['vllm_startup_logs.json', 'vllm_startup_logs_2.json'];

export function logEntries(): Map<string, LogEntry> {
  const out = new Map<string, LogEntry>();
  for (const f of LOG_FILES) {
    const j = JSON.parse(fs.readFileSync(path.join(CALIBRATION_DIR, f), 'utf8'));
    for (const e of j.entries as LogEntry[]) out.set(e.id, e);
  }
  return out;
}

/** The case's architecture: the catalog's, or the config.json fields its log entry carries (nested multimodal configs). */
export function archOf(c: CalibrationCase): ModelArch {
  const known = builtinCatalog().resolveModel(c.model);
  if (known) return known.arch;
  const e = logEntries().get(c.id) as (LogEntry & { config?: Record<string, unknown> }) | undefined;
  if (!e?.config) throw new Error(`${c.id}: model ${c.model} is neither in the catalog nor carried in the log entry`);
  return modelFromConfig(c.model, e.config);
}

export interface CalibrationCase {
  id: string;
  model: string;
  gpu: string;
  serving: Partial<ServingInput>;
  /** Measured terms from the log (GiB) for the exact block-arithmetic check. */
  calibration?: Calibration;
  /** What the log printed. */
  expect: { numBlocks?: number; kvTokens?: number; maxConcurrency?: number; availableKvGiB?: number; startupOk?: boolean; errorIncludes?: string };
  /**
   * From the config alone the failure sits inside the overhead estimate's range (the expected figures fail, the
   * favourable ones fit): predicted as a start that may fail (startup.samplerWarmupTight), not as a refusal.
   */
  configOnlyTight?: boolean;
  /** Whether the log has enough inputs (GPU, version, utilization, max_model_len) for a config-only prediction. */
  configOnly: boolean;
  why: string;
}

export const CASES: CalibrationCase[] = [
  {
    id: 'vllm-10517-rtx3090-llama31-8b-29k',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    gpu: 'NVIDIA GeForce RTX 3090',
    // "Memory profiling results: ... peak_torch_memory" is the 0.6.4 V0 format (PR #9352).
    serving: { engineVersion: '0.6.4', maxModelLen: 29000, gpuMemoryUtilization: 0.9 },
    calibration: { total_memory_gib: 23.58, weights_gib: 14.9888, activation_peak_gib: 17.98 - 14.9888, non_torch_gib: 0.35, available_kv_gib: 2.89 },
    expect: {
      numBlocks: 1478,
      kvTokens: 23648,
      maxConcurrency: 0.82,
      startupOk: false,
      errorIncludes: "The model's max seq len (29000) is larger than the maximum number of tokens that can be stored in KV cache",
    },
    configOnly: true,
    why: 'GPU, utilization, max_model_len and the log format (0.6.4) are known',
  },
  {
    id: 'lmcache-1739-qwen3-14b',
    model: 'Qwen/Qwen3-14B',
    gpu: 'H100',
    serving: { engineVersion: '0.10.1', maxModelLen: 32768 },
    calibration: { available_kv_gib: 6.51 },
    expect: { numBlocks: 2666, kvTokens: 42656, maxConcurrency: 1.3 },
    configOnly: false,
    why: 'GPU and utilization not in the excerpt',
  },
  {
    id: 'vllm-pr4454-a6000-opt-125m',
    model: 'facebook/opt-125m',
    gpu: 'NVIDIA RTX A6000',
    serving: { engineVersion: '0.4.1', gpuMemoryUtilization: 0.9, apiServer: false },
    expect: { numBlocks: 75937, kvTokens: 1214992 },
    configOnly: true,
    why: 'LLM("facebook/opt-125m") with defaults on a 48 GB RTX A6000, vLLM main at 0.4.1',
  },
  {
    id: 'vllm-pr4454-a6000-meta-llama-3-8b-instruct',
    model: 'meta-llama/Meta-Llama-3-8B-Instruct',
    gpu: 'NVIDIA RTX A6000',
    serving: { engineVersion: '0.4.1', gpuMemoryUtilization: 0.9, apiServer: false },
    expect: { numBlocks: 13248, kvTokens: 211968 },
    configOnly: true,
    why: 'LLM("meta-llama/Meta-Llama-3-8B-Instruct") with defaults on a 48 GB RTX A6000, vLLM main at 0.4.1',
  },
  {
    id: 'vllm-13882-qwen25-7b-rtx4060',
    model: 'Qwen/Qwen2.5-7B-Instruct',
    gpu: 'NVIDIA GeForce RTX 4060',
    serving: { engineVersion: '0.7.3', maxModelLen: 4096, gpuMemoryUtilization: 0.7 },
    calibration: { total_memory_gib: 8.0, weights_gib: 5.2, non_torch_gib: 0.03, activation_peak_gib: 1.42 },
    expect: { numBlocks: 0, startupOk: false, errorIncludes: 'No available memory for the cache blocks' },
    configOnly: false,
    why: 'the checkpoint is an unnamed 4-bit quantization',
  },
  {
    id: 'vllm-15871-deepseek-v2-lite-mla',
    model: 'deepseek-ai/DeepSeek-V2-Lite',
    gpu: 'H100',
    serving: { engineVersion: '0.8.3', maxModelLen: 32768, enforceEager: true },
    calibration: { available_kv_gib: 0.93 },
    expect: {
      startupOk: false,
      errorIncludes:
        "To serve at least one request with the models's max seq len (32768), (0.95 GiB KV cache is needed, which is larger than the available KV cache memory (0.93 GiB).",
    },
    configOnly: false,
    why: 'GPU not stated; cpu_offload_gb=13 changes the budget',
  },
  {
    id: 'vllm-27508-gptoss120b-h100-095',
    model: 'openai/gpt-oss-120b',
    gpu: 'H100',
    serving: { engineVersion: '0.11.0', gpuMemoryUtilization: 0.95, maxNumBatchedTokens: 1024 },
    calibration: { available_kv_gib: 1.71 },
    expect: { startupOk: false, errorIncludes: "To serve at least one request with the models's max seq len (131072)" },
    configOnly: false,
    why: 'exact activation and non-torch terms not printed',
  },
  {
    id: 'hfmem-60-gptoss120b',
    model: 'openai/gpt-oss-120b',
    gpu: 'H200',
    // Tokens printed as num_blocks // groups x block_size (sliding layers charged like full): a 0.10-era V1.
    serving: { engineVersion: '0.10.1' },
    calibration: { available_kv_gib: 5.38 },
    expect: { kvTokens: 78384 },
    configOnly: false,
    why: 'GPU, version and utilization not stated',
  },
  {
    id: 'myoceane-gptoss20b-a100',
    model: 'openai/gpt-oss-20b',
    gpu: 'NVIDIA A100-SXM4-80GB',
    serving: { engineVersion: '0.19.0', maxModelLen: 131072, gpuMemoryUtilization: 0.65 },
    expect: { availableKvGiB: 36.56 },
    configOnly: true,
    why: 'command line given; the 80 GB card is implied by 13.72 + 36.56 GiB at 0.65 (uncertain)',
  },
  // Issue 13's set (test/data/calibration/vllm_startup_logs_2.json).
  {
    id: 'vllm-pr12126-h100-llama32-11b-vision',
    model: 'meta-llama/Llama-3.2-11B-Vision',
    gpu: 'H100',
    serving: { engineVersion: '0.6.6', maxModelLen: 65536, maxNumSeqs: 128, gpuMemoryUtilization: 0.9, enforceEager: true },
    calibration: { total_memory_gib: 79.22, weights_gib: 19.86, activation_peak_gib: 36.63, non_torch_gib: 0.16, available_kv_gib: 14.65 },
    expect: { numBlocks: 6001, kvTokens: 96016, startupOk: true },
    configOnly: true,
    why: 'command line in the PR; the V0 multimodal profile (128 dummy images at 4 tiles) is modelled in engine/mmProfile.ts',
  },
  {
    id: 'llmd-787-qwen3-32b-tp2-h100-sampler-oom',
    model: 'Qwen/Qwen3-32B',
    gpu: 'H100',
    serving: { engineVersion: '0.11.0', tp: 2, gpuMemoryUtilization: 0.95 },
    calibration: { available_kv_gib: 41.87 },
    expect: { availableKvGiB: 41.87, startupOk: false, errorIncludes: 'CUDA out of memory occurred when warming up sampler with 1024 dummy requests.' },
    configOnly: true,
    why: 'GPU (H100 nodes of the llm-d CI), version, tp and utilization are stated; the failure comes after the KV allocation',
  },
  {
    id: 'ray-docs-l4-qwen25-vl-3b-v1',
    model: 'Qwen/Qwen2.5-VL-3B-Instruct',
    gpu: 'L4',
    serving: { engineVersion: '0.11.0', maxModelLen: 8192, maxNumBatchedTokens: 2048 },
    calibration: { available_kv_gib: 9.26 },
    expect: { kvTokens: 269568 },
    configOnly: false,
    why: 'gpu_memory_utilization not stated (the 0.9 default is likely, not confirmed)',
  },
];
