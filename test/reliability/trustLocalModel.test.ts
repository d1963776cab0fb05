// Workspace trust and local model directories, over real JSON-RPC to dist/server.js: a plan whose `model` is
// a directory with a config.json outside the workspace root is sized from that file in a trusted workspace;
// in restricted mode (initializationOptions.trusted false) the file is never touched (every fs call on the
// directory is recorded by the fsProbe.cjs preload) and the diagnostic says restricted mode is the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, codes } from '../lsp/lspClient';

const PROBE = resolve(__dirname, 'fsProbe.cjs');
// A made-up architecture no catalog holds, so its parameter count can only come from this config.json.
const CONFIG = {
  model_type: 'llama',
  hidden_size: 1024,
  num_hidden_layers: 7,
  num_attention_heads: 8,
  num_key_value_heads: 2,
  intermediate_size: 2816,
  vocab_size: 12345,
  max_position_embeddings: 4096,
  torch_dtype: 'bfloat16',
  tie_word_embeddings: false,
};
// From first principles (llama layout, head_dim = 1024 / 8 = 128, KV width 2 x 128 = 256):
const EMBED = 12345 * 1024; // 12,641,280, and the same again for the untied lm_head
const ATTN = 7 * (1024 * 1024 + 1024 * 256 + 1024 * 256 + 1024 * 1024); // q, k, v, o: 18,350,080
const MLP = 7 * 3 * 1024 * 2816; // gate, up, down: 60,555,264
const NORMS = 7 * 2 * 1024 + 1024; // two RMSNorms per layer and the final one: 15,360

function workspace(): { ws: string; modelDir: string; base: string } {
  const base = mkdtempSync(join(tmpdir(), 'llm-sizer-trust-'));
  const ws = join(base, 'ws');
  const modelDir = join(base, 'outside', 'acme-distinct-7x');
  mkdirSync(ws, { recursive: true });
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(join(modelDir, 'config.json'), JSON.stringify(CONFIG));
  return { ws, modelDir, base };
}

const plan = (model: string) =>
  `apiVersion: llm-sizer/v1\nkind: ServingPlan\nmetadata: {name: p}\nmodel: ${model}\nhardware: {gpu: H100, count: 1}\nserving:\n  max_model_len: 4096\n  max_num_seqs: 8\n`;

async function session(ws: string, log: string, trusted: boolean): Promise<LspClient> {
  return LspClient.start({
    rootUri: pathToFileURL(ws).href,
    settings: {},
    initializationOptions: trusted ? undefined : { trusted: false },
    args: ['--require', PROBE, 'dist/server.js', '--stdio'],
    env: { ...process.env, LLM_SIZER_FS_PROBE: 'acme-distinct-7x', LLM_SIZER_FS_LOG: log },
  });
}

interface ReportModel {
  id: string;
  source: string;
  params_total: number;
  params_by_component: Record<string, number>;
}

test('trusted workspace: a model directory outside the root is read and sized from its config.json', async () => {
  const { ws, modelDir, base } = workspace();
  const log = join(base, 'trusted.log');
  assert.ok(!resolve(modelDir).startsWith(resolve(ws) + '/'), 'the model directory must be outside the workspace root');
  const c = await session(ws, log, true);
  try {
    const uri = `${pathToFileURL(ws).href}/plan.yaml`;
    assert.deepEqual(codes((await c.open(uri, plan(modelDir))).diagnostics), []);
    const r = await c.request<{ report: { deployments: { model: ReportModel }[] } }>('llmSizer/report', { uri });
    const m = r.report.deployments[0].model;
    assert.equal(m.id, modelDir);
    assert.equal(m.source, 'local');
    assert.deepEqual(
      {
        embedding: m.params_by_component.embedding,
        lm_head: m.params_by_component.lm_head,
        attention: m.params_by_component.attention,
        mlp: m.params_by_component.mlp,
        norms: m.params_by_component.norms,
      },
      { embedding: EMBED, lm_head: EMBED, attention: ATTN, mlp: MLP, norms: NORMS },
    );
    assert.equal(m.params_total, 104203264);
    assert.equal(m.params_total, 2 * EMBED + ATTN + MLP + NORMS);
  } finally {
    await c.stop();
  }
  // Positive control for the probe: the trusted server did open this config.json.
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(calls.includes(`fs.readFileSync ${join(modelDir, 'config.json')}`), calls.join('\n'));
});

test('restricted mode: the config.json is never opened and the diagnostic says why', async () => {
  const { ws, modelDir, base } = workspace();
  const log = join(base, 'restricted.log');
  const c = await session(ws, log, false);
  const root = pathToFileURL(ws).href;
  try {
    // Absolute and relative forms of the same directory.
    for (const [i, model] of [modelDir, '../outside/acme-distinct-7x'].entries()) {
      const uri = `${root}/plan${i}.yaml`;
      const d = (await c.open(uri, plan(model))).diagnostics;
      assert.deepEqual(codes(d), ['unknown-model']);
      assert.equal(
        d[0].message,
        `Not sized: Restricted mode: local model directories are not read, so "${model}" is not sized. Trust the workspace (Workspaces: Manage Workspace Trust) to read its config.json.`,
      );
      assert.deepEqual(d[0].range.start, { line: 3, character: 7 });
      const r = await c.request<{ report: { deployments: { model: Partial<ReportModel> | null }[] } }>('llmSizer/report', { uri });
      assert.deepEqual(r.report.deployments[0].model, { id: model, params_total: null, params_active: null });
    }
  } finally {
    await c.stop();
  }
  // No fs call (stat, open, read, readdir, exists, ...) named the directory.
  assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '');
});
