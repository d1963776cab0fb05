// The sizing report's charts, drawn from one deployment of the report (server/src/presenters/reportTypes.ts, the same JSON as
// `llm-sizer report --json`). Nothing here models anything: positions and labels come from the numbers sent.
import { h, s } from './dom';
import { axes, figure, labelColumn, linear, log, M, mark, W, H, type Figure } from './chart';
import { fixed, gib, GiB, int, si, usd } from './format';
import type { DeploymentReport } from '../../server/src/presenters/reportTypes';

type Band = [number, number];
const band = (x: number[] | undefined): Band | null => (x && x.length >= 2 ? [x[0], x[x.length - 1]] : null);

/** Axis ticks and the bottom label of a horizontal bar chart whose value axis starts at `x0`. */
function valueAxis(f: Figure, x: ReturnType<typeof linear>, x0: number, label: string): void {
  for (const t of x.ticks) {
    f.svg.appendChild(s('line', { class: 'grid', x1: x(t), x2: x(t), y1: M.t, y2: H - M.b }));
    f.svg.appendChild(s('text', { class: 'tick', x: x(t), y: H - M.b + 14, 'text-anchor': 'middle' }, x.fmt(t)));
  }
  f.svg.appendChild(s('text', { class: 'label axis-title', x: (x0 + W - M.r) / 2, y: H - 6, 'text-anchor': 'middle' }, label));
}

/** Labels of a bar chart's rows: cut to the label column (the full text is in the tooltip and the data table). */
function rowLabel(text: string, x: number, y: number): SVGElement {
  const max = Math.max(6, Math.floor((x - M.l + 60) / 6.5));
  return s('text', { class: 'tick', x, y, 'text-anchor': 'end' }, text.length > max ? `${text.slice(0, max - 1)}…` : text);
}

