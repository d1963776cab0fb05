// npm run accuracy: predictions against public vLLM startup logs; prints the table and writes docs/ACCURACY.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinCatalog } from '../server/src/catalog/index';
import { defaultServing, sizeMemory } from '../server/src/engine/memory';
import { GiB, fmtInt } from '../server/src/engine/units';
import { CASES, archOf } from '../test/calibrationCases';
import { perfAccuracyRows } from './perf-accuracy';
import { LATENCY_FIT } from '../server/src/engine/closedLoop';
import { fitTable } from './fit-latency';

const cat = builtinCatalog();
const rows: string[][] = [];
for (const c of CASES) {
  const m = archOf(c);
  const g = cat.resolveGpu(c.gpu)!;
  for (const calibrated of [true, false]) {
    if (calibrated && !c.calibration) continue;
    if (!calibrated && !c.configOnly) continue;
    const s = sizeMemory(m, g, { ...defaultServing(), ...c.serving }, { calibration: calibrated ? c.calibration : null });
    const mode = calibrated ? 'measured terms' : 'config only';
    if (c.expect.kvTokens !== undefined) {
      const err = ((s.kv.capacityTokens - c.expect.kvTokens) / c.expect.kvTokens) * 100;
      rows.push([c.id, mode, 'KV tokens', fmtInt(c.expect.kvTokens), fmtInt(s.kv.capacityTokens), `${err >= 0 ? '+' : ''}${err.toFixed(2)}%`]);
    }
    if (c.expect.availableKvGiB !== undefined) {
      const p = s.memory.kvCacheBytes / GiB;
      const err = ((p - c.expect.availableKvGiB) / c.expect.availableKvGiB) * 100;
      rows.push([c.id, mode, 'KV GiB', c.expect.availableKvGiB.toFixed(2), p.toFixed(2), `${err >= 0 ? '+' : ''}${err.toFixed(2)}%`]);
    }
    if (c.expect.startupOk !== undefined)
      rows.push([
        c.id,
        mode,
        'starts',
        c.expect.startupOk ? 'yes' : 'no',
        s.startup.ok ? 'yes' : 'no',
        s.startup.ok === c.expect.startupOk ? 'match' : 'MISMATCH',
      ]);
  }
}
// Entries whose logs lack the inputs to predict from config (named here so nothing is silently dropped).
const skipped = CASES.filter((c) => !c.configOnly).map((c) => `- ${c.id}: config-only prediction not scored (${c.why}).`);

// Engine II against published single-stream latency and offline throughput (scripts/perf-accuracy.ts).
const perfRows = perfAccuracyRows();
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
const perfSection = perfRows.length
  ? [
      '\n## Performance against published measurements\n',
      'Generated from `test/data/calibration/published_perf.json` where the configuration is reproducible. Goals: within',
      '15% for single-stream decode (TPOT), 25% for maximum throughput.\n',
      '| entry | metric | measured | predicted | error | caveat |',
      '|---|---|---|---|---|---|',
      ...perfRows.map(
        (r) =>
          `| ${r.entry} | ${r.metric} | ${fmt(r.measured)} | ${fmt(r.predicted)} | ${r.error_pct >= 0 ? '+' : ''}${r.error_pct.toFixed(1)}% | ${(r.caveat ?? '').replace(/\|/g, '/')} |`,
      ),
      '',
      'Where the model is off, and why:',
      '- Single-stream TPOT is within 7.5% for Qwen2.5-72B on 2xH100 and 16-17% high for Qwen2.5-7B on an RTX 4090: decode is',
      '  weight-bandwidth-bound and the measured H100 copy efficiency carries over; the 4090 has no operator tables.',
      '- Single-stream TTFT for Qwen2.5-72B is -24% to +76% (the short prompts high: the fitted API cost per request, 38 ms for',
      '  vLLM, is more than those measurements carry). The RTX 4090 rows are 86-105% high because their measured prefill would',
      "  need more FLOP/s than a 4090 has (the rows' hardware label is flagged uncertain in the data).",
      '- Dense offline maximum throughput (TensorRT-LLM) is -3% to +37%: 10 of 13 dense rows within 25%. The second latency fit',
      "  (routed-token and all-to-all costs) gave MoE prefill its own cost, so TensorRT-LLM's prompt scale fell from 0.92 to",
      '  0.73 and dense prompts got cheaper. The closed-loop runs set that scale (fitted TTFT 51.4% -> 43.7%); these offline',
      '  rows disagree: median |error| over all 19 rows 14.7% before, 20.5% now; 14 of 19 within 25% against 15.',
      '- MoE maximum throughput: Qwen3-30B-A3B NVFP4 is +7% and +23% (it was +171% and +73% before the routed-token cost:',
      '  128 experts x top-8 over 48 layers at batch 2048 is 786,432 assignments per step, 14.7 ms at 18.6 ns each, the per-step',
      '  cost the earlier fit could not place), Qwen3-235B-A22B 13-34% low, Llama-4-Maverick 28% high. The model assumes',
      '  uniform routing.',
    ].join('\n')
  : '';

