// The sizing report's charts, drawn from one deployment of `llm-sizer report --json` as sent by the server.
// Nothing here models anything: positions and labels come from the numbers in the JSON.
import { h, s } from './dom';
import { axes, figure, linear, log, M, mark, W, H, type Figure } from './chart';
import { fixed, gib, GiB, int, num, si, usd } from './format';

export type J = Record<string, unknown>;
export const obj = (x: unknown): J => (x && typeof x === 'object' && !Array.isArray(x) ? (x as J) : {});
export const arr = (x: unknown): J[] => (Array.isArray(x) ? x.map(obj) : []);
const first = (o: J, ...keys: string[]): number | null => {
  for (const k of keys) { const v = num(o[k]); if (v !== null) return v; }
  return null;
};
const band = (x: unknown): [number, number] | null => (Array.isArray(x) && x.length >= 2 && num(x[0]) !== null && num(x[1]) !== null ? [x[0] as number, x[x.length - 1] as number] : null);

/** 1. Per-GPU memory stack: weights / KV / activations / non-torch / CUDA graphs / free, with the vLLM budget line and bands. */
export function memoryChart(d: J): HTMLElement | null {
  const m = obj(d.memory_per_gpu);
  const b = obj(d.bands);
  const total = num(m.total_bytes);
  if (total === null) return null;
  const parts: [string, string, number, [number, number] | null][] = [
    ['weights', 'Weights', num(m.weights_bytes) ?? 0, null],
    ['kv', 'KV cache', Math.max(0, num(m.kv_cache_bytes) ?? 0), band(b.kv_cache_bytes)],
    ['act', 'Activation peak', num(m.activation_peak_bytes) ?? 0, band(b.activation_peak_bytes)],
    ['nontorch', 'Non-torch', num(m.non_torch_bytes) ?? 0, band(b.non_torch_bytes)],
    ['graphs', m.cudagraph_in_budget === false ? 'CUDA graphs (outside budget)' : 'CUDA graphs', num(m.cudagraph_bytes) ?? 0, band(b.cudagraph_bytes)],
  ];
  const used = parts.reduce((a, p) => a + p[2], 0);
  parts.push(['free', 'Free', Math.max(0, total - used), null]);
  const requested = num(m.requested_bytes);
  const f = figure('memory', 'Memory per GPU', `Stack of ${gib(total)} per GPU; vLLM budget ${gib(requested)}. Focus a segment for its size.`, {
    head: ['Component', 'Per GPU', 'Band (low to high)'],
    rows: [...parts.map((p) => [p[1], gib(p[2]), p[3] ? `${gib(p[3][0])} to ${gib(p[3][1])}` : '–']), ['Total (driver)', gib(total), '–'], ['vLLM budget', gib(requested), '–']],
  }, parts.map((p) => [`c-${p[0]}`, p[1]]));
  const x = linear(0, total / GiB, M.l, W - M.r, (v) => `${v}`);
  f.svg.appendChild(axes(x, { ...linear(0, 1, H - M.b, M.t), ticks: [] } as never, 'GiB per GPU', ''));
  let acc = 0;
  const y0 = 60, bh = 90;
  for (const [cls, label, bytes, bd] of parts) {
    const x0 = x(acc / GiB), x1 = x((acc + bytes) / GiB);
    f.svg.appendChild(mark(s('rect', { class: `seg c-${cls}`, x: x0, y: y0, width: Math.max(0, x1 - x0), height: bh }), `${label}: ${gib(bytes)}${bd ? ` (band ${gib(bd[0])} to ${gib(bd[1])})` : ''}`, f.readout));
    if (bd) {
      f.svg.appendChild(s('line', { class: 'band', x1: x((acc + bd[0]) / GiB), x2: x((acc + bd[1]) / GiB), y1: y0 + bh + 10, y2: y0 + bh + 10 }));
    }
    if (x1 - x0 > 46) f.svg.appendChild(s('text', { class: 'seg-label', x: (x0 + x1) / 2, y: y0 + bh / 2 + 4, 'text-anchor': 'middle' }, gib(bytes, 1)));
    acc += bytes;
  }
  if (requested !== null) {
    const rx = x(requested / GiB);
    f.svg.appendChild(s('line', { class: 'limit', x1: rx, x2: rx, y1: y0 - 20, y2: y0 + bh + 20 }));
    f.svg.appendChild(s('text', { class: 'note', x: rx, y: y0 - 26, 'text-anchor': 'middle' }, `budget ${gib(requested, 1)}`));
  }
  return f.root;
}