/** 1. Per-GPU memory stack: weights / KV / activations / non-torch / CUDA graphs / free, the budget and the GPU's capacity. */
export function memoryChart(d: DeploymentReport): HTMLElement | null {
  const m = d.memory_per_gpu;
  const b = d.bands;
  if (!m || !b) return null;
  const total = m.total_bytes;
  const parts: [string, string, number, Band | null][] = [
    ['weights', 'Weights', m.weights_bytes, null],
    ['kv', 'KV cache', Math.max(0, m.kv_cache_bytes), band(b.kv_cache_bytes)],
    ['act', 'Activation peak', m.activation_peak_bytes, band(b.activation_peak_bytes)],
    ['nontorch', 'Non-torch (CUDA context, NCCL buffers)', m.non_torch_bytes, band(b.non_torch_bytes)],
    ['graphs', m.cudagraph_in_budget === false ? 'CUDA graphs (outside budget)' : 'CUDA graphs', m.cudagraph_bytes, band(b.cudagraph_bytes)],
  ];
  const used = parts.reduce((a, p) => a + p[2], 0);
  parts.push(['free', 'Free', Math.max(0, total - used), null]);
  const requested = m.requested_bytes;
  const over = used > total;
  const f = figure(
    'memory',
    'Memory per GPU',
    `Stack of ${gib(used)} on a ${gib(total)} GPU; vLLM budget ${gib(requested)}${over ? `: ${gib(used - total)} more than the GPU has` : ''}. Focus a segment for its size.`,
    {
      head: ['Component', 'Per GPU', 'Band (low to high)'],
      rows: [
        ...parts.map((p) => [p[1], gib(p[2]), p[3] ? `${gib(p[3][0])} to ${gib(p[3][1])}` : '–']),
        ['GPU capacity (driver)', gib(total), '–'],
        ['vLLM budget', gib(requested), '–'],
      ],
    },
    [...parts.map((p): [string, string] => [`c-${p[0]}`, p[1]]), ['c-capacity', 'GPU capacity'], ['c-budget', 'vLLM budget']],
  );
  // The axis extends to what is stacked when it overflows the GPU, so an oversized bar stays on the plot.
  const x = linear(0, Math.max(total, used) / GiB, M.l, W - M.r, (v) => `${v}`);
  f.svg.appendChild(axes(x, { ...linear(0, 1, H - M.b, M.t), ticks: [] } as never, 'GiB per GPU', ''));
  let acc = 0;
  const y0 = 60,
    bh = 80;
  let callout = 0;
  for (const [cls, label, bytes, bd] of parts) {
    const x0 = x(acc / GiB),
      x1 = x((acc + bytes) / GiB);
    f.svg.appendChild(
      mark(
        s('rect', { class: `seg c-${cls}`, x: x0, y: y0, width: Math.max(0, x1 - x0), height: bh }),
        `${label}: ${gib(bytes)}${bd ? ` (band ${gib(bd[0])} to ${gib(bd[1])})` : ''}`,
        f.readout,
      ),
    );
    if (bd) f.svg.appendChild(s('line', { class: 'band', x1: x((acc + bd[0]) / GiB), x2: x((acc + bd[1]) / GiB), y1: y0 + bh + 8, y2: y0 + bh + 8 }));
    const text = gib(bytes, 1);
    if (x1 - x0 > text.length * 7 + 8)
      f.svg.appendChild(s('text', { class: 'seg-label', x: (x0 + x1) / 2, y: y0 + bh / 2 + 4, 'text-anchor': 'middle' }, text));
    else if (bytes > 0 && cls !== 'free') {
      // A segment too narrow for its value: a callout below the bar with a leader line.
      const cx = (x0 + x1) / 2;
      const ly = y0 + bh + 24 + (callout % 3) * 14;
      f.svg.appendChild(s('line', { class: 'leader', x1: cx, x2: cx, y1: y0 + bh, y2: ly - 10 }));
      f.svg.appendChild(s('text', { class: 'note', x: cx, y: ly, 'text-anchor': cx > W / 2 ? 'end' : 'start' }, `${label.split(' (')[0]} ${text}`));
      callout++;
    }
    acc += bytes;
  }
  const rx = x(requested / GiB);
  f.svg.appendChild(s('line', { class: 'limit c-budget', x1: rx, x2: rx, y1: y0 - 18, y2: y0 + bh + 4 }));
  f.svg.appendChild(s('text', { class: 'note', x: rx, y: y0 - 24, 'text-anchor': rx > W * 0.6 ? 'end' : 'middle' }, `budget ${gib(requested, 1)}`));
  const cx = x(total / GiB);
  f.svg.appendChild(s('line', { class: 'capacity c-capacity', x1: cx, x2: cx, y1: y0 - 40, y2: y0 + bh + 4 }));
  f.svg.appendChild(s('text', { class: 'note', x: cx, y: y0 - 44, 'text-anchor': 'end' }, `GPU ${gib(total, 1)}`));
  return f.root;
}

