// Page-level views: the sizing report, the hardware comparison and the calibration result. Typed by the one report
// contract (server/src/presenters/reportTypes.ts, protocol.ts): no guessed field names.
import { h, s } from './dom';
import { capacityChart, costChart, kvChart, latencyChart, memoryChart, operatorsTable, rooflineChart } from './charts';
import { figure, labelColumn, linear, M, mark, W } from './chart';
import { fixed, gib, int, si, usd } from './format';
import { term } from './glossary';
import type { FromWebview } from './messages';
import type { CalibrateResult, CompareResult, ReportResult } from '../../server/src/lsp/protocol';
import type { ComparisonRow, DeploymentReport, DiagnosticReport, FileReport, Verdict } from '../../server/src/presenters/reportTypes';

type Post = (m: FromWebview) => void;

function sevClass(sev: string): string {
  return `sev sev-${sev.replace(/[^a-z]/g, '')}`;
}

function badge(v: Verdict): HTMLElement {
  const cls = v.kind === 'fails' ? 'bad' : v.kind === 'starts' ? 'ok' : v.kind === 'assumed' ? 'assumed' : 'none';
  return h('span', { class: `badge ${cls}`, title: v.reason ?? v.label, 'data-verdict': v.kind }, v.label);
}

/** The file name relative to the workspace when the host sent one, else the last part of the URI. */
function shownPath(file: string, path: string | undefined): string {
  if (path) return path;
  try {
    return decodeURIComponent(file.replace(/^[a-z]+:\/\/[^/]*/i, ''))
      .split('/')
      .slice(-2)
      .join('/');
  } catch {
    return file;
  }
}

/** One line per deployment at the top: verdict, KV tokens, concurrency, TTFT/TPOT, cost, top problems. */
function summaryLine(d: DeploymentReport, diags: DiagnosticReport[], i: number): HTMLElement {
  const parts: (Node | string)[] = [];
  const sep = () => parts.push(' · ');
  if (d.kv_cache && d.concurrency) {
    sep();
    parts.push(`${int(d.kv_cache.capacity_tokens)} `, term('KV'), ' tokens');
    sep();
    parts.push(
      `${int(d.concurrency.running)} requests of ${int(d.concurrency.workload_tokens)} tokens at once (${fixed(d.concurrency.at_max_model_len, 2)}x at max_model_len ${int(d.concurrency.max_model_len)})`,
    );
  }
  const p = d.performance;
  if (p) {
    sep();
    parts.push(term('TTFT'), ` ${fixed(p.ttft_ms, 0, ' ms')} / `, term('TPOT'), ` ${fixed(p.tpot_ms, 1, ' ms')}`);
  }
  if (d.cost && d.cost.usd_per_gpu_hour > 0) {
    sep();
    parts.push(`${usd(d.cost.usd_per_million_output_tokens)} per `, term('Mtok', 'Mtok'), ' output');
  }
  const mine = diags.filter((x) => x.range.start.line >= d.line);
  const errors = mine.filter((x) => x.severity === 'error').length,
    warnings = mine.filter((x) => x.severity === 'warning').length;
  if (errors || warnings) {
    sep();
    parts.push(
      `${errors ? `${errors} error${errors > 1 ? 's' : ''}` : ''}${errors && warnings ? ', ' : ''}${warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`,
    );
  }
  return h('li', {}, h('a', { href: `#dep-${i}` }, d.name), ' ', badge(d.verdict), d.verdict.reason ? ` ${d.verdict.reason}` : '', ...parts);
}

export function reportView(result: ReportResult, path: string | undefined, post: Post): HTMLElement {
  const report: FileReport = result.report;
  const deps = report.deployments;
  const diags = report.diagnostics;
  const formats = result.formats;
  const root = h(
    'div',
    { class: 'report' },
    h(
      'p',
      { class: 'meta' },
      `${shownPath(report.file, path)} · format: `,
      ...(formats.length ? formats.flatMap((f, i) => [i ? ', ' : '', term(f)]) : ['none detected']),
      ` · ${deps.length} deployment${deps.length === 1 ? '' : 's'}`,
    ),
  );
  if (!deps.length) root.appendChild(h('p', { class: 'empty' }, 'No serving deployment found in this file.'));
  else
    root.appendChild(
      h(
        'nav',
        { class: 'summary', 'aria-label': 'Summary and contents' },
        h(
          'ul',
          {},
          ...deps.map((d, i) =>
            summaryLine(
              d,
              diags.filter((x) => !deps[i + 1] || x.range.start.line < deps[i + 1].line),
              i,
            ),
          ),
        ),
      ),
    );
  deps.forEach((d, i) => root.appendChild(deploymentView(d, i, post)));
  if (diags.length) {
    root.appendChild(
      h(
        'section',
        { class: 'diagnostics', 'aria-labelledby': 'diag-title' },
        h('h2', { id: 'diag-title' }, 'Diagnostics'),
        h(
          'ul',
          {},
          ...diags.map((x) => {
            const go = h('button', { type: 'button', class: 'link', title: 'Show this line in the editor' }, `line ${x.range.start.line + 1}`);
            go.addEventListener('click', () =>
              post({
                type: 'reveal',
                line: x.range.start.line,
                character: x.range.start.character,
                endLine: x.range.end.line,
                endCharacter: x.range.end.character,
              }),
            );
            return h(
              'li',
              { class: sevClass(x.severity) },
              h('span', { class: 'sev-label' }, x.severity),
              ' ',
              h('code', {}, x.code),
              ' ',
              go,
              ': ',
              x.message,
            );
          }),
        ),
      ),
    );
  }
  return root;
}

