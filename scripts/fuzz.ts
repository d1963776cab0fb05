// npm run fuzz: the properties of test/reliability/fuzz.test.ts with 100,000 cases in all (FUZZ_CASES to change,
// FUZZ_SEED for another seed; default random). Prints the count per property and the seed to replay a failure.
import fc from 'fast-check';
import { engineProperty, mutatedFixture, pipelineProperty, randomYaml } from '../test/reliability/fuzzProps';

const TOTAL = Number(process.env.FUZZ_CASES ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const plan: [string, fc.IProperty<never>, number][] = [
  ['mutated fixtures (parser + every adapter + hover/completion)', pipelineProperty(mutatedFixture) as never, 0.4],
  ['random YAML (parser + adapters + hover/completion)', pipelineProperty(randomYaml) as never, 0.3],
  ['engine (sizeMemory + sizePerformance)', engineProperty as never, 0.3],
];
let total = 0;
let failed = false;
console.log(`fuzz: ${TOTAL} cases, seed ${seed}`);
for (const [name, prop, share] of plan) {
  const numRuns = Math.round(TOTAL * share);
  const t0 = performance.now();
  const r = fc.check(prop, { seed, numRuns }) as fc.RunDetails<never>;
  total += r.numRuns;
  console.log(`${r.failed ? 'FAIL' : 'ok  '} ${String(r.numRuns).padStart(7)} cases  ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${name}`);
  if (r.failed) {
    failed = true;
    console.log(
      `  counterexample: ${JSON.stringify(r.counterexample)}\n  error: ${String((r as { errorInstance?: unknown }).errorInstance ?? '').slice(0, 500)}\n  replay: FUZZ_SEED=${seed} (path ${r.counterexamplePath})`,
    );
  }
}
console.log(`fuzz: ${total} cases run, ${failed ? 'FAILED' : 'no failure'}`);
process.exitCode = failed ? 1 : 0;
