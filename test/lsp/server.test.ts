// The language server over a real JSON-RPC connection to dist/server.js: diagnostics, hovers, completions,
// code actions (applied and re-validated), symbols, inlay hints, custom requests, settings and catalogs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, CompletionItem, Diagnostic, DocumentSymbol, Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient, applyEdits, codes, withCursor } from './lspClient';

const fixture = (n: string) => readFileSync(join('test/fixtures/lsp', n), 'utf8');

const PLAN = (serving: string, model = 'meta-llama/Llama-3.1-8B-Instruct', gpu = 'H100') =>
  `apiVersion: llm-sizer/v1\nkind: ServingPlan\nmetadata: {name: p}\nmodel: ${model}\nhardware: {gpu: ${gpu}, count: 1}\n${serving}`;

let c: LspClient;
let n = 0;
const uri = () => `file:///ws/doc${++n}.yaml`;

async function hoverText(u: string, marked: string): Promise<string> {
  const { text, position } = withCursor(marked);
  await c.open(u, text);
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: u }, position });
  return h ? (h.contents as MarkupContent).value : '';
}

async function complete(marked: string): Promise<CompletionItem[]> {
  const u = uri();
  const { text, position } = withCursor(marked);
  await c.open(u, text);
  const r = await c.request<CompletionItem[] | { items: CompletionItem[] }>('textDocument/completion', { textDocument: { uri: u }, position });
  return Array.isArray(r) ? r : r.items;
}

/** Applies the first quick fix for `code` and returns the diagnostics of the fixed text. */
async function fix(
  u: string,
  text: string,
  diags: Diagnostic[],
  code: string,
  title?: RegExp,
): Promise<{ text: string; diagnostics: Diagnostic[]; action: CodeAction }> {
  const d = diags.find((x) => x.code === code);
  assert.ok(d, `no ${code} in ${codes(diags)}`);
  const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: u }, range: d.range, context: { diagnostics: [d] } });
  const action = actions.find((a) => !title || title.test(a.title));
  assert.ok(action, `no action for ${code}: ${actions.map((a) => a.title)}`);
  const fixed = applyEdits(text, action.edit!.changes![u]);
  const p = await c.change(u, [{ text: fixed }]);
  return { text: fixed, diagnostics: p.diagnostics, action };
}

before(async () => {
  c = await LspClient.start({ settings: { llmSizer: { defaultGpu: 'H100' } } });
});
after(async () => c.stop());