function assumptionsBox(d: DeploymentReport): HTMLElement | null {
  if (!d.assumptions.length) return null;
  return h(
    'section',
    { class: 'assumptions scroll', 'aria-label': `Inputs of ${d.name}` },
    h(
      'table',
      {},
      h('caption', {}, 'What this sizing rests on'),
      h('thead', {}, h('tr', {}, ...['Input', 'Value', 'Source', 'To change it'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...d.assumptions.map((a) =>
          h(
            'tr',
            { class: a.stated ? 'stated' : 'assumed' },
            h('th', { scope: 'row' }, a.label),
            h('td', {}, a.value),
            h('td', {}, a.stated ? 'stated' : h('strong', {}, 'assumed')),
            h('td', {}, a.how),
          ),
        ),
      ),
    ),
  );
}

function deploymentView(d: DeploymentReport, i: number, post: Post): HTMLElement {
  const go = h('button', { type: 'button', class: 'link', title: 'Show this deployment in the editor' }, `line ${d.line + 1}`);
  go.addEventListener('click', () => post({ type: 'reveal', line: d.line, character: 0 }));
  const par = d.parallelism;
  const kv = d.kv_cache,
    c = d.concurrency,
    p = d.performance;
  const sec = h(
    'section',
    { class: 'deployment', id: `dep-${i}`, 'aria-labelledby': `dep-${i}-title` },
    h('h2', { id: `dep-${i}-title` }, d.name, ' ', badge(d.verdict), ' ', go),
    d.verdict.reason
      ? h(
          'p',
          { class: d.verdict.kind === 'fails' ? 'error' : 'hint', role: d.verdict.kind === 'fails' ? 'alert' : undefined },
          `${d.verdict.kind === 'fails' ? 'Does not start' : 'Not sized'}: ${d.verdict.reason}`,
        )
      : null,
    d.verdict.hypothetical
      ? h(
          'p',
          { class: 'hypothetical' },
          'Hypothetical: vLLM does not start with this configuration, so the numbers below describe what it would do if it did.',
        )
      : null,
    assumptionsBox(d),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Model'),
      h('dd', { class: 'model-id' }, d.model.id ?? '–', d.model.params_total !== null ? ` (${si(d.model.params_total)} parameters)` : ''),
      h('dt', {}, 'GPU'),
      h('dd', {}, `${int(d.gpu.count)} x ${d.gpu.name ?? d.gpu.id ?? '–'}${d.gpu.origin === 'default' ? ' (default GPU setting)' : ''}`),
      h('dt', {}, 'Parallelism'),
      h('dd', {}, ...(par ? [term('tp'), `=${par.tp} `, term('pp'), `=${par.pp} `, term('dp'), `=${par.dp} `, term('ep'), `=${par.ep}`] : ['–'])),
      ...(kv && c
        ? [
            h('dt', {}, 'KV cache'),
            h(
              'dd',
              {},
              `${int(kv.capacity_tokens)} tokens: ${int(c.at_workload)} requests of the workload's ${int(c.workload_tokens)} tokens fit at once (${int(c.running)} run, max_num_seqs caps the rest); ${fixed(c.at_max_model_len, 2, 'x')} at max_model_len ${int(c.max_model_len)}`,
            ),
          ]
        : []),
      ...(p
        ? [
            h('dt', {}, 'Latency'),
            h(
              'dd',
              {},
              term('TTFT'),
              ` ${fixed(p.ttft_ms, 1, ' ms')}, `,
              term('TPOT'),
              ` ${fixed(p.tpot_ms, 1, ' ms')}, ${int(p.throughput_tokens_per_s)} tokens/s per replica`,
            ),
          ]
        : []),
    ),
  );
  const charts = [memoryChart(d), kvChart(d), rooflineChart(d), latencyChart(d), capacityChart(d), costChart(d), operatorsTable(d)].filter(
    (x): x is HTMLElement => !!x,
  );
  for (const x of charts) {
    x.id = `${x.id}-${i}`;
    sec.appendChild(x);
  }
  const det = detailsView(d, i);
  if (det) sec.appendChild(det);
  if (d.memory_per_gpu && !d.performance)
    sec.appendChild(h('p', { class: 'hint' }, 'Performance, capacity and cost appear here when the server computes them.'));
  for (const n of d.notes) sec.appendChild(h('p', { class: 'note-text' }, n));
  return sec;
}

/**
 * The long tables behind the hover's few lines: every memory term with its band and formula, the KV cache arithmetic
 * and the lines vLLM should print at startup (collapsed; the charts above show the same numbers).
 */
function detailsView(d: DeploymentReport, i: number): HTMLElement | null {
  const terms = d.memory_terms ?? [];
  const kv = d.kv_cache,
    sv = d.serving,
    lines = d.predicted_log_lines ?? [];
  if (!terms.length && !kv && !lines.length) return null;
  const table = (caption: string, head: string[], rows: (string | Node)[][]) =>
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        {},
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r[0]), ...r.slice(1).map((c) => h('td', {}, c))))),
      ),
    );
  const parts: HTMLElement[] = [];
  if (terms.length)
    parts.push(
      table(
        'Memory per GPU: every term and its formula',
        ['Term', 'Per GPU', 'Band (low to high)', 'Formula'],
        terms.map((t) => [t.label, gib(t.bytes), t.band ? `${gib(t.band[0])} to ${gib(t.band[1])}` : '–', h('code', {}, t.formula)]),
      ),
    );
  if (kv && sv)
    parts.push(
      table(
        'KV cache arithmetic',
        ['Quantity', 'Value', 'How'],
        [
          ['Bytes per token (model)', int(kv.bytes_per_token), `2 x layers x KV heads x head_dim x element size (${sv.kv_cache_dtype})`],
          [
            'Bytes per token per GPU',
            int(kv.bytes_per_token_per_gpu),
            `KV heads per GPU = ${kv.kv_heads_per_gpu}${kv.kv_heads_replicated ? ' (replicated: fewer KV heads than GPUs)' : ''}`,
          ],
          ['Blocks per request', int(kv.blocks_per_request), `max_model_len ${int(sv.max_model_len)} / block_size ${kv.block_size}, rounded up`],
          ['KV blocks', int(kv.num_blocks), `KV memory / ${int(kv.page_bytes)} bytes per block`],
          ['Capacity (tokens)', int(kv.capacity_tokens), 'blocks x block_size'],
          ['Max concurrency', fixed(kv.max_concurrency, 2, 'x'), `capacity / max_model_len ${int(sv.max_model_len)}`],
        ],
      ),
    );
  if (lines.length) parts.push(h('div', {}, h('p', { class: 'caption' }, 'vLLM should print at startup:'), h('pre', { class: 'log' }, lines.join('\n'))));
  return h('details', { class: 'details', id: `details-${i}` }, h('summary', {}, 'Formulas and the predicted vLLM startup log'), ...parts);
}