/** 2. KV capacity and concurrency. */
export function kvChart(d: J): HTMLElement | null {
  const kv = obj(d.kv_cache);
  const sv = obj(d.serving);
  const b = obj(d.bands);
  const conc = num(kv.max_concurrency);
  if (conc === null) return null;
  const seqs = num(sv.max_num_seqs);
  const cb = band(b.max_concurrency);
  const rows: [string, number, string][] = [[`KV-limited concurrency at ${int(sv.max_model_len)} tokens`, conc, 'c-kv'], ...(seqs !== null ? [['max_num_seqs', seqs, 'c-seqs'] as [string, number, string]] : [])];
  const tb = band(b.capacity_tokens);
  const f = figure('kv', 'KV cache capacity and concurrency', `${int(kv.capacity_tokens)} tokens in ${int(kv.num_blocks)} blocks of ${int(kv.block_size)}; ${fixed(conc, 2, 'x')} requests of max_model_len at once.`, {
    head: ['Quantity', 'Value', 'Band'],
    rows: [
      ['KV cache capacity (tokens)', int(kv.capacity_tokens), tb ? `${int(tb[0])} to ${int(tb[1])}` : '–'],
      ['KV blocks', int(kv.num_blocks), band(b.num_blocks) ? `${int(band(b.num_blocks)![0])} to ${int(band(b.num_blocks)![1])}` : '–'],
      ['Bytes per token per GPU', int(kv.bytes_per_token_per_gpu), '–'],
      ['Max concurrency', fixed(conc, 2, 'x'), cb ? `${fixed(cb[0], 2)} to ${fixed(cb[1], 2)}` : '–'],
      ['max_num_seqs', int(seqs), '–'],
    ],
  });
  const max = Math.max(conc, seqs ?? 0, cb?.[1] ?? 0) * 1.1;
  const x = linear(0, max, M.l + 150, W - M.r, (v) => int(v));
  const g = s('g');
  for (const t of x.ticks) {
    g.appendChild(s('line', { class: 'grid', x1: x(t), x2: x(t), y1: M.t, y2: H - M.b }));
    g.appendChild(s('text', { class: 'tick', x: x(t), y: H - M.b + 14, 'text-anchor': 'middle' }, x.fmt(t)));
  }
  g.appendChild(s('text', { class: 'label', x: (M.l + 150 + W - M.r) / 2, y: H - 6, 'text-anchor': 'middle' }, 'concurrent requests'));
  f.svg.appendChild(g);
  rows.forEach(([label, v, cls], i) => {
    const y = 40 + i * 80;
    f.svg.appendChild(s('text', { class: 'tick', x: M.l + 144, y: y + 26, 'text-anchor': 'end' }, label.length > 30 ? label.slice(0, 28) + '…' : label));
    f.svg.appendChild(mark(s('rect', { class: `seg ${cls}`, x: x(0), y, width: x(v) - x(0), height: 40 }), `${label}: ${fixed(v, 2)}`, f.readout));
    if (i === 0 && cb) f.svg.appendChild(s('line', { class: 'band', x1: x(cb[0]), x2: x(cb[1]), y1: y + 50, y2: y + 50 }));
  });
  return f.root;
}

function ceilingsOf(p: J): { dtype: string; flops: number }[] {
  const c = arr(p.ceilings).map((r) => ({ dtype: String(r.dtype ?? r.name ?? ''), flops: first(r, 'flop_per_s', 'flops', 'peak_flop_per_s') ?? 0 })).filter((r) => r.flops > 0);
  if (c.length) return c;
  const peak = first(p, 'peak_flops_per_s', 'peak_flop_per_s');
  if (!peak) return [];
  const dtype = String(p.compute_dtype ?? p.dtype ?? 'peak');
  const out = [{ dtype: `${dtype} peak`, flops: peak }];
  const eta = num(obj(p.eta).compute);
  if (eta !== null && eta > 0 && eta < 1) out.push({ dtype: `${dtype} achievable`, flops: peak * eta });
  return out;
}

