// Benchmark: one full report (parse + adapt + size + rules + JSON) and the engine alone. Medians of repeated runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeDeployment, analyzeText } from '../server/src/analysis/analysis';
import { builtinCatalog } from '../server/src/catalog/index';
import { defaultServing, sizeMemory } from '../server/src/engine/memory';
import { deploymentJson, reportJson } from '../server/src/presenters/report';
import { parseYaml } from '../server/src/yaml/yamlDoc';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(fn: () => void, n: number): number {
  for (let i = 0; i < 50; i++) fn(); // warm up
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - a) / 1e6);
  }
  return median(t);
}
const text = fs.readFileSync(path.join(__dirname, '..', 'examples', 'chat-70b.yaml'), 'utf8');
const cat = builtinCatalog();
const m = cat.resolveModel('meta-llama/Llama-3.1-70B-Instruct')!.arch;
const g = cat.resolveGpu('H100')!;
const engine = time(() => sizeMemory(m, g, { ...defaultServing(), tp: 4, maxModelLen: 32768 }), 2000);
const full = time(() => reportJson('x', analyzeText(text, { catalog: cat })), 500);
const parsed = analyzeText(text, { catalog: cat }).deployments[0].deployment;
const reportOfPlan = time(() => deploymentJson(analyzeDeployment(parsed, { catalog: cat })), 1000);
const reportMemoryOnly = time(() => deploymentJson(analyzeDeployment(parsed, { catalog: cat, memoryOnly: true })), 1000);
const yamlParse = time(() => parseYaml(text), 1000);
const parseOnly = time(() => JSON.parse(JSON.stringify({ text })), 2000);
console.log(`engine memory sizing (70B, tp4): median ${engine.toFixed(3)} ms`);
console.log(
  `report of one plan (catalog + engine I + engine II + rules + JSON), given its parsed fields: median ${reportOfPlan.toFixed(3)} ms (target well under 1 ms)`,
);
console.log(`  of which memory only (engine I + rules + JSON): median ${reportMemoryOnly.toFixed(3)} ms`);
console.log(`YAML parse of the 26-line file (the yaml package): median ${yamlParse.toFixed(3)} ms`);
console.log(`full report of examples/chat-70b.yaml from text: median ${full.toFixed(3)} ms`);
console.log(`peer in the same run, JSON round-trip of the same text: median ${parseOnly.toFixed(4)} ms (ratio ${(full / parseOnly).toFixed(0)}x)`);
