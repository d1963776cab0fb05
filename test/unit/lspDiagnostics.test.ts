import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LanguageService } from '../../server/src/lsp/languageService';
import { toLspDiagnostic } from '../../server/src/lsp/features/diagnostics';

// Two plans, each with an unknown GPU (one error each); the edit changes max_num_seqs in the second.
const plan = (seqs: number) =>
  [
    'apiVersion: llm-sizer/v1',
    'kind: ServingPlan',
    'model: meta-llama/Llama-3.1-8B-Instruct',
    'hardware: {gpu: H1000}',
    'serving:',
    `  max_num_seqs: ${seqs}`,
    '',
  ].join('\n');

test('LSP diagnostics of a --- document the edit did not touch are reused; every one equals its fresh conversion', () => {
  const s = new LanguageService();
  const uri = 'file:///ws/two.yaml';
  const v1 = s.diagnostics({ uri, version: 1, getText: () => `${plan(64)}---\n${plan(64)}` });
  const v2 = s.diagnostics({ uri, version: 2, getText: () => `${plan(64)}---\n${plan(32)}` });
  assert.deepEqual(
    v2.map((d) => d.code),
    ['unknown-gpu', 'unknown-gpu'],
  );
  assert.deepEqual(
    v2.map((d) => d.range.start.line),
    [3, 10],
  );
  // The first plan's diagnostic is the same object as before; the edited plan's is new.
  assert.equal(v2[0], v1[0]);
  assert.notEqual(v2[1], v1[1]);
  const fresh = s.get(uri)!.analysis.diagnostics.map(toLspDiagnostic);
  assert.deepEqual(v2, fresh);
});
