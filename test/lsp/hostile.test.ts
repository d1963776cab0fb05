// The language server under hostile documents, rapid typing, cancellation and failing features, over real JSON-RPC
// to dist/server.js. Responsiveness is asserted by the order of replies, never by wall-clock time: the server starts
// a validation two event-loop turns after the change and then checks one `---` document per turn, so a request it
// has received is answered before the next step of that work (one document: the step that cannot be split).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { CompletionItem, Hover, MarkupContent, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import type { StatsResult } from '../../server/src/lsp/protocol';
import { HOSTILE_CASES, cleanPlan, manyDocuments } from '../reliability/hostileInputs';
import { LspClient, codes } from './lspClient';

const OTHER = 'file:///ws/other.yaml';
/** The `model:` line of cleanPlan(). */
const MODEL_LINE = 3;
const WEIGHTS = /Weights 14\.99 GiB per GPU/;
/** Generous: peaks measured by bench/hostile.bench.ts are 75-160 MiB; yaml-language-server reached 1.6 GiB on the many-documents input. */
const RSS_BOUND = 512 * 1024 * 1024;

/**
 * The budget and its clock, injected: 1,000 ms at a fixed 0.5 ms per `---` document, so a validation stops after
 * exactly 2,000 fresh documents on any machine under any load (the real clock made these tests load-dependent).
 */
const BUDGET = { ms: 1000, msPerDocument: 0.5 };
const DOCS_PER_VERSION = BUDGET.ms / BUDGET.msPerDocument;

let c: LspClient;

const hoverAt = (uri: string, line: number) => c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 10 } });
const md = (h: Hover | null) => (h ? (h.contents as MarkupContent).value : '');
const stats = (client = c) => client.request<StatsResult>('llmSizer/stats', {});

/** Resolves with the first window/logMessage whose text matches. */
async function logMessage(client: LspClient, re: RegExp): Promise<string> {
  // A hang guard of 2 minutes (the message is logged within milliseconds on an idle machine).
  for (let i = 0; i < 6000; i++) {
    const hit = client.notifications.find((n) => n.method === 'window/logMessage' && re.test((n.params as { message: string }).message));
    if (hit) return (hit.params as { message: string }).message;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log message ${re}`);
}

before(async () => {
  c = await LspClient.start({ settings: { llmSizer: { defaultGpu: 'H100' } }, initializationOptions: { analysisBudget: BUDGET } });
  assert.deepEqual(codes((await c.open(OTHER, cleanPlan('other'))).diagnostics), []);
});
after(async () => c.stop());

describe('hostile documents', () => {
  HOSTILE_CASES.forEach((hc, i) => {
    it(`${hc.name}: ${hc.codes.length ? [...new Set(hc.codes)].join(', ') : 'silent'}; a hover on another plan is answered first`, async () => {
      const u = `file:///ws/hostile-${i}.yaml`;
      const id = `hover-during-${i}`;
      const diagnostics = c.waitDiagnostics(u, 1);
      // didOpen and the hover in one write: the server has both queued before it starts the validation.
      c.writeTogether([
        { method: 'textDocument/didOpen', params: { textDocument: { uri: u, languageId: 'yaml', version: 1, text: hc.text() } } },
        { id, method: 'textDocument/hover', params: { textDocument: { uri: OTHER }, position: { line: MODEL_LINE, character: 10 } } },
      ]);
      const p = await diagnostics;
      assert.deepEqual(codes(p.diagnostics), hc.codes);
      const hover = c.raw.findIndex((m) => m.id === id);
      const published = c.raw.findIndex((m) => m.method === 'textDocument/publishDiagnostics' && m.params?.uri === u);
      assert.ok(hover >= 0 && hover < published, `hover reply #${hover}, diagnostics #${published}`);
      assert.match(md(c.raw[hover].result as Hover), WEIGHTS);
      const s = await stats();
      assert.equal(s.inProgress, 0);
      assert.ok(s.memory.rss < RSS_BOUND, `rss ${s.memory.rss}`);
      await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
    });
  });

  it('names the limits in the messages', async () => {
    const messages = new Map<string, string>();
    for (const p of c.history) for (const d of p.diagnostics) messages.set(String(d.code), d.message);
    assert.equal(messages.get('file-too-large'), 'This file is 10.0 MB; llm-sizer checks files up to 5 MB.');
    assert.equal(
      messages.get('document-too-large'),
      'This YAML document is 5,018 KB; llm-sizer skips documents over 256 KB (reading one takes up to a second; deployment documents are a few KB).',
    );
    // 2,000 documents of 7 lines each were checked: the 2,001st starts on line 14,001.
    assert.equal(
      messages.get('analysis-incomplete'),
      'llm-sizer stopped here: checking this file took more than 1,000 ms of work, so 24,680 of its 26,680 YAML documents (from line 14001 on) are not checked. Checked documents are reused, so each edit checks further.',
    );
  });
});

