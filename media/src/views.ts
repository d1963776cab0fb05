// Page-level views: the sizing report, the hardware comparison and the calibration result.
import { h, s } from './dom';
import { arr, capacityChart, costChart, kvChart, latencyChart, memoryChart, obj, operatorsTable, rooflineChart, type J } from './charts';
import { figure, linear, M, mark, W, H } from './chart';
import { fixed, gib, int, num, si } from './format';

function sevClass(sev: unknown): string {
  return `sev sev-${String(sev).replace(/[^a-z]/g, '')}`;
}

export function reportView(report: J, formats: string[]): HTMLElement {
  const deps = arr(report.deployments);
  const diags = arr(report.diagnostics);
  const root = h('div', { class: 'report' },
    h('p', { class: 'meta' }, `${String(report.file ?? '')} · format: ${formats.length ? formats.join(', ') : 'none detected'} · ${deps.length} deployment(s)`));
  if (!deps.length) root.appendChild(h('p', { class: 'empty' }, 'No serving deployment found in this file.'));
  deps.forEach((d, i) => root.appendChild(deploymentView(d, i)));
  if (diags.length) {
    root.appendChild(h('section', { class: 'diagnostics', 'aria-labelledby': 'diag-title' },
      h('h2', { id: 'diag-title' }, 'Diagnostics'),
      h('ul', {}, ...diags.map((x) => h('li', { class: sevClass(x.severity) },
        h('span', { class: 'sev-label' }, String(x.severity ?? '')), ' ', h('code', {}, String(x.code ?? '')), ' ',
        `line ${(num(obj(obj(x.range).start).line) ?? 0) + 1}: `, String(x.message ?? ''))))));
  }
  return root;
}

function deploymentView(d: J, i: number): HTMLElement {
  const model = obj(d.model), gpu = obj(d.gpu), par = obj(d.parallelism), st = obj(d.startup), kv = obj(d.kv_cache), p = obj(d.performance);
  const fits = st.ok === true ? 'starts' : st.ok === false ? 'does not start' : 'not sized';
  const sec = h('section', { class: 'deployment', 'aria-labelledby': `dep-${i}` },
    h('h2', { id: `dep-${i}` }, String(d.name ?? `deployment ${i + 1}`), ' ', h('span', { class: `badge ${st.ok === true ? 'ok' : st.ok === false ? 'bad' : ''}` }, fits)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Model'), h('dd', { class: 'model-id' }, String(model.id ?? '–'), num(model.params_total) !== null ? ` (${si(model.params_total)} parameters)` : ''),
      h('dt', {}, 'GPU'), h('dd', {}, `${int(gpu.count)} x ${String(gpu.name ?? gpu.id ?? '–')}${gpu.origin === 'default' ? ' (default GPU setting)' : ''}`),
      h('dt', {}, 'Parallelism'), h('dd', {}, `tp=${int(par.tp)} pp=${int(par.pp)} dp=${int(par.dp)} ep=${int(par.ep)}`),
      h('dt', {}, 'KV cache'), h('dd', {}, `${int(kv.capacity_tokens)} tokens, ${fixed(kv.max_concurrency, 2, 'x')} concurrency`),
      ...(num(p.ttft_ms) !== null ? [h('dt', {}, 'Latency'), h('dd', {}, `TTFT ${fixed(p.ttft_ms, 1, ' ms')}, TPOT ${fixed(p.tpot_ms, 1, ' ms')}, ${int(p.throughput_tokens_per_s)} tokens/s`)] : []),
    ));
  if (st.error) sec.appendChild(h('p', { class: 'error', role: 'alert' }, String(st.error)));
  const charts = [memoryChart(d), kvChart(d), rooflineChart(d), latencyChart(d), capacityChart(d), costChart(d), operatorsTable(d)].filter((c): c is HTMLElement => !!c);
  for (const c of charts) {
    c.id = `${c.id}-${i}`;
    sec.appendChild(c);
  }
  if (!d.performance) sec.appendChild(h('p', { class: 'hint' }, 'Performance, capacity and cost appear here when the server computes them.'));
  for (const n of Array.isArray(d.notes) ? d.notes : []) sec.appendChild(h('p', { class: 'note-text' }, String(n)));
  return sec;
}

