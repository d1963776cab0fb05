// A small LSP client for tests and benchmarks: spawns a server process and talks real JSON-RPC over stdio.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, Position, PublishDiagnosticsParams, Range, TextEdit } from 'vscode-languageserver-protocol';

export interface ServerOptions {
  command?: string;
  args?: string[];
  initializationOptions?: unknown;
  /** Answer for workspace/configuration (per section); null: the client has no configuration capability. */
  settings?: Record<string, unknown> | null;
  rootUri?: string | null;
  env?: NodeJS.ProcessEnv;
  /** false: return right after `initialized` instead of waiting for llmSizer/ready. */
  waitReady?: boolean;
}

export class LspClient {
  readonly conn: MessageConnection;
  private waiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  readonly published = new Map<string, PublishDiagnosticsParams>();
  /** Every publishDiagnostics in arrival order. */
  readonly history: PublishDiagnosticsParams[] = [];
  /** Every message from the server in arrival order, read from stdout beside the connection (see writeTogether). */
  readonly raw: { id?: string | number; method?: string; params?: { uri?: string }; result?: unknown }[] = [];
  private rawBuf: Buffer = Buffer.alloc(0);
  private rawWaiters: { id: string | number; resolve: (m: LspClient['raw'][number]) => void }[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  private versions = new Map<string, number>();
  private markReady: () => void = () => undefined;
  /** Resolves when the server sent llmSizer/ready: its startup settings load (which revalidates open files) is done. */
  readonly ready = new Promise<void>((r) => (this.markReady = r));

  private constructor(
    readonly proc: ChildProcess,
    opts: ServerOptions,
  ) {
    this.conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    proc.stdout!.on('data', (d: Buffer) => this.tap(d));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.set(p.uri, p);
      this.history.push(p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || (w.version !== undefined && p.version !== undefined && p.version < w.version)) return true;
        w.resolve(p);
        return false;
      });
    });
    this.conn.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
      if (method === 'llmSizer/ready') this.markReady();
    });
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((i) => (opts.settings ?? {})[i.section ?? ''] ?? null),
    );
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('workspace/inlayHint/refresh', () => null);
    this.conn.listen();
  }

  static async start(opts: ServerOptions = {}): Promise<LspClient> {
    const proc = spawn(opts.command ?? process.execPath, opts.args ?? ['dist/server.js', '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    proc.stderr!.on('data', () => undefined);
    const c = new LspClient(proc, opts);
    await c.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: opts.rootUri ?? null,
      workspaceFolders: opts.rootUri ? [{ uri: opts.rootUri, name: 'ws' }] : null,
      capabilities: {
        workspace: { configuration: opts.settings !== null },
        textDocument: { publishDiagnostics: { versionSupport: true }, hover: { contentFormat: ['markdown'] } },
      },
      initializationOptions: opts.initializationOptions,
    });
    await c.conn.sendNotification('initialized', {});
    // Files are opened after the startup reload, so it never revalidates them behind a test's back.
    if (opts.waitReady !== false) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([c.ready, new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('no llmSizer/ready from the server in 60 s')), 60_000)))]);
      clearTimeout(timer);
    }
    return c;
  }

  /** `timeoutMs` is a hang guard, not a speed requirement: generous, so a loaded machine is slow, not failing. */
  waitDiagnostics(uri: string, version?: number, timeoutMs = 300_000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version}`)), timeoutMs);
      this.waiters.push({ uri, version, resolve: (p) => (clearTimeout(t), resolve(p)) });
    });
  }

  async open(uri: string, text: string, languageId = 'yaml'): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const wait = this.waitDiagnostics(uri, 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return wait;
  }

  /** Sends a full-text or incremental change and waits for that version's diagnostics. */
  async change(uri: string, changes: ({ text: string } | { range: Range; text: string })[]): Promise<PublishDiagnosticsParams> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const wait = this.waitDiagnostics(uri, version);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return wait;
  }

  /**
   * Writes messages (with their ids, for requests) to the server in one write, so it reads them together: a request
   * right behind a large notification is queued before the server has handled the notification. The connection
   * ignores responses to ids it did not send; read them from `raw`. Only while the connection has no write pending.
   */
  writeTogether(messages: object[]): void {
    const frames = messages.map((m) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...m }), 'utf8');
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
    });
    this.proc.stdin!.write(Buffer.concat(frames));
  }

  /** The response to a request sent with writeTogether. */
  rawResponse(id: string | number): Promise<LspClient['raw'][number]> {
    const hit = this.raw.find((m) => m.id === id && m.method === undefined);
    return hit ? Promise.resolve(hit) : new Promise((resolve) => this.rawWaiters.push({ id, resolve }));
  }

  private tap(d: Buffer): void {
    this.rawBuf = this.rawBuf.length ? Buffer.concat([this.rawBuf, d]) : d;
    for (;;) {
      const sep = this.rawBuf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const len = Number(/Content-Length: *(\d+)/i.exec(this.rawBuf.subarray(0, sep).toString('ascii'))?.[1]);
      if (this.rawBuf.length < sep + 4 + len) return;
      const m = JSON.parse(this.rawBuf.subarray(sep + 4, sep + 4 + len).toString('utf8')) as LspClient['raw'][number];
      this.raw.push(m);
      this.rawWaiters = this.rawWaiters.filter((w) => (w.id === m.id && m.method === undefined ? (w.resolve(m), false) : true));
      this.rawBuf = this.rawBuf.subarray(sep + 4 + len);
    }
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 1000))]);
      await this.conn.sendNotification('exit');
    } catch {
      // the process may be gone already
    }
    this.conn.dispose();
    this.proc.kill();
  }
}

/** Removes the `$0` cursor marker and returns the text and the marker's position. */
export function withCursor(marked: string): { text: string; position: Position } {
  const i = marked.indexOf('$0');
  if (i < 0) throw new Error('no $0 marker');
  const text = marked.slice(0, i) + marked.slice(i + 2);
  const before = marked.slice(0, i).split('\n');
  return { text, position: { line: before.length - 1, character: before[before.length - 1].length } };
}

function offsetAt(text: string, p: Position): number {
  let off = 0;
  for (let l = 0; l < p.line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return off + p.character;
}

/** Applies text edits (non-overlapping) to a text, as an editor would. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetAt(out, e.range.start)) + e.newText + out.slice(offsetAt(out, e.range.end));
  return out;
}

export function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => String(d.code));
}
