// Hostile-document benchmark: each input of test/reliability/hostileInputs.ts opened in dist/server.js and, in the
// same run on the same text, in yaml-language-server 1.25.0 (given the project's deployment.schema.json, its 200 ms
// validation delay patched to 0 in a temp copy, as in bench/lsp.bench.ts). Per input and server, a fresh process:
// median didOpen -> diagnostics time, median latency of a hover on another open plan written with the didOpen,
// and peak RSS (VmHWM). Also the in-process analyzeText time with the server's 1 s budget.
// Run: npm run bench:hostile (BENCH_REPS=3, BENCH_TIMEOUT_MS=120000, BENCH_CASES=names separated by ;).
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeText } from '../server/src/analysis/analysis';
import type { LspClient } from '../test/lsp/lspClient';
import { HOSTILE_CASES, cleanPlan } from '../test/reliability/hostileInputs';
import { median, startLlmSizer, undelayedYamlLs, vmHwmMiB } from './lspServers';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000);
const ONLY = process.env.BENCH_CASES?.split(';').map((s) => s.trim()) ?? null;

interface Row {
  server: string;
  input: string;
  workMs: number | null;
  hoverMs: number | null;
  rssMiB: number;
  diagnostics: number | null;
  note: string;
}

async function measure(server: string, start: () => Promise<LspClient>, input: string, text: string): Promise<Row> {
  const c = await start();
  const other = pathToFileURL(resolve('bench/.hostile-other.yaml')).href;
  await c.open(other, cleanPlan('other'));
  const work: number[] = [];
  const hover: number[] = [];
  let diagnostics: number | null = null;
  let note = '';
  for (let i = 0; i < REPS; i++) {
    const uri = pathToFileURL(resolve(`bench/.hostile-${i}.yaml`)).href;
    const id = `bench-hover-${i}`;
    const t0 = performance.now();
    const published = c.waitDiagnostics(uri, 1, TIMEOUT_MS).then((p) => ((diagnostics = p.diagnostics.length), performance.now() - t0));
    // The hover right behind the didOpen, in the same write (both servers have it queued before they start).
    c.writeTogether([
      { method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text } } },
      { id, method: 'textDocument/hover', params: { textDocument: { uri: other }, position: { line: 3, character: 10 } } },
    ]);
    const answered = c.rawResponse(id).then(() => performance.now() - t0);
    try {
      const [w, h] = await Promise.all([published, answered]);
      work.push(w);
      hover.push(h);
      if (process.env.BENCH_VERBOSE) console.log(`  ${server} ${input} #${i}: diagnostics ${w.toFixed(0)} ms, hover ${h.toFixed(0)} ms`);
    } catch (e) {
      note = c.proc.exitCode !== null ? `exited (${c.proc.exitCode})` : `no diagnostics in ${TIMEOUT_MS / 1000} s`;
      break;
    }
    await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
  const rssMiB = vmHwmMiB(c.proc.pid!);
  await c.stop();
  return { server, input, workMs: work.length ? median(work) : null, hoverMs: hover.length ? median(hover) : null, rssMiB, diagnostics, note };
}

const fmt = (x: number | null, d = 0) => (x === null ? '—' : x.toFixed(d));

async function main(): Promise<void> {
  const undelayed = undelayedYamlLs();
  const servers: [string, () => Promise<LspClient>][] = [
    ['llm-sizer', () => startLlmSizer()],
    ['yaml-language-server', undelayed.start],
  ];
  const rows: Row[] = [];
  const inProcess = new Map<string, number>();
  // Schema compilation and JIT once, outside the timings (a server pays them at start, in its warm-up).
  for (let i = 0; i < 20; i++) analyzeText(cleanPlan(`warm${i}`), { performanceDetail: false });
  try {
    for (const hc of HOSTILE_CASES) {
      if (ONLY && !ONLY.includes(hc.name)) continue;
      const text = hc.text();
      const xs: number[] = [];
      for (let i = 0; i < REPS; i++) {
        const t0 = performance.now();
        analyzeText(text, { budgetMs: 1000, performanceDetail: false });
        xs.push(performance.now() - t0);
      }
      inProcess.set(hc.name, median(xs));
      for (const [name, start] of servers) {
        const r = await measure(name, start, hc.name, text);
        rows.push(r);
        console.log(
          `${name.padEnd(21)} ${hc.name.padEnd(28)} open→diagnostics ${fmt(r.workMs).padStart(7)} ms  hover meanwhile ${fmt(r.hoverMs).padStart(7)} ms  peak RSS ${fmt(r.rssMiB).padStart(5)} MiB  ${r.diagnostics ?? '—'} diagnostics ${r.note}`,
        );
      }
    }
  } finally {
    undelayed.dispose();
  }
  console.log(`\n${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${REPS} opens per input and server (medians)\n`);
  console.log(
    '| input | analyzeText (1 s budget) | llm-sizer open→diagnostics | yaml-language-server | ratio | hover meanwhile (ours / peer) | peak RSS MiB (ours / peer) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const hc of HOSTILE_CASES) {
    const ours = rows.find((r) => r.input === hc.name && r.server === 'llm-sizer');
    const peer = rows.find((r) => r.input === hc.name && r.server === 'yaml-language-server');
    if (!ours || !peer) continue;
    const ratio = ours.workMs !== null && peer.workMs !== null ? (ours.workMs / peer.workMs).toFixed(2) : '—';
    console.log(
      `| ${hc.name} | ${fmt(inProcess.get(hc.name) ?? null)} ms | ${fmt(ours.workMs)} ms ${ours.note} | ${fmt(peer.workMs)} ms ${peer.note} | ${ratio} | ${fmt(ours.hoverMs)} / ${fmt(peer.hoverMs)} ms | ${fmt(ours.rssMiB)} / ${fmt(peer.rssMiB)} |`,
    );
  }
  console.log('\n' + JSON.stringify(rows));
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
