// The one pipeline the CLI and the language server share:
// YAML text -> parse with ranges -> adapter -> deployment -> catalog -> engine -> results -> diagnostics.
import type { Catalog, ModelEntry } from '../catalog/index';
import { builtinCatalog, gpuSpecOf } from '../catalog/index';
import type { GpuSpec } from '../engine/hardware';
import type { MemorySizing, ServingInput } from '../engine/memory';
import { parseSpeculativeConfig } from '../engine/extras';
import { SizingInputError, defaultServing, sizeMemory } from '../engine/memory';
import type { ModelArch } from '../engine/model';
import { ModelConfigError, modelFromConfig } from '../engine/model';
import type { FormatAdapter } from '../formats/adapter';
import { ADAPTERS } from '../formats/index';
import type { AutoscalerFacts } from '../formats/autoscalers';
import { autoscalerOf, autoscalersKey, mayHoldAutoscaler, withAutoscaler } from '../formats/autoscalers';
import type { Deployment, Diagnostic, Range } from '../formats/types';
import type { AssumedWorkload } from './settings';
import { performanceFor } from './perf';
import { deployedInstances } from './instances';
import { sizePerformance } from '../engine/performance';
import type { PerformanceOutput } from './perf';
import { inputBoundDiagnostics } from './inputBounds';
import { checkText, tabIndentDiagnostic } from '../yaml/textChecks';
import { podRules } from '../rules/k8sRules';
import { flagRules } from '../rules/flagRules';
import { rulesFor } from '../rules/rules';
import { notSizedDiagnostic, notSizedReason, podFindingsThatHold } from './notSized';
import { firstModelMatch, namesFromPath, nearIdenticalModels } from './modelResolve';
import type { ModelMatch } from './modelResolve';
import { assumptionDiagnostic } from './verdict';
import { shiftDiagnostics, shiftRanges, splitSegments } from '../yaml/segments';
import { MAX_DOCUMENT_BYTES, MAX_TEXT_BYTES, parseYaml, rangeOf, reparseScalarEdit } from '../yaml/yamlDoc';
import type { ParsedYaml } from '../yaml/yamlDoc';

export interface AnalysisOptions {
  catalog?: Catalog;
  /** GPU for files that name none (setting llmSizer.defaultGpu). */
  defaultGpu?: string | null;
  /** vLLM version for files that name none (setting llmSizer.defaultEngineVersion). */
  defaultEngineVersion?: string | null;
  /** $/GPU-hour overrides by GPU id (setting llmSizer.gpuPrices). */
  priceOverrides?: Record<string, number>;
  /** Workload for deployments whose file states none (setting llmSizer.defaultWorkload, CLI --workload): assumed. */
  defaultWorkload?: AssumedWorkload | null;
  /** Reads `<dir>/config.json` for a model given as a local directory (I/O is injected; the pipeline stays pure). */
  readLocalConfig?: (path: string) => { config: Record<string, unknown> } | { error: string };
  adapters?: FormatAdapter[];
  /** Skip the performance part (engine II) when only memory is needed. */
  memoryOnly?: boolean;
  /**
   * false: engine II without its detail (operator tables, prefill breakdown, disaggregated split, latency curve),
   * which the diagnostics, hovers and inlay hints never read; `detailedPerformance` computes the full section on
   * demand (the language server's report). Default true (the CLI's reports).
   */
  performanceDetail?: boolean;
  /** Results of unchanged `---` documents from the last run (the language server keeps one per file). */
  segmentCache?: SegmentCache;
  /**
   * Milliseconds of fresh work (documents not in the cache) after which the analysis stops with one
   * `analysis-incomplete` warning at the first document not checked. Unset: no limit (the CLI).
   */
  budgetMs?: number;
  /**
   * Charge each fresh document this many milliseconds against `budgetMs` instead of its measured time, so the budget
   * stops at the same document on any machine under any load (tests inject it; unset: the real clock).
   */
  documentCostMs?: number;
  /**
   * The clock (milliseconds) that measures each document's work against `budgetMs` when `documentCostMs` is unset.
   * The core reads no clock of its own: the host passes one (the language server passes `performance.now`). With a
   * budget and neither a cost nor a clock, each document counts 0 ms (the budget never stops the analysis).
   */
  clock?: () => number;
}

