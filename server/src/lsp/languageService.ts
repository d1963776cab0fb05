// The language service: analyzes each document once per version, caches the result, and answers every
// feature from that cache. No connection here: server.ts forwards LSP requests to it, tests can call it directly.
import * as path from 'node:path';
import type { CodeAction, CodeActionParams, CompletionItem, DocumentSymbol, Hover, InlayHint, Position, Range } from 'vscode-languageserver';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { fileURLToPath } from 'node:url';
import { analysisSteps, analyzeSegmentAt, analyzeText, detailedPerformance } from '../analysis/analysis';
import type { AnalysisOptions, FileAnalysis, SegmentCache } from '../analysis/analysis';
import { builtinCatalog } from '../catalog/index';
import type { Catalog } from '../catalog/index';
import { parseVllmLog } from '../calibration/logParser';
import { calibrationComparison, calibrationTarget } from '../calibration/comparison';
import { codeActions } from './features/codeActions';
import { completions } from './features/completion';
import { toLspDiagnostics } from './features/diagnostics';
import { hover } from './features/hover';
import { inlayHints } from './features/inlayHints';
import { documentSymbols } from './features/symbols';
import { catalogKindOf, validateCatalogText } from '../node/workspaceCatalog';
import type { CatalogKind } from '../node/workspaceCatalog';
import { localConfigReader, restrictedConfigReader } from '../node/localModel';
import type { CalibrateResult, CompareResult, ServerSettings, StatusParams } from './protocol';
import type { FileReport } from '../presenters/reportTypes';
import { verdictOf } from '../analysis/verdict';
import { DEFAULT_SETTINGS } from './protocol';
import { assumedWorkloadOf } from '../analysis/settings';
import { reportJson } from '../presenters/report';
import { compareRows } from '../presenters/compareReport';
import { finiteJson } from '../presenters/report';
import { MAX_DOCUMENT_BYTES } from '../yaml/yamlDoc';

export interface TextDoc {
  uri: string;
  version: number;
  getText(): string;
}

export interface CacheEntry {
  uri: string;
  version: number;
  text: string;
  analysis: FileAnalysis;
  /** Set for workspace catalog files (validated by the model or hardware schema, not sized). */
  catalogKind: CatalogKind | null;
  /** Per-`---`-document results reused by the next version. */
  segments: SegmentCache;
  /** Milliseconds the last analysis took (status and benchmarks). */
  elapsedMs: number;
}

/** Work per document version before the analysis stops with `analysis-incomplete` (docs/RELIABILITY.md). */
export const ANALYSIS_BUDGET_MS = 1000;

/** Counters of the stepped analyses (the `llmSizer/stats` request). */
export interface AnalysisCounters {
  /** Analyses of a new document version begun. */
  started: number;
  /** Analyses that ran to the end (budget stops included). */
  completed: number;
  /** Analyses dropped part-way because a newer version (or a close) replaced them. */
  abandoned: number;
}

/** The host's clock for the analysis budget (the pure core reads none of its own). */
const hostClock = (): number => performance.now();

interface Job {
  version: number;
  steps: Generator<void, CacheEntry, void>;
}

export class LanguageService {
  private cache = new Map<string, CacheEntry>();
  private settings: ServerSettings = { ...DEFAULT_SETTINGS };
  private catalog: Catalog = builtinCatalog();
  /** Analyses in progress, one per document: stepped by the server, finished on demand by a feature. */
  private jobs = new Map<string, Job>();
  readonly counters: AnalysisCounters = { started: 0, completed: 0, abandoned: 0 };

  /** `budgetMs`/`documentCostMs`: the analysis budget and, for tests, a fixed cost per document (see AnalysisOptions). */
  constructor(private readonly env: { trusted: boolean; budgetMs?: number; documentCostMs?: number } = { trusted: true }) {}

  /** New settings or catalog: every cached result is stale. */
  configure(settings: Partial<ServerSettings> | null | undefined, catalog?: Catalog): void {
    this.settings = normalizeSettings(settings);
    if (catalog) this.catalog = catalog;
    this.cache.clear();
    this.counters.abandoned += this.jobs.size;
    this.jobs.clear();
  }

