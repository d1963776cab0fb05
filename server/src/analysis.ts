// The one pipeline the CLI and the language server share:
// YAML text -> parse with ranges -> adapter -> deployment -> catalog -> engine -> results -> diagnostics.
import type { Catalog, ModelEntry } from './catalog/index';
import { builtinCatalog } from './catalog/index';
import type { GpuSpec } from './engine/hardware';
import type { MemorySizing, ServingInput } from './engine/memory';
import { SizingInputError, defaultServing, sizeMemory } from './engine/memory';
import type { ModelArch } from './engine/model';
import { ModelConfigError, modelFromConfig } from './engine/model';
import type { FormatAdapter } from './formats/adapter';
import { ADAPTERS } from './formats/index';
import type { Deployment, Diagnostic, Range } from './formats/types';
import { performanceFor } from './perf';
import type { PerformanceOutput } from './perf';
import { podRules } from './k8sRules';
import { rulesFor } from './rules';
import { shiftDiagnostics, shiftRanges, splitSegments } from './segments';
import { MAX_TEXT_BYTES, parseYaml, rangeOf } from './yamlDoc';

export interface AnalysisOptions {
  catalog?: Catalog;
  /** GPU for files that name none (setting llmSizer.defaultGpu). */
  defaultGpu?: string | null;
  /** vLLM version for files that name none (setting llmSizer.defaultEngineVersion). */
  defaultEngineVersion?: string | null;
  /** $/GPU-hour overrides by GPU id (setting llmSizer.gpuPrices). */
  priceOverrides?: Record<string, number>;
  /** Reads `<dir>/config.json` for a model given as a local directory (I/O is injected; the pipeline stays pure). */
  readLocalConfig?: (path: string) => { config: Record<string, unknown> } | { error: string };
  adapters?: FormatAdapter[];
  /** Skip the performance part (engine II) when only memory is needed. */
  memoryOnly?: boolean;
  /** Results of unchanged `---` documents from the last run (the language server keeps one per file). */
  segmentCache?: SegmentCache;
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
}

export interface FileAnalysis {
  deployments: DeploymentAnalysis[];
  /** All diagnostics of the file: YAML, schema, adapter and engine rules. */
  diagnostics: Diagnostic[];
  formats: string[];
  disabled: boolean;
}

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** `# llm-sizer: disable` anywhere in a comment line turns the file off. */
export function isDisabled(text: string): boolean {
  return /^\s*#\s*llm-sizer:\s*disable\b/m.test(text.slice(0, 200_000));
}

function resolveModel(d: Deployment, o: AnalysisOptions, catalog: Catalog, diags: Diagnostic[]): ModelInfo | null {
  const ref = d.model;
  const range = d.ranges.model ?? d.ranges.document ?? ZERO;
  if (!ref) return null;
  try {
    if (ref.kind === 'id') {
      const hit = catalog.resolveModel(ref.id);
      if (hit) return { id: hit.entry.id, arch: hit.arch, entry: hit.entry, source: 'catalog' };
      const near = catalog.closestModels(ref.id);
      diags.push({
        code: 'unknown-model',
        severity: 'error',
        message: `Unknown model "${ref.id}".${near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''} Add it to .llm-sizer/models/ or point "model" at a directory with its config.json.`,
        range,
        data: { candidates: near },
      });
      return null;
    }
    if (ref.kind === 'path') {
      if (!o.readLocalConfig) {
        diags.push({ code: 'unknown-model', severity: 'error', message: `Cannot read local model directory "${ref.path}" here.`, range, data: { candidates: [] } });
        return null;
      }
      const r = o.readLocalConfig(ref.path);
      if ('error' in r) {
        diags.push({ code: 'unknown-model', severity: 'error', message: r.error, range, data: { candidates: [] } });
        return null;
      }
      return { id: ref.path, arch: modelFromConfig(ref.path, r.config), entry: null, source: 'local' };
    }
    const entry = ref.entry;
    const base = entry.base ? catalog.findModelEntry(entry.base) : undefined;
    const config = base ? { ...catalog.mergedConfig(base), ...entry.config } : entry.config;
    return { id: entry.id, arch: modelFromConfig(entry.id, config), entry, source: 'inline' };
  } catch (e) {
    if (e instanceof ModelConfigError) {
      diags.push({ code: 'model-config-invalid', severity: 'error', message: `Model "${ref.kind === 'id' ? ref.id : ref.kind === 'path' ? ref.path : ref.entry.id}": ${e.message}.`, range, data: { field: e.field } });
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
      message: 'No GPU is named, so nothing is sized. Set "hardware.gpu" or the llmSizer.defaultGpu setting.',
      range: d.ranges.document ?? ZERO,
    });
    return null;
  }
  const g = catalog.resolveGpu(d.gpu);
  if (g) return g;
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
  const price = d.gpuHourUsd ?? (gpu ? o.priceOverrides?.[gpu.id] ?? gpu.priceUsdPerHour : 0);
  const out: DeploymentAnalysis = { deployment: d, model, gpu, serving, sizing: null, performance: null, gpuHourUsd: price, diagnostics: diags };
  diags.push(...podRules(d));
  if (!model || !gpu) return out;
  try {
    out.sizing = sizeMemory(model.arch, gpu, serving, { calibration: d.calibration });
  } catch (e) {
    if (e instanceof SizingInputError) {
      const path = e.field === 'engine_version' ? 'serving.engine_version' : `serving.${e.field}`;
      diags.push({ code: 'invalid-value', severity: 'error', message: e.message, range: d.ranges[path] ?? d.ranges.document ?? ZERO });
      return out;
    }
    throw e;
  }
  if (!o.memoryOnly) out.performance = performanceFor(model.arch, gpu, out.sizing, d, price);
  diags.push(...rulesFor(out));
  return out;
}

