// The sizing report: the JSON contract of `llm-sizer report --json` and its readable text form.
import type { DeploymentAnalysis, FileAnalysis } from '../analysis/analysis';
import type { Diagnostic } from '../formats/types';
import { fmtGiB, fmtInt, fmtParams, round } from '../engine/units';
import type { DeploymentReport, DiagnosticReport, FileReport } from './reportTypes';
import { assumptionsOf, concurrencyOf, verdictOf, verdictText } from '../analysis/verdict';

/** Replaces NaN and Infinity by null so they never reach JSON output. */
export function finiteJson<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

export function deploymentJson(a: DeploymentAnalysis): DeploymentReport {
  const d = a.deployment;
  const s = a.sizing;
  const sv = s?.serving;
  const base = {
    name: d.name,
    format: d.format,
    model: a.model
      ? {
          id: a.model.id,
          params_total: s ? Math.round(s.params.total) : null,
          params_active: s ? Math.round(s.params.active) : null,
          params_by_component: s ? Object.fromEntries(Object.entries(s.params.byComponent).map(([k, v]) => [k, Math.round(v)])) : null,
          source: a.model.entry?.source ?? a.model.source,
        }
      : { id: d.model?.kind === 'id' ? d.model.id : d.model?.kind === 'path' ? d.model.path : null, params_total: null, params_active: null },
    gpu: a.gpu
      ? { id: a.gpu.id, name: a.gpu.name, memory_bytes: a.gpu.memoryBytes, count: d.gpuCount ?? (sv ? sv.tp * sv.pp * sv.dp : null), origin: d.gpuOrigin }
      : { id: d.gpu, memory_bytes: null, count: d.gpuCount },
    parallelism: sv ? { tp: sv.tp, pp: sv.pp, dp: sv.dp, ep: sv.ep } : null,
    not_sized_reason: s ? null : (a.notSizedReason ?? null),
    verdict: verdictOf(a),
    assumptions: assumptionsOf(a),
    concurrency: concurrencyOf(a),
    line: (d.ranges.document ?? d.ranges.name ?? d.ranges.model)?.start.line ?? 0,
  };
  if (!s || !sv) return { ...base, memory_per_gpu: null, kv_cache: null, startup: null, bands: null, notes: d.notes };
  const m = s.memory;
  return {
    ...base,
    engine: { name: sv.engine, version: sv.engineVersion, v1: sv.v1 },
    serving: {
      max_model_len: sv.maxModelLen,
      gpu_memory_utilization: sv.gpuMemoryUtilization,
      max_num_seqs: sv.maxNumSeqs,
      max_num_batched_tokens: sv.maxNumBatchedTokens,
      block_size: sv.blockSize,
      dtype: sv.dtype,
      quantization: sv.quantization,
      kv_cache_dtype: sv.kvCacheDtype,
      enforce_eager: sv.enforceEager,
      defaulted: sv.defaulted,
    },
    memory_per_gpu: {
      total_bytes: Math.round(m.totalBytes),
      requested_bytes: Math.round(m.requestedBytes),
      weights_bytes: Math.round(m.weightsBytes),
      activation_peak_bytes: Math.round(m.activationPeakBytes),
      non_torch_bytes: Math.round(m.nonTorchBytes),
      cudagraph_bytes: Math.round(m.cudagraphBytes),
      cudagraph_in_budget: m.cudagraphInBudget,
      kv_cache_bytes: Math.round(m.kvCacheBytes),
      weights_by_component: Object.fromEntries(Object.entries(s.ranks[s.limitingRank].byComponent).map(([k, v]) => [k, Math.round(v)])),
    },
    kv_cache: {
      bytes_per_token: s.kv.bytesPerToken,
      bytes_per_token_per_gpu: s.kv.bytesPerTokenPerGpu,
      block_size: s.kv.blockSize,
      page_bytes: s.kv.pageBytes,
      num_blocks: s.kv.numBlocks,
      capacity_tokens: s.kv.capacityTokens,
      max_concurrency: round(s.kv.maxConcurrency, 2),
      blocks_per_request: s.kv.blocksPerRequest,
      kv_heads_per_gpu: s.kv.kvHeadsPerGpu,
      kv_heads_replicated: s.kv.kvHeadsReplicated,
    },
    startup: {
      ok: s.startup.ok,
      error: s.startup.error,
      estimated_max_model_len: s.startup.estimatedMaxModelLen,
      findings: s.startup.findings.map((f) => ({ kind: f.kind, phase: f.phase, error: f.error })),
    },
    extras: {
      lora_bytes: Math.round(s.extras.loraBytes),
      lora: s.extras.lora,
      draft: s.extras.draft
        ? {
            method: s.extras.draft.method,
            weights_bytes: s.extras.draft.weightsBytes === null ? null : Math.round(s.extras.draft.weightsBytes),
            kv_layers: s.extras.draft.kvLayers,
            formula: s.extras.draft.formula,
          }
        : null,
      cpu_offload_bytes: Math.round(s.extras.cpuOffloadBytes),
      kv_cache_memory_bytes: s.extras.kvCacheMemoryBytes,
      host_ram_bytes: Math.round(s.extras.hostRam.bytes),
      host_ram_parts: s.extras.hostRam.parts.map((p) => ({ label: p.label, bytes: Math.round(p.bytes) })),
      unknowns: s.extras.unknowns,
    },
    bands: {
      activation_peak_bytes: s.bands.activationPeakBytes.map(Math.round),
      non_torch_bytes: s.bands.nonTorchBytes.map(Math.round),
      cudagraph_bytes: s.bands.cudagraphBytes.map(Math.round),
      kv_cache_bytes: s.bands.kvCacheBytes.map(Math.round),
      num_blocks: s.bands.numBlocks,
      capacity_tokens: s.bands.capacityTokens,
      max_concurrency: s.bands.maxConcurrency.map((x) => round(x, 2)),
    },
    memory_terms: s.terms.map((t) => ({
      key: t.key,
      label: t.label,
      bytes: Math.round(t.bytes),
      band: t.band ? [Math.round(t.band[0]), Math.round(t.band[1])] : null,
      formula: t.formula,
      source: t.source,
    })),
    predicted_log_lines: predictedLogLines(a),
    calibrated: s.calibrated,
    ...(a.performance ? { ...a.performance, cost: { ...a.performance.cost, price_source: priceSource(a) } } : {}),
    notes: d.notes,
  };
}