  getSettings(): ServerSettings {
    return this.settings;
  }

  getCatalog(): Catalog {
    return this.catalog;
  }

  options(uri: string): AnalysisOptions {
    let baseDir: string | null = null;
    try {
      if (uri.startsWith('file:')) baseDir = path.dirname(fileURLToPath(uri));
    } catch {
      baseDir = null;
    }
    return {
      catalog: this.catalog,
      defaultGpu: this.settings.defaultGpu,
      defaultEngineVersion: this.settings.defaultEngineVersion,
      priceOverrides: this.settings.gpuPrices,
      defaultWorkload: this.settings.defaultWorkload,
      // Reading a model's config.json from disk only in a trusted workspace; restricted mode says so instead.
      readLocalConfig: !this.env.trusted ? restrictedConfigReader() : baseDir ? localConfigReader({ baseDir }) : undefined,
    };
  }

  /** The analysis of this document version: computed once, then read from the cache. */
  analyze(doc: TextDoc): CacheEntry {
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit;
    // A stepped analysis of this version is under way: finish it rather than start over.
    for (;;) {
      const done = this.analysisStep(doc);
      if (done) return done;
    }
  }

  /**
   * One step of the analysis of this document version (one `---` document): the entry once done, undefined while
   * work remains. A newer version abandons the older version's analysis.
   */
  analysisStep(doc: TextDoc): CacheEntry | undefined {
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit;
    let job = this.jobs.get(doc.uri);
    if (job && job.version !== doc.version) {
      this.counters.abandoned++;
      job = undefined;
    }
    if (!job) {
      job = { version: doc.version, steps: this.entrySteps(doc) };
      this.jobs.set(doc.uri, job);
      this.counters.started++;
    }
    let r: IteratorResult<void, CacheEntry>;
    try {
      r = job.steps.next();
    } catch (e) {
      this.jobs.delete(doc.uri);
      throw e;
    }
    if (!r.done) return undefined;
    this.jobs.delete(doc.uri);
    this.counters.completed++;
    return r.value;
  }

  /** Number of stepped analyses under way. */
  analysesInProgress(): number {
    return this.jobs.size;
  }

  private *entrySteps(doc: TextDoc): Generator<void, CacheEntry, void> {
    const hit = this.cache.get(doc.uri);
    const text = doc.getText();
    if (hit && hit.text === text) {
      hit.version = doc.version;
      return hit;
    }
    const t0 = performance.now();
    const segments: SegmentCache = hit?.segments ?? new Map();
    const catalogKind = catalogKindOf(doc.uri, this.settings.catalogFolders);
    let analysis: FileAnalysis;
    if (!this.settings.enable) analysis = { deployments: [], diagnostics: [], formats: [], disabled: true };
    else if (catalogKind) analysis = validateCatalogText(text, catalogKind);
    // Engine II without its detail: the report request adds it (detailedPerformance) for the deployments it shows.
    else
      analysis = yield* analysisSteps(text, {
        ...this.options(doc.uri),
        segmentCache: segments,
        performanceDetail: false,
        budgetMs: this.env.budgetMs ?? ANALYSIS_BUDGET_MS,
        documentCostMs: this.env.documentCostMs,
        clock: hostClock,
      });
    const entry: CacheEntry = { uri: doc.uri, version: doc.version, text, analysis, catalogKind, segments, elapsedMs: performance.now() - t0 };
    this.cache.set(doc.uri, entry);
    return entry;
  }