describe('diagnostics', () => {
  it('reports an unknown key with did-you-mean and an error inside the second document', async () => {
    const p = await c.open('file:///ws/multi.yaml', fixture('multi.yaml'));
    assert.deepEqual(codes(p.diagnostics), ['schema-unknown-key', 'max-model-len-too-long']);
    const [unknown, tooLong] = p.diagnostics;
    assert.equal(unknown.message, 'Unknown key "max_num_seq" in "serving". Did you mean "max_num_seqs"?');
    assert.deepEqual(unknown.range, { start: { line: 19, character: 2 }, end: { line: 19, character: 13 } });
    assert.equal(unknown.severity, 2);
    assert.equal(unknown.source, 'llm-sizer');
    assert.deepEqual(unknown.data, { key: 'max_num_seq', suggestion: 'max_num_seqs' });
    // Each diagnostic links to its docs page (codeDescription.href), a file that exists and documents that code.
    for (const d of p.diagnostics) {
      const href = (d as { codeDescription?: { href: string } }).codeDescription?.href ?? '';
      assert.match(href, new RegExp(`^file://.*/docs/diagnostics/${d.code}\\.md$`));
      assert.match(readFileSync(fileURLToPath(href), 'utf8'), new RegExp(`^# \`${d.code}\`: `));
    }
    assert.deepEqual(tooLong.range, { start: { line: 21, character: 17 }, end: { line: 21, character: 23 } });
    assert.equal(tooLong.severity, 1);
    assert.match(
      tooLong.message,
      /^One request of max_model_len 131,072 tokens does not fit in the KV cache \([\d,]+ tokens on [\d.]+ GiB\)\. vLLM stops with: "To serve at least one request/,
    );
    assert.match(tooLong.message, /The largest max_model_len that fits is \d+\.$/);
  });

  it('checks vllm serve --config files (kebab options)', async () => {
    const p = await c.open(uri(), fixture('vllm-config.yaml'));
    const d = p.diagnostics.find((x) => x.code === 'schema-unknown-key')!;
    assert.equal(d.message, 'Unknown vLLM option "gpu-memory-utilizaton". Did you mean "gpu-memory-utilization"?');
    assert.deepEqual(d.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 21 } });
  });

  it('publishes exactly what `llm-sizer check` prints for the same file', async () => {
    const p = await c.open('file:///ws/multi-cli.yaml', fixture('multi.yaml'));
    const r = spawnSync(process.execPath, ['dist/cli.js', 'check', '--format', 'json', 'test/fixtures/lsp/multi.yaml'], { encoding: 'utf8' });
    const cli = JSON.parse(r.stdout)[0].diagnostics as { code: string; message: string; range: unknown }[];
    assert.deepEqual(
      p.diagnostics.map((d) => ({ code: d.code, message: d.message, range: d.range })),
      cli.map((d) => ({ code: d.code, message: d.message, range: d.range })),
    );
  });

  it('follows edits, including incremental ones, and a second document moving down', async () => {
    const u = uri();
    const text = fixture('multi.yaml');
    await c.open(u, text);
    // Insert a comment line at the top: every range of the second document moves down by one.
    const p = await c.change(u, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# moved\n' }]);
    assert.deepEqual(p.diagnostics[0].range, { start: { line: 20, character: 2 }, end: { line: 20, character: 13 } });
    assert.equal(p.version, 2);
  });

  it('is silent for unrelated YAML and for files with `# llm-sizer: disable`', async () => {
    assert.deepEqual((await c.open(uri(), 'name: ci\non: [push]\njobs: {}\n')).diagnostics, []);
    assert.deepEqual((await c.open(uri(), '# llm-sizer: disable\n' + fixture('multi.yaml'))).diagnostics, []);
  });

  it('answers a huge document with one diagnostic instead of analysing it, and keeps answering hovers', async () => {
    const u = uri();
    const big = fixture('multi.yaml') + '\n# ' + 'x'.repeat(6 * 1024 * 1024) + '\n';
    // Timing belongs to benchmarks; this only guards against a hang (the 6 MB transfer itself takes ~1 s under load).
    const t0 = Date.now();
    const p = await c.open(u, big);
    assert.ok(Date.now() - t0 < 15000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(codes(p.diagnostics), ['file-too-large']);
    const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: 'file:///ws/multi.yaml' }, position: { line: 4, character: 10 } });
    assert.ok(h);
  });
});