export interface ModelInfo {
  id: string;
  arch: ModelArch;
  entry: ModelEntry | null;
  source: 'catalog' | 'local' | 'inline';
}

export interface DeploymentAnalysis {
  deployment: Deployment;
  model: ModelInfo | null;
  gpu: GpuSpec | null;
  serving: ServingInput | null;
  sizing: MemorySizing | null;
  performance: PerformanceOutput | null;
  gpuHourUsd: number;
  diagnostics: Diagnostic[];
  /** Why nothing was sized (set exactly when `sizing` is null); the report's `not_sized_reason`. */
  notSizedReason?: string;
}

export interface FileAnalysis {
  deployments: DeploymentAnalysis[];
  /** All diagnostics of the file: YAML, schema, adapter and engine rules. */
  diagnostics: Diagnostic[];
  formats: string[];
  disabled: boolean;
  /** Set when `budgetMs` stopped the analysis: the first line of the first `---` document not checked. */
  uncheckedFrom?: number;
}

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** `# llm-sizer: disable` anywhere in a comment line turns the file off. */
export function isDisabled(text: string): boolean {
  return /^\s*#\s*llm-sizer:\s*disable\b/m.test(text.slice(0, 200_000));
}

/** Where the model of a deployment read from a pod or a storage URI lives: never on the linting machine. */
function inContainer(d: Deployment, path: string): boolean {
  // A native plan describes the deployment from this machine: its model path is a local directory (read in trusted
  // workspaces only), never a path inside a container.
  if (d.format === 'native' && !/^[a-z0-9+.-]+:\/\//i.test(path)) return false;
  return (
    !!d.pod ||
    /^[a-z0-9+.-]+:\/\//i.test(path) ||
    /^\/(models?|mnt|data|workspace|root|opt|cache|home|var|tmp|huggingface|hf-cache|model-cache)(\/|$)/i.test(path)
  );
}

const HOW_TO_NAME =
  'Name a catalog model (a Hugging Face id such as Qwen/Qwen3-8B, e.g. with --served-model-name) or describe it in .llm-sizer/models/ to size this deployment.';

/** The model a catalog match sizes as, reported under the id the file wrote (an alias stays that alias). */
function catalogModel(catalog: Catalog, match: ModelMatch): ModelInfo | null {
  if (!match.derived) {
    const hit = catalog.resolveModel(match.entry.id);
    return hit ? { id: match.id, arch: hit.arch, entry: hit.entry, source: 'catalog' } : null;
  }
  // A quantized variant read from its name: the base's architecture with the quantization its suffix denotes.
  const base = catalog.resolveModel(match.derived.base.id);
  if (!base) return null;
  const config = catalog.mergedConfig(match.entry);
  const arch = modelFromConfig(match.id, config);
  // The checkpoint's own quant_method is not known from a name (an FP8 checkpoint may be fp8, compressed-tensors or
  // modelopt), so vLLM's --quantization check against it stays silent rather than guess.
  if (arch.quant) arch.quant = { ...arch.quant, checkpointMethod: undefined, label: `${arch.quant.label} (from the name "${match.derived.suffix}")` };
  return { id: match.id, arch, entry: match.entry, source: 'catalog' };
}

function resolveModel(d: Deployment, o: AnalysisOptions, catalog: Catalog, diags: Diagnostic[]): ModelInfo | null {
  const ref = d.model;
  const range = d.ranges.model ?? d.ranges.document ?? ZERO;
  if (!ref) return null;
  let matched: ModelMatch | undefined;
  try {
    if (ref.kind === 'id') {
      const hit = (matched = firstModelMatch(catalog, [ref.id, d.servedModelName]));
      if (hit) return catalogModel(catalog, hit);
      // Not in the catalog is not an error: the deployment may be right; it is only not sized.
      const near = nearIdenticalModels(catalog, ref.id);
      diags.push({
        code: 'unknown-model',
        severity: 'info',
        message: `Not sized: model "${ref.id}" is not in llm-sizer's catalog.${near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''} ${HOW_TO_NAME.replace(' (a Hugging Face id such as Qwen/Qwen3-8B, e.g. with --served-model-name)', '')}`,
        range,
        data: { candidates: near },
      });
      return null;
    }
    if (ref.kind === 'path') {
      // A container path or storage URI names its model by its last segments or the served model name.
      const hints = d.modelHints ?? [];
      const hit = (matched = firstModelMatch(
        catalog,
        [d.servedModelName, ...namesFromPath(ref.path), ...hints],
        [d.servedModelName, ...namesFromPath(ref.path, false), ...hints],
      ));
      if (hit) return catalogModel(catalog, hit);
      if (inContainer(d, ref.path) || !o.readLocalConfig) {
        diags.push({
          code: 'unknown-model',
          severity: 'info',
          message: `Not sized: model unknown. "${ref.path}" is a path inside the container (llm-sizer does not read it) and neither it nor a served model name matches a catalog model. ${HOW_TO_NAME}`,
          range,
          data: { candidates: [] },
        });
        return null;
      }
      const r = o.readLocalConfig(ref.path);
      if ('error' in r) {
        diags.push({ code: 'unknown-model', severity: 'info', message: `Not sized: ${r.error}`, range, data: { candidates: [] } });
        return null;
      }
      return { id: ref.path, arch: modelFromConfig(ref.path, r.config), entry: null, source: 'local' };
    }
    const entry = ref.entry;
    const base = entry.base ? catalog.findModelEntry(entry.base) : undefined;
    const config = base ? { ...catalog.mergedConfig(base), ...entry.config } : entry.config;
    return { id: entry.id, arch: modelFromConfig(entry.id, config), entry, source: 'inline' };
  } catch (e) {
    if (e instanceof ModelConfigError && matched) {
      // A built-in entry kept verbatim that this engine cannot size yet: our gap, not a fault of the deployment.
      const what = matched.derived ? `"${matched.id}" reads as ${matched.derived.base.id} quantized` : `"${matched.id}" is in the catalog`;
      diags.push({
        code: 'model-config-invalid',
        severity: 'info',
        message: `Not sized: ${what}, but its config.json is not supported by this version of llm-sizer (${e.message}).`,
        range,
        data: { field: e.field },
      });
      return null;
    }
    if (e instanceof ModelConfigError) {
      diags.push({
        code: 'model-config-invalid',
        severity: 'error',
        message: `Model "${ref.kind === 'id' ? ref.id : ref.kind === 'path' ? ref.path : ref.entry.id}": ${e.message}.`,
        range,
        data: { field: e.field },
      });
      return null;
    }
    throw e;
  }
}

function resolveGpu(d: Deployment, catalog: Catalog, diags: Diagnostic[]): GpuSpec | null {
  if (!d.gpu) {
    diags.push({
      code: 'no-gpu',
      severity: 'info',
      message:
        d.gpuOrigin === 'stated'
          ? 'The GPU described in "hardware.gpu" is incomplete (see the schema errors), so nothing is sized.'
          : 'No GPU is named, so nothing is sized. Set "hardware.gpu" or the llmSizer.defaultGpu setting.',
      range: d.ranges.document ?? ZERO,
    });
    return null;
  }
  if (d.gpuEntry) return gpuSpecOf(d.gpuEntry);
  const g = catalog.resolveGpu(d.gpu);
  if (g) return g;
  if (d.gpuSelectorUnknown) return null; // gpu-selector-unknown already says so, on the selector
  const near = catalog.closestGpus(d.gpu);
  diags.push({
    code: 'unknown-gpu',
    severity: 'error',
    message: `Unknown GPU "${d.gpu}".${near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''} Add it to .llm-sizer/gpus/ to size it.`,
    range: d.ranges['hardware.gpu'] ?? d.ranges.document ?? ZERO,
    data: { candidates: near },
  });
  return null;
}

/** Sizes one normalized deployment. Never throws for bad input: problems become diagnostics. */
export function analyzeDeployment(d: Deployment, o: AnalysisOptions = {}): DeploymentAnalysis {
  const catalog = o.catalog ?? builtinCatalog();
  const diags: Diagnostic[] = [];
  const model = resolveModel(d, o, catalog, diags);
  const gpu = resolveGpu(d, catalog, diags);
  const serving: ServingInput = { ...defaultServing(), ...d.serving };
  if (serving.engineVersion === null && o.defaultEngineVersion) serving.engineVersion = o.defaultEngineVersion;
  const price = d.gpuHourUsd ?? (gpu ? (o.priceOverrides?.[gpu.id] ?? gpu.priceUsdPerHour) : 0);
  if (o.defaultWorkload && !d.workloadStated) withAssumedWorkload(d, o.defaultWorkload);
  const out: DeploymentAnalysis = { deployment: d, model, gpu, serving, sizing: null, performance: null, gpuHourUsd: price, diagnostics: diags };
  diags.push(...flagRules(d, o));
  const unknown = unresolvedDiagnostic(d);
  if (unknown) diags.push(unknown);
  // Pod rules run once the analysis knows whether the weights need more than one node (tp-across-nodes).
  const podFindings = () => podFindingsThatHold(d, podRules(d));
  const outOfBounds = inputBoundDiagnostics(d, ZERO);
  diags.push(...outOfBounds);
  if (outOfBounds.length) {
    diags.push(...podFindings());
    return out;
  }
  const why = notSizedReason(d, { model: !!model, gpu: !!gpu }, diags);
  if (why) {
    out.notSizedReason = why.reason;
    if (!why.owned) {
      // The adapter's reason covers a missing GPU too (e.g. a vendor-only accelerator type): say it once.
      if (d.unsized) for (let i = diags.length - 1; i >= 0; i--) if (diags[i].code === 'no-gpu') diags.splice(i, 1);
      diags.push(notSizedDiagnostic(d, why.reason));
    }
    diags.push(...podFindings());
    return out;
  }
  // A serving value the file states but does not resolve makes every memory figure a guess: not sized (the
  // value-unresolved information above says which).
  const sizable = !(d.unresolved ?? []).some((u) => u.path.startsWith('serving.'));
  if (!model || !gpu || !sizable) {
    diags.push(...podFindings());
    return out;
  }
  try {
    // A speculative draft model named in speculative_config is sized from the catalog when it is known there.
    const spec = parseSpeculativeConfig(serving.speculativeConfig);
    const draftModel = spec?.method === 'draft_model' && spec.model ? (catalog.resolveModel(spec.model)?.arch ?? null) : null;
    out.sizing = sizeMemory(model.arch, gpu, serving, {
      calibration: d.calibration,
      draftModel,
      gpusPerNode: d.pod && d.gpuCount ? d.gpuCount : d.gpusPerNode,
    });
  } catch (e) {
    if (e instanceof SizingInputError) {
      const path = e.field === 'engine_version' ? 'serving.engine_version' : `serving.${e.field}`;
      diags.push(...podFindings());
      diags.push({ code: 'invalid-value', severity: 'error', message: e.message, range: d.ranges[path] ?? d.ranges.document ?? ZERO });
      out.notSizedReason = e.message;
      return out;
    }
    throw e;
  }
  // Tensor parallelism across nodes is a finding only when one node could hold the weights.
  if (d.gpusPerNode !== null && d.gpusPerNode > 0) {
    const m = out.sizing.memory;
    d.weightsNeedNodes = m.weightsBytes * serving.tp * serving.pp > d.gpusPerNode * m.requestedBytes;
  }
  diags.push(...podRules(d));
  if (!o.memoryOnly)
    out.performance =
      o.performanceDetail === false ? leanPerformance(model.arch, gpu, out.sizing, d, price) : performanceFor(model.arch, gpu, out.sizing, d, price);
  const found = rulesFor(out);
  // On a GPU the file does not name (the default GPU setting) a failure is a prediction for that GPU, not a fact
  // about this deployment: information that says which GPU it assumed.
  if (d.gpuOrigin === 'default') {
    for (const x of found) {
      if (x.severity === 'info' || !GPU_DEPENDENT.has(x.code)) continue;
      x.severity = 'info';
      x.message = `On ${gpu.name}, the default GPU (this file names none): ${x.message}`;
    }
  }
  diags.push(...found);
  // Once per deployment: what the sizing assumed (verdict.ts); the verdict itself is read after this.
  const assumed = assumptionDiagnostic(out);
  if (assumed) diags.push(assumed);
  return out;
}

/**
 * The llmSizer.defaultWorkload setting on a deployment whose file states no workload: its keys over the built-in
 * request shape, marked assumed (the report's assumptions box says so; its findings are information at most).
 */
function withAssumedWorkload(d: Deployment, w: AssumedWorkload): void {
  d.workload = {
    ...d.workload,
    ...(w.requests_per_second !== undefined ? { requestsPerSecond: w.requests_per_second } : {}),
    ...(w.concurrency !== undefined ? { concurrency: Math.floor(w.concurrency) } : {}),
    ...(w.input_tokens !== undefined ? { inputTokens: Math.floor(w.input_tokens) } : {}),
    ...(w.output_tokens !== undefined ? { outputTokens: Math.floor(w.output_tokens) } : {}),
    ...(w.prefix_cache_hit_rate !== undefined ? { prefixCacheHitRate: w.prefix_cache_hit_rate } : {}),
  };
  d.workloadAssumed = true;
}

/** Findings that depend on the GPU's memory or compute capability. */
const GPU_DEPENDENT = new Set(['weights-exceed-memory', 'no-kv-memory', 'max-model-len-too-long', 'dtype-unsupported', 'cudagraph-exceeds-memory']);

/**
 * One information diagnostic per deployment naming every value the file states but does not resolve, on the first
 * such token: the rules that depend on them are silent, and this says why and how to state them.
 */
function unresolvedDiagnostic(d: Deployment): Diagnostic | null {
  const u = d.unresolved ?? [];
  if (!u.length) return null;
  const first = u.find((x) => x.range) ?? u[0];
  const what = [...new Set(u.map((x) => `${LABELS[x.path] ?? x.path.replace(/^serving\./, '')} (${x.reason})`))];
  const sized = u.some((x) => x.path.startsWith('serving.') || x.path === 'model');
  return {
    code: 'value-unresolved',
    severity: 'info',
    message: `${sized ? 'Not sized' : 'Not checked'}: ${what.join('; ')}. The checks that depend on ${u.length > 1 ? 'these values' : 'this value'} are off. State ${u.length > 1 ? 'them' : 'it'} literally in this file (a number in the args, or a literal env value referenced as $(VAR)) to check ${u.length > 1 ? 'them' : 'it'}.`,
    range: first.range ?? d.ranges.document ?? ZERO,
    data: { paths: u.map((x) => x.path) },
  };
}

const LABELS: Record<string, string> = {
  model: 'the model',
  'hardware.count': 'the GPU count',
  'serving.tensor_parallel_size': 'tensor_parallel_size',
  'serving.pipeline_parallel_size': 'pipeline_parallel_size',
  'serving.data_parallel_size': 'data_parallel_size',
};

/** Engine II without the parts only the full report shows; every summary field (rules, hovers, hints) is the same. */
function leanPerformance(m: ModelArch, gpu: GpuSpec, mem: MemorySizing, d: Deployment, price: number): PerformanceOutput | null {
  if (!mem.startup.ok && mem.kv.numBlocks <= 0) return null;
  const {
    disaggregation: _d,
    performance: full,
    ...rest
  } = sizePerformance(m, gpu, mem, d.workload, d.slo, price, {
    detail: false,
    instances: deployedInstances(d, mem.serving),
  });
  const { curve: _c, operators: _o, ceilings: _g, ...performance } = full;
  const out: PerformanceOutput = { ...rest, performance };
  LEAN.add(out);
  return out;
}
const LEAN = new WeakSet<object>();
const DETAILED = new WeakMap<object, PerformanceOutput | null>();

/** The deployment's full engine II section (what the CLI report holds); for a lean analysis computed once, on demand. */
export function detailedPerformance(a: DeploymentAnalysis): PerformanceOutput | null {
  const p = a.performance;
  if (!p || !LEAN.has(p) || !a.model || !a.gpu || !a.sizing) return p;
  let full = DETAILED.get(p);
  if (full === undefined) DETAILED.set(p, (full = performanceFor(a.model.arch, a.gpu, a.sizing, a.deployment, a.gpuHourUsd)));
  return full;
}

/** Analyzes a whole YAML file (every document). */
export function analyzeText(text: string, o: AnalysisOptions = {}): FileAnalysis {
  const steps = analysisSteps(text, o);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The analysis of a whole file in steps: it yields after each `---` document it had to analyze (not after cached
 * ones), so the language server can answer other requests in between and drop the run when a newer version arrives.
 */
export function* analysisSteps(raw: string, o: AnalysisOptions = {}): Generator<void, FileAnalysis, void> {
  if (isDisabled(raw)) return { deployments: [], diagnostics: [], formats: [], disabled: true };
  const textCheck = checkText(raw);
  if (!textCheck.readable) return { deployments: [], diagnostics: textCheck.diagnostics, formats: [], disabled: false };
  const text = textCheck.text;
  if (text.length > MAX_TEXT_BYTES) {
    return {
      deployments: [],
      diagnostics: [
        {
          code: 'file-too-large',
          severity: 'warning',
          message: `This file is ${(text.length / 1048576).toFixed(1)} MB; llm-sizer checks files up to ${MAX_TEXT_BYTES / 1048576} MB.`,
          range: ZERO,
        },
      ],
      formats: [],
      disabled: false,
    };
  }
  // Each `---` document is parsed and sized on its own; with a cache, unchanged documents are reused. Results are kept
  // in file line numbers: a document that did not move is reused as is, one that moved is shifted once.
  const deployments: DeploymentAnalysis[] = [];
  const formats: string[] = [];
  const fileDiags: Diagnostic[] = [];
  const yamlProblems: Diagnostic[] = [];
  let claimed = false;
  let docIndex = 0;
  const cache = o.segmentCache;
  const used = cache ? new Map<string, SegmentResult>() : null;
  const segments = splitSegments(text);
  let workMs = 0;
  let stoppedAt = -1;
  // An autoscaler in one document sets the replicas of a workload in another: a change to what it states makes every
  // cached document stale (rare: an edit of the autoscaler itself).
  const scalers = autoscalersIn(segments);
  if (cache) {
    const key = autoscalersKey(scalers);
    if ((cache.autoscalersKey ?? '') !== key) cache.clear();
    cache.autoscalersKey = key;
  }
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s];
    let r = cache ? cachedSegment(cache, seg.text, docIndex) : undefined;
    if (!r) {
      if (o.budgetMs !== undefined && workMs >= o.budgetMs) {
        stoppedAt = s;
        break;
      }
      const t0 = o.clock?.() ?? 0;
      r = placeSegment(analyzeSegment(seg.text, docIndex, o, scalers), docIndex, 0);
      workMs += o.documentCostMs ?? (o.clock ? o.clock() - t0 : 0);
      yield;
    }
    if (r.line !== seg.startLine) r = placeSegment(r, docIndex, seg.startLine);
    // Identical documents at different indexes get their own entries.
    if (used) used.set(used.has(seg.text) ? `${docIndex}\u0000${seg.text}` : seg.text, r);
    docIndex += r.docCount;
    claimed ||= r.claimed;
    for (const f of r.formats) formats.push(f);
    for (const p of r.problems) yamlProblems.push(p);
    for (const p of r.diagnostics) fileDiags.push(p);
    for (const a of r.deployments) deployments.push(a);
  }
  if (cache && used) {
    // A run stopped by the budget keeps the results it did not reach, so the next version goes further.
    for (let s = stoppedAt < 0 ? segments.length : stoppedAt; s < segments.length; s++) {
      const k = segments[s].text;
      const old = cache.get(k);
      if (old && !used.has(k)) used.set(k, old);
    }
    // Keep only this version's documents so the cache never outgrows the file.
    cache.clear();
    for (const [k, v] of used) cache.set(k, v);
  }
  // YAML errors matter only in files we claim, or in files that look like ours but fail to parse.
  const looksOurs = /apiVersion:\s*llm-sizer\//.test(text);
  // A document skipped for its nesting depth is reported in every file, like a file over the size limit: it was
  // not read, so whether it is ours is unknown.
  const yamlDiags = claimed || looksOurs ? yamlProblems : yamlProblems.filter((p) => NOT_READ.has(p.code));
  const conflicts = claimed || looksOurs ? conflictMarkers(text) : [];
  const tabs = tabIndentDiagnostic(
    text,
    yamlProblems.some((p) => p.code === 'yaml-syntax'),
  );
  const diagnostics = [
    ...textCheck.diagnostics,
    ...(tabs ? [tabs] : []),
    ...conflicts,
    ...yamlDiags,
    ...fileDiags,
    ...deployments.flatMap((d) => d.diagnostics),
  ];
  if (stoppedAt < 0) return { deployments, diagnostics, formats, disabled: false };
  // Like a skipped document, the unchecked rest is reported in every file: whether it is ours is unknown.
  const from = segments[stoppedAt].startLine;
  diagnostics.push({
    code: 'analysis-incomplete',
    severity: 'warning',
    message: `llm-sizer stopped here: checking this file took more than ${(o.budgetMs ?? 0).toLocaleString('en-US')} ms of work, so ${(segments.length - stoppedAt).toLocaleString('en-US')} of its ${segments.length.toLocaleString('en-US')} YAML documents (from line ${from + 1} on) are not checked. Checked documents are reused, so each edit checks further.`,
    range: { start: { line: from, character: 0 }, end: { line: from, character: 0 } },
  });
  return { deployments, diagnostics, formats, disabled: false, uncheckedFrom: from };
}

