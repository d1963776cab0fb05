// Hover: the deployment at a glance on the model / plan name (the details are in the report), the GPU's roofline numbers, and each serving key's
// meaning, effective value and effect. Every number carries its one-line formula.
import { MarkupKind } from 'vscode-languageserver';
import type { Hover, Position } from 'vscode-languageserver';
import type { DeploymentAnalysis } from '../../analysis/analysis';
import type { Catalog } from '../../catalog/index';
import { fmtGiB, fmtInt, fmtParams } from '../../engine/units';
import type { GpuSpec } from '../../engine/hardware';
import { effectiveValue } from '../../formats/servingKeys';
import { describeKey } from '../../analysis/schemaValidation';
import type { CacheEntry } from '../languageService';
import { fieldAt } from '../../analysis/locate';
import { concurrencyOf, verdictOf, verdictText } from '../../analysis/verdict';

export function hover(entry: CacheEntry, pos: Position, _catalog: Catalog): Hover | null {
  const hit = fieldAt(entry.analysis.deployments, pos);
  if (!hit) return null;
  const a = hit.analysis;
  // Analyses are immutable per version, so a hover's markdown is built once and then only looked up.
  let perDeployment = rendered.get(a);
  if (!perDeployment) rendered.set(a, (perDeployment = new Map()));
  let md = perDeployment.get(hit.path);
  if (md === undefined) {
    md = render(a, hit.path);
    perDeployment.set(hit.path, md);
  }
  if (!md) return null;
  return { contents: { kind: MarkupKind.Markdown, value: md }, range: hit.range };
}

const rendered = new WeakMap<DeploymentAnalysis, Map<string, string | null>>();

function render(a: DeploymentAnalysis, path: string): string | null {
  let md: string | null = null;
  if (path === 'model' || path === 'metadata.name' || path === 'name') md = sizingMarkdown(a);
  else if (path === 'hardware.gpu') md = a.gpu ? gpuMarkdown(a.gpu, a) : null;
  else if (path.startsWith('serving.')) md = servingKeyMarkdown(a, path.slice('serving.'.length));
  return md;
}

const gib = (b: number) => fmtGiB(b);

/**
 * The deployment at a glance, a few lines: model and verdict, parameters and GPUs, weights per GPU and KV tokens,
 * concurrency and latency, and an "Open report" link. The long tables (memory terms with their formulas and bands,
 * the KV arithmetic, the lines vLLM should print, the performance figures) are in the report.
 */
export function sizingMarkdown(a: DeploymentAnalysis): string {
  const d = a.deployment;
  const s = a.sizing;
  const out: string[] = [];
  const modelId = a.model?.id ?? (d.model?.kind === 'id' ? d.model.id : d.model?.kind === 'path' ? d.model.path : 'no model');
  const v = verdictOf(a);
  out.push(`**${d.name}** · \`${modelId}\` · ${verdictText(v)}`);
  if (s && a.gpu) {
    const sv = s.serving;
    const gpus = sv.tp * sv.pp * sv.dp;
    out.push(
      '',
      `${fmtParams(s.params.total)} parameters${s.params.active < s.params.total ? ` (${fmtParams(s.params.active)} active)` : ''} · ${gpus} x ${a.gpu.name}${d.gpuOrigin === 'default' ? ' (the llmSizer.defaultGpu setting)' : ''} · tp ${sv.tp}, pp ${sv.pp}, dp ${sv.dp}`,
    );
    const c = concurrencyOf(a);
    const hyp = v.hypothetical ? ' (hypothetical)' : '';
    out.push(
      '',
      `Weights ${gib(s.memory.weightsBytes)} per GPU of a ${gib(s.memory.requestedBytes)} budget · KV cache ${fmtInt(s.kv.capacityTokens)} tokens${hyp}`,
    );
    const p = a.performance?.performance;
    const parts: string[] = [];
    if (c)
      parts.push(
        `${fmtInt(c.running)} requests of ${fmtInt(c.workload_tokens)} tokens at once`,
        `${c.at_max_model_len.toFixed(2)}x at max_model_len ${fmtInt(c.max_model_len)}`,
      );
    if (p && num(p.ttft_ms) !== null && num(p.tpot_ms) !== null) parts.push(`TTFT ${p.ttft_ms.toFixed(0)} ms, TPOT ${p.tpot_ms.toFixed(1)} ms`);
    if (parts.length) out.push('', parts.join(' · ') + hyp);
  } else {
    const u = d.unresolved ?? [];
    // Values the file states but does not resolve: the reason nothing is sized, said here as in value-unresolved.
    if (u.length)
      out.push(
        '',
        'Not sized: unknown until run time:',
        ...u.map((x) => `- \`${x.text.replace(/`/g, "'")}\` (${x.path.replace(/^serving\./, '')}): ${x.reason}`),
      );
    else if (a.notSizedReason && !v.reason) out.push('', `Not sized: ${a.notSizedReason}.`);
  }
  // A command link the client trusts (clientOptions.markdown.isTrusted lists this command only).
  out.push('', '[Open report](command:llmSizer.showReport "Open the sizing report: memory terms with formulas, KV arithmetic, predicted vLLM log, charts")');
  return out.join('\n');
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function gpuMarkdown(g: GpuSpec, a?: DeploymentAnalysis): string {
  const dtype = a?.sizing?.serving.dtype === 'float16' ? 'fp16' : 'bf16';
  const peak = g.flopsDense[dtype] ?? g.flopsDense.bf16 ?? g.flopsDense.fp16 ?? null;
  const fmtFlops = (f: number | null | undefined) => (f ? `${(f / 1e12).toFixed(0)} TFLOP/s` : '—');
  const out = [
    `**${g.name}** (\`${g.id}\`)${a?.deployment.gpuOrigin === 'default' ? ' — from the llmSizer.defaultGpu setting: the file names no GPU' : ''}`,
    '',
    '| | value | note |',
    '|---|---:|---|',
    `| memory | ${gib(g.memoryBytes)} | as the driver reports it (vLLM's total_gpu_memory) |`,
    `| bandwidth | ${(g.memoryBandwidth / 1e12).toFixed(2)} TB/s | achievable ≈ ${(g.efficiency.memory * 100).toFixed(0)}% |`,
    `| dense bf16 | ${fmtFlops(g.flopsDense.bf16)} | achievable ≈ ${(g.efficiency.compute * 100).toFixed(0)}% |`,
    `| dense fp8 | ${fmtFlops(g.flopsDense.fp8)} | |`,
    `| ridge point | ${peak ? `${(peak / g.memoryBandwidth).toFixed(0)} FLOP/B` : '—'} | peak ${dtype} FLOP/s ÷ bandwidth: decode below it is memory-bound |`,
    `| interconnect | ${g.interconnect.kind}${g.interconnect.bandwidth ? ` ${(g.interconnect.bandwidth / 1e9).toFixed(0)} GB/s` : ''} | |`,
    `| price | $${(a?.gpuHourUsd ?? g.priceUsdPerHour).toFixed(2)}/GPU-hour | llmSizer.gpuPrices or cost.gpu_hour_usd override |`,
  ];
  if (g.computeCapability) out.push('', `Compute capability ${g.computeCapability}, ${g.architecture}.`);
  return out.join('\n');
}

