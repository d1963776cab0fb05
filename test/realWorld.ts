// The real-world corpus (test/real-world/): public serving files, each beside `<name>.expected.yaml` holding what an
// expert reads in it. This runs the pipeline `llm-sizer check` runs on every file and scores it against those
// expectations: recognised, model identified, sized, and precision / recall of the error and warning diagnostics.
// Shared by test/unit/realWorld.test.ts and scripts/real-world.ts (npm run real-world).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { analyzeText } from '../server/src/analysis/analysis';
import type { AnalysisOptions, FileAnalysis } from '../server/src/analysis/analysis';
import { builtinCatalog } from '../server/src/catalog/index';
import type { Diagnostic } from '../server/src/formats/types';
import { DEFAULT_SETTINGS } from '../server/src/lsp/protocol';

export const CORPUS_DIR = path.resolve(__dirname, 'real-world');

/** Diagnostic codes an expected finding may use: the rules' codes and the ones issue 11 adds. */
export const FINDING_CODES = [
  'env-var-not-expanded',
  'cuda-visible-devices-too-few',
  'no-gpu-requested',
  'secret-in-plain-text',
  'tp-across-nodes',
  'gpu-selector-unknown',
  'empty-flag-value',
  'flag-removed',
  'gpu-count-mismatch',
  'heads-not-divisible',
  'weights-exceed-memory',
  'no-kv-memory',
  'max-model-len-too-long',
  'context-beyond-model',
  'shm-too-small',
  'setting-ignored',
  'quantization-mismatch',
  'sampler-warmup-oom',
] as const;

export const ENGINES = ['vllm', 'sglang', 'tgi', 'trtllm', 'nim'] as const;

export interface ExpectedFinding {
  code: string;
  severity: 'error' | 'warning';
  /** 1-based lines in the committed file (header included). Several lines: the same finding at equivalent places
   * (e.g. a GPU request under requests and under limits); a diagnostic on any of them finds it. */
  lines: number[];
  why: string;
}

export interface ExpectedDeployment {
  role: 'prefill' | 'decode' | null;
  engine: string | null;
  model: string | null;
  gpus_per_replica: number | null;
}

export interface Expected {
  recognised: boolean;
  deployments: ExpectedDeployment[];
  findings: ExpectedFinding[];
  doubts: string[];
}

/** A diagnostic as the corpus report shows it: 1-based line. */
export interface Reported {
  code: string;
  severity: 'error' | 'warning';
  line: number;
  message: string;
}

export interface FileResult {
  /** Path relative to the corpus folder, e.g. `k8s/gke-vllm-gemma-3-27b-it.yaml`. */
  file: string;
  expected: Expected;
  /** The pipeline threw (a defect on its own): the message. */
  crash: string | null;
  deployments: number;
  /** Model ids the pipeline resolved, one per deployment (null when unresolved). */
  models: (string | null)[];
  recognised: boolean;
  /** null when the expectation names no model (nothing to identify). */
  modelIdentified: boolean | null;
  sized: boolean;
  truePositives: Reported[];
  falsePositives: Reported[];
  misses: ExpectedFinding[];
}

export interface Summary {
  files: number;
  /** Files an expert reads a deployment in, and how many of them the pipeline recognised. */
  servingFiles: number;
  recognised: number;
  /** Files expected to hold no deployment where the pipeline still reported one. */
  falselyRecognised: number;
  /** Files whose expectation names at least one model, and how many had every named model identified. */
  modelFiles: number;
  modelIdentified: number;
  sized: number;
  reported: number;
  truePositives: number;
  expectedFindings: number;
  found: number;
  /** null when nothing was reported (precision undefined). */
  precision: number | null;
  /** null when the corpus expects no finding. */
  recall: number | null;
  falseErrors: number;
  crashes: number;
}

/** Every corpus file (not the expectations), sorted, relative to the corpus folder. */
export function corpusFiles(dir = CORPUS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name) && !e.name.endsWith('.expected.yaml')) out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export function expectedPath(file: string, dir = CORPUS_DIR): string {
  return path.join(dir, file.replace(/\.ya?ml$/, '.expected.yaml'));
}

