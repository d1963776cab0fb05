// Times the format pipeline on a generated 5,000+-line multi-document Kubernetes manifest (Deployments running
// `vllm serve` with args and a sh -c script, Services, ConfigMaps): detection, adaptation with exact sub-ranges,
// and memory sizing of every deployment. Prints the median of repeated runs (ms), cold and with the per-document
// segment cache the language server keeps (one document edited between runs).
//   node --import tsx bench/formats.bench.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance as clock } from 'node:perf_hooks';
import type { SegmentCache } from '../server/src/analysis/analysis';
import { analyzeText } from '../server/src/analysis/analysis';

const FIX = join(__dirname, '..', 'test', 'fixtures', 'formats');
const sources = ['k8s-deployment-args.yaml', 'k8s-sh-c-script.yaml', 'k8s-multidoc.yaml', 'lws-multinode.yaml'].map((f) => readFileSync(join(FIX, f), 'utf8'));

function manifest(minLines: number): { text: string; lines: number; docs: number } {
  const parts: string[] = [];
  let lines = 0;
  for (let i = 0; lines < minLines; i++) {
    const s = sources[i % sources.length].replace(/name: ([\w-]+)/, `name: $1-${i}`);
    parts.push(s);
    lines += s.split('\n').length;
  }
  const text = parts.join('---\n');
  return { text, lines: text.split('\n').length, docs: text.split(/^---/m).length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const m = manifest(5000);
const opts = { defaultGpu: 'H100-SXM', memoryOnly: true };
for (let i = 0; i < 3; i++) analyzeText(m.text, opts);
const cold: number[] = [];
for (let i = 0; i < 15; i++) {
  const a = clock.now();
  analyzeText(m.text, opts);
  cold.push(clock.now() - a);
}
const cache: SegmentCache = new Map();
analyzeText(m.text, { ...opts, segmentCache: cache });
const warm: number[] = [];
for (let i = 0; i < 15; i++) {
  const edited = m.text.replace('"16384"', `"${16000 + i}"`);
  const a = clock.now();
  analyzeText(edited, { ...opts, segmentCache: cache });
  warm.push(clock.now() - a);
}
const full = { ...opts, memoryOnly: false };
const withPerf: number[] = [];
for (let i = 0; i < 5; i++) {
  const a = clock.now();
  analyzeText(m.text, full);
  withPerf.push(clock.now() - a);
}
console.log(`formats: ${m.lines} lines, ${m.docs} documents`);
console.log(`  analyzeText (memory only), cold:        median ${median(cold).toFixed(1)} ms`);
console.log(`  analyzeText, one document edited, cache: median ${median(warm).toFixed(1)} ms`);
console.log(`  analyzeText with performance, cold:      median ${median(withPerf).toFixed(1)} ms`);