describe('hover', () => {
  it('shows the deployment in a few lines on the model, with an "Open report" command link instead of tables', async () => {
    const md = await hoverText(uri(), PLAN('serving:\n  max_model_len: 8192\n', 'meta-llama/Llama-3.1-8B-$0Instruct'));
    // Llama-3.1-8B in bf16: 8.03B parameters x 2 bytes = 14.99 GiB of weights on one GPU.
    assert.match(md, /^\*\*p\*\* · `meta-llama\/Llama-3\.1-8B-Instruct` · ✓ starts/);
    assert.match(md, /8\.03B parameters · 1 x NVIDIA H100 SXM5 80GB · tp 1, pp 1, dp 1/);
    assert.match(md, /Weights 14\.99 GiB per GPU of a 71\.27 GiB budget · KV cache [\d,]+ tokens/);
    assert.match(md, /\d+ requests of 1,200 tokens at once · [\d.]+x at max_model_len 8,192 · TTFT \d+ ms, TPOT [\d.]+ ms/);
    assert.match(md, /\[Open report\]\(command:llmSizer\.showReport /);
    // The long tables live in the report now.
    assert.doesNotMatch(md, /\|/);
    assert.ok(md.split('\n').filter(Boolean).length <= 6, md);
  });

  it('a deployment that does not start: the verdict with its reason, and every number marked hypothetical', async () => {
    const md = await hoverText(uri(), PLAN('serving:\n  tensor_parallel_size: 3\n', 'meta-llama/Llama-3.1-70B-$0Instruct').replace('count: 1', 'count: 3'));
    assert.match(md, /✗ does not start: Total number of attention heads \(64\) and KV heads \(8\) must divide evenly by tensor_parallel_size \(3\)/);
    assert.match(md, /KV cache [\d,]+ tokens \(hypothetical\)/);
  });

  it('shows the plan on its name, the GPU datasheet on the GPU, and a serving key with its default', async () => {
    assert.match(await hoverText(uri(), PLAN('').replace('name: p', 'name: p$0lan')), /\*\*plan\*\*/);
    const gpu = await hoverText(uri(), PLAN('', undefined, 'H1$000'));
    assert.match(gpu, /NVIDIA H100 SXM5 80GB/);
    assert.match(gpu, /\| bandwidth \| 3\.35 TB\/s \|/);
    assert.match(gpu, /\| ridge point \| \d+ FLOP\/B \|/);
    const key = await hoverText(uri(), PLAN('serving:\n  max_num_s$0eqs: 64\n'));
    assert.match(key, /\*\*max_num_seqs\*\*/);
    assert.match(key, /Effective value: `64`\./);
    const util = await hoverText(uri(), PLAN('serving:\n  gpu_memory_util$0ization: 0.9\n'));
    assert.match(util, /vLLM's budget = 79\.19 GiB x 0\.9/);
  });
});

describe('completion', () => {
  it('offers model ids with params and KV bytes per token', async () => {
    const items = await complete(PLAN('', 'meta-llama/$0'));
    const m = items.find((i) => i.label === 'meta-llama/Llama-3.1-8B-Instruct');
    assert.ok(m);
    assert.match(m.detail!, /^8\.03B params · 131,072 KV B\/token/);
  });

  it('offers GPU names with memory and bandwidth inside a flow mapping', async () => {
    const items = await complete(PLAN('').replace('{gpu: H100, count: 1}', '{gpu: $0}'));
    const g = items.find((i) => i.label === 'H100-SXM');
    assert.ok(g);
    assert.match(g.detail!, /79\.19 GiB · 3\.35 TB\/s/);
  });

  it('offers serving keys with schema documentation, enum values, and vLLM options', async () => {
    const keys = await complete(PLAN('serving:\n  $0\n'));
    const k = keys.find((i) => i.label === 'kv_cache_dtype');
    assert.ok(k);
    assert.match((k.documentation as MarkupContent).value, /KV cache element type/);
    const enums = await complete(PLAN('serving:\n  kv_cache_dtype: $0\n'));
    assert.deepEqual(
      enums.map((i) => i.label),
      ['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'bfloat16', 'float16'],
    );
    const top = await complete(PLAN('$0'));
    assert.ok(top.some((i) => i.label === 'workload'));
    const vllm = await complete('model: meta-llama/Llama-3.1-8B-Instruct\nmax-model-len: 8192\n$0\n');
    assert.ok(vllm.some((i) => i.label === 'gpu-memory-utilization'));
  });
});

describe('code actions', () => {
  it('renames a misspelt key and sets the max_model_len that fits', async () => {
    const u = uri();
    let text = fixture('multi.yaml');
    let diags = (await c.open(u, text)).diagnostics;
    ({ text, diagnostics: diags } = await fix(u, text, diags, 'schema-unknown-key'));
    assert.deepEqual(codes(diags), ['max-model-len-too-long']);
    const r = await fix(u, text, diags, 'max-model-len-too-long');
    assert.match(r.action.title, /^Set max_model_len to \d+$/);
    assert.ok(!codes(r.diagnostics).includes('max-model-len-too-long'), String(codes(r.diagnostics)));
  });

  it('inserts kv_cache_dtype fp8 under serving when KV limits concurrency', async () => {
    const u = uri();
    const text = PLAN('serving:\n  max_model_len: 8192\n  max_num_seqs: 512\n', 'meta-llama/Llama-3.1-8B-Instruct');
    const diags = (await c.open(u, text)).diagnostics;
    const r = await fix(u, text, diags, 'kv-limits-concurrency');
    assert.match(r.text, /serving:\n {2}kv_cache_dtype: fp8\n {2}max_model_len: 8192/);
    assert.ok(!codes(r.diagnostics).includes('kv-limits-concurrency'), String(codes(r.diagnostics)));
  });

  it('picks a valid tensor_parallel_size and the did-you-mean model and GPU', async () => {
    const u = uri();
    const text = PLAN('serving:\n  tensor_parallel_size: 3\n  max_model_len: 8192\n');
    let diags = (await c.open(u, text)).diagnostics;
    ({ diagnostics: diags } = await fix(u, text, diags, 'heads-not-divisible'));
    assert.ok(!codes(diags).includes('heads-not-divisible'), String(codes(diags)));
    const u2 = uri();
    let t2 = PLAN('serving:\n  max_model_len: 8192\n  max_num_seqs: 32\n', 'meta-llama/Llama-3.1-8B-Instruc', 'H10O');
    let d2 = (await c.open(u2, t2)).diagnostics;
    assert.deepEqual(codes(d2), ['unknown-model', 'unknown-gpu']);
    ({ text: t2, diagnostics: d2 } = await fix(u2, t2, d2, 'unknown-model'));
    ({ diagnostics: d2 } = await fix(u2, t2, d2, 'unknown-gpu'));
    assert.deepEqual(codes(d2), []);
  });

  it('raises gpu_memory_utilization when no memory is left for KV blocks', async () => {
    const u = uri();
    const text = PLAN('serving:\n  max_model_len: 4096\n  gpu_memory_utilization: 0.2\n');
    const diags = (await c.open(u, text)).diagnostics;
    const r = await fix(u, text, diags, 'no-kv-memory');
    assert.match(r.text, /gpu_memory_utilization: 0\.\d+/);
    assert.ok(!codes(r.diagnostics).includes('no-kv-memory'), String(codes(r.diagnostics)));
  });
});

describe('symbols, inlay hints and custom requests', () => {
  it('lists one symbol per deployment and one summary hint per sized plan', async () => {
    const u = 'file:///ws/multi.yaml';
    const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: u } });
    assert.deepEqual(
      syms.map((s) => s.name),
      ['chat-8b', 'long-context'],
    );
    assert.deepEqual(
      syms[0].children!.map((s) => s.name),
      ['model', 'hardware', 'serving'],
    );
    const hints = await c.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri: u },
      range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } },
    });
    assert.equal(hints.length, 2);
    // The verdict first, then requests running at once at the workload's 1,000 + 200 tokens (max_num_seqs 64 caps
    // them); `*`: the plan leaves the vLLM version and workload to defaults. Within VS Code's 43-character limit.
    assert.equal(String(hints[0].label), '✓ starts* · 64 running at 1.2k tok');
    assert.equal(String(hints[1].label), '✗ does not start: max-model-len-too-long');
    for (const h of hints) assert.ok(String(h.label).length <= 43, String(h.label));
    assert.match((hints[0].tooltip as MarkupContent).value, /requests of the workload's 1,200 tokens fit at once; 64 run \(max_num_seqs 64\)/);
  });

  it('returns the report, a calibration, and the hardware comparison', async () => {
    const r = await c.request<{ report: { deployments: unknown[] }; formats: string[] }>('llmSizer/report', { uri: 'file:///ws/multi.yaml' });
    assert.equal(r.report.deployments.length, 2);
    assert.deepEqual(r.formats, ['native', 'native']);
    const log = 'INFO Available KV cache memory: 54.10 GiB\nINFO GPU KV cache size: 443,168 tokens\n';
    const cal = await c.request<{ measured: { kv: number }; predicted: { kv: number }; calibration: string }>('llmSizer/calibrate', {
      logText: log,
      uri: 'file:///ws/multi.yaml',
    });
    assert.equal(cal.measured.kv, 54.1);
    assert.ok(cal.predicted.kv > 50);
    assert.match(cal.calibration, /available_kv_gib: 54\.1/);
    const cmp = await c.request<{ deployment: string; rows: Array<{ gpu: string; tp: number; fits: boolean; meets_slo: boolean }> }>('llmSizer/compare', {
      uri: 'file:///ws/multi.yaml',
    });
    assert.equal(cmp.deployment, 'chat-8b');
    assert.ok(cmp.rows.length > 25, `rows ${cmp.rows.length}`);
    assert.ok(cmp.rows.some((x) => x.gpu === 'H100-SXM' && x.tp === 1 && x.fits));
    assert.equal(await c.request('llmSizer/compare', { uri: 'file:///ws/not-open.yaml' }), null);
    assert.ok(c.notifications.some((x) => x.method === 'llmSizer/status'));
  });
});