describe('a large file of many documents', () => {
  const u = 'file:///ws/generated.yaml';
  const text = manyDocuments();
  const docs = text.split('\n---\n').length;
  const lastModel = 7 * (docs - 1) + 1 + MODEL_LINE;
  const incompleteLine = (p: PublishDiagnosticsParams) => {
    assert.deepEqual(codes(p.diagnostics), ['analysis-incomplete']);
    return p.diagnostics[0].range.start.line;
  };
  let firstStop = 0;

  it('answers a hover on its last plan and a stats request while its validation is under way', async () => {
    const order: string[] = [];
    const diagnostics = c.open(u, text).then((p) => (order.push('diagnostics'), p));
    // The last plan is far past where the 1 s budget stops: the hover reads the `---` document under the cursor.
    const h = await hoverAt(u, lastModel).then((x) => (order.push('hover'), x));
    assert.match(md(h), WEIGHTS);
    const s = await stats().then((x) => (order.push('stats'), x));
    assert.equal(s.inProgress, 1);
    firstStop = incompleteLine(await diagnostics);
    assert.deepEqual(order, ['hover', 'stats', 'diagnostics']);
    // Each document is 7 lines (`---` and a 6-line plan): the first not checked is document DOCS_PER_VERSION.
    assert.equal(firstStop, 7 * DOCS_PER_VERSION);
    assert.ok(firstStop < lastModel, `stopped at ${firstStop}`);
    assert.match(md(await hoverAt(u, lastModel)), WEIGHTS);
  });

  it('reuses what it checked, so the next version checks further', async () => {
    // One value in the first plan changes: every other checked document is reused from the cache.
    const p = await c.change(u, [{ range: { start: { line: 6, character: 45 }, end: { line: 6, character: 47 } }, text: '32' }]);
    assert.equal(p.version, 2);
    // The edited first document is fresh work (one document's cost), documents 1-1,999 come from the cache, and
    // 1,999 more fresh ones fill the budget: it stops at document 3,999.
    assert.equal(incompleteLine(p), 7 * (2 * DOCS_PER_VERSION - 1));
  });

  it('answers a cancelled report with RequestCancelled and publishes only the newest version', async () => {
    const before = await stats();
    const next = c.change(u, [{ range: { start: { line: 6, character: 45 }, end: { line: 6, character: 47 } }, text: '16' }]);
    const source = new CancellationTokenSource();
    const report = c.conn.sendRequest('llmSizer/report', { uri: u }, source.token);
    source.cancel();
    await assert.rejects(report, (e: { code?: number }) => e.code === -32800);
    assert.equal((await next).version, 3);
    const s = await stats();
    assert.equal(s.cancelled - before.cancelled, 1);
    await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
  });
});

