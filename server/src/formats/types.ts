// The normalized deployment every format adapter produces. Every field keeps the source range it came from.
import type { Calibration, ServingInput } from '../engine/memory';
import type { GpuEntry, ModelEntry } from '../catalog/index';
import type { WorkloadInput } from '../engine/performance';

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  /** What a quick fix needs (replacement values, candidate names). */
  data?: Record<string, unknown>;
}

export type ModelRef = { kind: 'id'; id: string } | { kind: 'path'; path: string } | { kind: 'inline'; entry: ModelEntry };

// The engine's own workload type: the adapters fill exactly what engine II reads.
export type { WorkloadInput } from '../engine/performance';

export interface Deployment {
  name: string;
  format: string;
  /** Index of the YAML document in the file. */
  docIndex: number;
  model: ModelRef | null;
  gpu: string | null;
  /** A GPU described in the file itself (native plan `hardware.gpu` as an object), schema-valid. */
  gpuEntry?: GpuEntry;
  /** Where the GPU name came from when not stated in the file (e.g. the workspace default). */
  gpuOrigin: 'stated' | 'default' | 'inferred';
  gpuCount: number | null;
  gpusPerNode: number | null;
  /**
   * Copies of the engine the file runs (pods, LeaderWorkerSet groups, Ray Serve replicas, chart replicaCount), each
   * with its own data-parallel ranks; the autoscaler's minimum when it autoscales; 1 for a config file. Its range is
   * `ranges.replicas`. Engine instances deployed = replicas x data parallel ranks (analysis/instances.ts).
   */
  replicas: number;
  /**
   * The autoscaler's ceiling (maxReplicas, max_replicas): set only when the file autoscales, null when it states no
   * ceiling. Absent: `replicas` is a fixed count.
   */
  replicasMax?: number | null;
  /** Why the replica count is not known (a template placeholder): Little's Law then claims no overload. */
  replicasUnknown?: string;
  /** The workload an autoscaler would name in scaleTargetRef (Kubernetes kind and metadata.name). */
  scaleTarget?: { kind: string; name: string };
  /**
   * The HorizontalPodAutoscaler or KEDA ScaledObject in the same file that owns the replica count: `replicas` and
   * `replicasMax` are its bounds.
   */
  autoscaler?: { kind: string; name: string };
  serving: Partial<ServingInput>;
  workload: WorkloadInput;
  slo: { ttftMs: number | null; tpotMs: number | null };
  gpuHourUsd: number | null;
  calibration: Calibration | null;
  /** Value ranges by field path: `model`, `hardware.gpu`, `serving.max_model_len`, ... and `name` / `document`. */
  ranges: Record<string, Range>;
  /** Key ranges by the same paths (for hovers and unknown-key diagnostics). */
  keyRanges: Record<string, Range>;
  /** Things the adapter could not resolve and says so (never guessed). */
  notes: string[];
  /** Kubernetes facts for the pod-level rules (absent for plain config formats). */
  pod?: PodFacts;
  /**
   * Why this deployment cannot be sized although it was found, when the adapter knows (the serving engine is chosen
   * at start-up, the model lives in remote storage, ...). Set: nothing is sized and a `not-sized` info says this.
   */
  unsized?: string;
  /**
   * Values the file sets but does not resolve (an env var set from a Secret, a Helm placeholder): unknown, never
   * defaulted. The rules that depend on them stay silent and one `value-unresolved` information says what is missing.
   */
  unresolved?: Unresolved[];
  /** How the engine spreads over pods and nodes, when the command line says more than tp x pp x dp. */
  layout?: ParallelLayout;
  /** True when the file states a workload (requests, tokens, concurrency): workload-based findings then hold. */
  workloadStated?: boolean;
  /**
   * True when the workload is the llmSizer.defaultWorkload setting (CLI --workload), not the file's: the report lists it
   * as assumed and the findings that depend on it are information at most.
   */
  workloadAssumed?: boolean;
  /** A GPU node-selector value names no catalog GPU (gpu-selector-unknown said so): not sized, no unknown-gpu error. */
  gpuSelectorUnknown?: boolean;
  /** The engine uses a Ray cluster (`--distributed-executor-backend ray`, `ray start` in the script): GPUs may be on other pods. */
  rayCluster?: boolean;
  /** Set by the analysis: whether the weights need more GPUs than one node holds (tp-across-nodes is then expected). */
  weightsNeedNodes?: boolean;
  /** --served-model-name: the name clients use, often the model id when the model is a local path. */
  servedModelName?: string;
  /**
   * Model names the manifest's well-known labels give (`ai.gke.io/model: gemma-3-27b-it`, `model.aibrix.ai/name`):
   * tried after the served model name and the path when the model is a container path no catalog id matches.
   */
  modelHints?: string[];
  /** Role of a disaggregated worker (`prefill` / `decode`), named in the messages. */
  role?: 'prefill' | 'decode';
}

/** A value the file states but that is not known until run time. */
export interface Unresolved {
  /** Field path (`serving.tensor_parallel_size`, `hardware.count`, `model`). */
  path: string;
  /** The text as written (`$(TP)`, `{{ .Values.tp }}`). */
  text: string;
  /** Why it is unknown and how to state it. */
  reason: string;
  range: Range | null;
}

export interface ParallelLayout {
  /** vLLM --data-parallel-size-local: data-parallel ranks in this pod (multi-node data parallelism). */
  dpLocal?: number;
  /** SGLang / vLLM --nnodes: nodes (pods) one engine instance spans. */
  nnodes?: number;
  /** SGLang --enable-dp-attention: data parallelism inside the tensor-parallel group (dp adds no GPUs). */
  dpAttention?: boolean;
  /** vLLM --headless: a worker of a multi-node data-parallel deployment (serves no API). */
  headless?: boolean;
}

export interface PodFacts {
  /** What `gpuCount` counts, for messages (e.g. `nvidia.com/gpu per pod`). */
  countLabel: string;
  /** Pods per serving group (LeaderWorkerSet size, KServe head + workers); 1 for a plain pod. */
  podsPerGroup: number;
  /** /dev/shm: 'none' (no memory-backed volume), 'unlimited' (emptyDir Memory without sizeLimit) or bytes. */
  shm: 'none' | 'unlimited' | number;
  /** Range of the /dev/shm volume (or of the container) for the shm diagnostic. */
  shmRange: Range | null;
  /** CUDA_VISIBLE_DEVICES set literally in the engine container: how many devices it lists. */
  visibleDevices?: { count: number; text: string; range: Range | null };
  /** False when the engine container requests no GPU and nothing else places it on GPU nodes (runtime class, selector). */
  requestsAccelerator?: boolean;
  /** Range of the engine container's image (for pod-level findings about the container). */
  engineRange?: Range | null;
  /** The engine container's memory limit (resources.limits.memory) in bytes, when the file states one. */
  memoryLimit?: number | null;
  memoryLimitRange?: Range | null;
}

export function defaultWorkload(): WorkloadInput {
  return { requestsPerSecond: null, inputTokens: 1000, outputTokens: 200, concurrency: null, prefixCacheHitRate: 0 };
}
