// LLM Sizer VS Code client: starts the language server, renders its data. Thin by design: nothing is computed here.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  CalibrateRequest,
  CompareRequest,
  ReportRequest,
  StatusNotification,
  type CompareResult,
  type ReportResult,
  type StatusParams,
} from '../../server/src/lsp/protocol';
import { SERVER_NODE_FLAGS } from '../../server/src/lsp/serverLaunch';
import { createPanel, PanelChannel, setUpPanel } from './panels';
import { exportHtml } from './html';
import { reportMarkdown } from './markdown';
import { continueAfterConnectionError, CrashTracker } from './restartPolicy';
import type { FromWebview, ToWebview } from '../../media/src/messages';

let client: LanguageClient | undefined;
const status = new Map<string, StatusParams>();
const reportPanels = new Map<string, { channel: PanelChannel; timer?: NodeJS.Timeout }>();
/** The one Compare Hardware tab: it follows edits of the document it compares. */
let comparePanel: { channel: PanelChannel; uri: string; index: number | undefined; timer?: NodeJS.Timeout } | undefined;
const DEBOUNCE_MS = 300;

/** Analysis and request errors the user may want to see: the "LLM Sizer" output channel (the language client's). */
function logError(what: string, e: unknown): void {
  client?.outputChannel.appendLine(`[error] ${what}: ${(e as Error)?.message ?? String(e)}`);
}

const isYaml = (d?: vscode.TextDocument): d is vscode.TextDocument => !!d && d.languageId === 'yaml';

function activeYaml(): vscode.TextDocument | undefined {
  const d = vscode.window.activeTextEditor?.document;
  if (isYaml(d)) return d;
  return vscode.window.visibleTextEditors.map((e) => e.document).find(isYaml);
}

/** Maps restartPolicy's decisions to vscode-languageclient actions; one crash history per client. */
function errorHandler(crashes: CrashTracker): ErrorHandler {
  return {
    error: (_e, _m, count) => ({ action: continueAfterConnectionError(count) ? ErrorAction.Continue : ErrorAction.Shutdown }),
    closed: () => {
      const d = crashes.crashed(Date.now());
      // `handled: true` on a restart logs the message without a notification; the stop message is shown.
      return d.action === 'restart'
        ? { action: CloseAction.Restart, message: d.message, handled: true }
        : { action: CloseAction.DoNotRestart, message: d.message };
    },
  };
}

function startClient(ctx: vscode.ExtensionContext): LanguageClient {
  const module = ctx.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    // Node flags shared with bench/lsp.bench.ts (server/src/lsp/serverLaunch.ts): the benchmark starts the server the same way.
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'yaml' }],
    initializationOptions: { trusted: vscode.workspace.isTrusted },
    synchronize: { configurationSection: 'llmSizer' },
    // Restart a crashed server, but stop (and say why) after a crash loop: client/src/restartPolicy.ts.
    errorHandler: errorHandler(new CrashTracker()),
  };
  // The hover's "Open report" link runs this command only: other command links in hovers stay inert.
  clientOptions.markdown = { isTrusted: { enabledCommands: ['llmSizer.showReport'] } };
  const c = new LanguageClient('llmSizer', 'LLM Sizer', serverOptions, clientOptions);
  c.onNotification(StatusNotification, (p: StatusParams) => {
    status.set(p.uri, p);
    updateStatusBar();
  });
  return c;
}