  /**
   * The analysis a hover or completion at `pos` reads: the document's, unless the file is larger than one document may
   * be and this version is not analyzed yet (its validation is queued or under way), or `pos` is past where the
   * budget stopped it. Then it is the `---` document under the cursor alone (cached or analyzed now), so the answer
   * never waits for the rest of a large file.
   */
  private entryAt(doc: TextDoc, pos: Position): CacheEntry {
    const hit = this.cache.get(doc.uri);
    let current = hit && hit.version === doc.version ? hit : undefined;
    const text = doc.getText();
    // A file of at most one document's size is analyzed whole now (one step's work, cached for what follows).
    if (!current && (text.length <= MAX_DOCUMENT_BYTES || !this.settings.enable || catalogKindOf(doc.uri, this.settings.catalogFolders)))
      current = this.analyze(doc);
    if (current && (current.analysis.uncheckedFrom === undefined || pos.line < current.analysis.uncheckedFrom)) return current;
    const segments = current?.segments ?? hit?.segments ?? new Map();
    const analysis = analyzeSegmentAt(text, pos.line, { ...this.options(doc.uri), segmentCache: segments, performanceDetail: false });
    return { uri: doc.uri, version: doc.version, text, analysis, catalogKind: null, segments, elapsedMs: 0 };
  }

  /**
   * One pass of the edit path (parse, adapt, size, rules, LSP diagnostics, status) over a built-in plan, cached
   * nowhere. The server runs a few while idle after start so V8 has optimized this code before the first edit.
   */
  warmUp(i: number): number {
    const text = WARMUP_PLAN.replace('max_num_seqs: 256', `max_num_seqs: ${[256, 128, 512][i % 3]}`);
    const analysis = analyzeText(text, { ...this.options('untitled:llm-sizer-warmup'), performanceDetail: false });
    return toLspDiagnostics(analysis.diagnostics).length + analysis.deployments.length;
  }

  get(uri: string): CacheEntry | undefined {
    return this.cache.get(uri);
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    if (this.jobs.delete(uri)) this.counters.abandoned++;
  }

  diagnostics(doc: TextDoc): LspDiagnostic[] {
    return toLspDiagnostics(this.analyze(doc).analysis.diagnostics);
  }

  status(doc: TextDoc): StatusParams {
    const e = this.analyze(doc);
    const sized = e.analysis.deployments.filter((d) => d.sizing);
    const fits = sized.length ? sized.every((d) => verdictOf(d).kind !== 'fails') : null;
    const errors = e.analysis.diagnostics.filter((d) => d.severity === 'error').length;
    const summary = e.analysis.disabled
      ? 'llm-sizer: disabled for this file'
      : !e.analysis.deployments.length
        ? ''
        : `${sized.length}/${e.analysis.deployments.length} sized; ${fits === false ? 'does not start' : fits ? 'starts' : 'not sized'}${errors ? `; ${errors} error${errors === 1 ? '' : 's'}` : ''}`;
    return { uri: doc.uri, formats: e.analysis.formats, fits, summary, verdict: fileVerdict(e.analysis) };
  }

  hover(doc: TextDoc, pos: Position): Hover | null {
    return hover(this.entryAt(doc, pos), pos, this.catalog);
  }

  completion(doc: TextDoc, pos: Position): CompletionItem[] {
    return completions(this.entryAt(doc, pos), pos, this.catalog);
  }

  codeActions(doc: TextDoc, params: CodeActionParams): CodeAction[] {
    return codeActions(this.analyze(doc), params);
  }

  symbols(doc: TextDoc): DocumentSymbol[] {
    return documentSymbols(this.analyze(doc));
  }

  inlayHints(doc: TextDoc, range: Range): InlayHint[] {
    return inlayHints(this.analyze(doc), range);
  }

  report(doc: TextDoc): FileReport {
    const f = this.analyze(doc).analysis;
    return reportJson(doc.uri, { ...f, deployments: f.deployments.map((a) => (a.performance ? { ...a, performance: detailedPerformance(a) } : a)) });
  }

  /** Hardware comparison (engine II) for one deployment of the document (default the first sized), as `llm-sizer compare --json`. */
  compare(doc: TextDoc, deployment?: number): CompareResult | null {
    const r = compareRows(
      doc.getText(),
      { ...this.options(doc.uri), budgetMs: this.env.budgetMs ?? ANALYSIS_BUDGET_MS, documentCostMs: this.env.documentCostMs, clock: hostClock },
      deployment,
    );
    return r ? finiteJson({ file: doc.uri, ...r }) : null;
  }

