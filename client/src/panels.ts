// Webview panels: one report panel per document (live), one comparison panel, one calibration panel.
import * as vscode from 'vscode';
import { makeNonce, webviewHtml } from './html';
import type { FromWebview, ToWebview } from '../../media/src/messages';

export function createPanel(ctx: vscode.ExtensionContext, viewType: string, title: string, onMessage?: (m: FromWebview) => void): vscode.WebviewPanel {
  const media = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'media');
  const panel = vscode.window.createWebviewPanel(viewType, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
    enableScripts: true,
    localResourceRoots: [media],
    retainContextWhenHidden: false,
    enableFindWidget: true,
  });
  const w = panel.webview;
  w.html = webviewHtml({
    cspSource: w.cspSource,
    nonce: makeNonce(),
    scriptUri: w.asWebviewUri(vscode.Uri.joinPath(media, 'report.js')).toString(),
    styleUri: w.asWebviewUri(vscode.Uri.joinPath(media, 'report.css')).toString(),
    title,
  });
  if (onMessage) w.onDidReceiveMessage(onMessage);
  return panel;
}

/** Posts a message once the page said it is ready (and again whenever it reloads). */
export class PanelChannel {
  private ready = false;
  private last: ToWebview | null = null;
  constructor(readonly panel: vscode.WebviewPanel, onMessage?: (m: FromWebview) => void) {
    panel.webview.onDidReceiveMessage((m: FromWebview) => {
      if (m?.type === 'ready') {
        this.ready = true;
        if (this.last) void panel.webview.postMessage(this.last);
      } else onMessage?.(m);
    });
  }
  post(m: ToWebview): void {
    this.last = m;
    if (this.ready) void this.panel.webview.postMessage(m);
  }
}
