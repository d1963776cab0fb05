// The serving settings that change the sizing: one row per setting with every name form it takes, the engine field
// it feeds, the kind of value it accepts and the value the hover shows after defaults. Name forms: the snake_case
// name is the native plan's `serving:` key and, for vLLM, the option as written in a `--config` file, Ray Serve's
// `engine_kwargs` and `vllm.LLM(...)`; `--kebab-case` is the same option on a command line; the production-stack
// chart reads a camelCase `vllmConfig` key for a few of them. The adapters (native plan, vLLM config and arguments,
// production-stack, Ray Serve), the hover, completion, quick fixes and the report read this table; the native plan
// schema's `serving` properties are checked against it (test/unit/servingKeys.test.ts).
import type { ResolvedServing, ServingInput } from '../engine/memory';

/** What a setting's value must be for the engine to use it (anything else is reported, not guessed). */
export type ServingValueKind =
  | 'engine' // vllm | sglang | trtllm
  | 'version' // a version string or number
  | 'int' // a whole number >= 1
  | 'fraction' // a number in (0, 1]
  | 'gib' // GiB, any number >= 0
  | 'bool'
  | 'str'
  | 'json'; // a JSON string or a mapping (speculative_config)

export interface ServingKey {
  /** snake_case: the native plan key and, when `vllm`, vLLM's option name. */
  name: string;
  field: keyof ServingInput;
  kind: ServingValueKind;
  /** Accepted under `serving:` in a native plan. */
  native: boolean;
  /** A vLLM engine option (EngineArgs in vllm/engine/arg_utils.py). */
  vllm: boolean;
  /** Other vLLM spellings of the same option (argparse accepts both). */
  aliases?: readonly string[];
  /** The production-stack chart's vllmConfig key (helm/templates/deployment-vllm-multi.yaml, vllm-project/production-stack a6c01db). */
  chart?: string;
  /** The value in effect after defaults, for the hover; omitted where the resolved serving does not carry it. */
  effective?: (s: ResolvedServing) => unknown;
}

const row = (name: string, field: keyof ServingInput, kind: ServingValueKind, more: Partial<ServingKey> = {}): ServingKey => ({
  name,
  field,
  kind,
  native: true,
  vllm: true,
  ...more,
});

export const SERVING_KEY_TABLE: readonly ServingKey[] = [
  row('engine', 'engine', 'engine', { vllm: false, effective: (s) => s.engine }),
  row('engine_version', 'engineVersion', 'version', { vllm: false, effective: (s) => s.engineVersion }),
  row('tensor_parallel_size', 'tp', 'int', { chart: 'tensorParallelSize', effective: (s) => s.tp }),
  row('pipeline_parallel_size', 'pp', 'int', { chart: 'pipelineParallelSize', effective: (s) => s.pp }),
  row('data_parallel_size', 'dp', 'int', { effective: (s) => s.dp }),
  row('enable_expert_parallel', 'expertParallel', 'bool', { effective: (s) => s.ep > 1 }),
  row('dtype', 'dtype', 'str', { chart: 'dtype', effective: (s) => s.dtype }),
  row('quantization', 'quantization', 'str', { effective: (s) => s.quantization }),
  row('kv_cache_dtype', 'kvCacheDtype', 'str', { effective: (s) => s.kvCacheDtype }),
  row('max_model_len', 'maxModelLen', 'int', { chart: 'maxModelLen', effective: (s) => s.maxModelLen }),
  row('gpu_memory_utilization', 'gpuMemoryUtilization', 'fraction', { chart: 'gpuMemoryUtilization', effective: (s) => s.gpuMemoryUtilization }),
  row('max_num_seqs', 'maxNumSeqs', 'int', { chart: 'maxNumSeqs', effective: (s) => s.maxNumSeqs }),
  row('max_num_batched_tokens', 'maxNumBatchedTokens', 'int', { effective: (s) => s.maxNumBatchedTokens }),
  row('block_size', 'blockSize', 'int', { effective: (s) => s.blockSize }),
  row('enforce_eager', 'enforceEager', 'bool', { effective: (s) => s.enforceEager }),
  row('enable_prefix_caching', 'enablePrefixCaching', 'bool', { chart: 'enablePrefixCaching' }),
  // SGLang --mem-fraction-static and TensorRT-LLM's KvCacheConfig.free_gpu_memory_fraction: native plans only (the
  // SGLang and TRT-LLM argument tables in args.ts map their own spellings onto these fields).
  row('mem_fraction_static', 'memFractionStatic', 'fraction', { vllm: false }),
  row('free_gpu_memory_fraction', 'freeGpuMemoryFraction', 'fraction', { vllm: false }),
  // Memory beyond the base model (engine/extras.ts).
  row('enable_lora', 'enableLora', 'bool'),
  row('max_loras', 'maxLoras', 'int'),
  row('max_lora_rank', 'maxLoraRank', 'int'),
  row('max_cpu_loras', 'maxCpuLoras', 'int'),
  row('lora_dtype', 'loraDtype', 'str'),
  row('speculative_config', 'speculativeConfig', 'json'),
  row('kv_cache_memory_bytes', 'kvCacheMemoryBytes', 'int', { aliases: ['kv_cache_memory'] }),
  row('cpu_offload_gb', 'cpuOffloadGb', 'gib'),
  row('swap_space', 'swapSpace', 'gib'),
  row('kv_offloading_size', 'kvOffloadingSize', 'gib'),
  // Images per prompt the profile run encodes (engine/mmProfile.ts); {"image": 0} skips the vision encoder.
  row('limit_mm_per_prompt', 'limitMmPerPrompt', 'json'),
  // The image processor's overrides; max_pixels sizes Qwen2/2.5-VL's dummy image in the V1 profile (engine/mmProfile.ts).
  row('mm_processor_kwargs', 'mmProcessorKwargs', 'json'),
];

