// Hostile documents in-process (the pipeline the CLI and the language server share), the per-document size cap,
// and the work budget's stop-and-resume semantics. Budgets of 0 ms make the stopping point exact.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeSegmentAt, analyzeText } from '../../server/src/analysis/analysis';
import type { SegmentCache } from '../../server/src/analysis/analysis';
import { LanguageService } from '../../server/src/lsp/languageService';
import { MAX_DOCUMENT_BYTES } from '../../server/src/yaml/yamlDoc';
import { HOSTILE_CASES, cleanPlan } from './hostileInputs';

const codes = (ds: { code: string }[]) => ds.map((d) => d.code);

test('every hostile input gives its expected diagnostics (the language server budget of 1 s)', () => {
  for (const hc of HOSTILE_CASES) assert.deepEqual(codes(analyzeText(hc.text(), { budgetMs: 1000, documentCostMs: 0.5 }).diagnostics), hc.codes, hc.name);
});

test('a document over 256 KB is skipped with document-too-large on its --- line; the others are checked', () => {
  const pad = `  annotations:\n${Array.from({ length: 20_000 }, (_, i) => `    k${i}: "v${i}"\n`).join('')}`;
  const giant = cleanPlan('giant').replace('metadata: {name: giant}\n', `metadata:\n  name: giant\n${pad}`);
  assert.ok(giant.length > MAX_DOCUMENT_BYTES && giant.length < 2 * MAX_DOCUMENT_BYTES);
  const planB = cleanPlan('b').replace('max_num_seqs: 64', 'max_num_seqs: 0');
  const text = `${cleanPlan('a')}---\n${giant}---\n${planB}`;
  const a = analyzeText(text);
  assert.deepEqual(codes(a.diagnostics), ['document-too-large', ...codes(analyzeText(planB).diagnostics)]);
  assert.ok(a.diagnostics.length > 1);
  assert.deepEqual(a.diagnostics[0].range, { start: { line: 6, character: 0 }, end: { line: 6, character: 3 } });
  assert.deepEqual(
    a.deployments.map((d) => d.deployment.name),
    ['a', 'b'],
  );
  // A document of exactly the limit is read.
  const atLimit = cleanPlan('x') + '#'.repeat(MAX_DOCUMENT_BYTES - cleanPlan('x').length);
  assert.equal(atLimit.length, MAX_DOCUMENT_BYTES);
  assert.deepEqual(codes(analyzeText(atLimit).diagnostics), []);
  assert.deepEqual(codes(analyzeText(atLimit + '#').diagnostics), ['document-too-large']);
});

test('the CLI reports document-too-large the same way, and exits 1: part of the file was not checked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-sizer-big-'));
  const f = join(dir, 'big.yaml');
  writeFileSync(f, cleanPlan('x') + '#'.repeat(MAX_DOCUMENT_BYTES));
  const r = spawnSync(process.execPath, ['dist/cli.js', 'check', '--format', 'json', f], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(codes(JSON.parse(r.stdout)[0].diagnostics), ['document-too-large']);
});

test('a budget stops at the first document it would have to analyze; checked documents are reused next time', () => {
  const plans = ['a', 'b', 'c', 'd'].map((n) => cleanPlan(n));
  const text = plans.join('---\n');
  const cache: SegmentCache = new Map();
  // Nothing analyzed yet and no time to spend: the whole file is unchecked.
  const none = analyzeText(text, { segmentCache: cache, budgetMs: 0 });
  assert.deepEqual(codes(none.diagnostics), ['analysis-incomplete']);
  assert.equal(
    none.diagnostics[0].message,
    'llm-sizer stopped here: checking this file took more than 0 ms of work, so 4 of its 4 YAML documents (from line 1 on) are not checked. Checked documents are reused, so each edit checks further.',
  );
  assert.equal(none.uncheckedFrom, 0);
  assert.equal(none.deployments.length, 0);
  const first = analyzeText(text, { segmentCache: cache });
  // The third plan changes: the first two come from the cache at no cost, the third would need work.
  const edited = [plans[0], plans[1], plans[2].replace('max_num_seqs: 64', 'max_num_seqs: 32'), plans[3]].join('---\n');
  const partial = analyzeText(edited, { segmentCache: cache, budgetMs: 0 });
  assert.deepEqual(
    partial.deployments.map((d) => d.deployment.name),
    ['a', 'b'],
  );
  assert.equal(partial.uncheckedFrom, 13);
  assert.deepEqual(
    partial.diagnostics.map((d) => [d.code, d.range.start.line]),
    [['analysis-incomplete', 13]],
  );
  assert.match(partial.diagnostics[0].message, /so 2 of its 4 YAML documents \(from line 14 on\)/);
  // The stopped run kept the fourth plan it did not reach: the next run analyzes only the third.
  const full = analyzeText(edited, { segmentCache: cache });
  assert.deepEqual(
    full.deployments.map((d) => d.deployment.name),
    ['a', 'b', 'c', 'd'],
  );
  assert.equal(full.deployments[3], first.deployments[3]);
  assert.notEqual(full.deployments[2], first.deployments[2]);
});

test('the analysis of the document under the cursor alone: its deployment, in file lines', () => {
  const text = ['# comment\n', cleanPlan('a'), cleanPlan('b').replace('max_num_seqs: 64', 'max_num_seqs: 0')].join('---\n');
  const whole = analyzeText(text);
  const at = analyzeSegmentAt(text, 9, {});
  assert.deepEqual(
    at.deployments.map((d) => d.deployment.name),
    ['b'],
  );
  assert.deepEqual(at.deployments[0].deployment.ranges, whole.deployments[1].deployment.ranges);
  assert.deepEqual(at.diagnostics, whole.diagnostics);
  assert.deepEqual(analyzeSegmentAt(text, 0, {}).deployments, []);
});

test('the language service spends at most its budget on a comparison and on a report (budget 0: nothing analyzed)', () => {
  const doc = { uri: 'file:///ws/two.yaml', version: 1, getText: () => `${cleanPlan('a')}---\n${cleanPlan('b')}` };
  const none = new LanguageService({ trusted: false, budgetMs: 0 });
  assert.equal(none.compare(doc), null);
  assert.deepEqual(codes((none.report(doc) as { diagnostics: { code: string }[] }).diagnostics), ['analysis-incomplete']);
  const some = new LanguageService({ trusted: false });
  assert.equal((some.compare(doc) as { deployment: string }).deployment, 'a');
  assert.deepEqual(codes((some.report(doc) as { diagnostics: { code: string }[] }).diagnostics), []);
});
