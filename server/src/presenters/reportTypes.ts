// The report contract: the types of `llm-sizer report --json`, of the language server's report request and of what
// the webview, the Markdown and the HTML export render. Types only (no runtime code, no DOM, no Node, no LSP), so
// the server, the CLI, the client and the webview bundle all import this one module. Field names are a contract:
// add, never rename.
import type { CapacitySection, CostSection, DisaggregationSection, PerformanceSection } from '../engine/performance';

export interface ReportPosition {
  line: number;
  character: number;
}
export interface ReportRange {
  start: ReportPosition;
  end: ReportPosition;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface DiagnosticReport {
  code: string;
  severity: Severity;
  message: string;
  range: ReportRange;
  data?: Record<string, unknown>;
}

/**
 * One verdict per deployment, derived once (server/src/analysis/verdict.ts) and shown the same way in Problems, the status
 * item, the inlay hint, the hover, the report badge and every export.
 * - starts: sized, vLLM starts, every input the verdict rests on is stated in the file;
 * - assumed: sized and starts, but with assumptions (listed in `assumptions`) the user should confirm;
 * - fails: vLLM refuses to start (the reason says why); every performance number is hypothetical;
 * - not-sized: something needed is unknown (the reason says what), so nothing is concluded.
 */
export type VerdictKind = 'starts' | 'assumed' | 'fails' | 'not-sized';
export interface Verdict {
  kind: VerdictKind;
  /** Short words for badges and hints: "starts", "starts (assumptions)", "does not start", "not sized". */
  label: string;
  /** Why it does not start or is not sized (one sentence); null when it starts. */
  reason: string | null;
  /** The code of the diagnostic that decided a `fails` verdict (null otherwise). */
  code: string | null;
  /** True when the performance numbers describe a deployment that will not start (shown as hypothetical). */
  hypothetical: boolean;
}

/** One input the sizing rests on: stated in the file or assumed, and the setting or key that changes it. */
export interface Assumption {
  what: 'gpu' | 'engine_version' | 'workload' | 'price' | 'compute' | 'replicas';
  /** Plain words: "GPU", "vLLM version", "Workload", "GPU price", "GPU compute". */
  label: string;
  stated: boolean;
  /** The value used, in words ("H100-SXM", "0.11.0", "1,000 input + 200 output tokens", "$2.50 per GPU-hour"). */
  value: string;
  /** Where the value came from when assumed, and what to set to change it. */
  how: string;
}

/** Concurrency figures, each with the request length it is counted at. */
export interface ConcurrencyReport {
  /** What vLLM prints at startup: requests of max_model_len tokens that fit in the KV cache at once (unrounded). */
  at_max_model_len: number;
  max_model_len: number;
  /** Whole requests of the workload's length (input + output tokens) that fit in the KV cache at once. */
  at_workload: number;
  workload_tokens: number;
  /** Requests running at once in practice: min(max_num_seqs, at_workload). */
  running: number;
}

export interface ModelReport {
  id: string | null;
  params_total: number | null;
  params_active: number | null;
  params_by_component?: Record<string, number> | null;
  source?: string;
}

export interface GpuReport {
  id: string | null;
  name?: string;
  memory_bytes: number | null;
  count: number | null;
  origin?: 'stated' | 'default' | 'inferred';
}

export interface MemoryReport {
  total_bytes: number;
  requested_bytes: number;
  weights_bytes: number;
  activation_peak_bytes: number;
  non_torch_bytes: number;
  cudagraph_bytes: number;
  cudagraph_in_budget: boolean;
  kv_cache_bytes: number;
  weights_by_component: Record<string, number>;
}

export interface MemoryTermReport {
  key: string;
  label: string;
  bytes: number;
  /** Low and high bytes when the term is uncertain (null when exact). */
  band: [number, number] | null;
  formula: string;
  source: 'config' | 'estimate' | 'calibration' | 'datasheet';
}

export interface KvCacheReport {
  bytes_per_token: number;
  bytes_per_token_per_gpu: number;
  block_size: number;
  page_bytes: number;
  num_blocks: number;
  capacity_tokens: number;
  max_concurrency: number;
  blocks_per_request: number;
  kv_heads_per_gpu: number;
  kv_heads_replicated: boolean;
}

export interface BandsReport {
  activation_peak_bytes: number[];
  non_torch_bytes: number[];
  cudagraph_bytes: number[];
  kv_cache_bytes: number[];
  num_blocks: number[];
  capacity_tokens: number[];
  max_concurrency: number[];
}

export interface ServingReport {
  max_model_len: number;
  gpu_memory_utilization: number;
  max_num_seqs: number;
  max_num_batched_tokens: number;
  block_size: number;
  dtype: string;
  quantization: string | null;
  kv_cache_dtype: string;
  enforce_eager: boolean;
  defaulted: Record<string, string>;
}

/** The engine II section as the report carries it: the lean analysis leaves the detail arrays out. */
export type PerformanceReport = Omit<PerformanceSection, 'curve' | 'operators' | 'ceilings'> &
  Partial<Pick<PerformanceSection, 'curve' | 'operators' | 'ceilings'>>;
export type CapacityReport = CapacitySection;
export type CostReport = CostSection;
export type DisaggregationReport = DisaggregationSection;
export type { CurvePoint, Ceiling } from '../engine/performance';

export interface ExtrasReport {
  lora_bytes: number;
  lora: unknown;
  draft: { method: string; weights_bytes: number | null; kv_layers: number; formula: string } | null;
  cpu_offload_bytes: number;
  kv_cache_memory_bytes: number | null;
  host_ram_bytes: number;
  host_ram_parts: Array<{ label: string; bytes: number }>;
  unknowns: string[];
}

/** One deployment of the report. Sections a deployment that was not sized lacks are absent or null. */
export interface DeploymentReport {
  name: string;
  format: string;
  model: ModelReport;
  gpu: GpuReport;
  parallelism: { tp: number; pp: number; dp: number; ep: number } | null;
  verdict: Verdict;
  assumptions: Assumption[];
  concurrency: ConcurrencyReport | null;
  /** Why a deployment that was found is not sized (null when sized). */
  not_sized_reason?: string | null;
  /** First line of the deployment in the file (0-based), for links from the report to the editor. */
  line: number;
  /**
   * version: for vLLM the release whose behaviour is sized (stated, a setting, or the newest known); for SGLang and
   * TensorRT-LLM the version the file states, else "" (it changes nothing that is sized).
   */
  engine?: { name: string; version: string; v1: boolean };
  serving?: ServingReport;
  memory_per_gpu: MemoryReport | null;
  kv_cache: KvCacheReport | null;
  startup: {
    ok: boolean;
    error: string | null;
    estimated_max_model_len: number | null;
    findings?: Array<{ kind: string; phase: string; error: string }>;
  } | null;
  /** Memory terms beyond weights/activation/KV (LoRA slots, draft model, CPU offload, host RAM), when sized. */
  extras?: ExtrasReport;
  bands: BandsReport | null;
  /** Every memory term per GPU with its band and the formula it comes from (the hover's former table), when sized. */
  memory_terms?: MemoryTermReport[];
  /** The lines vLLM should print at startup for this configuration, in that version's format, when sized. */
  predicted_log_lines?: string[];
  calibrated?: boolean;
  performance?: PerformanceReport;
  capacity?: CapacityReport;
  cost?: CostReport;
  disaggregation?: DisaggregationReport;
  notes: string[];
}

/** The whole file: `llm-sizer report --json`. */
export interface FileReport {
  file: string;
  deployments: DeploymentReport[];
  diagnostics: DiagnosticReport[];
}

/** One configuration of the hardware comparison (`llm-sizer compare --json` rows). */
export type { ComparisonRow } from '../engine/compare';