const cfg = (r: ComparisonRow) => `${r.gpu} × ${r.tp}${r.pp > 1 ? ` (pp ${r.pp})` : ''}`;

/**
 * Hardware comparison: a chart first (cost per million output tokens of every configuration that fits, cheapest
 * first, unpriced last, the file's own configuration highlighted), then the same rows as a table.
 */
export function compareView(result: CompareResult | null): HTMLElement {
  const root = h('div', { class: 'compare' });
  if (!result) {
    root.appendChild(
      h('p', { class: 'empty', role: 'status' }, 'No hardware comparison for this file: it has no deployment with a known model that could be sized.'),
    );
    return root;
  }
  const isCurrent = (r: ComparisonRow) => r.gpu === result.current.gpu && r.tp === result.current.tp;
  const fits = result.rows.filter((r) => r.fits);
  const priced = (r: ComparisonRow) => r.usd_per_million_output_tokens > 0;
  const rows = [...fits].sort((a, b) =>
    priced(a) === priced(b) ? (priced(a) ? a.usd_per_million_output_tokens - b.usd_per_million_output_tokens : a.tpot_ms - b.tpot_ms) : priced(a) ? -1 : 1,
  );
  root.appendChild(
    h(
      'p',
      { class: 'meta' },
      `${result.deployment} · ${result.model} · now ${result.current.gpu} × ${result.current.tp}${result.current.usd_per_gpu_hour !== null ? ` at ${usd(result.current.usd_per_gpu_hour, 2)} per GPU-hour` : ''} · ${fits.length} of ${result.rows.length} configurations fit`,
    ),
  );
  if (!rows.length) {
    root.appendChild(h('p', { class: 'empty', role: 'status' }, 'No catalog GPU and tensor-parallel size fits this model with these settings.'));
    return root;
  }
  const shown = rows.filter(priced).slice(0, 15);
  const cur = rows.find(isCurrent);
  if (cur && priced(cur) && !shown.includes(cur)) shown.push(cur);
  if (shown.length) {
    const f = figure(
      'compare-chart',
      'Cost per million output tokens (configurations that fit)',
      `Cheapest first; ${cur ? `the file's ${cfg(cur)} is highlighted` : "the file's configuration does not fit or is not in the catalog"}. Focus a bar for its numbers.`,
      {
        head: ['GPU × tp', '$ per million output tokens', 'TPOT (ms)', 'SLO'],
        rows: shown.map((r) => [
          `${cfg(r)}${isCurrent(r) ? ' (this file)' : ''}`,
          usd(r.usd_per_million_output_tokens),
          fixed(r.tpot_ms, 1),
          r.meets_slo ? 'met' : 'not met',
        ]),
      },
      [
        ['c-weights', 'Cost'],
        ['c-current', 'This file'],
      ],
    );
    const bh = 18,
      gap = 6;
    const height = M.t + shown.length * (bh + gap) + 40;
    f.svg.setAttribute('viewBox', `0 0 ${W} ${height}`);
    f.svg.setAttribute('height', String(height));
    const lc = labelColumn();
    const x0 = M.l + lc - 60;
    const x = linear(0, Math.max(...shown.map((r) => r.usd_per_million_output_tokens)) * 1.25, x0, W - M.r, (v) => `$${si(v)}`);
    for (const t of x.ticks) f.svg.appendChild(s('text', { class: 'tick', x: x(t), y: height - 22, 'text-anchor': 'middle' }, x.fmt(t)));
    f.svg.appendChild(s('text', { class: 'label axis-title', x: (x0 + W - M.r) / 2, y: height - 6, 'text-anchor': 'middle' }, '$ per million output tokens'));
    shown.forEach((r, i) => {
      const y = M.t + i * (bh + gap);
      const here = isCurrent(r);
      f.svg.appendChild(
        s('text', { class: `tick${here ? ' current' : ''}`, x: x0 - 6, y: y + bh / 2 + 4, 'text-anchor': 'end' }, `${here ? '▶ ' : ''}${cfg(r)}`),
      );
      f.svg.appendChild(
        mark(
          s('rect', {
            class: `seg ${here ? 'c-current' : 'c-weights'}`,
            x: x(0),
            y,
            width: Math.max(1, x(r.usd_per_million_output_tokens) - x(0)),
            height: bh,
          }),
          `${cfg(r)}${here ? ' (this file)' : ''}: ${usd(r.usd_per_million_output_tokens)} per million output tokens, TPOT ${fixed(r.tpot_ms, 1, ' ms')}, ${int(r.gpus)} GPUs, SLO ${r.meets_slo ? 'met' : 'not met'}`,
          f.readout,
        ),
      );
      f.svg.appendChild(s('text', { class: 'value', x: x(r.usd_per_million_output_tokens) + 4, y: y + bh / 2 + 4 }, usd(r.usd_per_million_output_tokens)));
    });
    root.appendChild(f.root);
  }
  root.appendChild(compareTable(rows, isCurrent));
  return root;
}