/** Where the price came from, in words (the engine only sees the number, so it cannot tell the file's from the catalog's). */
function priceSource(a: DeploymentAnalysis): string {
  const p = assumptionsOf(a).find((x) => x.what === 'price');
  if (!p) return a.performance?.cost.price_source ?? 'unknown';
  if (p.stated) return 'plan';
  return a.gpuHourUsd > 0 ? (a.gpuHourUsd === a.gpu?.priceUsdPerHour ? `catalog (${a.gpu.id})` : 'setting llmSizer.gpuPrices') : 'unknown: costs are 0';
}

export function diagnosticJson(d: Diagnostic): DiagnosticReport {
  return { code: d.code, severity: d.severity, message: d.message, range: d.range, ...(d.data ? { data: d.data } : {}) };
}

export function reportJson(file: string, f: FileAnalysis): FileReport {
  return finiteJson({ file, deployments: f.deployments.map(deploymentJson), diagnostics: f.diagnostics.map(diagnosticJson) });
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function bandText(b: [number, number]): string {
  return `${fmtGiB(b[0])} to ${fmtGiB(b[1])}`;
}

/** The vLLM lines this configuration should print at startup, in that version's format. */
export function predictedLogLines(a: DeploymentAnalysis): string[] {
  const s = a.sizing;
  if (!s) return [];
  const sv = s.serving;
  const lines: string[] = [];
  if (sv.engine !== 'vllm') return lines;
  if (sv.v1) {
    lines.push(`Available KV cache memory: ${(s.memory.kvCacheBytes / 1024 ** 3).toFixed(2)} GiB`);
    if (s.startup.ok) {
      lines.push(`GPU KV cache size: ${fmtInt(s.kv.capacityTokens)} tokens`);
      lines.push(`Maximum concurrency for ${fmtInt(sv.maxModelLen)} tokens per request: ${s.kv.maxConcurrency.toFixed(2)}x`);
    }
  } else {
    lines.push(`# GPU blocks: ${s.kv.numBlocks}`);
    lines.push(`Maximum concurrency for ${sv.maxModelLen} tokens per request: ${s.kv.maxConcurrency.toFixed(2)}x`);
  }
  if (s.startup.error) lines.push(`ERROR: ${s.startup.error}`);
  return lines;
}

export function deploymentText(a: DeploymentAnalysis): string {
  const d = a.deployment;
  const s = a.sizing;
  const out: string[] = [];
  out.push(`== ${d.name}  (${d.format})`);
  const v = verdictOf(a);
  out.push(`   verdict ${verdictText(v)}`);
  const assumed = assumptionsOf(a).filter((x) => !x.stated);
  for (const x of assumed) out.push(`   assumed ${x.label}: ${x.value} (${x.how})`);
  if (!s || !a.model || !a.gpu) {
    out.push(`   not sized: ${a.notSizedReason ?? 'see diagnostics'}`);
    for (const n of d.notes) out.push(`   note    ${n}`);
    return out.join('\n');
  }
  const sv = s.serving;
  const m = s.memory;
  out.push(
    `   model   ${a.model.id}: ${fmtParams(s.params.total)} parameters${s.params.active < s.params.total ? ` (${fmtParams(s.params.active)} active)` : ''}${sv.quantization ? `, ${sv.quantization}` : `, ${sv.dtype}`}`,
  );
  out.push(
    `   gpu     ${sv.tp * sv.pp * sv.dp} x ${a.gpu.name} (${fmtGiB(m.totalBytes)} each${d.gpuOrigin === 'default' ? ', from the default GPU setting' : ''}); tp=${sv.tp} pp=${sv.pp} dp=${sv.dp}${sv.ep > 1 ? ` ep=${sv.ep}` : ''}`,
  );
  out.push(
    `   engine  ${sv.engine}${sv.engineVersion ? ` ${sv.engineVersion}` : ''}${sv.engine === 'vllm' ? (sv.v1 ? ' (V1)' : ' (V0)') : ''}; max_model_len ${fmtInt(sv.maxModelLen)}, max_num_seqs ${sv.maxNumSeqs}, max_num_batched_tokens ${fmtInt(sv.maxNumBatchedTokens)}, block_size ${sv.blockSize}`,
  );
  out.push('   memory per GPU');
  const row = (label: string, bytes: number, extra = '') => out.push(`     ${pad(label, 28)} ${pad(fmtGiB(bytes), 11)} ${extra}`);
  row('total (driver)', m.totalBytes);
  row(`budget x ${sv.gpuMemoryUtilization}`, m.requestedBytes);
  row('weights', m.weightsBytes);
  row('activation peak', m.activationPeakBytes, `band ${bandText(s.bands.activationPeakBytes)}`);
  row('non-torch', m.nonTorchBytes, `band ${bandText(s.bands.nonTorchBytes)}`);
  row(m.cudagraphInBudget ? 'CUDA graphs' : 'CUDA graphs (outside budget)', m.cudagraphBytes, `band ${bandText(s.bands.cudagraphBytes)}`);
  row('KV cache', m.kvCacheBytes, `band ${bandText(s.bands.kvCacheBytes)}`);
  // LoRA slots, the speculative drafter, offloaded weights, host RAM, the multimodal profile and the encoder cache, when present.
  const extraKeys = new Set(['lora', 'draft', 'cpu_offload', 'host_ram', 'multimodal_profile', 'encoder_cache']);
  for (const t of s.terms) if (extraKeys.has(t.key)) row(t.label, t.bytes, t.formula);
  out.push('   kv cache');
  out.push(
    `     ${fmtInt(s.kv.bytesPerToken)} bytes/token (model), ${fmtInt(s.kv.bytesPerTokenPerGpu)} bytes/token per GPU${s.kv.kvHeadsReplicated ? ' (KV heads replicated)' : ''}`,
  );
  out.push(
    `     ${fmtInt(s.kv.numBlocks)} blocks of ${s.kv.blockSize} tokens = ${fmtInt(s.kv.capacityTokens)} tokens (band ${fmtInt(s.bands.capacityTokens[0])} to ${fmtInt(s.bands.capacityTokens[1])})`,
  );
  out.push(
    `     max concurrency at ${fmtInt(sv.maxModelLen)} tokens: ${s.kv.maxConcurrency.toFixed(2)}x (band ${s.bands.maxConcurrency[0].toFixed(2)} to ${s.bands.maxConcurrency[1].toFixed(2)})`,
  );
  const conc = concurrencyOf(a);
  if (conc)
    out.push(
      `     at the workload's ${fmtInt(conc.workload_tokens)} tokens (input + output): ${fmtInt(conc.at_workload)} requests fit at once; ${fmtInt(conc.running)} run (max_num_seqs ${sv.maxNumSeqs})`,
    );
  out.push(`   startup ${s.startup.ok ? 'OK' : 'FAILS'}`);
  for (const l of predictedLogLines(a)) out.push(`     vLLM: ${l}`);
  if (a.performance) {
    const { performance: p, capacity: c, cost } = a.performance;
    out.push(v.hypothetical ? '   performance (hypothetical: vLLM does not start with this configuration)' : '   performance');
    out.push(
      `     TTFT ${p.ttft_ms.toFixed(1)} ms, TPOT ${p.tpot_ms.toFixed(1)} ms, ${fmtInt(p.throughput_tokens_per_s)} tokens/s per replica (max ${fmtInt(p.max_throughput_tokens_per_s)}, knee at batch ${p.knee_batch})`,
    );
    const bands =
      p.ttft_band_ms && p.tpot_band_ms
        ? `; p10-p90 TTFT ${p.ttft_band_ms[0].toFixed(0)}-${p.ttft_band_ms[1].toFixed(0)} ms, TPOT ${p.tpot_band_ms[0].toFixed(1)}-${p.tpot_band_ms[1].toFixed(1)} ms`
        : '';
    if (p.load_model) out.push(`     load ${p.load_model}${bands}`);
    // meets_slo is judged at max(deployed, needed) replicas: say which, so 'SLO met' is not read as 'met as deployed'.
    const at = Math.max(c.replicas_deployed, c.replicas_needed);
    const slo =
      p.slo_tpot_ms === null && p.slo_ttft_ms === null ? 'no SLO set' : `SLO ${c.meets_slo ? 'met' : 'not met'} with ${at} replica${at === 1 ? '' : 's'}`;
    out.push(
      // Without an arrival rate or a concurrency the engine runs each replica saturated: no replica count is 'needed'.
      `     ridge point ${p.ridge_point_flop_per_byte.toFixed(0)} FLOP/byte; ${p.batch_source === 'saturated' ? `no arrival rate or concurrency, so no replica count is judged (deployed ${c.replicas_deployed_text})` : `replicas needed ${c.replicas_needed}, deployed ${c.replicas_deployed_text}${c.overloaded ? ' (overloaded)' : ''}`}; ${slo}`,
    );
    out.push(`     $${cost.usd_per_million_output_tokens.toFixed(3)} per million output tokens, MFU ${(cost.mfu * 100).toFixed(1)}%`);
  }
  for (const n of d.notes) out.push(`   note    ${n}`);
  return out.join('\n');
}

export function diagnosticText(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} [${d.code}] ${d.message}`;
}

export function reportText(file: string, f: FileAnalysis): string {
  const parts: string[] = [`llm-sizer report: ${file}`];
  if (f.disabled) parts.push('(disabled by a "# llm-sizer: disable" comment)');
  if (!f.deployments.length && !f.disabled) parts.push('No serving deployment found in this file.');
  for (const a of f.deployments) parts.push(deploymentText(a));
  if (f.diagnostics.length) {
    parts.push('diagnostics');
    for (const d of f.diagnostics) parts.push('  ' + diagnosticText(file, d));
  }
  return parts.join('\n') + '\n';
}