/** Analyzes a whole YAML file (every document). */
export function analyzeText(text: string, o: AnalysisOptions = {}): FileAnalysis {
  if (isDisabled(text)) return { deployments: [], diagnostics: [], formats: [], disabled: true };
  if (text.length > MAX_TEXT_BYTES) {
    return {
      deployments: [],
      diagnostics: [{ code: 'file-too-large', severity: 'warning', message: `This file is ${(text.length / 1048576).toFixed(1)} MB; llm-sizer checks files up to ${MAX_TEXT_BYTES / 1048576} MB.`, range: ZERO }],
      formats: [],
      disabled: false,
    };
  }
  // Each `---` document is parsed and sized on its own; with a cache, unchanged documents are reused.
  const deployments: DeploymentAnalysis[] = [];
  const formats: string[] = [];
  const fileDiags: Diagnostic[] = [];
  const yamlProblems: Diagnostic[] = [];
  let claimed = false;
  let docIndex = 0;
  const cache = o.segmentCache;
  const used = cache ? new Map<string, SegmentResult>() : null;
  for (const seg of splitSegments(text)) {
    const key = `${docIndex}\u0000${seg.text}`;
    let r = cache?.get(key);
    if (!r) r = analyzeSegment(seg.text, docIndex, o);
    used?.set(key, r);
    docIndex += r.docCount;
    claimed ||= r.claimed;
    formats.push(...r.formats);
    yamlProblems.push(...shiftDiagnostics(r.problems, seg.startLine));
    fileDiags.push(...shiftDiagnostics(r.diagnostics, seg.startLine));
    for (const a of r.deployments) deployments.push(shiftAnalysis(a, seg.startLine));
  }
  if (cache && used) {
    // Keep only this version's documents so the cache never outgrows the file.
    cache.clear();
    for (const [k, v] of used) cache.set(k, v);
  }
  // YAML errors matter only in files we claim, or in files that look like ours but fail to parse.
  const looksOurs = /apiVersion:\s*llm-sizer\//.test(text);
  const yamlDiags = claimed || looksOurs ? yamlProblems : [];
  const diagnostics = [...yamlDiags, ...fileDiags, ...deployments.flatMap((d) => d.diagnostics)];
  return { deployments, diagnostics, formats, disabled: false };
}

/** Per-document results in the segment's own line numbers (shifted when combined). */
export interface SegmentResult {
  docCount: number;
  claimed: boolean;
  formats: string[];
  problems: Diagnostic[];
  diagnostics: Diagnostic[];
  deployments: DeploymentAnalysis[];
}
export type SegmentCache = Map<string, SegmentResult>;

function analyzeSegment(text: string, firstDocIndex: number, o: AnalysisOptions): SegmentResult {
  const parsed = parseYaml(text);
  const adapters = o.adapters ?? ADAPTERS;
  const out: SegmentResult = { docCount: parsed.docs.length, claimed: false, formats: [], problems: parsed.problems, diagnostics: [], deployments: [] };
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
    for (const d of res.deployments) out.deployments.push(analyzeDeployment(d, o));
  });
  return out;
}

function shiftAnalysis(a: DeploymentAnalysis, lines: number): DeploymentAnalysis {
  if (lines === 0) return a;
  const d = a.deployment;
  return { ...a, deployment: { ...d, ranges: shiftRanges(d.ranges, lines), keyRanges: shiftRanges(d.keyRanges, lines) }, diagnostics: shiftDiagnostics(a.diagnostics, lines) };
}