/** 2. KV capacity as concurrency: requests of the workload's length and of max_model_len that fit, and max_num_seqs. */
export function kvChart(d: DeploymentReport): HTMLElement | null {
  const kv = d.kv_cache;
  const c = d.concurrency;
  const sv = d.serving;
  const b = d.bands;
  if (!kv || !c || !sv || !b) return null;
  const cb = band(b.max_concurrency);
  const rows: [string, number, string][] = [
    [`requests of ${int(c.workload_tokens)} tokens (workload)`, c.at_workload, 'c-kv'],
    [`requests of ${int(c.max_model_len)} tokens (max_model_len)`, c.at_max_model_len, 'c-kvmax'],
    ['max_num_seqs (scheduler limit)', sv.max_num_seqs, 'c-seqs'],
  ];
  const tb = band(b.capacity_tokens);
  const f = figure(
    'kv',
    'KV cache: requests that fit at once',
    `${int(kv.capacity_tokens)} tokens of KV cache: ${int(c.at_workload)} requests of the workload's ${int(c.workload_tokens)} tokens fit at once (${int(c.running)} run, capped by max_num_seqs ${int(sv.max_num_seqs)}); ${fixed(c.at_max_model_len, 2, 'x')} at max_model_len ${int(c.max_model_len)}, as vLLM prints it.`,
    {
      head: ['Quantity', 'Value', 'Band'],
      rows: [
        ['KV cache capacity (tokens)', int(kv.capacity_tokens), tb ? `${int(tb[0])} to ${int(tb[1])}` : '–'],
        ['KV blocks', int(kv.num_blocks), band(b.num_blocks) ? `${int(band(b.num_blocks)![0])} to ${int(band(b.num_blocks)![1])}` : '–'],
        ['Bytes per token per GPU', int(kv.bytes_per_token_per_gpu), '–'],
        [`Requests of ${int(c.workload_tokens)} tokens (workload) at once`, int(c.at_workload), '–'],
        [
          `Requests of ${int(c.max_model_len)} tokens (max_model_len) at once`,
          fixed(c.at_max_model_len, 2, 'x'),
          cb ? `${fixed(cb[0], 2)} to ${fixed(cb[1], 2)}` : '–',
        ],
        ['max_num_seqs', int(sv.max_num_seqs), '–'],
      ],
    },
    [
      ['c-kv', 'Workload length'],
      ['c-kvmax', 'max_model_len'],
      ['c-seqs', 'max_num_seqs'],
    ],
  );
  const lc = labelColumn();
  const max = Math.max(...rows.map((r) => r[1]), cb?.[1] ?? 0) * 1.15 || 1;
  const x = linear(0, max, M.l + lc - 60, W - M.r, (v) => si(v));
  valueAxis(f, x, M.l + lc - 60, 'concurrent requests');
  rows.forEach(([label, v, cls], i) => {
    const y = M.t + 14 + i * 64;
    f.svg.appendChild(rowLabel(label, M.l + lc - 66, y + 20));
    f.svg.appendChild(
      mark(
        s('rect', { class: `seg ${cls}`, x: x(0), y, width: Math.max(1, x(v) - x(0)), height: 32 }),
        `${label}: ${Number.isInteger(v) ? int(v) : fixed(v, 2)}`,
        f.readout,
      ),
    );
    f.svg.appendChild(s('text', { class: 'value', x: x(v) + 4, y: y + 20 }, Number.isInteger(v) ? int(v) : fixed(v, 2)));
    if (i === 1 && cb) f.svg.appendChild(s('line', { class: 'band', x1: x(cb[0]), x2: x(cb[1]), y1: y + 40, y2: y + 40 }));
  });
  return f.root;
}

