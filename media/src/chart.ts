// A tiny SVG chart kit (no library): linear/log scales, axes, bars, lines, points, focusable marks with
// native <title> tooltips and a live read-out, and the data table behind each chart for screen readers.
import { h, s, type Child } from './dom';

// Charts are drawn at the width of their container (one SVG unit = one CSS pixel), so text keeps its CSS size (11 px
// and up) at any panel width instead of shrinking with a scaled viewBox; the report re-renders when the width changes.
export let W = 640;
export const H = 260;
export const M = { l: 70, r: 20, t: 14, b: 42 };
/** Smallest and largest drawing width (px): below 300 the axes have no room; above 900 lines get too long to read. */
export const MIN_W = 300;
export const MAX_W = 900;
export function setChartWidth(px: number): void {
  W = Math.max(MIN_W, Math.min(MAX_W, Math.floor(px)));
  M.l = W < 480 ? 52 : 70;
}
/** Width of the label column of horizontal bar charts: at most 150 px, at most 40% of the chart. */
export function labelColumn(): number {
  return Math.min(150, Math.round(W * 0.4));
}

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
  const l0 = Math.log10(d0),
    l1 = Math.log10(d1);
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
  g.appendChild(s('text', { class: 'label axis-title', x: (M.l + W - M.r) / 2, y: H - 6, 'text-anchor': 'middle' }, xLabel));
  // Narrow charts: the y title sits inside the plot's top-left corner (rotated at the edge it would touch the tick labels).
  if (yLabel && W < 480) g.appendChild(s('text', { class: 'label axis-title', x: M.l + 4, y: M.t + 10 }, yLabel));
  else if (yLabel)
    g.appendChild(
      s(
        'text',
        { class: 'label axis-title', x: 12, y: (M.t + H - M.b) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(M.t + H - M.b) / 2})` },
        yLabel,
      ),
    );
  return g;
}

/** A focusable mark: tooltip by <title>, and the chart's read-out line on hover or keyboard focus. */
export function mark(el: SVGElement, tip: string, readout: HTMLElement): SVGElement {
  el.setAttribute('tabindex', '0');
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', tip);
  el.classList.add('mark');
  el.appendChild(s('title', {}, tip));
  // A positioned tooltip beside the mark (hover or keyboard focus), besides the read-out line under the chart.
  const show = () => {
    readout.textContent = tip;
    const host = el.closest('.chart');
    if (!(host instanceof HTMLElement)) return;
    let box = host.querySelector<HTMLElement>(':scope > .tip');
    if (!box) {
      box = h('div', { class: 'tip', role: 'presentation', 'aria-hidden': 'true' });
      host.appendChild(box);
    }
    box.textContent = tip;
    const hr = host.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    box.hidden = false;
    const left = Math.max(0, Math.min(hr.width - box.offsetWidth, r.left - hr.left + r.width / 2 - box.offsetWidth / 2));
    box.style.left = `${left}px`;
    box.style.top = `${Math.max(0, r.top - hr.top - box.offsetHeight - 6)}px`;
  };
  const hide = () => {
    const box = el.closest('.chart')?.querySelector<HTMLElement>(':scope > .tip');
    if (box) box.hidden = true;
  };
  el.addEventListener('mouseenter', show);
  el.addEventListener('focus', show);
  el.addEventListener('mouseleave', hide);
  el.addEventListener('blur', hide);
  return el;
}

export interface Table {
  head: string[];
  rows: Child[][];
}

export function dataTable(t: Table, caption: string): HTMLElement {
  return h(
    'details',
    { class: 'data' },
    h('summary', {}, 'Data table'),
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...t.head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...t.rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))),
    ),
  );
}

export interface Figure {
  root: HTMLElement;
  svg: SVGElement;
  readout: HTMLElement;
}

/** A chart section: heading, SVG (role img, described by the read-out), read-out line, legend, data table. */
export function figure(id: string, title: string, desc: string, table: Table, legend: [string, string][] = []): Figure {
  const readout = h('p', { class: 'readout', 'aria-live': 'polite', id: `${id}-readout` }, desc);
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'group',
    'aria-labelledby': `${id}-title`,
    'aria-describedby': `${id}-readout`,
    class: 'chart-svg',
  });
  const leg = legend.length
    ? h('ul', { class: 'legend' }, ...legend.map(([cls, label]) => h('li', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), label)))
    : null;
  const root = h(
    'section',
    { class: 'chart', id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, class: 'chart-title' }, title),
    svg,
    readout,
    leg,
    dataTable(table, title),
  );
  return { root, svg, readout };
}

/**
 * Moves chart labels that overlap an earlier label (measured with getBBox once the SVG is in the page): first up or
 * down by a line, then hidden (the value stays in the read-out and the data table). Tick labels are checked too.
 */
export function declutter(svg: SVGSVGElement): void {
  const texts = Array.from(svg.querySelectorAll<SVGTextElement>('text'));
  const boxes: DOMRect[] = [];
  const hit = (b: DOMRect) =>
    boxes.some((o) => b.x < o.x + o.width - 0.5 && o.x < b.x + b.width - 0.5 && b.y < o.y + o.height - 0.5 && o.y < b.y + b.height - 0.5);
  for (const t of texts) {
    let b: DOMRect;
    try {
      b = t.getBBox();
    } catch {
      continue;
    }
    if (!b.width) continue;
    if (hit(b) && !t.classList.contains('axis-title')) {
      const y0 = Number(t.getAttribute('y') ?? 0);
      let placed = false;
      for (const dy of [-(b.height + 1), b.height + 1, -2 * (b.height + 1), 2 * (b.height + 1)]) {
        t.setAttribute('y', String(y0 + dy));
        const nb = t.getBBox();
        if (!hit(nb) && nb.y >= 0 && nb.y + nb.height <= H) {
          b = nb;
          placed = true;
          break;
        }
      }
      if (!placed) {
        t.setAttribute('y', String(y0));
        t.setAttribute('visibility', 'hidden');
        continue;
      }
    }
    boxes.push(b);
  }
}
