// The normalized deployment every format adapter produces. Every field keeps the source range it came from.
import type { Calibration, ServingInput } from '../engine/memory';
import type { ModelEntry } from '../catalog/index';
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

export type ModelRef =
  | { kind: 'id'; id: string }
  | { kind: 'path'; path: string }
  | { kind: 'inline'; entry: ModelEntry };

// The engine's own workload type: the adapters fill exactly what engine II reads.
export type { WorkloadInput } from '../engine/performance';

export interface Deployment {
  name: string;
  format: string;
  /** Index of the YAML document in the file. */
  docIndex: number;
  model: ModelRef | null;
  gpu: string | null;
  /** Where the GPU name came from when not stated in the file (e.g. the workspace default). */
  gpuOrigin: 'stated' | 'default' | 'inferred';
  gpuCount: number | null;
  gpusPerNode: number | null;
  replicas: number;
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
  /** The engine container's memory limit (resources.limits.memory) in bytes, when the file states one. */
  memoryLimit?: number | null;
  memoryLimitRange?: Range | null;
}

export function defaultWorkload(): WorkloadInput {
  return { requestsPerSecond: null, inputTokens: 1000, outputTokens: 200, concurrency: null, prefixCacheHitRate: 0 };
}