const byName = new Map<string, ServingKey>(SERVING_KEY_TABLE.map((k) => [k.name, k]));
const byField = new Map<keyof ServingInput, ServingKey>(SERVING_KEY_TABLE.map((k) => [k.field, k]));

/** The row for a snake_case name (own rows only: `__proto__` or `constructor` are not settings). */
export function servingKey(name: string): ServingKey | undefined {
  return byName.get(name);
}

export function servingKeyOfField(field: keyof ServingInput): ServingKey | undefined {
  return byField.get(field);
}

/** Native `serving:` keys and the engine setting each feeds. */
export const SERVING_KEYS: Readonly<Record<string, keyof ServingInput>> = Object.fromEntries(
  SERVING_KEY_TABLE.filter((k) => k.native).map((k) => [k.name, k.field]),
);

/** vLLM option (snake_case, aliases included) -> engine setting. */
export const VLLM_SIZING_OPTIONS: Readonly<Record<string, keyof ServingInput>> = Object.fromEntries(
  SERVING_KEY_TABLE.filter((k) => k.vllm).flatMap((k) => [k.name, ...(k.aliases ?? [])].map((n) => [n, k.field])),
);

/** The production-stack chart's sizing vllmConfig keys -> vLLM option, and back. */
export const CHART_SIZING_KEYS: Readonly<Record<string, string>> = Object.fromEntries(SERVING_KEY_TABLE.filter((k) => k.chart).map((k) => [k.chart!, k.name]));
export const CHART_KEY_OF_OPTION: Readonly<Record<string, string>> = Object.fromEntries(
  SERVING_KEY_TABLE.filter((k) => k.chart).map((k) => [k.name, k.chart!]),
);

/** The engine's kind for a field; 'str' for fields outside the table. */
export function kindOfField(field: keyof ServingInput): ServingValueKind {
  return byField.get(field)?.kind ?? 'str';
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Reads a value only when it has the kind the engine needs (undefined otherwise; schema diagnostics explain why). */
export function servingValue(field: keyof ServingInput, v: unknown): unknown {
  switch (kindOfField(field)) {
    case 'engine':
      return v === 'vllm' || v === 'sglang' || v === 'trtllm' ? v : undefined;
    case 'version':
      return typeof v === 'string' || isNum(v) ? String(v) : undefined;
    case 'bool':
      return typeof v === 'boolean' ? v : undefined;
    case 'json':
      // vLLM takes a JSON string (--speculative-config '{...}') or, in a YAML config, a mapping.
      return (typeof v === 'string' && v.trim()) || (v && typeof v === 'object' && !Array.isArray(v)) ? v : undefined;
    case 'gib':
      return isNum(v) && v >= 0 ? v : undefined;
    case 'fraction':
      return isNum(v) && v > 0 && v <= 1 ? v : undefined;
    case 'int':
      return isNum(v) && Number.isInteger(v) && v >= 1 ? v : undefined;
    case 'str':
      // quantization: null means "none" as written; other strings only.
      return typeof v === 'string' ? v : field === 'quantization' && v === null ? null : undefined;
  }
}

/** The value in effect after defaults for a snake_case name, or undefined when the hover has none to show. */
export function effectiveValue(name: string, s: ResolvedServing): unknown {
  return byName.get(name)?.effective?.(s);
}
