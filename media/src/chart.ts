// A tiny SVG chart kit (no library): linear/log scales, axes, bars, lines, points, focusable marks with
// native <title> tooltips and a live read-out, and the data table behind each chart for screen readers.
import { h, s, type Child } from './dom';

export const W = 640;
export const H = 260;
export const M = { l: 70, r: 20, t: 14, b: 42 };

export type Scale = ((v: number) => number) & { ticks: number[]; fmt: (v: number) => string };

export function linear(d0: number, d1: number, r0: number, r1: number, fmt: (v: number) => string = String): Scale {
  if (d1 === d0) d1 = d0 + 1;
  const f = ((v: number) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0)) as Scale;
  const step = niceStep((d1 - d0) / 5);
  f.ticks = [];
  for (let t = Math.ceil(d0 / step) * step; t <= d1 + 1e-9 * step; t += step) f.ticks.push(+t.toPrecision(12));
  f.fmt = fmt;
  return f;
}

export function log(d0: number, d1: number, r0: number, r1: number, fmt: (v: number) => string = String): Scale {
  const l0 = Math.log10(d0), l1 = Math.log10(d1);
  const f = ((v: number) => r0 + ((Math.log10(Math.max(v, d0 / 10)) - l0) / (l1 - l0)) * (r1 - r0)) as Scale;
  f.ticks = [];
  for (let e = Math.ceil(l0); e <= Math.floor(l1); e++) f.ticks.push(10 ** e);
  f.fmt = fmt;
  return f;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

export function axes(x: Scale, y: Scale, xLabel: string, yLabel: string): SVGElement {
  const g = s('g', { class: 'axes' });
  for (const t of x.ticks) {
    g.appendChild(s('line', { class: 'grid', x1: x(t), x2: x(t), y1: M.t, y2: H - M.b }));
    g.appendChild(s('text', { class: 'tick', x: x(t), y: H - M.b + 14, 'text-anchor': 'middle' }, x.fmt(t)));
  }
  for (const t of y.ticks) {
    g.appendChild(s('line', { class: 'grid', x1: M.l, x2: W - M.r, y1: y(t), y2: y(t) }));
    g.appendChild(s('text', { class: 'tick', x: M.l - 6, y: y(t) + 4, 'text-anchor': 'end' }, y.fmt(t)));
  }
  g.appendChild(s('line', { class: 'axis', x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b }));
  g.appendChild(s('line', { class: 'axis', x1: M.l, x2: M.l, y1: M.t, y2: H - M.b }));
  g.appendChild(s('text', { class: 'label', x: (M.l + W - M.r) / 2, y: H - 6, 'text-anchor': 'middle' }, xLabel));
  g.appendChild(s('text', { class: 'label', x: 12, y: (M.t + H - M.b) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(M.t + H - M.b) / 2})` }, yLabel));
  return g;
}

/** A focusable mark: tooltip by <title>, and the chart's read-out line on hover or keyboard focus. */
export function mark(el: SVGElement, tip: string, readout: HTMLElement): SVGElement {
  el.setAttribute('tabindex', '0');
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', tip);
  el.classList.add('mark');
  el.appendChild(s('title', {}, tip));
  const show = () => { readout.textContent = tip; };
  el.addEventListener('mouseenter', show);
  el.addEventListener('focus', show);
  return el;
}

export interface Table { head: string[]; rows: Child[][] }

export function dataTable(t: Table, caption: string): HTMLElement {
  return h('details', { class: 'data' },
    h('summary', {}, 'Data table'),
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...t.head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...t.rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))))));
}

export interface Figure { root: HTMLElement; svg: SVGElement; readout: HTMLElement }

/** A chart section: heading, SVG (role img, described by the read-out), read-out line, legend, data table. */
export function figure(id: string, title: string, desc: string, table: Table, legend: [string, string][] = []): Figure {
  const readout = h('p', { class: 'readout', 'aria-live': 'polite', id: `${id}-readout` }, desc);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-readout`, class: 'chart-svg' });
  const leg = legend.length ? h('ul', { class: 'legend' }, ...legend.map(([cls, label]) => h('li', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), label))) : null;
  const root = h('section', { class: 'chart', id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, class: 'chart-title' }, title), svg, readout, leg, dataTable(table, title));
  return { root, svg, readout };
}
