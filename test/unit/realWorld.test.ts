// Issue 11, "How it is checked": the pipeline on the real-world corpus (test/real-world/) against what an expert
// reads in each file. CI fails on any false error, precision below 95% or recall below 50%; the figures and the
// per-file list of false positives and misses print either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CORPUS_DIR,
  checkCorpus,
  corpusFiles,
  expectedPath,
  problemLines,
  readExpected,
  scoreFile,
  summarize,
  summaryLines,
  withAccuracySection,
} from '../realWorld';
import type { Expected, FileResult } from '../realWorld';
import type { FileAnalysis } from '../../server/src/analysis/analysis';

const files = corpusFiles();

test('the corpus holds at least 90 public files, each with its source, licence line and expectation', () => {
  assert.ok(files.length >= 90, `${files.length} files`);
  for (const f of files) {
    const [l1, l2] = fs.readFileSync(path.join(CORPUS_DIR, f), 'utf8').split('\n');
    assert.match(l1, /^# Source: https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\/\S+$/, `${f}: first line`);
    assert.match(l2, /^# License: \S/, `${f}: second line`);
    assert.ok(fs.existsSync(expectedPath(f)), `${f}: no ${path.basename(expectedPath(f))}`);
  }
});

test('every expectation is well-formed and its finding lines exist in the file', () => {
  for (const f of files) {
    const e = readExpected(f);
    const lines = fs.readFileSync(path.join(CORPUS_DIR, f), 'utf8').split('\n').length;
    for (const x of e.findings) for (const l of x.lines) assert.ok(l <= lines, `${f}: finding ${x.code} on line ${l} of ${lines}`);
  }
});

test('no expectation file is left without its corpus file', () => {
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  const orphans = walk(CORPUS_DIR)
    .filter((p) => p.endsWith('.expected.yaml'))
    .filter((p) => !fs.existsSync(p.replace(/\.expected\.yaml$/, '.yaml')) && !fs.existsSync(p.replace(/\.expected\.yaml$/, '.yml')));
  assert.deepEqual(orphans, []);
});

// The scoring itself, on a hand-made analysis: exact counts from the definitions.
test('scoring: a diagnostic is true when an expected finding has its code on its 1-based line; errors that are not true are false errors', () => {
  const expected: Expected = {
    recognised: true,
    deployments: [{ role: null, engine: 'vllm', model: 'Qwen/Qwen3-8B', gpus_per_replica: 1 }],
    findings: [
      { code: 'gpu-count-mismatch', severity: 'warning', lines: [10, 12], why: 'x' },
      { code: 'env-var-not-expanded', severity: 'warning', lines: [20], why: 'y' },
    ],
    doubts: [],
  };
  const r = (line0: number) => ({ start: { line: line0, character: 0 }, end: { line: line0, character: 5 } });
  const f = {
    deployments: [{ model: { id: 'qwen/qwen3-8b' }, sizing: {} }],
    diagnostics: [
      { code: 'gpu-count-mismatch', severity: 'warning', message: 'm', range: r(11) }, // line 12: true
      { code: 'gpu-count-mismatch', severity: 'error', message: 'm', range: r(12) }, // line 13: false error
      { code: 'unknown-model', severity: 'error', message: 'm', range: r(3) }, // false error
      { code: 'kv-limits-concurrency', severity: 'info', message: 'm', range: r(3) }, // info: not counted
    ],
  } as unknown as FileAnalysis;
  const s = scoreFile('a.yaml', expected, f);
  assert.equal(s.recognised, true);
  assert.equal(s.modelIdentified, true); // ids compare case-insensitively
  assert.equal(s.sized, true);
  assert.deepEqual(
    s.truePositives.map((d) => d.line),
    [12],
  );
  assert.deepEqual(
    s.falsePositives.map((d) => `${d.code}:${d.line}`),
    ['gpu-count-mismatch:13', 'unknown-model:4'],
  );
  assert.deepEqual(
    s.misses.map((m) => m.code),
    ['env-var-not-expanded'],
  );
  const sum = summarize([
    s,
    scoreFile('b.yaml', { recognised: false, deployments: [], findings: [], doubts: [] }, { deployments: [], diagnostics: [] } as unknown as FileAnalysis),
  ]);
  assert.equal(sum.files, 2);
  assert.equal(sum.servingFiles, 1);
  assert.equal(sum.precision, 1 / 3);
  assert.equal(sum.recall, 1 / 2);
  assert.equal(sum.falseErrors, 2);
  assert.equal(sum.falselyRecognised, 0);
});

test('the ACCURACY.md section is replaced between its markers and the rest of the file is kept', () => {
  const doc = 'head\n<!-- real-world:begin -->\nold\n<!-- real-world:end -->\ntail\n';
  assert.equal(withAccuracySection(doc, 'new'), 'head\n<!-- real-world:begin -->\nnew\n<!-- real-world:end -->\ntail\n');
  assert.equal(withAccuracySection('head\n', 'new'), 'head\n\n<!-- real-world:begin -->\nnew\n<!-- real-world:end -->\n');
});

let results: FileResult[] | null = null;
const corpus = (): FileResult[] => (results ??= checkCorpus());

test('the pipeline reads every corpus file without throwing (figures and the list to fix printed below)', () => {
  const r = corpus();
  const s = summarize(r);
  console.log(
    ['real-world corpus:', ...summaryLines(s).map((l) => `  ${l}`), 'false positives and misses:', ...problemLines(r).map((l) => `  ${l}`)].join('\n'),
  );
  assert.deepEqual(
    r.filter((x) => x.crash).map((x) => `${x.file}: ${x.crash}`),
    [],
  );
});

test('no false error on the real-world corpus', () => {
  const r = corpus();
  assert.deepEqual(
    r.flatMap((x) => x.falsePositives.filter((d) => d.severity === 'error').map((d) => `${x.file}:${d.line} ${d.code}`)),
    [],
  );
});

test('precision of errors and warnings on the real-world corpus is at least 95%', () => {
  const s = summarize(corpus());
  assert.ok(s.precision === null || s.precision >= 0.95, `precision ${s.precision} (${s.truePositives} of ${s.reported})`);
});

test('recall of the expected findings on the real-world corpus is at least 50%', () => {
  const s = summarize(corpus());
  assert.ok(s.recall !== null && s.recall >= 0.5, `recall ${s.recall} (${s.found} of ${s.expectedFindings})`);
});
