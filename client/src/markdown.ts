// Markdown form of a sizing report (formatting of the server's numbers only).
type J = Record<string, unknown>;
const o = (x: unknown): J => (x && typeof x === 'object' && !Array.isArray(x) ? (x as J) : {});
const n = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const gib = (b: unknown) => (n(b) === null ? '–' : `${((b as number) / 1024 ** 3).toFixed(2)} GiB`);
const int = (x: unknown) => (n(x) === null ? '–' : Math.round(x as number).toLocaleString('en-US'));
const fx = (x: unknown, d: number, u = '') => (n(x) === null ? '–' : `${(x as number).toFixed(d)}${u}`);
/** Markdown-escape text that came from the user's file. */
export function mdText(x: unknown): string {
  return String(x ?? '').replace(/[\\`*_[\]|<>]/g, '\\$&').replace(/\r?\n/g, ' ');
}

export function reportMarkdown(report: J, formats: string[]): string {
  const out: string[] = [`# LLM Sizer report: ${mdText(report.file)}`, '', `Format: ${formats.map(mdText).join(', ') || 'none detected'}`, ''];
  const deps = Array.isArray(report.deployments) ? report.deployments.map(o) : [];
  if (!deps.length) out.push('No serving deployment found in this file.', '');
  for (const d of deps) {
    const m = o(d.memory_per_gpu), kv = o(d.kv_cache), st = o(d.startup), model = o(d.model), gpu = o(d.gpu), b = o(d.bands);
    out.push(`## ${mdText(d.name)}`, '');
    out.push(`- Model: ${mdText(model.id)}`, `- GPU: ${int(gpu.count)} x ${mdText(gpu.name ?? gpu.id)}`, `- Starts: ${st.ok === true ? 'yes' : st.ok === false ? `no: ${mdText(st.error)}` : 'not sized'}`, '');
    if (n(m.total_bytes) !== null) {
      const band = (x: unknown) => (Array.isArray(x) ? `${gib(x[0])} to ${gib(x[x.length - 1])}` : '–');
      out.push('### Memory per GPU', '', '| Component | Per GPU | Band |', '|---|---:|---|',
        `| Total (driver) | ${gib(m.total_bytes)} | |`, `| vLLM budget | ${gib(m.requested_bytes)} | |`, `| Weights | ${gib(m.weights_bytes)} | |`,
        `| Activation peak | ${gib(m.activation_peak_bytes)} | ${band(b.activation_peak_bytes)} |`, `| Non-torch | ${gib(m.non_torch_bytes)} | ${band(b.non_torch_bytes)} |`,
        `| CUDA graphs | ${gib(m.cudagraph_bytes)} | ${band(b.cudagraph_bytes)} |`, `| KV cache | ${gib(m.kv_cache_bytes)} | ${band(b.kv_cache_bytes)} |`, '');
      out.push('### KV cache', '', `${int(kv.capacity_tokens)} tokens in ${int(kv.num_blocks)} blocks; max concurrency ${fx(kv.max_concurrency, 2, 'x')}.`, '');
    }
    const p = o(d.performance);
    if (n(p.ridge_point_flop_per_byte) !== null) {
      out.push('### Performance', '', `- Ridge point: ${fx(p.ridge_point_flop_per_byte, 0)} FLOP/byte`, `- TTFT ${fx(p.ttft_ms, 1, ' ms')}, TPOT ${fx(p.tpot_ms, 1, ' ms')}, ${int(p.throughput_tokens_per_s)} tokens/s (max ${int(p.max_throughput_tokens_per_s)}), knee at batch ${int(p.knee_batch)}`, '');
      const curve = Array.isArray(p.curve) ? p.curve.map(o) : [];
      if (curve.length) out.push('| Batch | TPOT (ms) | Throughput (tokens/s) |', '|---:|---:|---:|', ...curve.map((c) => `| ${int(c.batch)} | ${fx(c.tpot_ms, 2)} | ${int(c.throughput_tokens_per_s)} |`), '');
    }
    for (const [title, sec] of [['Capacity', o(d.capacity)], ['Cost', o(d.cost)]] as const) {
      const rows = Object.entries(sec).filter(([, v]) => typeof v !== 'object' || v === null);
      if (rows.length) out.push(`### ${title}`, '', '| Quantity | Value |', '|---|---:|', ...rows.map(([k, v]) => `| ${mdText(k.replace(/_/g, ' '))} | ${typeof v === 'number' ? fx(v, Number.isInteger(v) ? 0 : 3) : mdText(v)} |`), '');
    }
  }
  const diags = Array.isArray(report.diagnostics) ? report.diagnostics.map(o) : [];
  if (diags.length) out.push('## Diagnostics', '', ...diags.map((x) => `- **${mdText(x.severity)}** \`${String(x.code ?? '').replace(/`/g, '')}\` line ${(n(o(o(x.range).start).line) ?? 0) + 1}: ${mdText(x.message)}`), '');
  return out.join('\n');
}
