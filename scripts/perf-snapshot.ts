// Records engine II output on a wide set of inputs, so a speed change can be proven not to change any result:
//   node --import tsx scripts/perf-snapshot.ts write before.json    (before the change)
//   node --import tsx scripts/perf-snapshot.ts check before.json    (after: compares, prints differences, exit 1 on any)
// Inputs: the full report (`report --json`), the lean edit-path analysis and `compare --json` of every YAML under
// examples/ and test/fixtures/, plus compareHardware of every catalog model x all catalog GPUs x tp 1/2/4/8 under
// four workloads (SLO + rate, concurrency, saturated, rate with prefix hits and a tight TTFT SLO).
// Numbers are compared with a relative tolerance given as the third argument (default 0: bit-identical).
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { analyzeText } from '../server/src/analysis/analysis';
import { builtinCatalog } from '../server/src/catalog/index';
import { compareRows } from '../server/src/presenters/compareReport';
import type { ServingInput } from '../server/src/engine/memory';
import { defaultServing, sizeMemory } from '../server/src/engine/memory';
import type { SloInput, WorkloadInput } from '../server/src/engine/performance';
import { compareHardware } from '../server/src/engine/compare';
import { reportJson } from '../server/src/presenters/report';

const ROOT = resolve(__dirname, '..');

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(n)) out.push(p);
  }
  return out;
}

export function snapshot(): Record<string, unknown> {
  const cat = builtinCatalog();
  const snap: Record<string, unknown> = {};
  for (const f of [...yamlFiles(join(ROOT, 'examples')), ...yamlFiles(join(ROOT, 'test', 'fixtures'))]) {
    const rel = relative(ROOT, f);
    const text = readFileSync(f, 'utf8');
    const o = { catalog: cat, defaultGpu: 'H100-SXM' };
    snap[`report ${rel}`] = reportJson(rel, analyzeText(text, o));
    snap[`lean ${rel}`] = analyzeText(text, { ...o, performanceDetail: false }).deployments.map((d) => JSON.parse(JSON.stringify(d.performance)));
    snap[`compare ${rel}`] = JSON.parse(JSON.stringify(compareRows(text, o)));
  }
  const gpus = cat
    .gpuEntries()
    .map((e) => cat.resolveGpu(e.id)!)
    .filter(Boolean);
  const workloads: Array<[string, WorkloadInput, SloInput, Partial<ServingInput>]> = [
    [
      'rate+slo',
      { requestsPerSecond: 5, inputTokens: 2000, outputTokens: 400, concurrency: null, prefixCacheHitRate: 0.2 },
      { ttftMs: 1000, tpotMs: 50 },
      { maxModelLen: 16384 },
    ],
    [
      'concurrency',
      { requestsPerSecond: null, inputTokens: 1000, outputTokens: 1000, concurrency: 64, prefixCacheHitRate: 0 },
      { ttftMs: null, tpotMs: 30 },
      { maxModelLen: 8192 },
    ],
    [
      'saturated',
      { requestsPerSecond: null, inputTokens: 128, outputTokens: 2048, concurrency: null, prefixCacheHitRate: 0 },
      { ttftMs: null, tpotMs: null },
      { maxModelLen: 4096 },
    ],
    [
      'rate+ttft',
      { requestsPerSecond: 40, inputTokens: 8000, outputTokens: 200, concurrency: null, prefixCacheHitRate: 0.5 },
      { ttftMs: 300, tpotMs: null },
      { maxModelLen: 32768 },
    ],
  ];
  for (const e of cat.modelEntries()) {
    const m = cat.resolveModel(e.id)?.arch;
    if (!m) continue;
    for (const [name, w, slo, s] of workloads) {
      const base: ServingInput = { ...defaultServing(), ...s };
      snap[`compareHardware ${e.id} ${name}`] = JSON.parse(JSON.stringify(compareHardware(m, gpus, base, w, slo, (g, sv) => sizeMemory(m, g, sv))));
    }
  }
  return snap;
}

function diff(a: unknown, b: unknown, path: string, tol: number, out: string[], worst: { rel: number; path: string }): void {
  if (out.length > 50) return;
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return;
    const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    if (rel > worst.rel) Object.assign(worst, { rel, path });
    if (rel > tol) out.push(`${path}: ${a} -> ${b} (relative ${rel.toExponential(2)})`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} -> ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) diff(a[i], b[i], `${path}[${i}]`, tol, out, worst);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = new Set(Object.keys(b as object));
    for (const k of ka) {
      if (!kb.has(k)) out.push(`${path}.${k}: removed`);
      else diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, tol, out, worst);
    }
    // Fields added after the snapshot are allowed (the contract may grow); they are listed, not counted as differences.
    return;
  }
  if (a !== b) out.push(`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
}

if (require.main === module) {
  const [mode, file, tolArg] = process.argv.slice(2);
  if ((mode !== 'write' && mode !== 'check') || !file) {
    console.error('usage: perf-snapshot.ts write|check FILE [relative tolerance]');
    process.exit(2);
  }
  const snap = snapshot();
  if (mode === 'write') {
    writeFileSync(file, JSON.stringify(snap));
    console.log(`${Object.keys(snap).length} entries written to ${file}`);
  } else {
    const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const out: string[] = [];
    const worst = { rel: 0, path: '' };
    let numbers = 0;
    const count = (x: unknown): void => {
      if (typeof x === 'number') numbers++;
      else if (x && typeof x === 'object') for (const v of Object.values(x)) count(v);
    };
    count(old);
    diff(old, snap, '', Number(tolArg ?? 0), out, worst);
    console.log(
      `${Object.keys(old).length} entries, ${numbers} numbers compared; largest relative difference ${worst.rel.toExponential(2)}${worst.path ? ` at ${worst.path}` : ''}`,
    );
    for (const l of out) console.log(l);
    if (out.length) process.exit(1);
    console.log('identical within tolerance');
  }
}
