// One verdict and one set of concurrency figures per deployment (server/src/analysis/verdict.ts), and every surface agrees:
// the inlay hint, the diagnostics, the status, the text report and report --json, on every fixture and example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeText } from '../../server/src/analysis/analysis';
import { summaryLine } from '../../server/src/lsp/features/inlayHints';
import { fileVerdict } from '../../server/src/lsp/languageService';
import { reportJson, reportText } from '../../server/src/presenters/report';
import { REFUSES_TO_START } from '../../server/src/analysis/verdict';

const ROOT = resolve(__dirname, '../..');
const files = [
  ...readdirSync(join(ROOT, 'test/fixtures/formats'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(ROOT, 'test/fixtures/formats', f)),
  ...readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(ROOT, 'examples', f)),
];

test('the inlay hint, the diagnostics, the status and the report agree on every fixture', () => {
  let sized = 0;
  let limited = 0;
  for (const file of files) {
    const f = analyzeText(readFileSync(file, 'utf8'), { defaultGpu: 'H100' });
    const json = reportJson(file, f);
    const text = reportText(file, f);
    f.deployments.forEach((a, i) => {
      const r = json.deployments[i];
      const v = r.verdict;
      const hint = summaryLine(a);
      const where = `${file} ${a.deployment.name}`;
      assert.ok(text.includes(`verdict ${v.kind === 'fails' ? '✗' : v.kind === 'not-sized' ? '–' : '✓'} ${v.label}`), `${where}: text report verdict`);
      if (v.kind === 'not-sized') {
        assert.equal(hint, null, where);
        assert.ok(v.reason && v.reason.length > 10, `${where}: not sized without a reason`);
        return;
      }
      sized++;
      if (v.kind === 'fails') {
        assert.ok(hint!.startsWith('✗ does not start'), `${where}: ${hint}`);
        assert.ok(!r.startup!.ok || a.diagnostics.some((d) => d.severity === 'error' && REFUSES_TO_START.has(d.code)), where);
        return;
      }
      // Starts: no diagnostic says vLLM refuses to start, and the hint counts what the report counts.
      assert.ok(r.startup!.ok && !a.diagnostics.some((d) => d.severity === 'error' && REFUSES_TO_START.has(d.code)), where);
      const c = r.concurrency!;
      assert.equal(c.running, Math.min(r.serving!.max_num_seqs, c.at_workload), where);
      assert.match(hint!, new RegExp(`^✓ starts\\*? · ${c.running.toLocaleString('en-US')} running at `), where);
      const kv = a.diagnostics.find((d) => d.code === 'kv-limits-concurrency');
      if (kv) {
        limited++;
        assert.equal(kv.data!.concurrency, c.at_workload, where);
        assert.match(
          kv.message,
          new RegExp(`only ${c.at_workload.toLocaleString('en-US')} requests of ${c.workload_tokens.toLocaleString('en-US')} tokens`),
          where,
        );
      } else if (a.serving?.engine === 'vllm' || a.deployment.serving.maxNumSeqs != null) {
        // SGLang derives max_running_requests from its own token pool: unstated, the rule stays silent (issue 11 item 3).
        assert.ok(c.at_workload >= r.serving!.max_num_seqs, `${where}: ${c.at_workload} < max_num_seqs without a warning`);
      }
    });
  }
  assert.ok(sized >= 20 && limited >= 3, `${sized} sized, ${limited} KV-limited`);
});

const PLAN = (model: string, serving: string, gpu = 'H100', count = 1) => `apiVersion: llm-sizer/v1
kind: ServingPlan
metadata: {name: p}
model: ${model}
hardware: {gpu: ${gpu}, count: ${count}}
serving:
  engine_version: "0.11.0"
${serving}workload: {input_tokens: 1000, output_tokens: 200}
`;

test('gemma-2-9b: requests of 1,200 tokens count each KV group at that length (a sliding group holds at most its window)', () => {
  const f = analyzeText(PLAN('google/gemma-2-9b-it', '  max_model_len: 8192\n  max_num_seqs: 256\n', 'L4'));
  const r = reportJson('p.yaml', f).deployments[0];
  // vLLM's hybrid allocator: 2 groups (21 full + 21 sliding-window layers) share the block pool; a 1,200-token request
  // holds ceil(1200/16) = 75 blocks in the full group and ceil(min(4095 + 8192, 1200)/16) + 1 = 76 in the sliding one.
  assert.equal(r.kv_cache!.blocks_per_request > 0, true);
  assert.equal(r.concurrency!.workload_tokens, 1200);
  assert.equal(r.concurrency!.at_workload, Math.floor(r.kv_cache!.num_blocks / (75 + 76)));
  // About capacity / 1,200 (tokens are counted once across groups), not the old count of a third of it.
  assert.ok(
    Math.abs(r.concurrency!.at_workload - r.kv_cache!.capacity_tokens / 1200) <= 1,
    `${r.concurrency!.at_workload} vs ${r.kv_cache!.capacity_tokens} / 1200`,
  );
});

