// Webview panels: one report panel per document (live), one comparison panel, one calibration panel.
import * as vscode from 'vscode';
import { makeNonce, webviewHtml } from './html';
import type { FromWebview, ToWebview } from '../../media/src/messages';

export function createPanel(ctx: vscode.ExtensionContext, viewType: string, title: string, onMessage?: (m: FromWebview) => void): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(viewType, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(ctx));
  setUpPanel(ctx, panel);
  if (onMessage) panel.webview.onDidReceiveMessage(onMessage);
  return panel;
}

function panelOptions(ctx: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'media')],
    retainContextWhenHidden: false,
    enableFindWidget: true,
  };
}

/** The page of a panel, new or restored after a reload (WebviewPanelSerializer): options, CSP with a fresh nonce, script. */
export function setUpPanel(ctx: vscode.ExtensionContext, panel: vscode.WebviewPanel): void {
  const media = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'media');
  const w = panel.webview;
  w.options = panelOptions(ctx);
  w.html = webviewHtml({
    cspSource: w.cspSource,
    nonce: makeNonce(),
    scriptUri: w.asWebviewUri(vscode.Uri.joinPath(media, 'report.js')).toString(),
    styleUri: w.asWebviewUri(vscode.Uri.joinPath(media, 'report.css')).toString(),
    title: panel.title,
  });
}

/** Posts a message once the page said it is ready (and again whenever it reloads). */
export class PanelChannel {
  private ready = false;
  private last: ToWebview | null = null;
  constructor(
    readonly panel: vscode.WebviewPanel,
    onMessage?: (m: FromWebview) => void,
  ) {
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