describe('rapid typing', () => {
  it('50 changes in a burst: one analysis, 49 skipped, only the last version published', async () => {
    const u = 'file:///ws/typing.yaml';
    const beforeOpen = await stats();
    await c.open(u, cleanPlan('typing'));
    const before = await stats();
    // An open is one validation: scheduled once, published once, nothing skipped.
    assert.deepEqual(
      [
        before.validations.scheduled - beforeOpen.validations.scheduled,
        before.validations.skippedStale - beforeOpen.validations.skippedStale,
        before.validations.published - beforeOpen.validations.published,
      ],
      [1, 0, 1],
    );
    const from = c.history.length;
    // max_num_seqs 64 -> 1, 2, ... 50 (line 5, `serving: {max_model_len: 8192, max_num_seqs: 64}`), in one write: the
    // server has every change queued before the first validation would begin (it waits 3 event-loop turns after a
    // change and handles one message per turn), so the burst is ordered by the protocol, not by how fast either side is.
    const col = 'serving: {max_model_len: 8192, max_num_seqs: '.length;
    let width = 2;
    const burst: object[] = [];
    for (let v = 2; v <= 51; v++) {
      const value = String(v - 1);
      burst.push({
        method: 'textDocument/didChange',
        params: {
          textDocument: { uri: u, version: v },
          contentChanges: [{ range: { start: { line: 5, character: col }, end: { line: 5, character: col + width } }, text: value }],
        },
      });
      width = value.length;
    }
    const final = c.waitDiagnostics(u, 51);
    c.writeTogether(burst);
    const p = await final;
    assert.equal(p.version, 51);
    const fresh = await c.open('file:///ws/typing-final.yaml', cleanPlan('typing').replace('max_num_seqs: 64', 'max_num_seqs: 50'));
    assert.deepEqual(p.diagnostics, fresh.diagnostics);
    const after = await stats();
    // The burst and the fresh open above: one analysis each.
    assert.equal(after.analyses.started - before.analyses.started, 2);
    assert.equal(after.validations.skippedStale - before.validations.skippedStale, 49);
    const versions = c.history
      .slice(from)
      .filter((x) => x.uri === u)
      .map((x) => x.version!);
    assert.deepEqual(versions, [51]);
  });
});

describe('a feature that throws (LLM_SIZER_TEST_FAULT, test only)', () => {
  const PLAN_URI = 'file:///ws/fault.yaml';
  for (const feature of ['hover', 'completion', 'validate', 'report']) {
    it(`${feature}: logged, answered empty, the rest keeps working`, async () => {
      const s = await LspClient.start({ settings: null, env: { ...process.env, LLM_SIZER_TEST_FAULT: feature } });
      try {
        if (feature === 'validate')
          await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: PLAN_URI, languageId: 'yaml', version: 1, text: cleanPlan('fault') } });
        else assert.deepEqual(codes((await s.open(PLAN_URI, cleanPlan('fault'))).diagnostics), []);
        const hover = () => s.request<Hover | null>('textDocument/hover', { textDocument: { uri: PLAN_URI }, position: { line: MODEL_LINE, character: 10 } });
        const completion = () =>
          s.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: PLAN_URI }, position: { line: 5, character: 0 } });
        const report = () => s.request<{ report: { deployments: unknown[] } } | null>('llmSizer/report', { uri: PLAN_URI });
        for (let round = 0; round < 2; round++) {
          const h = await hover();
          if (feature === 'hover') assert.equal(h, null);
          else assert.match(md(h), WEIGHTS);
          const items = await completion();
          if (feature === 'completion') assert.deepEqual(items, []);
          else assert.ok(items.length > 5, `${items.length} completions`);
          const r = await report();
          if (feature === 'report') assert.equal(r, null);
          else assert.equal(r!.report.deployments.length, 1);
        }
        const log = await logMessage(s, new RegExp(`^llm-sizer ${feature}: Error: test fault in ${feature}`));
        assert.match(log, /LLM_SIZER_TEST_FAULT/);
        if (feature !== 'validate') assert.ok(s.history.some((p) => p.uri === PLAN_URI));
        else assert.ok(!s.history.some((p) => p.uri === PLAN_URI));
        assert.equal((await stats(s)).inProgress, 0);
        assert.equal(s.proc.exitCode, null);
      } finally {
        await s.stop();
      }
    });
  }
});
