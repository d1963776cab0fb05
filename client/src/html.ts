// Webview and exported-report HTML. Pure (no `vscode` import) so the browser test can check the same CSP.
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

/** The webview's Content-Security-Policy: no network, scripts only with the nonce, styles only from the extension. */
export function webviewCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource} 'nonce-${nonce}'; img-src ${cspSource} data:`;
}

/** The exported file's policy: everything inline (with the nonce), no network at all. */
export function exportCsp(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:`;
}

export function escapeHtml(x: unknown): string {
  return String(x).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that is safe inside <script type="application/json">: no `</script>`, no `<!--`, no U+2028/9 surprises. */
export function jsonForScript(x: unknown): string {
  return JSON.stringify(x)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface WebviewPage {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
}

export function webviewHtml(p: WebviewPage): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(webviewCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">
<title>${escapeHtml(p.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="hint">Loading…</p></main>
<script nonce="${p.nonce}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>`;
}

/** A standalone report: stylesheet, script and data inlined; opens offline in any browser. */
export function exportHtml(message: unknown, title: string, script: string, css: string, nonce = makeNonce()): string {
  const safeScript = script.replace(/<\/script/gi, '<\\/script');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(exportCsp(nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="llm-sizer">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${css.replace(/<\/style/gi, '<\\/style')}</style>
</head>
<body>
<main id="app"><noscript>This report draws its charts with JavaScript; the numbers are also in the Markdown export.</noscript></main>
<script type="application/json" id="llm-sizer-data">${jsonForScript(message)}</script>
<script nonce="${nonce}">${safeScript}</script>
</body>
</html>`;
}