/** 3. Log-log roofline: one ceiling per dtype, the ridge point, prefill and decode; the decode point follows a batch picked on the curve. */
export function rooflineChart(d: DeploymentReport): HTMLElement | null {
  const p = d.performance;
  if (!p) return null;
  const ridge = p.ridge_point_flop_per_byte;
  const ceil = (p.ceilings ?? []).map((c) => ({ dtype: c.dtype as string, flops: c.flop_per_s })).filter((c) => c.flops > 0);
  if (!ceil.length) ceil.push({ dtype: `${p.compute_dtype} peak`, flops: p.peak_flops_per_s });
  const bw = p.memory_bandwidth_bytes_per_s;
  if (!(ridge > 0) || !(bw > 0)) return null;
  const pt = (i: number, fl: number) => (i > 0 && fl > 0 ? { i, f: fl } : null);
  const pre = pt(p.prefill.intensity, p.prefill.flop_per_s),
    dec = pt(p.decode.intensity, p.decode.flop_per_s);
  const curve = (p.curve ?? []).filter((c) => c.intensity > 0 && c.flop_per_s > 0);
  const maxF = Math.max(...ceil.map((c) => c.flops));
  const x = log(0.1, 1e5, M.l, W - M.r, (v) => si(v));
  const y = log(10 ** Math.floor(Math.log10(bw * 0.1)), 10 ** Math.ceil(Math.log10(maxF * 1.5)), H - M.b, M.t, (v) => si(v));
  const f = figure(
    'roofline',
    'Roofline (log-log)',
    `Ridge point ${fixed(ridge, 0)} FLOP/byte: the arithmetic intensity where the GPU stops waiting on memory. Points left of it are memory-bound.`,
    {
      head: ['Item', 'Intensity (FLOP/byte)', 'FLOP/s'],
      rows: [
        ...ceil.map((c) => [`Ceiling ${c.dtype}`, `ridge ${fixed(c.flops / bw, 0)}`, si(c.flops, 'FLOP/s')]),
        ['Memory bandwidth', '–', `${si(bw, 'B/s')}`],
        ...(pre ? [['Prefill', fixed(pre.i, 1), si(pre.f, 'FLOP/s')]] : []),
        ...(dec ? [['Decode', fixed(dec.i, 1), si(dec.f, 'FLOP/s')]] : []),
        ...curve.map((c) => [`Decode at batch ${int(c.batch)}`, fixed(c.intensity, 1), si(c.flop_per_s, 'FLOP/s')]),
      ],
    },
    [
      ['c-ceiling', 'Compute ceilings (one line style per dtype)'],
      ['c-prefill', 'Prefill (square)'],
      ['c-decode', 'Decode (circle)'],
      ['c-ridge', 'Ridge point'],
    ],
  );
  f.svg.appendChild(axes(x, y, 'arithmetic intensity (FLOP/byte)', 'FLOP/s'));
  // GPUs list equal peaks for several dtypes (fp16 = bf16, fp8 = int8 on Hopper): one roof and one label per distinct peak.
  const roofs: { dtypes: string[]; flops: number }[] = [];
  for (const c of ceil) {
    const same = roofs.find((r) => r.flops === c.flops);
    if (same) same.dtypes.push(c.dtype);
    else roofs.push({ dtypes: [c.dtype], flops: c.flops });
  }
  roofs.forEach((c, k) => {
    const r = c.flops / bw;
    const name = c.dtypes.join(' / ');
    const path = `M${x(0.1)},${y(bw * 0.1)} L${x(r)},${y(c.flops)} L${x(1e5)},${y(c.flops)}`;
    f.svg.appendChild(
      mark(s('path', { class: `roof roof-${k}`, d: path }), `${name} ceiling ${si(c.flops, 'FLOP/s')}, ridge ${fixed(r, 0)} FLOP/byte`, f.readout),
    );
    f.svg.appendChild(s('text', { class: 'note', x: W - M.r - 4, y: y(c.flops) - 4, 'text-anchor': 'end' }, name));
  });
  const rx = x(ridge);
  f.svg.appendChild(s('line', { class: 'ridge', x1: rx, x2: rx, y1: M.t, y2: H - M.b }));
  f.svg.appendChild(s('text', { class: 'note', x: rx + 4, y: H - M.b - 6 }, `ridge ${fixed(ridge, 0)}`));
  if (pre)
    f.svg.appendChild(
      mark(
        s('rect', { class: 'pt c-prefill', x: x(pre.i) - 6, y: y(pre.f) - 6, width: 12, height: 12 }),
        `Prefill: ${fixed(pre.i, 1)} FLOP/byte, ${si(pre.f, 'FLOP/s')} (${p.prefill.bound}-bound)`,
        f.readout,
      ),
    );
  if (dec)
    f.svg.appendChild(
      mark(
        s('circle', { class: 'pt c-decode', cx: x(dec.i), cy: y(dec.f), r: 6 }),
        `Decode: ${fixed(dec.i, 1)} FLOP/byte, ${si(dec.f, 'FLOP/s')} (${p.decode.bound}-bound)`,
        f.readout,
      ),
    );
  if (curve.length) {
    const moving = s('circle', { class: 'pt c-decode moving', r: 5 });
    const trail = s('path', { class: 'trail', d: curve.map((c, i) => `${i ? 'L' : 'M'}${x(c.intensity)},${y(c.flop_per_s)}`).join(' ') });
    f.svg.appendChild(trail);
    f.svg.appendChild(moving);
    // Start at the sample nearest the knee (the curve is sampled on a grid: the knee batch itself is often not on it).
    let start = 0;
    curve.forEach((c, i) => {
      if (Math.abs(c.batch - p.knee_batch) < Math.abs(curve[start].batch - p.knee_batch)) start = i;
    });
    const label = h('label', { for: 'roofline-batch' }, 'Decode batch: ');
    const out = h('output', { for: 'roofline-batch', id: 'roofline-batch-value' });
    const input = h('input', { type: 'range', id: 'roofline-batch', min: 0, max: curve.length - 1, step: 1, value: start, 'aria-valuetext': '' });
    const set = (i: number, announce: boolean) => {
      const c = curve[i];
      moving.setAttribute('cx', String(x(c.intensity)));
      moving.setAttribute('cy', String(y(c.flop_per_s)));
      const t = `batch ${int(c.batch)}: ${fixed(c.intensity, 1)} FLOP/byte, ${si(c.flop_per_s, 'FLOP/s')}, TPOT ${fixed(c.tpot_ms, 1, ' ms')}`;
      out.textContent = t;
      input.setAttribute('aria-valuetext', t);
      if (announce) f.readout.textContent = `Decode at ${t}`;
    };
    input.addEventListener('input', () => set(Number(input.value), true));
    set(start, false);
    f.root.insertBefore(h('div', { class: 'slider' }, label, input, ' ', out), f.readout);
  }
  return f.root;
}

