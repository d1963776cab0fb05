// Markdown form of a sizing report (formatting of the server's numbers only), typed by the report contract.
import type { DeploymentReport, FileReport } from '../../server/src/presenters/reportTypes';

const fin = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);
const gib = (b: number | null | undefined) => (fin(b) ? `${(b / 1024 ** 3).toFixed(2)} GiB` : '–');
const int = (x: number | null | undefined) => (fin(x) ? Math.round(x).toLocaleString('en-US') : '–');
const fx = (x: number | null | undefined, d: number, u = '') => (fin(x) ? `${x.toFixed(d)}${u}` : '–');
/** Markdown-escape text that came from the user's file. */
export function mdText(x: unknown): string {
  return String(x ?? '')
    .replace(/[\\`*_[\]|<>]/g, '\\$&')
    .replace(/\r?\n/g, ' ');
}

function deploymentMarkdown(d: DeploymentReport): string[] {
  const out: string[] = [];
  const v = d.verdict;
  out.push(`## ${mdText(d.name)}`, '');
  out.push(`**Verdict: ${mdText(v.label)}**${v.reason ? `: ${mdText(v.reason)}` : ''}`, '');
  if (v.hypothetical) out.push('_Hypothetical: vLLM does not start with this configuration; the numbers below describe what it would do if it did._', '');
  if (d.assumptions.length) {
    out.push(
      '| Input | Value | Source | To change it |',
      '|---|---|---|---|',
      ...d.assumptions.map((a) => `| ${mdText(a.label)} | ${mdText(a.value)} | ${a.stated ? 'stated' : '**assumed**'} | ${mdText(a.how)} |`),
      '',
    );
  }
  out.push(
    `- Model: ${mdText(d.model.id)}`,
    `- GPU: ${int(d.gpu.count)} x ${mdText(d.gpu.name ?? d.gpu.id)}`,
    `- Starts: ${d.startup ? (d.startup.ok && v.kind !== 'fails' ? 'yes' : `no: ${mdText(v.reason ?? d.startup.error)}`) : 'not sized'}`,
    '',
  );
  const m = d.memory_per_gpu,
    b = d.bands,
    kv = d.kv_cache,
    c = d.concurrency;
  if (m && b) {
    const band = (x: number[]) => (x.length ? `${gib(x[0])} to ${gib(x[x.length - 1])}` : '–');
    out.push(
      '### Memory per GPU',
      '',
      '| Component | Per GPU | Band |',
      '|---|---:|---|',
      `| Total (driver) | ${gib(m.total_bytes)} | |`,
      `| vLLM budget | ${gib(m.requested_bytes)} | |`,
      `| Weights | ${gib(m.weights_bytes)} | |`,
      `| Activation peak | ${gib(m.activation_peak_bytes)} | ${band(b.activation_peak_bytes)} |`,
      `| Non-torch (CUDA context, NCCL) | ${gib(m.non_torch_bytes)} | ${band(b.non_torch_bytes)} |`,
      `| CUDA graphs | ${gib(m.cudagraph_bytes)} | ${band(b.cudagraph_bytes)} |`,
      `| KV cache | ${gib(m.kv_cache_bytes)} | ${band(b.kv_cache_bytes)} |`,
      '',
    );
  }
  if (kv && c) {
    out.push(
      '### KV cache',
      '',
      `${int(kv.capacity_tokens)} tokens in ${int(kv.num_blocks)} blocks: ${int(c.at_workload)} requests of the workload's ${int(c.workload_tokens)} tokens fit at once (${int(c.running)} run, max_num_seqs caps the rest); ${fx(c.at_max_model_len, 2, 'x')} at max_model_len ${int(c.max_model_len)}.`,
      '',
    );
  }
  const p = d.performance;
  if (p) {
    out.push(
      `### Performance${v.hypothetical ? ' (hypothetical)' : ''}`,
      '',
      `- Ridge point (where the GPU stops waiting on memory): ${fx(p.ridge_point_flop_per_byte, 0)} FLOP/byte`,
      `- TTFT ${fx(p.ttft_ms, 1, ' ms')}, TPOT ${fx(p.tpot_ms, 1, ' ms')}, ${int(p.throughput_tokens_per_s)} tokens/s (max ${int(p.max_throughput_tokens_per_s)}), knee at batch ${int(p.knee_batch)}`,
      '',
    );
    const curve = p.curve ?? [];
    if (curve.length)
      out.push(
        '| Batch | TPOT (ms) | Throughput (tokens/s) |',
        '|---:|---:|---:|',
        ...curve.map((r) => `| ${int(r.batch)} | ${fx(r.tpot_ms, 2)} | ${int(r.throughput_tokens_per_s)} |`),
        '',
      );
  }
  const cap = d.capacity;
  if (cap && p) {
    const slo =
      p.slo_tpot_ms === null && p.slo_ttft_ms === null
        ? 'no SLO set'
        : cap.meets_slo
          ? `met with ${Math.max(cap.replicas_deployed, cap.replicas_needed)} replicas`
          : 'not met';
    out.push(
      "### Capacity (Little's Law)",
      '',
      '| Quantity | Value |',
      '|---|---:|',
      `| Arrival rate (requests/s) | ${fx(cap.arrival_rate_rps, 2)} |`,
      `| Requests in the system (L = λW) | ${fx(cap.concurrency_needed, 1)} |`,
      `| In flight per replica at capacity | ${int(cap.concurrency_per_replica)} |`,
      `| Most requests/s per replica | ${fx(cap.max_rps_per_replica, 2)} |`,
      `| KV-limited batch at the average context (${int(p.decode.context)} tokens) | ${fx(cap.kv_limited_concurrency, 1)} |`,
      `| Replicas needed | ${p.batch_source === 'saturated' ? 'not judged (no arrival rate or concurrency)' : int(cap.replicas_needed)} |`,
      `| Replicas deployed | ${cap.replicas_deployed_text === undefined ? int(cap.replicas_deployed) : mdText(cap.replicas_deployed_text)} |`,
      `| SLO | ${slo} |`,
      '',
    );
  }
  const cost = d.cost;
  if (cost) {
    out.push(
      '### Cost',
      '',
      '| Quantity | Value |',
      '|---|---:|',
      `| $ per million output tokens | ${fx(cost.usd_per_million_output_tokens, 3)} |`,
      `| $ per million tokens (input + output) | ${fx(cost.usd_per_million_tokens, 3)} |`,
      `| $ per GPU-hour | ${fx(cost.usd_per_gpu_hour, 2)} |`,
      `| Price from | ${mdText(cost.price_source)} |`,
      `| MFU (share of peak FLOP/s on model math) | ${fx(cost.mfu * 100, 1, '%')} |`,
      '',
    );
  }
  for (const n of d.notes) out.push(`> ${mdText(n)}`, '');
  return out;
}

export function reportMarkdown(report: FileReport, formats: string[], path?: string): string {
  const out: string[] = [`# LLM Sizer report: ${mdText(path ?? report.file)}`, '', `Format: ${formats.map(mdText).join(', ') || 'none detected'}`, ''];
  if (!report.deployments.length) out.push('No serving deployment found in this file.', '');
  else
    out.push(
      ...report.deployments.map((d) => `- **${mdText(d.name)}**: ${mdText(d.verdict.label)}${d.verdict.reason ? ` (${mdText(d.verdict.reason)})` : ''}`),
      '',
    );
  for (const d of report.deployments) out.push(...deploymentMarkdown(d));
  if (report.diagnostics.length)
    out.push(
      '## Diagnostics',
      '',
      ...report.diagnostics.map((x) => `- **${mdText(x.severity)}** \`${x.code.replace(/`/g, '')}\` line ${x.range.start.line + 1}: ${mdText(x.message)}`),
      '',
    );
  return out.join('\n');
}