/** Reads and checks one expectation file; throws with the file and the field on anything malformed. */
export function readExpected(file: string, dir = CORPUS_DIR): Expected {
  const p = expectedPath(file, dir);
  const raw = parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new Error(`${path.relative(dir, p)}: ${what}`);
  };
  if (!raw || typeof raw !== 'object') fail('not a mapping');
  if (typeof raw.recognised !== 'boolean') fail('recognised must be true or false');
  const deployments = (raw.deployments ?? []) as Record<string, unknown>[];
  if (!Array.isArray(deployments)) fail('deployments must be a list');
  const deps: ExpectedDeployment[] = deployments.map((d, i) => {
    const role = d.role ?? null;
    if (role !== null && role !== 'prefill' && role !== 'decode') fail(`deployments[${i}].role must be prefill, decode or null`);
    const engine = d.engine ?? null;
    if (engine !== null && !(ENGINES as readonly string[]).includes(engine as string))
      fail(`deployments[${i}].engine ${String(engine)} is not one of ${ENGINES.join(', ')}`);
    const model = d.model ?? null;
    if (model !== null && typeof model !== 'string') fail(`deployments[${i}].model must be a string or null`);
    const gpus = d.gpus_per_replica ?? null;
    if (gpus !== null && !(Number.isInteger(gpus) && (gpus as number) > 0)) fail(`deployments[${i}].gpus_per_replica must be a positive integer or null`);
    return {
      role: role as ExpectedDeployment['role'],
      engine: engine as string | null,
      model: model as string | null,
      gpus_per_replica: gpus as number | null,
    };
  });
  if (raw.recognised === true && deps.length === 0) fail('a recognised file lists its deployments');
  if (raw.recognised === false && deps.length > 0) fail('a file with no deployment lists none');
  const findings = (raw.findings ?? []) as Record<string, unknown>[];
  if (!Array.isArray(findings)) fail('findings must be a list');
  const fs_: ExpectedFinding[] = findings.map((f, i) => {
    if (!(FINDING_CODES as readonly string[]).includes(f.code as string)) fail(`findings[${i}].code ${String(f.code)} is not a known code`);
    if (f.severity !== 'error' && f.severity !== 'warning') fail(`findings[${i}].severity must be error or warning`);
    const lines = Array.isArray(f.line) ? f.line : [f.line];
    if (!lines.length || !lines.every((l) => Number.isInteger(l) && l >= 1)) fail(`findings[${i}].line must be a 1-based line or a list of them`);
    if (typeof f.why !== 'string' || !f.why.trim()) fail(`findings[${i}].why must say why`);
    return { code: f.code as string, severity: f.severity as 'error' | 'warning', lines: lines as number[], why: f.why as string };
  });
  const doubts = (raw.doubts ?? []) as unknown[];
  if (!Array.isArray(doubts) || !doubts.every((d) => typeof d === 'string')) fail('doubts must be a list of strings');
  return { recognised: raw.recognised as boolean, deployments: deps, findings: fs_, doubts: doubts as string[] };
}

/**
 * The options `llm-sizer check FILE` uses (server/src/cli/cli.ts optionsFor), except that a model given as a directory
 * is never read from this machine: a corpus file's `/models/...` is a path inside its container, and the figures
 * must not depend on what the machine running them holds.
 */
export function checkOptions(): AnalysisOptions {
  return {
    catalog: builtinCatalog(),
    defaultGpu: DEFAULT_SETTINGS.defaultGpu,
    defaultEngineVersion: null,
    readLocalConfig: (p: string) => ({ error: `No config.json in model directory "${p}" (container paths are not read).` }),
  };
}

function reported(d: Diagnostic): Reported | null {
  if (d.severity !== 'error' && d.severity !== 'warning') return null;
  return { code: d.code, severity: d.severity, line: d.range.start.line + 1, message: d.message };
}

/** Scores one file's analysis against its expectation. */
export function scoreFile(file: string, expected: Expected, f: FileAnalysis | null, crash: string | null = null): FileResult {
  const deployments = f?.deployments ?? [];
  const models = deployments.map((a) => a.model?.id ?? null);
  const found = new Set(models.filter((m): m is string => m !== null).map((m) => m.toLowerCase()));
  const named = expected.deployments.map((d) => d.model).filter((m): m is string => m !== null);
  const diags = (f?.diagnostics ?? []).map(reported).filter((d): d is Reported => d !== null);
  const isTrue = (d: Reported): boolean => expected.findings.some((e) => e.code === d.code && e.lines.includes(d.line));
  return {
    file,
    expected,
    crash,
    deployments: deployments.length,
    models,
    recognised: deployments.length > 0,
    modelIdentified: named.length ? named.every((m) => found.has(m.toLowerCase())) : null,
    sized: deployments.some((a) => a.sizing !== null),
    truePositives: diags.filter(isTrue),
    falsePositives: diags.filter((d) => !isTrue(d)),
    misses: expected.findings.filter((e) => !diags.some((d) => d.code === e.code && e.lines.includes(d.line))),
  };
}

/** Runs the pipeline on one corpus file and scores it. */
export function checkFile(file: string, dir = CORPUS_DIR): FileResult {
  const expected = readExpected(file, dir);
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  try {
    return scoreFile(file, expected, analyzeText(text, checkOptions()));
  } catch (e) {
    return scoreFile(file, expected, null, (e as Error).message ?? String(e));
  }
}

export function checkCorpus(dir = CORPUS_DIR): FileResult[] {
  return corpusFiles(dir).map((f) => checkFile(f, dir));
}