// Latency under load (closed-loop clients) against the vendored measured runs: the fit's own figures
// (server/src/engine/latencyFit.json, written by scripts/fit-latency.ts and rechecked by test/unit/latencyFit.test.ts).
const leftOutRows = Object.entries(LATENCY_FIT.engines).flatMap(([e, f]) =>
  Object.entries(f.left_out.by_model).map(([m, s]) => `| ${e} | ${m} | ${s.rows} | ${s.ttft_median_abs_pct}% | ${s.tpot_median_abs_pct}% |`),
);
// Per engine, the row of the step times it does not ship (latencyFit.json holds the shipped one): datasheet x
// efficiency for all three since the second fit (scripts/fit-latency.ts computes both;
// test/unit/latencyFit.test.ts recomputes these rows).
const OTHER_ROWS: Record<string, string> = {
  sglang: '| sglang | datasheet x efficiency | 35.3% | 14.5% | 37.2% | 19.6% |',
  trtllm: '| trtllm | datasheet x efficiency | 42.1% | 18.4% | 78.6% | 34.1% |',
  vllm: '| vllm | datasheet x efficiency | 23% | 10.3% | 42.4% | 15.9% |',
};
const shippedRow = (e: string, f: (typeof LATENCY_FIT.engines)[string]) =>
  `| ${e} | ${f.operator_utilisation === 'measured' ? 'measured utilisation' : 'datasheet x efficiency'} (shipped) | ${f.fitted.ttft_median_abs_pct}% | ${f.fitted.tpot_median_abs_pct}% | ${f.left_out.ttft_median_abs_pct}% | ${f.left_out.tpot_median_abs_pct}% |`;