/** The comparison's rows (those that fit) as a sortable table: buttons in the headers, aria-sort. */
function compareTable(rows: ComparisonRow[], isCurrent: (r: ComparisonRow) => boolean): HTMLElement {
  type Col = { key: string; label: string; value: (r: ComparisonRow) => number | string | null; fmt: (r: ComparisonRow) => string };
  const cols: Col[] = [
    { key: 'config', label: 'GPU × tp', value: (r) => cfg(r), fmt: (r) => `${cfg(r)}${isCurrent(r) ? ' (this file)' : ''}` },
    {
      key: 'usd',
      label: '$ per M output tokens',
      value: (r) => (r.usd_per_million_output_tokens > 0 ? r.usd_per_million_output_tokens : null),
      fmt: (r) => (r.usd_per_million_output_tokens > 0 ? usd(r.usd_per_million_output_tokens) : 'no price'),
    },
    { key: 'gpus', label: 'GPUs', value: (r) => r.gpus, fmt: (r) => int(r.gpus) },
    { key: 'tpot', label: 'TPOT (ms)', value: (r) => r.tpot_ms, fmt: (r) => fixed(r.tpot_ms, 1) },
    { key: 'ttft', label: 'TTFT (ms)', value: (r) => r.ttft_ms, fmt: (r) => fixed(r.ttft_ms, 0) },
    { key: 'slo', label: 'SLO', value: (r) => (r.meets_slo ? 'met' : 'not met'), fmt: (r) => (r.meets_slo ? 'met' : 'not met') },
    {
      key: 'gpuhour',
      label: '$ per GPU-hour',
      value: (r) => (r.usd_per_gpu_hour > 0 ? r.usd_per_gpu_hour : null),
      fmt: (r) => (r.usd_per_gpu_hour > 0 ? usd(r.usd_per_gpu_hour, 2) : '–'),
    },
  ];
  let sortCol = 'usd';
  let asc = true;
  const table = h('table', { class: 'sortable' });
  const render = () => {
    const col = cols.find((c) => c.key === sortCol)!;
    const sorted = [...rows].sort((a, b) => {
      const va = col.value(a),
        vb = col.value(b);
      if (va === null || vb === null) return va === null && vb === null ? 0 : va === null ? 1 : -1; // missing values last either way
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return asc ? c : -c;
    });
    table.replaceChildren(
      h('caption', {}, `Configurations that fit, sorted by ${col.label} (${asc ? 'ascending' : 'descending'})`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...cols.map((c) => {
            const b = h('button', { type: 'button', class: 'sort' }, c.label);
            b.addEventListener('click', () => {
              if (sortCol === c.key) asc = !asc;
              else {
                sortCol = c.key;
                asc = true;
              }
              render();
              Array.from(table.querySelectorAll('th'))
                .find((th) => th.dataset.col === c.key)
                ?.querySelector('button')
                ?.focus();
            });
            return h('th', { scope: 'col', 'data-col': c.key, 'aria-sort': c.key === sortCol ? (asc ? 'ascending' : 'descending') : 'none' }, b);
          }),
        ),
      ),
      h(
        'tbody',
        {},
        ...sorted.map((r) =>
          h(
            'tr',
            { class: isCurrent(r) ? 'current' : undefined },
            ...cols.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c.fmt(r)) : h('td', {}, c.fmt(r)))),
          ),
        ),
      ),
    );
  };
  render();
  return h('div', { class: 'scroll' }, table);
}