/** 4. Latency-throughput curve with the knee (diamond) and the TPOT SLO (dashed line), each with its own legend glyph. */
export function latencyChart(d: DeploymentReport): HTMLElement | null {
  const p = d.performance;
  const c = (p?.curve ?? []).filter((r) => r.throughput_tokens_per_s >= 0 && r.tpot_ms >= 0);
  if (!p || c.length < 2) return null;
  const slo = p.slo_tpot_ms;
  const knee = p.knee_batch;
  const maxT = Math.max(...c.map((r) => r.throughput_tokens_per_s));
  const maxL = Math.max(...c.map((r) => r.tpot_ms), slo ?? 0);
  const x = linear(0, maxT * 1.05, M.l, W - M.r, (v) => si(v));
  const y = linear(0, maxL * 1.1, H - M.b, M.t, (v) => `${v}`);
  const nearest = (b: number | null) => (b === null ? null : c.reduce((best, r) => (Math.abs(r.batch - b) < Math.abs(best.batch - b) ? r : best), c[0]));
  const kneeRow = nearest(knee);
  const sloRow = slo !== null ? nearest(p.slo_batch) : null;
  const f = figure(
    'latency',
    'Latency vs throughput',
    `Knee at batch ${int(knee)}: past it, more requests at once add latency faster than throughput${kneeRow ? ` (curve sample at batch ${int(kneeRow.batch)}: ${fixed(kneeRow.tpot_ms, 1, ' ms')} TPOT, ${int(kneeRow.throughput_tokens_per_s)} tokens/s)` : ''}${slo !== null ? `; TPOT SLO ${fixed(slo, 0, ' ms')}, met up to batch ${int(p.slo_batch)}` : '; no SLO set'}.`,
    {
      head: ['Batch', 'TPOT (ms)', 'Throughput (tokens/s)'],
      rows: c.map((r) => [
        `${int(r.batch)}${r === kneeRow ? ` (nearest the knee, ${int(knee)})` : ''}${r === sloRow ? ` (nearest the SLO limit, ${int(p.slo_batch)})` : ''}`,
        fixed(r.tpot_ms, 2),
        int(r.throughput_tokens_per_s),
      ]),
    },
    [['c-decode', 'TPOT by batch (circles)'], ['c-knee', 'Knee (diamond)'], ...(slo !== null ? [['c-slo', 'TPOT SLO (dashed)'] as [string, string]] : [])],
  );
  f.svg.appendChild(axes(x, y, 'throughput per replica (tokens/s)', 'TPOT (ms)'));
  f.svg.appendChild(s('path', { class: 'line c-decode', d: c.map((r, i) => `${i ? 'L' : 'M'}${x(r.throughput_tokens_per_s)},${y(r.tpot_ms)}`).join(' ') }));
  for (const r of c) {
    const tip = `batch ${int(r.batch)}${r === kneeRow ? ` (nearest the knee at ${int(knee)})` : ''}: TPOT ${fixed(r.tpot_ms, 1, ' ms')}, ${int(r.throughput_tokens_per_s)} tokens/s`;
    const cx = x(r.throughput_tokens_per_s),
      cy = y(r.tpot_ms);
    // The knee sample gets a diamond around its point: a glyph of its own, not only a colour.
    if (r === kneeRow) f.svg.appendChild(s('path', { class: 'knee-glyph c-knee', d: `M${cx},${cy - 9} L${cx + 9},${cy} L${cx},${cy + 9} L${cx - 9},${cy} Z` }));
    f.svg.appendChild(mark(s('circle', { class: 'pt c-decode', cx, cy, r: 4 }), tip, f.readout));
  }
  if (kneeRow)
    f.svg.appendChild(
      s(
        'text',
        {
          class: 'note',
          x: x(kneeRow.throughput_tokens_per_s),
          y: y(kneeRow.tpot_ms) - 12,
          'text-anchor': x(kneeRow.throughput_tokens_per_s) > W * 0.7 ? 'end' : 'middle',
        },
        `knee (batch ${int(knee)})`,
      ),
    );
  if (slo !== null) {
    f.svg.appendChild(s('line', { class: 'limit c-slo', x1: M.l, x2: W - M.r, y1: y(slo), y2: y(slo) }));
    f.svg.appendChild(s('text', { class: 'note', x: M.l + 6, y: y(slo) + 14 }, `TPOT SLO ${fixed(slo, 0, ' ms')}`));
  }
  return f.root;
}