export function summarize(results: FileResult[]): Summary {
  const serving = results.filter((r) => r.expected.recognised);
  const withModel = serving.filter((r) => r.modelIdentified !== null);
  const reportedN = results.reduce((n, r) => n + r.truePositives.length + r.falsePositives.length, 0);
  const tp = results.reduce((n, r) => n + r.truePositives.length, 0);
  const expectedN = results.reduce((n, r) => n + r.expected.findings.length, 0);
  const foundN = expectedN - results.reduce((n, r) => n + r.misses.length, 0);
  return {
    files: results.length,
    servingFiles: serving.length,
    recognised: serving.filter((r) => r.recognised).length,
    falselyRecognised: results.filter((r) => !r.expected.recognised && r.recognised).length,
    modelFiles: withModel.length,
    modelIdentified: withModel.filter((r) => r.modelIdentified).length,
    sized: serving.filter((r) => r.sized).length,
    reported: reportedN,
    truePositives: tp,
    expectedFindings: expectedN,
    found: foundN,
    precision: reportedN ? tp / reportedN : null,
    recall: expectedN ? foundN / expectedN : null,
    falseErrors: results.reduce((n, r) => n + r.falsePositives.filter((d) => d.severity === 'error').length, 0),
    crashes: results.filter((r) => r.crash !== null).length,
  };
}

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** The figures, one per line, as `npm run real-world` prints them. */
export function summaryLines(s: Summary): string[] {
  return [
    `files                 ${s.files}`,
    `recognised            ${s.recognised}/${s.servingFiles} serving files${s.falselyRecognised ? ` (+${s.falselyRecognised} files with no deployment read as one)` : ''}`,
    `model identified      ${s.modelIdentified}/${s.modelFiles} files that name a model`,
    `sized                 ${s.sized}/${s.servingFiles} serving files`,
    `precision             ${pct(s.precision)} (${s.truePositives} true of ${s.reported} errors and warnings)`,
    `recall                ${pct(s.recall)} (${s.found} of ${s.expectedFindings} expected findings reported)`,
    `false errors          ${s.falseErrors}`,
    ...(s.crashes ? [`crashes               ${s.crashes}`] : []),
  ];
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').slice(0, 140);

/** One line per false positive, miss, unrecognised file or unidentified model: the list to fix from. */
export function problemLines(results: FileResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.crash) out.push(`${r.file}: CRASH ${oneLine(r.crash)}`);
    if (r.expected.recognised && !r.recognised) out.push(`${r.file}: not recognised (expected ${r.expected.deployments.length} deployment(s))`);
    if (!r.expected.recognised && r.recognised) out.push(`${r.file}: read ${r.deployments} deployment(s) in a file that holds none`);
    if (r.modelIdentified === false) {
      const want = r.expected.deployments.map((d) => d.model).filter((m) => m !== null);
      out.push(
        `${r.file}: model not identified (expected ${[...new Set(want)].join(', ')}; got ${r.models.map((m) => m ?? 'none').join(', ') || 'no deployment'})`,
      );
    }
    for (const d of r.falsePositives) out.push(`${r.file}:${d.line}: false ${d.severity} ${d.code}: ${oneLine(d.message)}`);
    for (const m of r.misses) out.push(`${r.file}:${m.lines.join('|')}: missed ${m.severity} ${m.code}: ${oneLine(m.why)}`);
  }
  return out;
}

/** The Markdown section docs/ACCURACY.md holds between the real-world markers. */
export function accuracySection(s: Summary): string {
  return [
    '## Real-world files',
    '',
    'Generated by `npm run real-world` from the corpus in `test/real-world/` (public serving files with the findings an',
    'expert reads in them; see its README). Precision counts the errors and warnings reported on the corpus that match an',
    'expected finding (same code, same line); recall counts the expected findings reported.',
    '',
    '| measure | value |',
    '|---|---|',
    `| files | ${s.files} |`,
    `| recognised | ${s.recognised}/${s.servingFiles} serving files${s.falselyRecognised ? ` (+${s.falselyRecognised} non-serving files read as a deployment)` : ''} |`,
    `| model identified | ${s.modelIdentified}/${s.modelFiles} files that name a model |`,
    `| sized | ${s.sized}/${s.servingFiles} serving files |`,
    `| precision | ${pct(s.precision)} (${s.truePositives} of ${s.reported}) |`,
    `| recall | ${pct(s.recall)} (${s.found} of ${s.expectedFindings}) |`,
    `| false errors | ${s.falseErrors} |`,
  ].join('\n');
}

export const BEGIN_MARKER = '<!-- real-world:begin -->';
export const END_MARKER = '<!-- real-world:end -->';

/** `doc` with the section between the markers replaced (or appended with its markers when absent). */
export function withAccuracySection(doc: string, section: string): string {
  const block = `${BEGIN_MARKER}\n${section}\n${END_MARKER}`;
  const b = doc.indexOf(BEGIN_MARKER);
  const e = doc.indexOf(END_MARKER);
  if (b >= 0 && e > b) return doc.slice(0, b) + block + doc.slice(e + END_MARKER.length);
  return `${doc.replace(/\n*$/, '\n')}\n${block}\n`;
}