const pointOf = (x: J): { i: number; f: number } | null => {
  const i = first(x, 'intensity', 'intensity_flop_per_byte');
  let f = first(x, 'flop_per_s', 'achieved_flop_per_s');
  const t = first(x, 'time_ms'), fl = first(x, 'flops');
  if (f === null && t && fl !== null) f = fl / (t / 1000);
  return i !== null && f !== null && i > 0 && f > 0 ? { i, f } : null;
};

/** 3. Log-log roofline: one ceiling per dtype, the ridge point, prefill and decode; the decode point follows a batch picked on the curve. */
export function rooflineChart(d: J): HTMLElement | null {
  const p = obj(d.performance);
  const ridge = num(p.ridge_point_flop_per_byte);
  const ceil = ceilingsOf(p);
  const bw = first(p, 'memory_bandwidth_bytes_per_s', 'bandwidth_bytes_per_s') ?? (ridge && ceil.length ? ceil[0].flops / ridge : null);
  if (ridge === null || !ceil.length || bw === null) return null;
  const pre = pointOf(obj(p.prefill)), dec = pointOf(obj(p.decode));
  const curve = arr(p.curve).filter((c) => pointOf(c));
  const maxF = Math.max(...ceil.map((c) => c.flops));
  const x = log(0.1, 1e5, M.l, W - M.r, (v) => si(v));
  const y = log(10 ** Math.floor(Math.log10(bw * 0.1)), 10 ** Math.ceil(Math.log10(maxF * 1.5)), H - M.b, M.t, (v) => si(v));
  const f = figure('roofline', 'Roofline (log-log)', `Ridge point ${fixed(ridge, 0)} FLOP/byte. Points left of it are memory-bound.`, {
    head: ['Item', 'Intensity (FLOP/byte)', 'FLOP/s'],
    rows: [
      ...ceil.map((c) => [`Ceiling ${c.dtype}`, `ridge ${fixed(c.flops / bw, 0)}`, si(c.flops, 'FLOP/s')]),
      ['Memory bandwidth', '–', `${si(bw, 'B/s')}`],
      ...(pre ? [['Prefill', fixed(pre.i, 1), si(pre.f, 'FLOP/s')]] : []),
      ...(dec ? [['Decode', fixed(dec.i, 1), si(dec.f, 'FLOP/s')]] : []),
      ...curve.map((c) => [`Decode at batch ${int(c.batch)}`, fixed(pointOf(c)!.i, 1), si(pointOf(c)!.f, 'FLOP/s')]),
    ],
  }, [['c-ceiling', 'Compute ceilings'], ['c-prefill', 'Prefill'], ['c-decode', 'Decode']]);
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
    f.svg.appendChild(mark(s('path', { class: `roof roof-${k}`, d: path }), `${name} ceiling ${si(c.flops, 'FLOP/s')}, ridge ${fixed(r, 0)} FLOP/byte`, f.readout));
    // Adjacent peaks (2x apart) are ~10 px apart on the log axis: alternate label columns so they do not overlap.
    f.svg.appendChild(s('text', { class: 'note', x: W - M.r - 4 - (k % 2) * 90, y: y(c.flops) - 4, 'text-anchor': 'end' }, name));
  });
  const rx = x(ridge);
  f.svg.appendChild(s('line', { class: 'ridge', x1: rx, x2: rx, y1: M.t, y2: H - M.b }));
  f.svg.appendChild(s('text', { class: 'note', x: rx + 4, y: H - M.b - 6 }, `ridge ${fixed(ridge, 0)}`));
  if (pre) f.svg.appendChild(mark(s('circle', { class: 'pt c-prefill', cx: x(pre.i), cy: y(pre.f), r: 6 }), `Prefill: ${fixed(pre.i, 1)} FLOP/byte, ${si(pre.f, 'FLOP/s')} (${String(obj(p.prefill).bound ?? '')}-bound)`, f.readout));
  const decEl = dec ? mark(s('circle', { class: 'pt c-decode', cx: x(dec.i), cy: y(dec.f), r: 6 }), `Decode: ${fixed(dec.i, 1)} FLOP/byte, ${si(dec.f, 'FLOP/s')} (${String(obj(p.decode).bound ?? '')}-bound)`, f.readout) : null;
  if (decEl) f.svg.appendChild(decEl);
  if (curve.length) {
    const moving = s('circle', { class: 'pt c-decode moving', r: 5 });
    const trail = s('path', { class: 'trail', d: curve.map((c, i) => `${i ? 'L' : 'M'}${x(pointOf(c)!.i)},${y(pointOf(c)!.f)}`).join(' ') });
    f.svg.appendChild(trail);
    f.svg.appendChild(moving);
    // Start at the sample nearest the knee (the curve is sampled on a grid: the knee batch itself is often not on it).
    const knee = num(p.knee_batch);
    let start = 0;
    if (knee !== null) curve.forEach((c, i) => { if (Math.abs((num(c.batch) ?? 0) - knee) < Math.abs((num(curve[start].batch) ?? 0) - knee)) start = i; });
    const label = h('label', { for: 'roofline-batch' }, 'Decode batch: ');
    const out = h('output', { for: 'roofline-batch', id: 'roofline-batch-value' });
    const input = h('input', { type: 'range', id: 'roofline-batch', min: 0, max: curve.length - 1, step: 1, value: start, 'aria-valuetext': '' });
    // The read-out keeps the figure's summary (ridge point) until a batch is picked.
    const set = (i: number, announce: boolean) => {
      const c = curve[i], pt = pointOf(c)!;
      moving.setAttribute('cx', String(x(pt.i)));
      moving.setAttribute('cy', String(y(pt.f)));
      const t = `batch ${int(c.batch)}: ${fixed(pt.i, 1)} FLOP/byte, ${si(pt.f, 'FLOP/s')}, TPOT ${fixed(c.tpot_ms, 1, ' ms')}`;
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

/** 4. Latency-throughput curve with the knee and the TPOT SLO line. */
export function latencyChart(d: J): HTMLElement | null {
  const p = obj(d.performance);
  const c = arr(p.curve).filter((r) => num(r.throughput_tokens_per_s) !== null && num(r.tpot_ms) !== null);
  if (c.length < 2) return null;
  const cap = obj(d.capacity);
  const slo = first(p, 'slo_tpot_ms') ?? first(cap, 'slo_tpot_ms') ?? first(obj(cap.slo), 'tpot_ms') ?? first(obj(d.slo), 'tpot_ms');
  const knee = num(p.knee_batch);
  const maxT = Math.max(...c.map((r) => r.throughput_tokens_per_s as number));
  const maxL = Math.max(...c.map((r) => r.tpot_ms as number), slo ?? 0);
  const x = linear(0, maxT * 1.05, M.l, W - M.r, (v) => si(v));
  const y = linear(0, maxL * 1.1, H - M.b, M.t, (v) => `${v}`);
  // The curve is sampled on a grid: mark the sampled batch nearest to the server's knee and SLO batches.
  const nearest = (b: number | null) => (b === null ? null : c.reduce((best, r) => (Math.abs((r.batch as number) - b) < Math.abs((best.batch as number) - b) ? r : best), c[0]));
  const kneeRow = nearest(knee);
  const f = figure('latency', 'Latency vs throughput', `Knee at batch ${int(knee)}${kneeRow ? ` (curve sample at batch ${int(kneeRow.batch)}: ${fixed(kneeRow.tpot_ms, 1, ' ms')} TPOT, ${int(kneeRow.throughput_tokens_per_s)} tokens/s)` : ''}${slo !== null ? `; TPOT SLO ${fixed(slo, 0, ' ms')}` : ''}${num(p.slo_batch) !== null ? `; the SLO holds up to batch ${int(p.slo_batch)}` : ''}.`, {
    head: ['Batch', 'TPOT (ms)', 'Throughput (tokens/s)'],
    rows: c.map((r) => [`${int(r.batch)}${r === kneeRow ? ` (nearest the knee, ${int(knee)})` : ''}${num(p.slo_batch) !== null && r === nearest(num(p.slo_batch)) ? ` (nearest the SLO limit, ${int(p.slo_batch)})` : ''}`, fixed(r.tpot_ms, 2), int(r.throughput_tokens_per_s)]),
  }, [['c-decode', 'Decode TPOT by batch'], ['c-knee', 'Knee'], ['c-slo', 'SLO']]);
  f.svg.appendChild(axes(x, y, 'throughput per replica (tokens/s)', 'TPOT (ms)'));
  f.svg.appendChild(s('path', { class: 'line c-decode', d: c.map((r, i) => `${i ? 'L' : 'M'}${x(r.throughput_tokens_per_s as number)},${y(r.tpot_ms as number)}`).join(' ') }));
  for (const r of c) {
    const isKnee = r === kneeRow;
    f.svg.appendChild(mark(s('circle', { class: `pt ${isKnee ? 'c-knee' : 'c-decode'}`, cx: x(r.throughput_tokens_per_s as number), cy: y(r.tpot_ms as number), r: isKnee ? 7 : 4 }),
      `batch ${int(r.batch)}${isKnee ? ` (nearest the knee at ${int(knee)})` : ''}: TPOT ${fixed(r.tpot_ms, 1, ' ms')}, ${int(r.throughput_tokens_per_s)} tokens/s`, f.readout));
  }
  if (kneeRow) f.svg.appendChild(s('text', { class: 'note', x: x(kneeRow.throughput_tokens_per_s as number), y: y(kneeRow.tpot_ms as number) - 12, 'text-anchor': 'middle' }, `knee (batch ${int(knee)})`));
  const sloBatch = num(p.slo_batch);
  const sloRow = nearest(sloBatch);
  if (slo === null && sloRow) {
    const sx = x(sloRow.throughput_tokens_per_s as number);
    f.svg.appendChild(s('line', { class: 'limit c-slo', x1: sx, x2: sx, y1: M.t, y2: H - M.b }));
    f.svg.appendChild(s('text', { class: 'note', x: sx - 4, y: M.t + 12, 'text-anchor': 'end' }, `SLO limit: batch ${int(sloBatch)}`));
  }
  if (slo !== null) {
    f.svg.appendChild(s('line', { class: 'limit c-slo', x1: M.l, x2: W - M.r, y1: y(slo), y2: y(slo) }));
    f.svg.appendChild(s('text', { class: 'note', x: M.l + 6, y: y(slo) - 4 }, `TPOT SLO ${fixed(slo, 0, ' ms')}`));
  }
  return f.root;
}

/** 5. Little's Law: concurrency in the system vs what the replicas hold. */
export function capacityChart(d: J): HTMLElement | null {
  const c = obj(d.capacity);
  const needed = first(c, 'concurrency_needed', 'concurrency_in_system');
  const per = first(c, 'concurrency_per_replica', 'per_replica_concurrency');
  const reps = first(c, 'replicas_needed');
  if (needed === null && reps === null) return null;
  const have = first(c, 'replicas_deployed', 'replicas');
  const bars: [string, number, string][] = [];
  if (needed !== null) bars.push(['In system (L = λ·W)', needed, 'c-kv']);
  if (per !== null) bars.push(['Per replica', per, 'c-seqs']);
  if (reps !== null && per !== null) bars.push([`${int(reps)} replicas needed`, per * reps, 'c-kv']);
  if (per !== null && have !== null) bars.push([`${int(have)} replicas deployed`, per * have, 'c-weights']);
  const f = figure('capacity', "Little's Law: replicas", `${reps !== null ? `${int(reps)} replica(s) needed` : ''}${have !== null ? `, ${int(have)} deployed` : ''}${c.queue_unbounded === true ? '; the queue grows without bound' : ''}${c.meets_slo === true ? '; SLO met' : c.meets_slo === false ? '; SLO not met' : ''}.`, {
    head: ['Quantity', 'Value'],
    rows: Object.entries(c).filter(([, v]) => typeof v !== 'object' || v === null).map(([k, v]) => [k.replace(/_/g, ' '), typeof v === 'number' ? fixed(v, Number.isInteger(v) ? 0 : 2) : String(v)]),
  });
  if (!bars.length) return f.root;
  const x = linear(0, Math.max(...bars.map((b) => b[1])) * 1.1, M.l + 150, W - M.r, (v) => int(v));
  for (const t of x.ticks) {
    f.svg.appendChild(s('line', { class: 'grid', x1: x(t), x2: x(t), y1: M.t, y2: H - M.b }));
    f.svg.appendChild(s('text', { class: 'tick', x: x(t), y: H - M.b + 14, 'text-anchor': 'middle' }, x.fmt(t)));
  }
  f.svg.appendChild(s('text', { class: 'label', x: (M.l + 150 + W - M.r) / 2, y: H - 6, 'text-anchor': 'middle' }, 'concurrent requests'));
  bars.forEach(([label, v, cls], i) => {
    const y = 18 + i * 50;
    f.svg.appendChild(s('text', { class: 'tick', x: M.l + 144, y: y + 22, 'text-anchor': 'end' }, label));
    f.svg.appendChild(mark(s('rect', { class: `seg ${cls}`, x: x(0), y, width: x(v) - x(0), height: 32 }), `${label}: ${fixed(v, 1)} concurrent requests`, f.readout));
  });
  return f.root;
}

/** 6. Cost per million output tokens. */
export function costChart(d: J): HTMLElement | null {
  const c = obj(d.cost);
  const entries = Object.entries(c).filter(([k, v]) => /^usd_per_million/.test(k) && num(v) !== null) as [string, number][];
  if (!entries.length) return null;
  const nice = (k: string) => k.replace(/^usd_per_million_/, '$ / Mtok ').replace(/_/g, ' ');
  const f = figure('cost', 'Cost per million tokens', `${usd(c.usd_per_million_output_tokens)} per million output tokens${num(c.mfu) !== null ? `, MFU ${fixed((c.mfu as number) * 100, 1, '%')}` : ''}.`, {
    head: ['Quantity', 'Value'],
    rows: Object.entries(c).filter(([, v]) => typeof v !== 'object' || v === null).map(([k, v]) => [k.replace(/_/g, ' '), typeof v === 'number' ? (/usd/.test(k) ? usd(v) : fixed(v, Number.isInteger(v) ? 0 : 3)) : String(v)]),
  });
  const x = linear(0, Math.max(...entries.map((e) => e[1])) * 1.15, M.l + 150, W - M.r, (v) => `$${v}`);
  for (const t of x.ticks) {
    f.svg.appendChild(s('line', { class: 'grid', x1: x(t), x2: x(t), y1: M.t, y2: H - M.b }));
    f.svg.appendChild(s('text', { class: 'tick', x: x(t), y: H - M.b + 14, 'text-anchor': 'middle' }, x.fmt(t)));
  }
  const bh = Math.min(40, (H - M.t - M.b - 10) / entries.length - 10);
  entries.forEach(([k, v], i) => {
    const y = M.t + 10 + i * (bh + 10);
    f.svg.appendChild(s('text', { class: 'tick', x: M.l + 144, y: y + bh / 2 + 4, 'text-anchor': 'end' }, nice(k).slice(0, 30)));
    f.svg.appendChild(mark(s('rect', { class: 'seg c-cost', x: x(0), y, width: x(v) - x(0), height: bh }), `${nice(k)}: ${usd(v)}`, f.readout));
    f.svg.appendChild(s('text', { class: 'note', x: x(v) + 4, y: y + bh / 2 + 4 }, usd(v)));
  });
  return f.root;
}

/** The operator table of the roofline (no chart: a table is the clearest form). */
export function operatorsTable(d: J): HTMLElement | null {
  const ops = arr(obj(d.performance).operators);
  if (!ops.length) return null;
  return h('section', { class: 'chart', id: 'operators', 'aria-labelledby': 'operators-title' },
    h('h3', { id: 'operators-title', class: 'chart-title' }, 'Operators per step'),
    h('table', {}, h('thead', {}, h('tr', {}, ...['Phase', 'Operator', 'FLOPs', 'Bytes', 'FLOP/byte', 'Bound', 'Time (ms)'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...ops.map((o) => h('tr', {}, h('td', {}, String(o.phase ?? '')), h('th', { scope: 'row' }, String(o.name ?? '')), h('td', {}, si(o.flops)), h('td', {}, si(o.bytes, 'B')), h('td', {}, fixed(o.intensity, 1)), h('td', {}, String(o.bound ?? '')), h('td', {}, fixed(o.time_ms, 3)))))));
}

export type { Figure };