/** Calibration: measured (from the vLLM log) vs predicted, and the `calibration:` block to insert. */
export function calibrateView(result: CalibrateResult, canInsert: boolean, onInsert: () => void): HTMLElement {
  const { measured, predicted, log } = result;
  const keys = Object.keys(measured) as (keyof typeof measured)[];
  const fmtv = (k: string, v: number | null) => (v === null ? '–' : k === 'tokens' ? int(v) : k === 'concurrency' ? fixed(v, 2, 'x') : fixed(v, 2, ' GiB'));
  const root = h(
    'div',
    { class: 'calibrate' },
    h('p', { class: 'meta' }, `vLLM ${log.version ?? '?'}${log.model ? ` · model ${log.model}` : ''}${log.engine ? ` · ${log.engine}` : ''}`),
  );
  if (log.error) root.appendChild(h('p', { class: 'error', role: 'alert' }, `Startup error in the log: ${log.error}`));
  root.appendChild(
    h(
      'table',
      {},
      h('caption', {}, 'Measured vs predicted'),
      h('thead', {}, h('tr', {}, ...['Term', 'Measured (log)', 'Predicted', 'Difference'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...keys.map((k) => {
          const m = measured[k],
            p = predicted ? predicted[k] : null;
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, k.replace(/_/g, ' ')),
            h('td', {}, fmtv(k, m)),
            h('td', {}, fmtv(k, p)),
            h('td', {}, m !== null && p !== null && m !== 0 ? `${fixed(((p - m) / m) * 100, 1)}%` : '–'),
          );
        }),
      ),
    ),
  );
  if (!predicted) root.appendChild(h('p', { class: 'hint' }, 'No prediction: open the plan this log belongs to and run the command from its editor.'));
  root.appendChild(h('h3', {}, 'calibration: block'));
  root.appendChild(h('pre', { class: 'yaml' }, h('code', {}, result.calibration)));
  if (canInsert) {
    const b = h('button', { type: 'button', id: 'insert-calibration' }, 'Insert calibration block into the plan');
    b.addEventListener('click', onInsert);
    root.appendChild(b);
  }
  return root;
}