/** Hardware comparison: a sortable table (buttons in the headers, aria-sort) and a bar chart of the sort column. */
export function compareView(result: unknown): HTMLElement {
  const r = obj(result);
  const rows = Array.isArray(result) ? arr(result) : arr(r.rows ?? r.ranking ?? r.results ?? r.hardware);
  const root = h('div', { class: 'compare' });
  if (result === null || result === undefined) {
    root.appendChild(h('p', { class: 'empty', role: 'status' }, 'No hardware comparison for this file: the server returned nothing (no sized deployment, or comparison not available in this server).'));
    return root;
  }
  if (!rows.length) {
    root.appendChild(h('p', { class: 'empty', role: 'status' }, 'The comparison has no rows.'));
    return root;
  }
  const cols = [...new Set(rows.flatMap((x) => Object.keys(x).filter((k) => typeof x[k] !== 'object' || x[k] === null)))];
  const numeric = cols.filter((c) => rows.some((x) => num(x[c]) !== null));
  let sortCol = numeric.find((c) => /usd|cost/.test(c)) ?? numeric[0] ?? cols[0];
  let asc = true;
  const table = h('table', { class: 'sortable' });
  const chartHost = h('div');
  const fmt = (c: string, v: unknown) => (typeof v === 'number' ? (/bytes/.test(c) ? gib(v) : Number.isInteger(v) ? int(v) : fixed(v, /usd/.test(c) ? 3 : 2)) : v === null || v === undefined ? '–' : String(v));
  const label = (x: J) => String(x.gpu ?? x.id ?? x.name ?? '');
  const render = () => {
    const sorted = [...rows].sort((a, b) => {
      const va = a[sortCol], vb = b[sortCol];
      const na = va === null || va === undefined, nb = vb === null || vb === undefined;
      if (na || nb) return na && nb ? 0 : na ? 1 : -1; // missing values last in both directions
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return asc ? c : -c;
    });
    table.replaceChildren(
      h('caption', {}, `Hardware ranking, sorted by ${sortCol.replace(/_/g, ' ')} (${asc ? 'ascending' : 'descending'})`),
      h('thead', {}, h('tr', {}, ...cols.map((c) => {
        const b = h('button', { type: 'button', class: 'sort' }, c.replace(/_/g, ' '));
        // Focus returns to the new header's button, found by comparing data-col: a column name is data and
        // must not be pasted into a CSS selector (a quote in it made querySelector throw).
        b.addEventListener('click', () => { if (sortCol === c) asc = !asc; else { sortCol = c; asc = true; } render(); Array.from(table.querySelectorAll('th')).find((th) => th.dataset.col === c)?.querySelector('button')?.focus(); });
        return h('th', { scope: 'col', 'data-col': c, 'aria-sort': c === sortCol ? (asc ? 'ascending' : 'descending') : 'none' }, b);
      }))),
      h('tbody', {}, ...sorted.map((x) => h('tr', {}, ...cols.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, fmt(c, x[c])) : h('td', {}, fmt(c, x[c]))))))));
    chartHost.replaceChildren();
    if (numeric.includes(sortCol)) {
      const pts = sorted.filter((x) => num(x[sortCol]) !== null).slice(0, 12);
      const f = figure('compare-chart', `Compare: ${sortCol.replace(/_/g, ' ')}`, 'Focus a bar for its value.', { head: ['GPU', sortCol], rows: pts.map((x) => [label(x), fmt(sortCol, x[sortCol])]) });
      const max = Math.max(...pts.map((x) => x[sortCol] as number), 0) || 1;
      const x = linear(0, max * 1.1, M.l + 90, W - M.r, (v) => si(v));
      const bh = Math.max(6, (H - M.t - M.b) / pts.length - 4);
      pts.forEach((p, i) => {
        const y = M.t + i * (bh + 4);
        f.svg.appendChild(s('text', { class: 'tick', x: M.l + 84, y: y + bh / 2 + 4, 'text-anchor': 'end' }, label(p).slice(0, 18)));
        f.svg.appendChild(mark(s('rect', { class: 'seg c-weights', x: x(0), y, width: Math.max(1, x(p[sortCol] as number) - x(0)), height: bh }), `${label(p)}: ${fmt(sortCol, p[sortCol])}`, f.readout));
      });
      chartHost.appendChild(f.root);
    }
  };
  render();
  root.append(table, chartHost);
  return root;
}

/** Calibration: measured (from the vLLM log) vs predicted, and the `calibration:` block to insert. */
export function calibrateView(result: unknown, canInsert: boolean, onInsert: () => void): HTMLElement {
  const r = obj(result);
  const measured = obj(r.measured), predicted = obj(r.predicted), log = obj(r.log);
  const keys = [...new Set([...Object.keys(measured), ...Object.keys(predicted)])];
  const fmtv = (k: string, v: unknown) => (num(v) === null ? '–' : k === 'tokens' ? int(v) : k === 'concurrency' ? fixed(v, 2, 'x') : fixed(v, 2, ' GiB'));
  const root = h('div', { class: 'calibrate' },
    h('p', { class: 'meta' }, `vLLM ${String(log.version ?? '?')}${log.model ? ` · model ${String(log.model)}` : ''}${log.engine ? ` · ${String(log.engine)}` : ''}`));
  if (log.error) root.appendChild(h('p', { class: 'error', role: 'alert' }, `Startup error in the log: ${String(log.error)}`));
  root.appendChild(h('table', {}, h('caption', {}, 'Measured vs predicted'),
    h('thead', {}, h('tr', {}, ...['Term', 'Measured (log)', 'Predicted', 'Difference'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...keys.map((k) => {
      const m = num(measured[k]), p = num(predicted[k]);
      return h('tr', {}, h('th', { scope: 'row' }, k.replace(/_/g, ' ')), h('td', {}, fmtv(k, m)), h('td', {}, fmtv(k, p)), h('td', {}, m !== null && p !== null && m !== 0 ? `${fixed(((p - m) / m) * 100, 1)}%` : '–'));
    }))));
  if (!r.predicted) root.appendChild(h('p', { class: 'hint' }, 'No prediction: open the plan this log belongs to and run the command from its editor.'));
  if (typeof r.calibration === 'string') {
    root.appendChild(h('h3', {}, 'calibration: block'));
    root.appendChild(h('pre', { class: 'yaml' }, h('code', {}, r.calibration)));
    if (canInsert) {
      const b = h('button', { type: 'button', id: 'insert-calibration' }, 'Insert calibration block into the plan');
      b.addEventListener('click', onInsert);
      root.appendChild(b);
    }
  }
  return root;
}
