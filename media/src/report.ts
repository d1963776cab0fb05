// Webview entry (IIFE, no remote code): renders what the extension host posts. Also used by the exported
// standalone HTML, which embeds the same message as JSON in <script type="application/json" id="llm-sizer-data">.
import { h } from './dom';
import type { FromWebview, ToWebview } from './messages';
import { calibrateView, compareView, reportView } from './views';

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void; setState(s: unknown): void; getState(): unknown };
const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
const post = (m: FromWebview) => vscode?.postMessage(m);

function render(msg: ToWebview): void {
  const app = document.getElementById('app');
  if (!app) return;
  const title = h('h1', { id: 'page-title' }, msg.title);
  let body: HTMLElement;
  switch (msg.type) {
    case 'report': body = reportView(msg.result.report, msg.result.formats ?? []); break;
    case 'compare': body = compareView(msg.result); break;
    case 'calibrate': body = calibrateView(msg.result, msg.canInsert, () => post({ type: 'insertCalibration' })); break;
    default: body = h('p', { class: 'empty', role: 'status' }, msg.text);
  }
  app.replaceChildren(title, body);
  document.body.dataset.rendered = msg.type;
  vscode?.setState(msg);
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as ToWebview;
  if (m && typeof m === 'object' && typeof m.type === 'string') render(m);
});

const embedded = document.getElementById('llm-sizer-data');
if (embedded?.textContent) render(JSON.parse(embedded.textContent) as ToWebview);
else if (vscode?.getState()) render(vscode.getState() as ToWebview);
post({ type: 'ready' });