/** 5. Little's Law in requests/s: the arrival rate against what the deployed and the needed replicas serve. */
export function capacityChart(d: DeploymentReport): HTMLElement | null {
  const c = d.capacity;
  const p = d.performance;
  if (!c || !p) return null;
  const noSlo = p.slo_tpot_ms === null && p.slo_ttft_ms === null;
  // The engine's own verdict and instance count (capacity.overloaded, replicas_deployed_text): the rule says the same.
  const deployedText = c.replicas_deployed_text ?? int(c.replicas_deployed);
  const ceiling = c.replicas_deployed_max === undefined ? c.replicas_deployed : c.replicas_deployed_max;
  const overloaded = c.overloaded ?? c.replicas_needed > c.replicas_deployed;
  const saturated = p.batch_source === 'saturated';
  const verdict = saturated
    ? `no arrival rate set: each replica is sized at its capacity, ${int(c.concurrency_per_replica)} requests in flight; deployed ${deployedText}`
    : `${int(c.replicas_needed)} replica(s) needed for ${fixed(c.arrival_rate_rps, 2)} requests/s (L = λW = ${fixed(c.concurrency_needed, 1)} in flight), deployed ${deployedText}${overloaded ? ': the queue grows without bound as deployed' : ''}`;
  const slo = noSlo ? 'no SLO set' : c.meets_slo ? `SLO met with ${int(Math.max(c.replicas_deployed, c.replicas_needed))} replica(s)` : 'SLO not met';
  const bars: [string, number, string][] = [];
  if (!saturated) bars.push(['arriving (λ)', c.arrival_rate_rps, 'c-arrival']);
  // An unknown count draws no deployed bar; an autoscaler's bar is its ceiling.
  if (ceiling !== null) bars.push([`${int(ceiling)} deployed serve`, ceiling * c.max_rps_per_replica, 'c-weights']);
  if (ceiling === null || c.replicas_needed > ceiling) bars.push([`${int(c.replicas_needed)} needed serve`, c.replicas_needed * c.max_rps_per_replica, 'c-kv']);
  const f = figure(
    'capacity',
    "Little's Law: requests per second",
    `${verdict}; ${slo}. One replica serves at most ${fixed(c.max_rps_per_replica, 2)} requests/s (${int(c.concurrency_per_replica)} in flight, each ${fixed(c.request_latency_at_capacity_s, 2)} s).`,
    {
      head: ['Quantity', 'Value'],
      rows: [
        ['Arrival rate (requests/s)', fixed(c.arrival_rate_rps, 2)],
        ['Requests in the system, L = λ·W', fixed(c.concurrency_needed, 1)],
        ['In flight per replica at capacity', int(c.concurrency_per_replica)],
        ['Most requests/s per replica', fixed(c.max_rps_per_replica, 2)],
        [`KV-limited batch at the average context (${int(p.decode.context)} tokens: prompt + half the output)`, fixed(c.kv_limited_concurrency, 1)],
        ['max_num_seqs', int(c.max_num_seqs)],
        ['Replicas needed', int(c.replicas_needed)],
        ['Replicas deployed', deployedText],
        ['GPUs per replica', int(c.gpus_per_replica)],
        ['SLO', slo],
      ],
    },
    bars.map(([l, , cls]) => [cls, l] as [string, string]),
  );
  const lc = labelColumn();
  const x = linear(0, Math.max(...bars.map((b) => b[1])) * 1.2 || 1, M.l + lc - 60, W - M.r, (v) => si(v));
  valueAxis(f, x, M.l + lc - 60, 'requests per second');
  bars.forEach(([label, v, cls], i) => {
    const y = M.t + 14 + i * 64;
    f.svg.appendChild(rowLabel(label, M.l + lc - 66, y + 20));
    f.svg.appendChild(
      mark(s('rect', { class: `seg ${cls}`, x: x(0), y, width: Math.max(1, x(v) - x(0)), height: 32 }), `${label}: ${fixed(v, 2)} requests/s`, f.readout),
    );
    f.svg.appendChild(s('text', { class: 'value', x: x(v) + 4, y: y + 20 }, fixed(v, 2)));
  });
  return f.root;
}