test('tp 3 on 64 heads: one verdict everywhere (does not start), the performance numbers marked hypothetical', () => {
  const text = PLAN('meta-llama/Llama-3.1-70B-Instruct', '  tensor_parallel_size: 3\n', 'H100', 3);
  const f = analyzeText(text);
  const a = f.deployments[0];
  const r = reportJson('p.yaml', f).deployments[0];
  assert.deepEqual(
    { kind: r.verdict.kind, label: r.verdict.label, code: r.verdict.code },
    { kind: 'fails', label: 'does not start', code: 'heads-not-divisible' },
  );
  assert.equal(
    r.verdict.reason,
    'Total number of attention heads (64) and KV heads (8) must divide evenly by tensor_parallel_size (3); vLLM refuses to start.',
  );
  assert.equal(summaryLine(a), '✗ does not start: heads-not-divisible');
  assert.deepEqual(fileVerdict(f), { kind: 'fails', label: 'does not start', detail: `p: does not start — ${r.verdict.reason}` });
  assert.match(reportText('p.yaml', f), /verdict ✗ does not start: Total number of attention heads \(64\)/);
  assert.equal(r.verdict.hypothetical, !!r.performance);
  if (r.performance) assert.match(reportText('p.yaml', f), /performance \(hypothetical: vLLM does not start with this configuration\)/);
});

test('assumptions: stated or assumed, each with the setting that changes it; the GPU default is an information diagnostic', () => {
  const f = analyzeText('model: meta-llama/Llama-3.1-8B-Instruct\nmax-model-len: 8192\n', { defaultGpu: 'H100' });
  const r = reportJson('v.yaml', f).deployments[0];
  assert.deepEqual(
    r.assumptions.map((x) => [x.what, x.stated]),
    [
      ['gpu', false],
      ['engine_version', false],
      ['workload', false],
      ['price', false],
    ],
  );
  assert.equal(r.verdict.kind, 'assumed');
  const info = f.diagnostics.filter((d) => d.code === 'assumption');
  assert.equal(info.length, 1);
  assert.equal(info[0].severity, 'info');
  assert.match(info[0].message, /^Sized with assumptions: GPU H100-SXM \(the file names no GPU: the llmSizer\.defaultGpu setting; name the GPU/);
  // The price the report says came from the catalog, not "plan": the file has no cost: block.
  assert.equal(r.cost!.price_source, 'catalog (H100-SXM)');
  const stated = reportJson('p.yaml', analyzeText(readFileSync(join(ROOT, 'examples/chat-70b.yaml'), 'utf8'))).deployments[0];
  assert.deepEqual(
    stated.assumptions.map((x) => [x.what, x.stated]),
    [
      ['gpu', true],
      ['engine_version', true],
      ['workload', true],
      ['price', true],
    ],
  );
  assert.equal(stated.verdict.kind, 'starts');
  assert.equal(stated.cost!.price_source, 'plan');
});

test('A10G: decode runs on its bf16 tensor cores (70 TFLOP/s), not an fp32 fallback, and no compute assumption is made', () => {
  const r = reportJson('p.yaml', analyzeText(PLAN('meta-llama/Llama-3.1-8B-Instruct', '  dtype: bfloat16\n  max_model_len: 8192\n', 'A10G'))).deployments[0];
  assert.equal(r.performance!.compute_dtype, 'bf16');
  assert.equal(r.performance!.peak_flops_per_s, 70e12);
  assert.ok(!r.assumptions.some((x) => x.what === 'compute'));
});

test('a deployment that is not sized says why', () => {
  const f = analyzeText(PLAN('acme/not-a-model-7b', '  max_model_len: 8192\n'));
  const r = reportJson('p.yaml', f).deployments[0];
  assert.equal(r.verdict.kind, 'not-sized');
  assert.match(r.verdict.reason!, /^Not sized: model "acme\/not-a-model-7b" is not in llm-sizer's catalog\./);
});