function effectOf(key: string, a: DeploymentAnalysis): string | null {
  const s = a.sizing;
  if (!s) return null;
  const m = s.memory;
  const k = s.kv;
  switch (key) {
    case 'tensor_parallel_size':
      return `Shards weights and KV heads over ${s.serving.tp} GPUs: weights ${gib(m.weightsBytes)} per GPU, KV ${fmtInt(k.bytesPerTokenPerGpu)} B/token per GPU.`;
    case 'pipeline_parallel_size':
      return `Splits the layers over ${s.serving.pp} stages; the stage with the fewest KV blocks sets the capacity.`;
    case 'data_parallel_size':
      return `${s.serving.dp} independent engine copies; capacity and throughput multiply, memory per GPU does not change.`;
    case 'max_model_len':
      return `One request may hold ${fmtInt(s.serving.maxModelLen)} tokens = ${k.blocksPerRequest} blocks (${gib(k.bytesPerRequest)}); max concurrency ${k.maxConcurrency.toFixed(2)}x.`;
    case 'gpu_memory_utilization':
      return `vLLM's budget = ${gib(m.totalBytes)} x ${s.serving.gpuMemoryUtilization} = ${gib(m.requestedBytes)}; what weights, activations and runtime leave is KV cache: ${gib(m.kvCacheBytes)}.`;
    case 'kv_cache_dtype':
      return `${s.serving.kvElementBytes} byte(s) per KV element: ${fmtInt(k.bytesPerToken)} B/token, ${fmtInt(k.capacityTokens)} tokens of capacity.`;
    case 'max_num_seqs':
      return `At most ${s.serving.maxNumSeqs} requests run at once; the KV cache holds ${k.maxConcurrency.toFixed(2)} at full max_model_len. Also sizes the sampler's logits in the activation peak (${gib(m.activationPeakBytes)}).`;
    case 'max_num_batched_tokens':
      return `The profiling forward pass runs ${fmtInt(s.serving.maxNumBatchedTokens)} tokens: activation peak ${gib(m.activationPeakBytes)}.`;
    case 'block_size':
      return `KV is allocated in blocks of ${k.blockSize} tokens (${fmtInt(k.bytesPerBlock)} B each): ${fmtInt(k.numBlocks)} blocks.`;
    case 'enforce_eager':
      return s.serving.enforceEager
        ? 'No CUDA graphs: their memory is 0, decode is slower.'
        : `CUDA graphs take about ${gib(m.cudagraphBytes)} ${m.cudagraphInBudget ? 'inside' : 'outside'} the budget.`;
    case 'dtype':
    case 'quantization':
      return `Weights ${gib(m.weightsBytes)} per GPU (${fmtParams(s.params.total)} parameters).`;
    default:
      return null;
  }
}

export function servingKeyMarkdown(a: DeploymentAnalysis, rawKey: string): string | null {
  const key = rawKey.replace(/-/g, '_');
  const doc = describeKey('deployment', ['serving', key]);
  const out: string[] = [`**${rawKey}**${a.deployment.format === 'vllm-config' ? ` (\`--${key.replace(/_/g, '-')}\`)` : ''}`];
  if (doc?.description) out.push('', doc.description);
  else if (a.deployment.format === 'vllm-config') out.push('', 'A vLLM option that does not change the sizing.');
  const s = a.sizing;
  // A Map lookup: a key such as `__proto__` or `constructor` never reaches Object.prototype.
  const eff = s ? effectiveValue(key, s.serving) : undefined;
  if (eff !== undefined) {
    const defaulted = s && Object.hasOwn(s.serving.defaulted, key) ? s.serving.defaulted[key] : undefined;
    out.push('', `Effective value: \`${JSON.stringify(eff)}\`${defaulted ? ` — defaulted: ${defaulted}` : ''}.`);
  }
  const effect = effectOf(key, a);
  if (effect) out.push('', effect);
  if (doc?.enum) out.push('', `Allowed: ${doc.enum.map((e) => `\`${JSON.stringify(e)}\``).join(', ')}.`);
  return out.length > 1 ? out.join('\n') : null;
}
