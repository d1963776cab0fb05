// Webview entry (IIFE, no remote code): renders what the extension host posts. Also used by the exported
// standalone HTML, which embeds the same message as JSON in <script type="application/json" id="llm-sizer-data">.
import { h } from './dom';
import { declutter, setChartWidth, W } from './chart';
import type { FromWebview, ToWebview } from './messages';
import { calibrateView, compareView, reportView } from './views';

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void; setState(s: unknown): void; getState(): unknown };
const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
const post = (m: FromWebview) => vscode?.postMessage(m);
let current: ToWebview | null = null;

function render(msg: ToWebview): void {
  const app = document.getElementById('app');
  if (!app) return;
  current = msg;
  // Charts are drawn at the panel's width (text stays at its CSS size); the page re-renders when the width changes.
  setChartWidth(app.clientWidth || document.documentElement.clientWidth || 640);
  const title = h('h1', { id: 'page-title' }, msg.title);
  let body: HTMLElement;
  switch (msg.type) {
    case 'report':
      body = reportView(msg.result, msg.path, post);
      break;
    case 'compare':
      body = compareView(msg.result);
      break;
    case 'calibrate':
      body = calibrateView(msg.result, msg.canInsert, () => post({ type: 'insertCalibration' }));
      break;
    default:
      body = h('p', { class: 'empty', role: 'status' }, msg.text);
  }
  // Keep the scroll position across live updates of the same page.
  const y = window.scrollY;
  app.replaceChildren(title, body);
  for (const svg of Array.from(app.querySelectorAll<SVGSVGElement>('svg.chart-svg'))) declutter(svg);
  window.scrollTo(0, y);
  document.body.dataset.rendered = msg.type;
  vscode?.setState(msg);
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as ToWebview;
  if (m && typeof m === 'object' && typeof m.type === 'string') render(m);
});

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const app = document.getElementById('app');
    if (current && app && Math.abs(Math.min(900, Math.max(300, app.clientWidth)) - W) >= 8) render(current);
  }, 120);
});

const embedded = document.getElementById('llm-sizer-data');
if (embedded?.textContent) render(JSON.parse(embedded.textContent) as ToWebview);
else if (vscode?.getState()) render(vscode.getState() as ToWebview);
post({ type: 'ready' });
