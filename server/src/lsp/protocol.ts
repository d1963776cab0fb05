// The one protocol module shared by the language server and the VS Code client (custom LSP requests), declared as
// typed RequestType / NotificationType as vscode-eslint and rust-analyzer do: a handler or a sendRequest with the
// wrong parameter or result type does not compile. The server computes; the client and its webviews only render what
// these return. The webview imports only the types (`import type`), so no LSP code reaches its bundle.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { CalibrationComparison, CalibrationTerms } from '../calibration/comparison';
import type { ComparisonRow, FileReport } from '../presenters/reportTypes';

/** Full sizing report of a document: the same JSON as `llm-sizer report --json`. */
export interface ReportParams {
  uri: string;
}
export interface ReportResult {
  uri: string;
  /** `{file, deployments: [...], diagnostics: [...]}` exactly as the CLI's report --json. */
  report: FileReport;
  formats: string[];
  version: number | null;
}
export const ReportRequest = new RequestType<ReportParams, ReportResult | null, void>('llmSizer/report');

/** Hardware comparison for one deployment of a document (engine II), as `llm-sizer compare --json`. */
export interface CompareParams {
  uri: string;
  /** Index of the deployment in the report's `deployments`; absent or not sized: the first sized one. */
  deployment?: number;
}
export interface CompareResult {
  file: string;
  /** Name of the deployment compared, its index in the report, its model, GPU, tp and the price it uses. */
  deployment: string;
  index: number;
  model: string;
  current: { gpu: string; tp: number; usd_per_gpu_hour: number | null };
  rows: ComparisonRow[];
}
export const CompareRequest = new RequestType<CompareParams, CompareResult | null, void>('llmSizer/compare');

/** Parse a vLLM startup log and compare it with the prediction for a document's first deployment. */
export interface CalibrateParams {
  logText: string;
  uri?: string;
}
/** Measured (log) beside predicted terms and the calibration block: the one comparison the CLI also prints. */
export type CalibrateTerms = CalibrationTerms;
export type CalibrateResult = CalibrationComparison;
export const CalibrateRequest = new RequestType<CalibrateParams, CalibrateResult | null, void>('llmSizer/calibrate');

/**
 * Counters and memory of the language server (tests and benchmarks read them; no UI). `validations` counts
 * scheduled validations: `skippedStale` were replaced by a newer version before they began; the analysis
 * counters come from the language service (a validation whose version was analyzed already starts none).
 */
export interface StatsResult {
  validations: { scheduled: number; skippedStale: number; published: number };
  analyses: { started: number; completed: number; abandoned: number };
  /** Analyses under way now (a hover answered meanwhile sees 1 for a large file). */
  inProgress: number;
  /** Requests answered with RequestCancelled after a $/cancelRequest. */
  cancelled: number;
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
}
export const StatsRequest = new RequestType<Record<string, never> | null, StatsResult | null, void>('llmSizer/stats');

/**
 * Sent once by the server when its startup is done: the first settings and workspace catalog are loaded (documents
 * opened before then are revalidated by that load) and the JIT warm-up ran. Tests wait for it before opening files.
 */
export const ReadyNotification = new NotificationType<Record<string, never>>('llmSizer/ready');

/**
 * `initializationOptions.analysisBudget`: the work per document version before a validation stops with
 * `analysis-incomplete` (default 1,000 ms), and `msPerDocument`, a fixed cost charged per `---` document instead of
 * the measured time (tests: the same stopping point on any machine).
 */
export interface AnalysisBudgetOptions {
  ms?: number;
  msPerDocument?: number;
}

/** Pushed by the server after each analysis: drives the status item. */
export interface StatusParams {
  uri: string;
  formats: string[];
  /** true: every deployment starts; false: at least one does not; null: nothing sized. */
  fits: boolean | null;
  summary: string;
  /** The file's verdict in the same words as the badge and the hint ("starts", "does not start", ...). */
  verdict: { kind: 'starts' | 'assumed' | 'fails' | 'not-sized' | 'none'; label: string; detail: string };
}
export const StatusNotification = new NotificationType<StatusParams>('llmSizer/status');

/** Settings the server reads (section `llmSizer`). */
// The settings the server reads (section `llmSizer`) are defined with the analysis options they feed; the CLI uses
// the same defaults without depending on the LSP protocol.
export type { ServerSettings } from '../analysis/settings';
export { DEFAULT_SETTINGS } from '../analysis/settings';