let statusItem: vscode.StatusBarItem;
let languageStatus: vscode.LanguageStatusItem;
/** The file's verdict in the status bar and the language status item, in the words the badge and the hint use. */
function updateStatusBar(): void {
  const d = activeYaml();
  const enabled = vscode.workspace.getConfiguration('llmSizer').get<boolean>('enable', true);
  if (!d || !enabled) {
    languageStatus.text = 'LLM Sizer';
    languageStatus.detail = enabled ? 'no YAML file' : 'disabled (llmSizer.enable)';
    languageStatus.severity = vscode.LanguageStatusSeverity.Information;
    return statusItem.hide();
  }
  const st = status.get(d.uri.toString());
  if (!st) {
    statusItem.text = '$(loading~spin) LLM Sizer';
    statusItem.tooltip = 'LLM Sizer: analyzing…';
    languageStatus.busy = true;
    languageStatus.text = 'LLM Sizer';
    languageStatus.detail = 'analyzing…';
  } else {
    const v = st.verdict;
    const icon = v.kind === 'starts' ? '$(pass)' : v.kind === 'assumed' ? '$(info)' : v.kind === 'fails' ? '$(error)' : '$(circle-slash)';
    statusItem.text = `${icon} LLM Sizer: ${v.label}`;
    const fmt = st.formats.length ? st.formats.join(', ') : 'no deployment';
    statusItem.tooltip = new vscode.MarkdownString(
      `**LLM Sizer**: ${v.label} (${fmt})\n\n${v.detail.replace(/[\\`*_{}[\]<>]/g, '\\$&').replace(/\n/g, '\n\n')}\n\nClick to open the sizing report.`,
    );
    statusItem.backgroundColor = v.kind === 'fails' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    languageStatus.busy = false;
    languageStatus.text = `${icon} ${v.label}`;
    languageStatus.detail = v.detail.split('\n')[0];
    languageStatus.severity =
      v.kind === 'fails'
        ? vscode.LanguageStatusSeverity.Error
        : v.kind === 'starts' || v.kind === 'none'
          ? vscode.LanguageStatusSeverity.Information
          : vscode.LanguageStatusSeverity.Warning;
  }
  statusItem.accessibilityInformation = { label: `LLM Sizer: ${String(statusItem.text).replace(/\$\([^)]*\)\s*/g, '')}` };
  statusItem.show();
}

async function requestReport(doc: vscode.TextDocument): Promise<ReportResult> {
  if (!client) throw new Error('The LLM Sizer language server is not running.');
  const r = await client.sendRequest(ReportRequest, { uri: doc.uri.toString() });
  if (!r) throw new Error('the language server has no report for this document (see the LLM Sizer output)');
  return r;
}

const titleOf = (doc: vscode.TextDocument) => `Sizing: ${path.basename(doc.uri.path)}`;
const relativePath = (doc: vscode.TextDocument) => vscode.workspace.asRelativePath(doc.uri, false);

async function refreshReport(doc: vscode.TextDocument): Promise<void> {
  const entry = reportPanels.get(doc.uri.toString());
  if (!entry) return;
  try {
    const result = await requestReport(doc);
    entry.channel.post({ type: 'report', result, title: titleOf(doc), path: relativePath(doc) });
  } catch (e) {
    logError(`report for ${relativePath(doc)}`, e);
    entry.channel.post({ type: 'message', title: titleOf(doc), text: `Could not get the report: ${(e as Error).message}` });
  }
}

/** Shows a range of a document in its editor (a diagnostic or a deployment clicked in the report). */
async function reveal(uri: vscode.Uri, m: Extract<FromWebview, { type: 'reveal' }>): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const range = new vscode.Range(m.line, m.character, m.endLine ?? m.line, m.endCharacter ?? m.character);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
    selection: range,
    preserveFocus: false,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Wires a report panel (new, or restored after a reload) to its document. */
function adoptReportPanel(ctx: vscode.ExtensionContext, panel: vscode.WebviewPanel, uri: vscode.Uri): void {
  const key = uri.toString();
  const channel = new PanelChannel(panel, (m: FromWebview) => {
    if (m.type === 'exportReport') void exportReport(ctx, uri);
    else if (m.type === 'reveal') void reveal(uri, m).catch((e) => logError('reveal', e));
  });
  reportPanels.set(key, { channel });
  panel.onDidDispose(() => {
    clearTimeout(reportPanels.get(key)?.timer);
    reportPanels.delete(key);
  });
}

async function showReport(ctx: vscode.ExtensionContext, uri?: vscode.Uri): Promise<void> {
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : activeYaml();
  if (!doc) return void vscode.window.showInformationMessage('LLM Sizer: open a YAML deployment file first.');
  const existing = reportPanels.get(doc.uri.toString());
  if (existing) {
    existing.channel.panel.reveal(undefined, true);
    return refreshReport(doc);
  }
  adoptReportPanel(ctx, createPanel(ctx, 'llmSizer.report', titleOf(doc)), doc.uri);
  await refreshReport(doc);
}

/** The index of the deployment under the cursor (the last one starting at or above it), from the report's lines. */
async function deploymentAtCursor(doc: vscode.TextDocument): Promise<number | undefined> {
  const line = vscode.window.activeTextEditor?.document === doc ? vscode.window.activeTextEditor.selection.active.line : 0;
  try {
    const r = await requestReport(doc);
    let index: number | undefined;
    r.report.deployments.forEach((d, i) => {
      if (d.line <= line || index === undefined) index = i;
    });
    return index;
  } catch {
    return undefined;
  }
}

async function refreshCompare(doc: vscode.TextDocument): Promise<void> {
  const p = comparePanel;
  if (!p || !client) return;
  const title = `Compare hardware: ${path.basename(doc.uri.path)}`;
  p.channel.panel.title = title;
  try {
    const result: CompareResult | null = await client.sendRequest(CompareRequest, { uri: doc.uri.toString(), deployment: p.index });
    p.channel.post({ type: 'compare', result, title });
  } catch (e) {
    logError(`compare for ${relativePath(doc)}`, e);
    p.channel.post({ type: 'message', title, text: `Hardware comparison failed: ${(e as Error).message}` });
  }
}

function adoptComparePanel(panel: vscode.WebviewPanel, uri: string, index: number | undefined): PanelChannel {
  const channel = new PanelChannel(panel);
  comparePanel = { channel, uri, index };
  panel.onDidDispose(() => {
    clearTimeout(comparePanel?.timer);
    if (comparePanel?.channel === channel) comparePanel = undefined;
  });
  return channel;
}

async function compareHardware(ctx: vscode.ExtensionContext): Promise<void> {
  const doc = activeYaml();
  if (!doc || !client) return void vscode.window.showInformationMessage('LLM Sizer: open a YAML deployment file first.');
  const index = await deploymentAtCursor(doc);
  // One tab: a second run re-targets it (another file or deployment) instead of opening another.
  if (comparePanel) {
    comparePanel.uri = doc.uri.toString();
    comparePanel.index = index;
    comparePanel.channel.panel.reveal(undefined, true);
  } else adoptComparePanel(createPanel(ctx, 'llmSizer.compare', `Compare hardware: ${path.basename(doc.uri.path)}`), doc.uri.toString(), index);
  await refreshCompare(doc);
}

async function exportReport(ctx: vscode.ExtensionContext, uri?: vscode.Uri): Promise<void> {
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : activeYaml();
  if (!doc) return void vscode.window.showInformationMessage('LLM Sizer: open a YAML deployment file first.');
  const result = await requestReport(doc).catch((e) => {
    logError(`export of ${relativePath(doc)}`, e);
    throw e;
  });
  const base = doc.uri.scheme === 'file' ? doc.uri.fsPath.replace(/\.ya?ml$/i, '') : path.basename(doc.uri.path);
  const target = await vscode.window.showSaveDialog({
    title: 'Export sizing report',
    defaultUri: vscode.Uri.file(`${base}.sizing.html`),
    filters: { 'Standalone HTML (charts included)': ['html'], Markdown: ['md'] },
  });
  if (!target) return;
  const enc = new TextEncoder();
  let text: string;
  if (/\.md$/i.test(target.path)) text = reportMarkdown(result.report, result.formats, relativePath(doc));
  else {
    const media = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'media');
    const dec = new TextDecoder();
    const [js, css] = await Promise.all([
      vscode.workspace.fs.readFile(vscode.Uri.joinPath(media, 'report.js')),
      vscode.workspace.fs.readFile(vscode.Uri.joinPath(media, 'report.css')),
    ]);
    const message: ToWebview = { type: 'report', result, title: titleOf(doc), path: relativePath(doc) };
    text = exportHtml(message, titleOf(doc), dec.decode(js), dec.decode(css));
  }
  await vscode.workspace.fs.writeFile(target, enc.encode(text));
  const other = /\.md$/i.test(target.path) ? 'html' : 'md';
  const pick = await vscode.window.showInformationMessage(`LLM Sizer: report exported to ${path.basename(target.path)}.`, `Also save as .${other}`);
  if (pick) {
    const t2 = target.with({ path: target.path.replace(/\.[^./]+$/, '') + '.' + other });
    if (other === 'md') await vscode.workspace.fs.writeFile(t2, enc.encode(reportMarkdown(result.report, result.formats, relativePath(doc))));
    else await exportReport(ctx, doc.uri);
  }
}

/** Inserts (or replaces) the top-level `calibration:` block of a native plan. */
async function insertCalibration(doc: vscode.TextDocument, block: string): Promise<boolean> {
  const lines = doc.getText().split(/\r?\n/);
  const start = lines.findIndex((l) => /^calibration\s*:/.test(l));
  const edit = new vscode.WorkspaceEdit();
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && (/^\s+\S/.test(lines[end]) || lines[end].trim() === '')) end++;
    edit.replace(doc.uri, new vscode.Range(start, 0, end, 0), block.trimEnd() + '\n');
  } else {
    const last = doc.lineAt(doc.lineCount - 1);
    edit.insert(doc.uri, last.range.end, (last.text.trim() === '' ? '' : '\n') + block.trimEnd() + '\n');
  }
  return vscode.workspace.applyEdit(edit);
}

async function calibrate(ctx: vscode.ExtensionContext): Promise<void> {
  if (!client) return;
  const doc = activeYaml();
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(file) Pick a vLLM log file…', id: 'file' },
      { label: '$(clippy) Use the log text on the clipboard', id: 'clip' },
      { label: '$(edit) Paste log lines…', id: 'paste' },
    ],
    { title: 'LLM Sizer: Calibrate from vLLM Log', placeHolder: 'Where is the vLLM startup log?' },
  );
  if (!choice) return;
  let logText: string;
  if (choice.id === 'file') {
    const files = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Use this log',
      filters: { Logs: ['log', 'txt'], 'All files': ['*'] },
    });
    if (!files?.[0]) return;
    logText = new TextDecoder().decode(await vscode.workspace.fs.readFile(files[0]));
  } else if (choice.id === 'clip') logText = await vscode.env.clipboard.readText();
  else
    logText =
      (await vscode.window.showInputBox({
        title: 'Paste vLLM startup log lines',
        prompt: 'Newlines may be pasted as spaces; the parser reads the numbers either way.',
        ignoreFocusOut: true,
      })) ?? '';
  if (!logText.trim()) return void vscode.window.showWarningMessage('LLM Sizer: the log is empty.');
  const title = 'Calibration: measured vs predicted';
  const result = await client.sendRequest(CalibrateRequest, { logText, uri: doc?.uri.toString() }).catch((e) => (logError('calibrate', e), null));
  const block = result ? result.calibration : null;
  const canInsert = !!doc && !!block;
  const doInsert = async () => {
    if (!doc || !block) return;
    if (await insertCalibration(doc, block)) void vscode.window.showInformationMessage('LLM Sizer: calibration block inserted.');
  };
  const channel = new PanelChannel(createPanel(ctx, 'llmSizer.calibrate', title), (m) => {
    if (m.type === 'insertCalibration') void doInsert();
  });
  if (!result) return channel.post({ type: 'message', title, text: 'The server could not read that log.' });
  channel.post({ type: 'calibrate', result, title, canInsert });
  if (canInsert) {
    const pick = await vscode.window.showInformationMessage(`LLM Sizer: insert the calibration block into ${path.basename(doc!.uri.path)}?`, 'Insert');
    if (pick === 'Insert') await doInsert();
  }
}

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  statusItem = vscode.window.createStatusBarItem('llmSizer.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'LLM Sizer';
  statusItem.command = 'llmSizer.showReport';
  languageStatus = vscode.languages.createLanguageStatusItem('llmSizer.verdict', { language: 'yaml' });
  languageStatus.name = 'LLM Sizer';
  languageStatus.command = { command: 'llmSizer.showReport', title: 'Open report' };
  ctx.subscriptions.push(
    statusItem,
    languageStatus,
    // Report and compare tabs come back after a reload: their last message is the webview state; the report
    // re-attaches to its document and refreshes, the comparison to the document it compared.
    vscode.window.registerWebviewPanelSerializer('llmSizer.report', {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        setUpPanel(ctx, panel);
        const m = state as ToWebview | undefined;
        if (m?.type !== 'report') return void panel.dispose();
        const uri = vscode.Uri.parse(m.result.uri);
        adoptReportPanel(ctx, panel, uri);
        reportPanels.get(uri.toString())?.channel.post(m);
        const doc = await vscode.workspace.openTextDocument(uri).then(
          (d) => d,
          () => undefined,
        );
        if (doc) await refreshReport(doc);
      },
    }),
    vscode.window.registerWebviewPanelSerializer('llmSizer.compare', {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        setUpPanel(ctx, panel);
        const m = state as ToWebview | undefined;
        if (m?.type !== 'compare' || !m.result || comparePanel) return void panel.dispose();
        const uri = vscode.Uri.parse(m.result.file);
        adoptComparePanel(panel, uri.toString(), m.result.index).post(m);
        const doc = await vscode.workspace.openTextDocument(uri).then(
          (d) => d,
          () => undefined,
        );
        if (doc && client) await refreshCompare(doc);
      },
    }),
    vscode.commands.registerCommand('llmSizer.showReport', (uri?: vscode.Uri) => showReport(ctx, uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('llmSizer.compareHardware', () => compareHardware(ctx)),
    vscode.commands.registerCommand('llmSizer.exportReport', (uri?: vscode.Uri) => exportReport(ctx, uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('llmSizer.calibrate', () => calibrate(ctx)),
    vscode.window.onDidChangeActiveTextEditor(updateStatusBar),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!e.contentChanges.length) return;
      const entry = reportPanels.get(e.document.uri.toString());
      if (entry) {
        clearTimeout(entry.timer);
        entry.timer = setTimeout(() => void refreshReport(e.document), DEBOUNCE_MS);
      }
      const cmp = comparePanel;
      if (cmp && cmp.uri === e.document.uri.toString()) {
        clearTimeout(cmp.timer);
        cmp.timer = setTimeout(() => void refreshCompare(e.document), DEBOUNCE_MS);
      }
    }),
    vscode.workspace.onDidCloseTextDocument((d) => status.delete(d.uri.toString())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('llmSizer')) {
        updateStatusBar();
        for (const [k] of reportPanels) {
          const d = vscode.workspace.textDocuments.find((x) => x.uri.toString() === k);
          if (d) void refreshReport(d);
        }
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      // The server reads workspace catalogs only when trusted: restart it with the new trust state.
      await client?.stop();
      client = startClient(ctx);
      await client.start();
    }),
  );
  client = startClient(ctx);
  ctx.subscriptions.push({ dispose: () => void client?.stop() });
  updateStatusBar();
  await client.start();
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