describe('settings and workspace catalogs', () => {
  it('uses defaults when the client has no configuration, and the default GPU setting when it does', async () => {
    const bare = await LspClient.start({ settings: null });
    const p = await bare.open('file:///x/v.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nmax-model-len: 8192\n');
    // The file names no GPU: sized on the default (H100), said once by the `assumption` information diagnostic.
    assert.deepEqual(codes(p.diagnostics), ['kv-limits-concurrency', 'assumption']);
    const assumed = p.diagnostics.find((d) => d.code === 'assumption')!;
    assert.equal(assumed.severity, 3);
    assert.match(assumed.message, /^Sized with assumptions: GPU H100-SXM \(the file names no GPU: the llmSizer\.defaultGpu setting;/);
    await bare.stop();
    const a100 = await LspClient.start({ settings: { llmSizer: { defaultGpu: 'A100-SXM4-40GB' } } });
    await a100.open('file:///x/v.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nmax-model-len: 8192\n');
    const r = await a100.request<{ report: { deployments: { gpu: { id: string } }[] } }>('llmSizer/report', { uri: 'file:///x/v.yaml' });
    assert.equal(r.report.deployments[0].gpu.id, 'A100-SXM4-40GB');
    await a100.stop();
  });

  it('validates and loads .llm-sizer catalogs only in a trusted workspace', async () => {
    const root = mkdtempSync(join(tmpdir(), 'llm-sizer-ws-'));
    mkdirSync(join(root, '.llm-sizer/models'), { recursive: true });
    const model = {
      id: 'acme/tiny-1b',
      config: {
        model_type: 'llama',
        hidden_size: 2048,
        num_hidden_layers: 16,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        intermediate_size: 8192,
        vocab_size: 32000,
        max_position_embeddings: 8192,
      },
    };
    writeFileSync(join(root, '.llm-sizer/models/tiny.yaml'), JSON.stringify(model));
    const plan = PLAN('serving:\n  max_model_len: 4096\n  max_num_seqs: 8\n', 'acme/tiny-1b');
    const rootUri = pathToFileURL(root).href;
    const trusted = await LspClient.start({ rootUri, settings: {} });
    assert.deepEqual(codes((await trusted.open(`${rootUri}/plan.yaml`, plan)).diagnostics), []);
    const bad = await trusted.open(`${rootUri}/.llm-sizer/models/bad.yaml`, 'id: acme/bad\nsource: x\nconfig:\n  hidden_size: -1\n');
    assert.deepEqual(codes(bad.diagnostics), ['schema-range']);
    assert.equal(bad.diagnostics[0].message, '"config.hidden_size" must be at least 1; got -1.');
    assert.deepEqual(bad.diagnostics.find((d) => d.code === 'schema-range')!.range, { start: { line: 3, character: 15 }, end: { line: 3, character: 17 } });
    await trusted.stop();
    const restricted = await LspClient.start({ rootUri, settings: {}, initializationOptions: { trusted: false } });
    assert.deepEqual(codes((await restricted.open(`${rootUri}/plan.yaml`, plan)).diagnostics), ['unknown-model']);
    await restricted.stop();
  });
});
