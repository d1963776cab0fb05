// Seeded property-based fuzzing of the parser, every format adapter (through analyzeText), the engine, the
// language service's hover and completion, and prototype safety. `npm run fuzz` runs the same properties
// with 100,000 cases (scripts/fuzz.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CORPUS, SEED, assertNoPollution, checkText, engineProperty, hostileNumbersPlan, mutatedFixture, pipelineProperty, randomYaml } from './fuzzProps';
import { analyzeText } from '../../server/src/analysis/analysis';
import { parseYaml, toPlain } from '../../server/src/yaml/yamlDoc';

const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;

test('every fixture of the corpus analyzes cleanly (baseline for the mutations)', () => {
  assert.ok(CORPUS.length >= 40, `corpus has ${CORPUS.length} files`);
  for (const t of CORPUS) checkText(t, [{ line: 3, character: 4 }]);
});

test('mutated fixtures: no exception, no NaN/Infinity in messages, hovers or report JSON, no pollution', () => {
  fc.assert(pipelineProperty(mutatedFixture), { seed: SEED, numRuns: RUNS ?? 1500 });
});

test('random YAML under native, vLLM-config and Kubernetes headers', () => {
  fc.assert(pipelineProperty(randomYaml), { seed: SEED + 1, numRuns: RUNS ?? 1000 });
});

test('engine: sizeMemory and sizePerformance with numbers at the edges', () => {
  fc.assert(engineProperty, { seed: SEED + 2, numRuns: RUNS ?? 3000 });
});

test('hostile numbers in an inline config.json and a calibration block: refused with a diagnostic, all output finite', () => {
  fc.assert(
    fc.property(hostileNumbersPlan, (text) => {
      checkText(text, [{ line: 3, character: 10 }]);
      // A number past every cap (>= 2^32 - 1: caps are at most 2^27 here) is refused with an error, never sized.
      if (/\d{10,}|e\+/.test(text.replace(/"hidden_size":4096/, ''))) {
        const f = analyzeText(text, { defaultGpu: 'H100' });
        assert.ok(
          f.diagnostics.some(
            (d) => d.severity === 'error' && (d.code === 'model-config-invalid' || d.code === 'invalid-value' || d.code.startsWith('schema-')),
          ),
          text,
        );
        assert.equal(f.deployments[0].sizing, null, text);
      }
    }),
    { seed: SEED + 3, numRuns: RUNS ?? 300 },
  );
});

test('toPlain never sets a prototype from __proto__, constructor or prototype keys', () => {
  const doc = parseYaml('__proto__: {polluted: 1}\nconstructor: {prototype: {polluted: 2}}\nprototype: {polluted: 3}\na: {__proto__: {polluted: 4}}\n').docs[0];
  const o = toPlain(doc.contents) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.equal((o as { polluted?: unknown }).polluted, undefined);
  assert.equal((o.a as Record<string, unknown> as { polluted?: unknown }).polluted, undefined);
  assert.deepEqual(Object.keys(o), ['a']);
  assertNoPollution();
});
