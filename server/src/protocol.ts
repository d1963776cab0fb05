// The one protocol module shared by the language server and the VS Code client (custom LSP requests).
// The server computes; the client and its webviews only render what these return.

/** Full sizing report of a document: the same JSON as `llm-sizer report --json`. */
export const ReportRequest = 'llmSizer/report';
export interface ReportParams {
  uri: string;
}
export interface ReportResult {
  uri: string;
  /** `{file, deployments: [...], diagnostics: [...]}` exactly as the CLI's report --json. */
  report: Record<string, unknown>;
  formats: string[];
  version: number | null;
}

/** Hardware comparison for one deployment of a document (engine II). */
export const CompareRequest = 'llmSizer/compare';
export interface CompareParams {
  uri: string;
  deployment?: number;
}

/** Parse a vLLM startup log and compare it with the prediction for a document's first deployment. */
export const CalibrateRequest = 'llmSizer/calibrate';
export interface CalibrateParams {
  logText: string;
  uri?: string;
}

/**
 * Counters and memory of the language server (tests and benchmarks read them; no UI). `validations` counts
 * scheduled validations: `skippedStale` were replaced by a newer version before they began; the analysis
 * counters come from the language service (a validation whose version was analyzed already starts none).
 */
export const StatsRequest = 'llmSizer/stats';
export interface StatsResult {
  validations: { scheduled: number; skippedStale: number; published: number };
  analyses: { started: number; completed: number; abandoned: number };
  /** Analyses under way now (a hover answered meanwhile sees 1 for a large file). */
  inProgress: number;
  /** Requests answered with RequestCancelled after a $/cancelRequest. */
  cancelled: number;
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
}

/**
 * Sent once by the server when its startup is done: the first settings and workspace catalog are loaded (documents
 * opened before then are revalidated by that load) and the JIT warm-up ran. Tests wait for it before opening files.
 */
export const ReadyNotification = 'llmSizer/ready';

/**
 * `initializationOptions.analysisBudget`: the work per document version before a validation stops with
 * `analysis-incomplete` (default 1,000 ms), and `msPerDocument`, a fixed cost charged per `---` document instead of
 * the measured time (tests: the same stopping point on any machine).
 */
export interface AnalysisBudgetOptions {
  ms?: number;
  msPerDocument?: number;
}

/** Pushed by the server after each analysis: drives the status bar. */
export const StatusNotification = 'llmSizer/status';
export interface StatusParams {
  uri: string;
  formats: string[];
  /** true: every deployment starts; false: at least one does not; null: nothing sized. */
  fits: boolean | null;
  summary: string;
}

/** Settings the server reads (section `llmSizer`). */
export interface ServerSettings {
  defaultGpu: string | null;
  defaultEngineVersion: string | null;
  gpuPrices: Record<string, number>;
  catalogFolders: string[];
  enable: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  defaultGpu: 'H100',
  defaultEngineVersion: null,
  gpuPrices: {},
  catalogFolders: ['.llm-sizer'],
  enable: true,
};