const latencySection = [
  '\n## Latency under load against measured serving runs\n',
  'Generated from `server/src/engine/latencyFit.json` (`node --import tsx scripts/fit-latency.ts` fits it on',
  '`test/data/calibration/silicon/silicon_train.csv`: aggregated runs of fixed concurrency 1-8192, ISL/OSL 1k-8k, whose model',
  'and GPU the catalog sizes). Each run becomes a native plan (model, GPU, count, engine, version, tp, dp, expert parallel,',
  'quantization, max_model_len, workload {input_tokens, output_tokens, concurrency}) and goes through the real pipeline.',
  'Per engine, a handful of step costs are fitted across all its models (never per model): a scale on the roofline decode',
  'and prompt times, per step, per layer per step, per request per step, per request on the API side, per output token,',
  'per token routed to an expert (top-k assignments per MoE layer a GPU handles: router, permutation and grouped-GEMM',
  'set-up the roofline does not price), per expert-parallel all-to-all (their synchronisation and kernel latency beyond',
  'the bytes), and the weight of the first wave in a run\'s mean TTFT. Median |error|; "left out" fits without one architecture and',
  'scores it, for each architecture in turn (pooled). Bands in the report are the p10-p90 of measured / predicted.\n',
  ...fitTable(LATENCY_FIT),
  '',
  '| engine | architecture left out | rows | TTFT | TPOT |',
  '|---|---|---|---|---|',
  ...leftOutRows,
  '',
  'Where the model is off, and why:',
  "- TTFT is the weak half (19-44% fitted): the runs' mean TTFT mixes the first wave (all clients at once) with the",
  '  steady state in a proportion the data does not state (the fitted first-wave weight stands for it), and clients beyond',
  '  the KV-limited slots wait in a queue whose length depends on preemption the model does not simulate.',
  '- Repeated runs: pairs of distinct measurements of one configuration (same model, GPU, precision, lengths, clients, tp,',
  '  dp, ep) differ by a median 3.9% in TTFT and 0.9% in TPOT for vLLM (264 pairs), but 22.9% and 53.1% for TensorRT-LLM',
  '  (74 pairs; DeepSeek-R1 FP8 on 8 B200, 8k/1k, 8 clients: TPOT 12.1 ms on 1.2.0rc6.post2, 7.5 ms on post3 a week',
  '  later). Something the rows do not state changes between those runs, which bounds what any fit on these plan fields',
  '  reaches for TensorRT-LLM.',
  '- Tensor parallelism across nodes (tp 16-72 on 8-GPU B200 nodes) is priced as NVLink: those runs are slower than',
  '  predicted at high concurrency.',
  "- TensorRT-LLM's rows are mostly DeepSeek with attention data parallelism and wide expert parallelism; its fit transfers",
  '  worst to the dense Llama-3.1-70B when that is left out.',
  '- Disaggregated runs (prefill and decode pools) are not fitted yet.',
  '',
  'Measured operator utilisation in the step time (issue 12 item 3; `server/src/engine/stepUtilisation.ts`, behind',
  "`perfModelOf`, per engine as latencyFit.json `operator_utilisation` says): on the GPUs with aiconfigurator's tables",
  '(`operatorTables.json`; of the runs above H100-SXM, H200-SXM, B200 and GB200: 2,540 of the 2,795 aggregated runs;',
  "B300 has none and keeps datasheet x efficiency), each operator's compute side runs at the datasheet peak x the",
  "utilisation measured at the step's shapes (GEMMs by tokens and the local weight shape, decode attention by batch x",
  'context, prefill attention by chunk length, MoE grouped GEMM by tokens per expert, tp all-reduce by message bytes and',
  'GPU count) and the memory side keeps datasheet bandwidth x eta. Refitted and scored the same way',
  '(`node --import tsx scripts/fit-latency.ts` fits both and ships, per engine, measured utilisation when its left-out',
  'TTFT is lower and its left-out TPOT at most one point higher; run 2026-12-02, second fit):',
  '',
  '| engine | step times | TTFT fitted | TPOT fitted | TTFT left out | TPOT left out |',
  '|---|---|---|---|---|---|',
  ...Object.entries(LATENCY_FIT.engines).flatMap(([e, f]) => {
    const other = OTHER_ROWS[e] ?? `| ${e} | other step times | n/a | n/a | n/a | n/a |`;
    return f.operator_utilisation === 'measured' ? [other, shippedRow(e, f)] : [shippedRow(e, f), other];
  }),
  '',
  'Measured utilisation is better on every left-out figure of every engine, so all three ship it; a GPU without tables',
  "(B300, GB300, A100-PCIe, ...) runs datasheet x efficiency under the engine's fit, as those rows did in the fit. The",
  "first fit (2026-12-02, without the routed-token and all-to-all costs and with vLLM's 8192-token budget applied to",
  'SGLang instead of its own chunked_prefill_size, 16384 on B200) shipped measured utilisation for TensorRT-LLM only, at',
  'left-out TTFT / TPOT 37% / 17.6% (SGLang), 75.7% / 32.5% (TensorRT-LLM) and 37.7% / 16.5% (vLLM). MoE prefill was the',
  'gap: with one prompt scale per engine, the scale stood for both dense GEMMs and the routed experts, so the dense',
  "Llama-3.1-70B left out of vLLM's fit was 2.7x too slow (TTFT +167%) and the MoE models too fast. The cost per routed",
  "token (vLLM 13 ns per assignment, 6.5 us per token for MiniMax-M2.5's 62 layers x top-8 at tp 2) takes the MoE",
  'share, and left-out Llama-3.1-70B TTFT is now 39.7% (vLLM). The all-to-all cost (vLLM 53 us, TensorRT-LLM 66 us',
  "each) brings vLLM's attention-data-parallel runs (tp x dp 2x2 and 4x4 with expert parallelism) from a median TPOT",
  '31-37% too fast to 10% too fast and 6% too slow; their TTFT stays 33-44% too fast. Variants measured during the first',
  'fit (left-out TTFT / TPOT for SGLang, TensorRT-LLM, vLLM; the first three also left out of the launch floor the',
  'five kernels per layer the tables time):',
  '- the whole roofline (compute and memory side) divided by the utilisation, fp8_block rows for block-scaled FP8:',
  '  45.8/25.1, 74.9/55.1, 40.0/41.7. At',
  '  decode sizes the tables put small GEMMs and MoE at a few percent of the bandwidth roofline (launch- and',
  '  latency-bound kernels timed alone), which made decode 2-5x too slow (fitted decode scales 0.19-0.33);',
  "- memory side at datasheet x eta, block-scaled FP8 checkpoints on the tables' fp8_block rows (0.005-0.18 of roofline",
  '  at m <= 1024 against 0.06-0.48 for per-tensor fp8 on the same shapes): 37.2/18.4, 72.4/30.2, 34.5/20.1. Since',
  '  then block-scaled FP8 reads the per-tensor fp8 rows;',
  '- the option as it then was, but with the floor cut: 35.9/18.0, 75.8/32.0, 38.0/15.8, within the rule, but the fit',
  '  put ~24 us per layer back as its per-layer cost (5 kernels x 5 us), and that cost also lands on GPUs without',
  '  tables: the RTX 4090 single-stream TPOT above went from 16.5% to 23.9% high. The floor stays as it is.',
  '',
  'An event-driven simulation of the schedulers (`server/src/engine/closedLoopSim.ts`: every step of C closed-loop',
  'clients under the token budget, FCFS admission into the request slots, prompt chunks beside or instead of the decodes,',
  'requests sent when their predecessor ends; still linear in the same coefficients) was fitted and scored the same way',
  '(`node --import tsx scripts/fit-latency.ts --sim`, run 2026-12-02, second fit) on the same datasheet x efficiency step',
  'times as the analytic scheduler of the first table:',
  '',
  '| engine | TTFT fitted | TPOT fitted | TTFT left out | TPOT left out | first-wave weight |',
  '|---|---|---|---|---|---|',
  '| sglang | 35.5% | 14.3% | 37.6% | 19.8% | 0.4 |',
  '| trtllm | 42.7% | 18.8% | 79.4% | 33.8% | 0.2 |',
  '| vllm | 22.3% | 10.4% | 42.1% | 15.4% | 0.2 |',
  '',
  'Within a point of the analytic model everywhere, and worse on left-out TTFT for SGLang (+0.4) and TensorRT-LLM (+0.8),',
  'so the engine keeps the analytic scheduler. The simulation reproduces it because both describe the same steady state;',
  'what is left is per architecture and per run, not scheduling. A simulation that starts every client together and',
  'keeps identical requests in lock-step (the',
  'literal deterministic schedule) fitted worse on TTFT: groups of prompts sent together stay together, so TTFT would grow',
  'with the clients far faster than measured (Llama-3.1-70B FP8 on one B200, 1k/1k: 122 ms at 4 clients, 385 ms at 64).',
].join('\n');