/** 6. Cost per million tokens. */
export function costChart(d: DeploymentReport): HTMLElement | null {
  const c = d.cost;
  if (!c) return null;
  const entries: [string, number][] = [
    ['output tokens, as deployed', c.usd_per_million_output_tokens],
    ['output tokens, at capacity', c.usd_per_million_output_tokens_at_capacity],
    ['all tokens (input + output)', c.usd_per_million_tokens],
  ];
  if (!(c.usd_per_gpu_hour > 0)) return null;
  const f = figure(
    'cost',
    'Cost per million tokens',
    `${usd(c.usd_per_million_output_tokens)} per million output tokens at ${usd(c.usd_per_gpu_hour, 2)} per GPU-hour (${c.price_source}); MFU ${fixed(c.mfu * 100, 1, '%')} (model FLOPs utilization: the share of the GPU's peak FLOP/s doing model math).`,
    {
      head: ['Quantity', 'Value'],
      rows: [
        ...entries.map(([k, v]) => [`$ per million ${k}`, usd(v)]),
        ['$ per GPU-hour', usd(c.usd_per_gpu_hour, 2)],
        ['Price from', c.price_source],
        ['GPUs', int(c.gpus)],
        ['$ per hour', usd(c.usd_per_hour, 2)],
        ['Output tokens/s', int(c.output_tokens_per_s)],
        ['MFU', fixed(c.mfu * 100, 1, '%')],
      ],
    },
  );
  const lc = labelColumn();
  const x = linear(0, Math.max(...entries.map((e) => e[1])) * 1.25 || 1, M.l + lc - 60, W - M.r, (v) => `$${v}`);
  valueAxis(f, x, M.l + lc - 60, '$ per million tokens');
  entries.forEach(([k, v], i) => {
    const y = M.t + 14 + i * 64;
    f.svg.appendChild(rowLabel(k, M.l + lc - 66, y + 20));
    f.svg.appendChild(
      mark(s('rect', { class: 'seg c-cost', x: x(0), y, width: Math.max(1, x(v) - x(0)), height: 32 }), `$ per million ${k}: ${usd(v)}`, f.readout),
    );
    f.svg.appendChild(s('text', { class: 'value', x: x(v) + 4, y: y + 20 }, usd(v)));
  });
  return f.root;
}

/** The operator table of the roofline (no chart: a table is the clearest form); scrolls inside the panel. */
export function operatorsTable(d: DeploymentReport): HTMLElement | null {
  const ops = d.performance?.operators ?? [];
  if (!ops.length) return null;
  return h(
    'section',
    { class: 'chart', id: 'operators', 'aria-labelledby': 'operators-title' },
    h('h3', { id: 'operators-title', class: 'chart-title' }, 'Operators per step'),
    h(
      'div',
      { class: 'scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'operators-title' },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...['Phase', 'Operator', 'FLOPs', 'Bytes', 'FLOP/byte', 'Bound', 'Time (ms)'].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          ...ops.map((o) =>
            h(
              'tr',
              {},
              h('td', {}, o.phase),
              h('th', { scope: 'row' }, o.name),
              h('td', {}, si(o.flops)),
              h('td', {}, si(o.bytes, 'B')),
              h('td', {}, fixed(o.intensity, 1)),
              h('td', {}, o.bound),
              h('td', {}, fixed(o.time_ms, 3)),
            ),
          ),
        ),
      ),
    ),
  );
}

export type { Figure };
