// Language-server benchmark: dist/server.js beside yaml-language-server (given the project's own
// deployment.schema.json), also with its fixed 200 ms validation delay patched to 0 in a temp copy,
// on the same native documents of ~150 and ~5,000 lines, in the same run.
// Medians of edit-to-diagnostics and hover latency; peak RSS (VmHWM). Run: npm run bench:lsp
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LspClient } from '../test/lsp/lspClient';
import { median, startLlmSizer, startYamlLs, undelayedYamlLs, vmHwmMiB, YAML_LS_BIN } from './lspServers';
import { SERVER_NODE_FLAGS } from '../server/src/lsp/serverLaunch';

const EDITS = Number(process.env.BENCH_EDITS ?? 30);
const HOVERS = Number(process.env.BENCH_HOVERS ?? 200);
/** Comma-separated server names to run (default: all three); BENCH_NODE_ARGS adds node flags for llm-sizer (e.g. --cpu-prof). */
const ONLY =
  process.env.BENCH_SERVERS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? null;
const NODE_ARGS = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
/** BENCH_LAUNCH_FLAGS=0 starts llm-sizer without the client's node flags (to measure what they do). */
const LAUNCH_FLAGS = process.env.BENCH_LAUNCH_FLAGS === '0' ? [] : SERVER_NODE_FLAGS;
const DOCS = process.env.BENCH_DOCS?.split(',').map((s) => s.trim()) ?? null;

const MODELS = ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct', 'Qwen/Qwen2.5-7B-Instruct', 'mistralai/Mistral-7B-Instruct-v0.3'];

/** One native plan of 25 lines. */
function plan(i: number): string {
  return [
    `# plan ${i}`,
    'apiVersion: llm-sizer/v1',
    'kind: ServingPlan',
    'metadata:',
    `  name: plan-${i}`,
    `model: ${MODELS[i % MODELS.length]}`,
    'hardware:',
    '  gpu: H100',
    `  count: ${i % 4 === 1 ? 4 : 1}`,
    '  gpus_per_node: 8',
    'serving:',
    '  engine: vllm',
    '  engine_version: "0.11.0"',
    `  tensor_parallel_size: ${i % 4 === 1 ? 4 : 1}`,
    '  max_model_len: 8192',
    '  gpu_memory_utilization: 0.9',
    '  max_num_seqs: 64',
    '  max_num_batched_tokens: 8192',
    '  kv_cache_dtype: auto',
    'workload:',
    '  requests_per_second: 5',
    '  input_tokens: 1000',
    '  output_tokens: 200',
    'slo: {ttft_ms: 800, tpot_ms: 60}',
    'cost: {gpu_hour_usd: 2.5}',
  ].join('\n');
}

function documentOf(lines: number): string {
  const n = Math.max(1, Math.round(lines / 26));
  return Array.from({ length: n }, (_, i) => plan(i)).join('\n---\n') + '\n';
}

/**
 * CPU time the process has used so far, all threads (ms): sum of the first field of /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds on a CPU). On a shared machine wall time includes waiting for a core; this does not.
 */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

interface Result {
  server: string;
  doc: string;
  editMs: number;
  /** Server CPU time per edit (all threads), from the start of the first measured edit to its last diagnostics. */
  editCpuMs: number;
  hoverMs: number;
  rssMiB: number;
}