  /** A pasted vLLM startup log beside the prediction for the document's first sized deployment (as `llm-sizer calibrate --plan`). */
  calibrate(logText: string, doc: TextDoc | null): CalibrateResult {
    return calibrationComparison(parseVllmLog(logText), doc ? calibrationTarget(this.analyze(doc).analysis) : null);
  }
}

/**
 * The file's verdict for the status item: the worst deployment verdict (fails > not-sized > assumed > starts), in
 * the same words as the badge and the hint; with several deployments, how many share it.
 */
export function fileVerdict(f: FileAnalysis): StatusParams['verdict'] {
  if (f.disabled) return { kind: 'none', label: 'disabled', detail: 'llm-sizer is disabled for this file' };
  if (!f.deployments.length) return { kind: 'none', label: 'no deployment', detail: 'No serving deployment found in this file.' };
  const order = ['fails', 'not-sized', 'assumed', 'starts'] as const;
  const vs = f.deployments.map((a) => ({ name: a.deployment.name, v: verdictOf(a) }));
  const worst = order.find((k) => vs.some((x) => x.v.kind === k))!;
  const hit = vs.filter((x) => x.v.kind === worst);
  const label = hit[0].v.label + (vs.length > 1 ? ` (${hit.length} of ${vs.length})` : '');
  const detail = vs.map((x) => `${x.name}: ${x.v.label}${x.v.reason ? ` — ${x.v.reason}` : ''}`).join('\n');
  return { kind: worst, label, detail };
}

/** Settings from the client with defaults for whatever it did not send (or when it does not answer). */
export function normalizeSettings(s: Partial<ServerSettings> | null | undefined): ServerSettings {
  const o = (s && typeof s === 'object' ? s : {}) as Record<string, unknown>;
  const str = (v: unknown, d: string | null) => (typeof v === 'string' && v.trim() ? v.trim() : v === null ? null : d);
  const prices: Record<string, number> = {};
  if (o.gpuPrices && typeof o.gpuPrices === 'object') {
    for (const [k, v] of Object.entries(o.gpuPrices as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v) && v >= 0) prices[k] = v;
  }
  return {
    defaultGpu: str(o.defaultGpu, DEFAULT_SETTINGS.defaultGpu),
    defaultEngineVersion: str(o.defaultEngineVersion, DEFAULT_SETTINGS.defaultEngineVersion),
    gpuPrices: prices,
    catalogFolders:
      Array.isArray(o.catalogFolders) && o.catalogFolders.every((x) => typeof x === 'string')
        ? (o.catalogFolders as string[])
        : [...DEFAULT_SETTINGS.catalogFolders],
    enable: typeof o.enable === 'boolean' ? o.enable : DEFAULT_SETTINGS.enable,
    defaultWorkload: assumedWorkloadOf(o.defaultWorkload),
  };
}

/**
 * The bundled example plan (examples/chat-70b.yaml, which is not shipped in the extension): every adapter is tried,
 * the native one claims it, and engines I and II size it. Deliberately not the benchmark's document (bench/lsp.bench.ts).
 */
const WARMUP_PLAN = [
  'apiVersion: llm-sizer/v1',
  'kind: ServingPlan',
  'metadata: {name: chat-70b}',
  'model: meta-llama/Llama-3.1-70B-Instruct',
  'hardware: {gpu: H100, count: 8, gpus_per_node: 8}',
  'serving:',
  '  engine: vllm',
  '  engine_version: "0.11.0"',
  '  tensor_parallel_size: 4',
  '  pipeline_parallel_size: 1',
  '  data_parallel_size: 2',
  '  enable_expert_parallel: false',
  '  dtype: auto',
  '  quantization: null',
  '  kv_cache_dtype: auto',
  '  max_model_len: 32768',
  '  gpu_memory_utilization: 0.9',
  '  max_num_seqs: 256',
  '  max_num_batched_tokens: 8192',
  '  block_size: 16',
  '  enforce_eager: false',
  '  enable_prefix_caching: true',
  'workload: {requests_per_second: 20, input_tokens: 2000, output_tokens: 300, concurrency: null}',
  'slo: {ttft_ms: 500, tpot_ms: 50}',
  'cost: {gpu_hour_usd: 2.5}',
  '',
].join('\n');
