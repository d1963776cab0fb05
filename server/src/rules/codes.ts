// The diagnostic codes the sizing rules emit, by name. Their meaning, docs page and SARIF rule are in registry.ts.

/** Error codes; stable, relied on by users' suppressions and by other tools. */
export const CODES = {
  unknownModel: 'unknown-model',
  unknownGpu: 'unknown-gpu',
  modelConfigInvalid: 'model-config-invalid',
  weightsExceedMemory: 'weights-exceed-memory',
  noKvMemory: 'no-kv-memory',
  maxModelLenTooLong: 'max-model-len-too-long',
  contextBeyondModel: 'context-beyond-model',
  headsNotDivisible: 'heads-not-divisible',
  dtypeUnsupported: 'dtype-unsupported',
  gpuCountMismatch: 'gpu-count-mismatch',
  kvHeadsReplicated: 'kv-heads-replicated',
  kvLimitsConcurrency: 'kv-limits-concurrency',
  tpAcrossNodes: 'tp-across-nodes',
  cudagraphExceedsMemory: 'cudagraph-exceeds-memory',
  littlesLawOverload: 'littles-law-overload',
  sloUnreachable: 'slo-unreachable',
  decodeBelowRidge: 'decode-below-ridge',
  quantizationMismatch: 'quantization-mismatch',
  samplerWarmupOom: 'sampler-warmup-oom',
  /** Info: values the file states but does not resolve; the rules that depend on them are off (analysis.ts). */
  valueUnresolved: 'value-unresolved',
  /** A vLLM flag the (stated or assumed) version removed; argparse refuses it (flagRules.ts). */
  flagRemoved: 'flag-removed',
  /** `$VAR` / `${VAR}` in a Kubernetes arg or env value outside a shell: only `$(VAR)` expands (containerRules.ts). */
  envVarNotExpanded: 'env-var-not-expanded',
  /** CUDA_VISIBLE_DEVICES lists fewer GPUs than the engine needs in the pod (k8sRules.ts). */
  cudaVisibleDevicesTooFew: 'cuda-visible-devices-too-few',
  /** A serving container that requests no GPU and is placed on no GPU node (k8sRules.ts). */
  noGpuRequested: 'no-gpu-requested',
  /** A token or API key written in the manifest instead of a Secret; the value is never echoed (containerRules.ts). */
  secretInPlainText: 'secret-in-plain-text',
  /** A GPU node-selector value no catalog GPU carries (k8sCommon.ts applyGpuCandidates). */
  gpuSelectorUnknown: 'gpu-selector-unknown',
  /** A flag whose value is (or expands to) empty; argparse refuses it (args.ts). */
  emptyFlagValue: 'empty-flag-value',
  hostRamExceedsLimit: 'host-ram-exceeds-limit',
  extrasUnknown: 'memory-term-unknown',
} as const;

/** One of the codes above. */
export type Code = (typeof CODES)[keyof typeof CODES];