async function measure(name: string, start: () => Promise<LspClient>, docName: string, text: string): Promise<Result> {
  const c = await start();
  const uri = pathToFileURL(resolve(`bench/.lsp-${docName}.yaml`)).href;
  await c.open(uri, text);
  const lines = text.split('\n');
  // The edit: a value in the middle plan's serving block flips between two numbers (one character).
  const target = lines.findIndex((l, i) => i >= lines.length / 2 && l.startsWith('  max_num_seqs: '));
  const col = '  max_num_seqs: '.length;
  const edit: number[] = [];
  let cpu0 = 0;
  for (let i = 0; i < EDITS + 3; i++) {
    if (i === 3) cpu0 = cpuMs(c.proc.pid!);
    const t0 = performance.now();
    await c.change(uri, [{ range: { start: { line: target, character: col }, end: { line: target, character: col + 2 } }, text: i % 2 ? '64' : '32' }]);
    if (i >= 3) edit.push(performance.now() - t0);
  }
  const editCpuMs = (cpuMs(c.proc.pid!) - cpu0) / EDITS;
  const modelLine = lines.findIndex((l, i) => i >= lines.length / 2 && l.startsWith('model: '));
  const hoverAt = name.startsWith('llm-sizer') ? { line: modelLine, character: 12 } : { line: target, character: 4 };
  const hover: number[] = [];
  for (let i = 0; i < HOVERS + 10; i++) {
    const t0 = performance.now();
    const h = await c.request('textDocument/hover', { textDocument: { uri }, position: hoverAt });
    if (i >= 10) hover.push(performance.now() - t0);
    if (i === 0 && !h) console.error(`note: ${name} returned no hover`);
  }
  const rssMiB = vmHwmMiB(c.proc.pid!);
  if (NODE_ARGS.length && name === 'llm-sizer') {
    // Let the server exit on its own so --cpu-prof / --heap-prof can write their files.
    const exited = new Promise((r) => c.proc.once('exit', r));
    await c.request('shutdown', null);
    await c.conn.sendNotification('exit');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  await c.stop();
  return { server: name, doc: docName, editMs: median(edit), editCpuMs, hoverMs: median(hover), rssMiB };
}

async function main(): Promise<void> {
  const small = documentOf(150);
  const large = documentOf(5000);
  const undelayed = undelayedYamlLs();
  const servers: [string, () => Promise<LspClient>][] = [
    // Started with the node flags the VS Code client gives it (server/src/lsp/serverLaunch.ts), over stdio like the peer.
    ['llm-sizer', () => startLlmSizer([...LAUNCH_FLAGS, ...NODE_ARGS])],
    ['yaml-language-server', () => startYamlLs(YAML_LS_BIN)],
    ['yaml-language-server (delay 0)', undelayed.start],
  ];
  const results: Result[] = [];
  try {
    for (const [docName, text] of [
      ['150 lines', small],
      ['5,000 lines', large],
    ] as const) {
      if (DOCS && !DOCS.includes(docName.replace(/\W/g, ''))) continue;
      for (const [name, start] of servers) {
        if (ONLY && !ONLY.includes(name)) continue;
        const r = await measure(name, start, docName.replace(/\W/g, ''), text);
        results.push({ ...r, doc: `${docName} (${text.split('\n').length - 1})` });
        console.log(
          `${r.server.padEnd(32)} ${docName.padEnd(12)} edit→diagnostics ${r.editMs.toFixed(2).padStart(8)} ms (server CPU ${r.editCpuMs.toFixed(2).padStart(6)} ms)   hover ${r.hoverMs.toFixed(3).padStart(7)} ms   peak RSS ${r.rssMiB.toFixed(0)} MiB`,
        );
      }
    }
  } finally {
    undelayed.dispose();
  }
  console.log(`\n${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${EDITS} edits, ${HOVERS} hovers per server`);
  for (const doc of new Set(results.map((r) => r.doc))) {
    const ours = results.find((r) => r.doc === doc && r.server === 'llm-sizer');
    const peer = results.find((r) => r.doc === doc && r.server === 'yaml-language-server (delay 0)');
    if (!ours || !peer) continue;
    console.log(
      `${doc}: llm-sizer edit→diagnostics = ${(ours.editMs / peer.editMs).toFixed(2)} x undelayed peer (server CPU per edit ${(ours.editCpuMs / peer.editCpuMs).toFixed(2)} x)`,
    );
  }
  console.log('\n' + JSON.stringify(results));
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