// Figures the prose below quotes, computed here so they cannot go stale.
const sized = (id: string) => {
  const c = CASES.find((x) => x.id === id)!;
  return sizeMemory(archOf(c), cat.resolveGpu(c.gpu)!, { ...defaultServing(), ...c.serving });
};
const gib = (b: number) => (b / GiB).toFixed(2);
const llmd = sized('llmd-787-qwen3-32b-tp2-h100-sampler-oom');
const mllama = sized('vllm-pr12126-h100-llama32-11b-vision');
const ray = sized('ray-docs-l4-qwen25-vl-3b-v1');
// gpt-oss-120b on one H100: activation + non-torch the logs imply (budget - "Model loading took" 65.97 GiB of vllm#23278 -
// "Available KV cache memory"), against the engine's, at each log's settings and version.
const gptOss = cat.resolveModel('openai/gpt-oss-120b')!.arch;
const h100 = cat.resolveGpu('H100')!;
const impliedRows = (
  [
    ['vllm#23278 (~0.10.1, util 0.9)', { engineVersion: '0.10.1' }, 79.19 * 0.9 - 65.97 + 2.14],
    [
      'vllm#27508 (~0.11, util 0.95, max_num_batched_tokens 1024)',
      { engineVersion: '0.11.0', gpuMemoryUtilization: 0.95, maxNumBatchedTokens: 1024 },
      79.19 * 0.95 - 65.97 - 1.71,
    ],
  ] as const
).map(([label, sv, implied]) => {
  const s = sizeMemory(gptOss, h100, { ...defaultServing(), ...sv });
  const both = (s.memory.activationPeakBytes + s.memory.nonTorchBytes) / GiB;
  const hi = (s.bands.activationPeakBytes[1] + s.memory.nonTorchBytes) / GiB;
  return `| ${label} | ${implied.toFixed(2)} | ${both.toFixed(2)} (sampler path: ${s.behaviour?.samplerPath}; other path ${hi.toFixed(2)}) |`;
});