/** Problems that mean a document was not read: reported in every file, since whether it is ours is unknown. */
const NOT_READ = new Set(['yaml-too-deep', 'document-too-large']);

/**
 * The analysis of only the `---` document that holds `line` (a hover while the whole file is still being checked).
 * Documents before it count as one each unless the cache knows better (only default names like plan-3 use this).
 */
export function analyzeSegmentAt(text: string, line: number, o: AnalysisOptions = {}): FileAnalysis {
  if (isDisabled(text) || text.length > MAX_TEXT_BYTES) return { deployments: [], diagnostics: [], formats: [], disabled: isDisabled(text) };
  const segments = splitSegments(text);
  let i = segments.length - 1;
  while (i > 0 && segments[i].startLine > line) i--;
  let docIndex = 0;
  for (let j = 0; j < i; j++) docIndex += o.segmentCache?.get(segments[j].text)?.docCount ?? 1;
  const seg = segments[i];
  const scalers = autoscalersIn(segments);
  const cacheFresh = o.segmentCache && (o.segmentCache.autoscalersKey ?? '') === autoscalersKey(scalers);
  let r = cacheFresh ? cachedSegment(o.segmentCache!, seg.text, docIndex) : undefined;
  if (!r) r = placeSegment(analyzeSegment(seg.text, docIndex, o, scalers), docIndex, 0);
  if (r.line !== seg.startLine) r = placeSegment(r, docIndex, seg.startLine);
  return {
    deployments: r.deployments,
    diagnostics: [...r.problems, ...r.diagnostics, ...r.deployments.flatMap((d) => d.diagnostics)],
    formats: r.formats,
    disabled: false,
  };
}