const table = ['| log entry | mode | metric | measured | predicted | error |', '|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
  '\n',
);
const md = `# Accuracy against public vLLM startup logs

Generated by \`npm run accuracy\` from \`test/data/calibration/vllm_startup_logs.json\` (cases in
\`test/calibrationCases.ts\`). "measured terms" feeds the terms the log printed (weights, activation peak,
non-torch, available KV) into the block arithmetic; "config only" predicts everything from \`config.json\`,
the GPU and the serving flags.

${table}

Not scored from config alone:
${skipped.join('\n')}

Known misses, honestly:
- gpt-oss-120b on one H100 (vllm#23278, #27508): the logs imply 7.4-7.6 GiB of activation + non-torch memory. The
  profile's dummy sampler over 1024 requests x 201,088 vocab explains most of it on the torch.sort path (30 bytes per
  logit: 5.8 GiB), which is also why the extra memory does not shrink with max_num_batched_tokens 1024; about 1.3-1.4 GiB
  stays unexplained in both logs (the MXFP4 weight processing is the likely cause). From the config alone #27508 is
  predicted to fail at the sampler warm-up rather than at the max-model-len check vLLM printed; with the log's
  "Available KV cache memory" the failure and its message are reproduced.
- DeepSeek-Coder-V2 on 8xH100 (vllm PR 4650) and Llama-3.1-405B-FP8 on 8xH100 (vllm#6746) printed far fewer KV
  tokens than the engine predicts for their era; utilization and version are not in the excerpts, so they are
  not scored.

## Activation peak by vLLM era

V1's profile (gpu_model_runner.profile_run) runs the forward over max_num_batched_tokens, frees it, then the dummy sampler
over min(max_num_seqs, max_num_batched_tokens) requests x the vocabulary with top_k = vocab - 1 and top_p 0.9: the peak is
the larger of the two phases. The sampler holds 30 bytes per logit on the torch.sort path (model-dtype and float32 logits,
sorted values and int64 indices, and the sort's scratch: the 1.74 GiB allocation that failed in vllm#15105) and 14 on
FlashInfer's, which does not sort. Default path: FlashInfer where it is installed before 0.11 (vllm PR #11394; images ship
it), the sort from 0.11 (PR #26859 disabled FlashInfer's sampler by default; 0.11.0 itself is uncertain) until 0.20
(PR #40376 enabled it again; first release uncertain). The other path bounds the activation band. V0 keeps its sum of the
forward and two float32 logits copies, which reproduces vllm#10517's measured 2.99 GiB. The post-allocation warm-up check
uses the same path. SGLang and TensorRT-LLM keep the earlier generic estimate.

| log (gpt-oss-120b, one H100) | activation + non-torch implied, GiB | predicted, GiB |
|---|---|---|
${impliedRows.join('\n')}

## Multi-GPU, multimodal and quantized (issue 13)

Logs in \`test/data/calibration/vllm_startup_logs_2.json\`; the rows above whose ids start with \`vllm-pr12126\`, \`llmd-787\` and \`ray-docs\`.
- Multi-GPU: from vLLM 0.11 on NVLink GPUs, non-torch memory at tp > 1 is 1.96 + 0.0625 x tp GiB (2.06-2.21 GiB at tp 2-4,
  the 0.19 measurements issue 13 cites; those logs are not in this repository, so this term has no held-out check here).
  Qwen3-32B at tp 2 on H100 (llm-d#787, 0.11.0): the config-only KV is ${gib(llmd.memory.kvCacheBytes)} GiB against the ${'41.87'} GiB per worker
  the issue's timeline states, with ${gib(llmd.memory.activationPeakBytes)} GiB of activation (the sort over 1024 x 151,936 logits) and
  ${gib(llmd.memory.nonTorchBytes)} GiB of non-torch. The two cannot both hold: 41.87 GiB leaves 2.84 GiB for both terms, so either
  0.11.0 did not yet profile the communication buffers (then the KV error is -4.7%) or its sampler did not sort; the sort is
  kept because the sampler warm-up after the KV allocation failed, which FlashInfer's 2.03 GiB would not (3.44 GiB free
  with the favourable CUDA context and graphs): the config-only verdict is that refusal, with vLLM's message.
- Multimodal: Llama-3.2-11B-Vision (vllm PR 12126) reads from its nested \`text_config\`; weights with the vision tower
  are 19.91 GiB against 19.86 logged (+0.3%; 18.2 GiB without the tower) and the KV bytes per token are exact. V0's
  encoder-decoder profile (enc_dec_model_runner.profile_run) gives every one of max_num_seqs dummy sequences
  limit_mm_per_prompt images at the maximum tile count; engine/mmProfile.ts counts, per image of T padded tokens
  (tiles x ceil8(patches + 1)), two float32 pixel copies, Mllama's dense T x T attention mask and one ViT layer's working
  set T x (4 h + 2 f / tp) in the model dtype, no fitted coefficient: ${gib(mllama.memory.activationPeakBytes)} GiB against the logged 36.63
  (+${((mllama.memory.activationPeakBytes / GiB / 36.63 - 1) * 100).toFixed(1)}%), so the entry is scored config-only above. Uncertain: later ViT layers of the same code also keep the 5 intermediate
  states Mllama concatenates (5 h per token more), which the measurement does not show. \`limit_mm_per_prompt\` is read
  (\`{"image": 0}\` skips the vision pass).
- Multimodal on V1 (engine/mmProfile.ts v1Profile, sources in docs/VLLM-MEMORY.md): encoder budget = max(max_num_batched_tokens,
  tokens per item), items = max(1, min(budget // tokens, max_num_seqs x limit_mm_per_prompt)), all encoded in one batch,
  the outputs held in the encoder cache through the text forward (the \`encoder_cache\` term). Tokens per item from the
  config: Qwen2/2.5-VL 16384 at max_pixels 12845056 (the budget vLLM logs for them), Gemma-3 mm_tokens_per_image, LLaVA
  (image/patch)^2. Checked by hand in test/unit/mmProfileV1.test.ts (Qwen2.5-VL-7B at 8192 tokens: 1 item, 2.31 GiB vision
  peak, 112 MiB encoder cache; Gemma-3-4B: 32 items). One public V1 startup log of a vision model states everything but
  gpu_memory_utilization (Ray's docs, Qwen2.5-VL-3B-Instruct on an L4, 0.11.0, row \`ray-docs-l4-qwen25-vl-3b-v1\` above):
  with its available KV the block arithmetic and the 36,864 KV bytes per token are exact, and its encoder budget (16384
  tokens, one image) is the one engine/mmProfile.ts computes. At the likely default 0.9 the config-only KV would be
  ${gib(ray.memory.kvCacheBytes)} GiB against the logged 9.26 (weights ${gib(ray.memory.weightsBytes)} against 7.155 GiB; activation and
  non-torch ${gib(ray.memory.activationPeakBytes + ray.memory.nonTorchBytes)} GiB against the 3.42 GiB the log leaves, 0.9 x 22.04 - 7.155 - 9.26); it is not scored while the
  utilization is unknown. Llama-4, Pixtral/Mistral-3, LLaVA-NeXT and Qwen3-VL profiles are estimates (band 0.8-1.35).
- Quantized: a \`quantization:\` the checkpoint does not carry is a startup error with vLLM's message
  (\`quantization-mismatch\`); no public log with per-method weight bytes was added in this round.
${perfSection}
${latencySection}
`;
const out = path.resolve(__dirname, '..', 'docs', 'ACCURACY.md');
fs.mkdirSync(path.dirname(out), { recursive: true });
// The "Real-world files" section is npm run real-world's (scripts/real-world.ts): carried over, not regenerated here.
const prev = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
const realWorld = /<!-- real-world:begin -->[\s\S]*?<!-- real-world:end -->/.exec(prev)?.[0];
fs.writeFileSync(out, realWorld ? `${md.replace(/\n*$/, '\n')}\n${realWorld}\n` : md);
const w = [44, 15, 10, 12, 12, 10];
for (const r of [['entry', 'mode', 'metric', 'measured', 'predicted', 'error'], ...rows]) console.log(r.map((x, i) => x.padEnd(w[i])).join(' '));
console.log('\nLatency under load (median |error|, fitted and on architectures left out):');
for (const l of fitTable(LATENCY_FIT)) console.log(l);
console.log(`\nwritten ${path.relative(process.cwd(), out)}`);