/** Unresolved git merge conflicts: one error per marker line (the YAML errors they cause say less). */
function conflictMarkers(text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const re = /^(<{7}|={7}|>{7})(?:[ \t].*)?\r?$/gm;
  let line = 0;
  let last = 0;
  for (let m = re.exec(text); m && out.length < 100; m = re.exec(text)) {
    for (let i = text.indexOf('\n', last); i !== -1 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    last = m.index;
    out.push({
      code: 'merge-conflict',
      severity: 'error',
      message: `Unresolved git merge conflict marker "${m[1]}": resolve the conflict before this file can be checked.`,
      range: { start: { line, character: 0 }, end: { line, character: m[0].replace(/\r$/, '').length } },
    });
  }
  return out;
}

/** Per-document results, in file line numbers once placed (`line`: the line the segment starts on). */
export interface SegmentResult {
  docCount: number;
  claimed: boolean;
  formats: string[];
  problems: Diagnostic[];
  diagnostics: Diagnostic[];
  deployments: DeploymentAnalysis[];
  /** Index of the segment's first YAML document in the file (deployments carry it). */
  docIndex?: number;
  /** Line the ranges are relative to: 0 right after analysis, the segment's start line once placed. */
  line?: number;
}
export type SegmentCache = Map<string, SegmentResult> & {
  /**
   * The parse of the `---` document analyzed last (the one being edited), when under MAX_KEPT_PARSE characters: an
   * edit inside one of its plain scalar values is applied to it instead of parsing the document again.
   */
  lastParse?: ParsedYaml;
  /** The file's autoscalers when the entries were made (autoscalersKey): entries are stale when they change. */
  autoscalersKey?: string;
};
/** Largest `---` document whose parse is kept between versions (a plan is about 700 characters). */
const MAX_KEPT_PARSE = 64 * 1024;

function cachedSegment(cache: SegmentCache, text: string, docIndex: number): SegmentResult | undefined {
  const r = cache.get(text);
  if (r && r.docIndex === docIndex) return r;
  const r2 = cache.get(`${docIndex}\u0000${text}`);
  return r2 && r2.docIndex === docIndex ? r2 : undefined;
}

/** The result with its ranges moved to start at `line` (the same object when it is there already). */
function placeSegment(r: SegmentResult, docIndex: number, line: number): SegmentResult {
  const from = r.line ?? 0;
  if (from === line && r.docIndex === docIndex) return r;
  const by = line - from;
  return {
    ...r,
    docIndex,
    line,
    problems: shiftDiagnostics(r.problems, by),
    diagnostics: shiftDiagnostics(r.diagnostics, by),
    deployments: r.deployments.map((a) => shiftAnalysis(a, by)),
  };
}

/** Largest `---` document read for an autoscaler (one is well under a kilobyte; a KEDA CRD definition is not one). */
const MAX_AUTOSCALER_BYTES = 16 * 1024;

/** The autoscalers the file states. */
function autoscalersIn(segments: { text: string }[]): AutoscalerFacts[] {
  const out: AutoscalerFacts[] = [];
  for (const seg of segments) {
    if (seg.text.length > MAX_AUTOSCALER_BYTES || !mayHoldAutoscaler(seg.text)) continue;
    const p = parseYaml(seg.text);
    for (const doc of p.docs) {
      const f = autoscalerOf(doc.contents);
      if (f) out.push(f);
    }
  }
  return out;
}

function analyzeSegment(text: string, firstDocIndex: number, o: AnalysisOptions, scalers: AutoscalerFacts[]): SegmentResult {
  if (text.length > MAX_DOCUMENT_BYTES) return tooLargeSegment(text, firstDocIndex);
  // The kept parse is patched in place: safe because a segment is parsed and adapted within one synchronous step
  // (validation yields between --- documents, never inside one) and no result keeps a reference to its nodes.
  const kept = o.segmentCache?.lastParse;
  const parsed = (kept && reparseScalarEdit(kept, text)) || parseYaml(text);
  if (o.segmentCache) o.segmentCache.lastParse = text.length <= MAX_KEPT_PARSE ? parsed : undefined;
  const adapters = o.adapters ?? ADAPTERS;
  const out: SegmentResult = {
    docCount: parsed.docs.length,
    docIndex: firstDocIndex,
    line: 0,
    claimed: false,
    formats: [],
    problems: parsed.problems,
    diagnostics: [],
    deployments: [],
  };
  parsed.docs.forEach((doc, i) => {
    const adapter = adapters.find((a) => {
      try {
        return a.detect(doc);
      } catch {
        return false;
      }
    });
    if (!adapter) return;
    out.claimed = true;
    out.formats.push(adapter.format);
    const docRange = rangeOf(parsed.lineCounter, doc.contents as never) ?? ZERO;
    const res = adapter.adapt({ doc, docIndex: firstDocIndex + i, lineCounter: parsed.lineCounter, docRange, defaultGpu: o.defaultGpu ?? null });
    out.diagnostics.push(...res.diagnostics);
    for (const d of res.deployments) out.deployments.push(analyzeDeployment(withAutoscaler(d, scalers), o));
  });
  return out;
}

/** A `---` document over MAX_DOCUMENT_BYTES, not parsed: one `document-too-large` warning on its first line. */
function tooLargeSegment(text: string, docIndex: number): SegmentResult {
  const firstLine = text.slice(0, Math.min(text.length, 200)).split(/\r?\n/)[0];
  const problem: Diagnostic = {
    code: 'document-too-large',
    severity: 'warning',
    message: `This YAML document is ${Math.round(text.length / 1024).toLocaleString('en-US')} KB; llm-sizer skips documents over ${MAX_DOCUMENT_BYTES / 1024} KB (reading one takes up to a second; deployment documents are a few KB).`,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine.length } },
  };
  return { docCount: 1, docIndex, line: 0, claimed: false, formats: [], problems: [problem], diagnostics: [], deployments: [] };
}

function shiftAnalysis(a: DeploymentAnalysis, lines: number): DeploymentAnalysis {
  if (lines === 0) return a;
  const d = a.deployment;
  return {
    ...a,
    deployment: { ...d, ranges: shiftRanges(d.ranges, lines), keyRanges: shiftRanges(d.keyRanges, lines) },
    diagnostics: shiftDiagnostics(a.diagnostics, lines),
  };
}
