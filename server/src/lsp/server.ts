// The language server process (stdio or IPC). Thin: each handler forwards to the LanguageService and
// never lets an exception escape (it is logged and the request gets an empty answer).
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  DidChangeConfigurationNotification,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
} from 'vscode-languageserver/node';
import type { InitializeParams, InitializeResult } from 'vscode-languageserver';
import { LanguageService } from './languageService';
import { ValidationScheduler } from './validationScheduler';
import { loadWorkspaceCatalog } from '../node/workspaceCatalog';
import { setDiagnosticDocsBase } from './features/diagnostics';
import { diagnosticDocsUrl } from '../node/docsLocation';
import { CalibrateRequest, CompareRequest, ReadyNotification, ReportRequest, StatsRequest, StatusNotification } from './protocol';
import type { AnalysisBudgetOptions, CalibrateParams, CompareParams, ReportParams, ReportResult, ServerSettings, StatsResult } from './protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let service = new LanguageService();
let hasConfiguration = false;
let trusted = true;
let roots: string[] = [];

function safe<P extends unknown[], R>(name: string, fallback: R, fn: (...args: P) => R): (...args: P) => R {
  return (...args: P) => {
    try {
      return fn(...args);
    } catch (e) {
      logError(name, e);
      return fallback;
    }
  };
}

function logError(name: string, e: unknown): void {
  connection.console.error(`llm-sizer ${name}: ${(e as Error)?.stack ?? String(e)}`);
}

// TEST ONLY: LLM_SIZER_TEST_FAULT=hover|completion|validate|report makes that feature throw, so the LSP tests can
// prove one failing feature is logged and answered empty while the rest keeps working. Read once at startup.
const TEST_FAULT = process.env.LLM_SIZER_TEST_FAULT ?? '';
function testFault(feature: string): void {
  if (TEST_FAULT === feature) throw new Error(`test fault in ${feature} (LLM_SIZER_TEST_FAULT)`);
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const init = (params.initializationOptions ?? {}) as { trusted?: boolean; settings?: Partial<ServerSettings>; analysisBudget?: AnalysisBudgetOptions };
  // Restricted mode: no workspace files are read (catalog folders, local model directories).
  trusted = init.trusted !== false;
  service = new LanguageService({ trusted, ...budgetOptions(init.analysisBudget) });
  service.configure(init.settings);
  setDiagnosticDocsBase(diagnosticDocsUrl());
  hasConfiguration = !!params.capabilities.workspace?.configuration;
  const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  roots = folders.flatMap((u) => {
    try {
      return u.startsWith('file:') ? [fileURLToPath(u)] : [];
    } catch {
      return [];
    }
  });
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      hoverProvider: true,
      completionProvider: { triggerCharacters: [':', ' ', '/', '{', ','], resolveProvider: false },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentSymbolProvider: true,
      inlayHintProvider: true,
    },
    serverInfo: { name: 'llm-sizer', version: '0.1.0' },
  };
});

/**
 * Tests inject the analysis budget and its clock (`initializationOptions.analysisBudget`), so where a large file's
 * validation stops does not depend on the machine's speed or load. Only finite, non-negative numbers are taken.
 */
function budgetOptions(b: AnalysisBudgetOptions | undefined): { budgetMs?: number; documentCostMs?: number } {
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return { ...(ok(b?.ms) ? { budgetMs: b.ms } : {}), ...(ok(b?.msPerDocument) ? { documentCostMs: b.msPerDocument } : {}) };
}

connection.onInitialized(() => {
  if (hasConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'llmSizer' }).catch(() => undefined);
  // Ready once the first settings and catalog are in place (and the warm-up ran): a client that waits for it sees
  // no startup revalidation of documents it opens afterwards.
  void reload().then(() => setImmediate(() => (warmUp(), void connection.sendNotification(ReadyNotification, {}))));
});

// JIT warm-up: V8 optimizes the parse -> adapt -> size -> rules pipeline only after it has run a few dozen times, so
// without this the first edits after start take about twice as long as later ones (bench/RESULTS.md). Right after
// the first settings and catalog load (so the catalog is in place before any document is analyzed), run the edit path
// over a built-in plan a few times: about 0.2-0.4 s once per server start, part of which (schema compilation, catalog)
// the first open would pay anyway. Bounded by a time budget; LLM_SIZER_NO_WARMUP=1 turns it off.
const WARMUP_RUNS = 24;
const WARMUP_BUDGET_MS = 400;
function warmUp(): void {
  if (process.env.LLM_SIZER_NO_WARMUP) return;
  const t0 = performance.now();
  try {
    for (let i = 0; i < WARMUP_RUNS && performance.now() - t0 < WARMUP_BUDGET_MS; i++) service.warmUp(i);
  } catch (e) {
    connection.console.error(`llm-sizer warm-up: ${(e as Error)?.stack ?? String(e)}`);
  }
}

/** Settings (defaults when the client does not answer) and the workspace catalog; then re-check open files. */
async function reload(): Promise<void> {
  try {
    let settings: Partial<ServerSettings> | null = null;
    if (hasConfiguration) {
      settings = await Promise.race([
        connection.workspace.getConfiguration('llmSizer').catch(() => null),
        new Promise<null>((r) => setTimeout(() => r(null), 2000)),
      ]);
    }
    const current = service.getSettings();
    service.configure(settings ?? current);
    if (trusted && roots.length) {
      const { catalog, files } = loadWorkspaceCatalog(roots, service.getSettings().catalogFolders);
      if (files.length) service.configure(service.getSettings(), catalog);
    }
    for (const d of documents.all()) schedule(d);
  } catch (e) {
    connection.console.error(`llm-sizer settings: ${(e as Error)?.stack ?? String(e)}`);
  }
}

connection.onDidChangeConfiguration(() => void reload());
connection.onDidChangeWatchedFiles(() => void reload());

// Diagnostics: each document's validation runs in event-loop turns, stepped one `---` document at a time, so requests
// are answered between steps (validationScheduler.ts says why and how).
const stats = { published: 0, cancelled: 0 };
const scheduler = new ValidationScheduler<NodeJS.Immediate>({ defer: (fn) => setImmediate(fn), cancel: (h) => clearImmediate(h) }, (uri, version) =>
  validationStep(uri, version),
);
const schedule = (doc: TextDocument): void => scheduler.schedule(doc.uri, doc.version);
const replyComing = (): void => scheduler.replyComing();

/** A request handler: `safe`, and validation steps wait for its reply to be written. */
function answer<P extends unknown[], R>(name: string, fallback: R, fn: (...args: P) => R): (...args: P) => R {
  const f = safe(name, fallback, fn);
  return (...args: P) => {
    replyComing();
    return f(...args);
  };
}

/** One step of a document's validation: 'more' while it has work left; publishes the diagnostics at the end. */
const validationStep = safe('validate', 'done' as 'more' | 'done', (uri: string, version: number): 'more' | 'done' => {
  testFault('validate');
  const doc = documents.get(uri);
  if (!doc || doc.version !== version) return 'done';
  if (!service.analysisStep(doc)) return 'more';
  const diagnostics = service.diagnostics(doc);
  void connection.sendDiagnostics({ uri, version, diagnostics });
  void connection.sendNotification(StatusNotification, service.status(doc));
  stats.published++;
  return 'done';
});

// TextDocuments fires onDidChangeContent on open as well: one schedule per open, so the stats count one validation.
documents.onDidChangeContent((e) => schedule(e.document));
documents.onDidSave((e) => {
  // A saved workspace catalog file changes lookups in every plan.
  if (service.get(e.document.uri)?.catalogKind) void reload();
});
documents.onDidClose((e) => {
  scheduler.cancel(e.document.uri);
  service.forget(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

const withDoc = <R>(uri: string, fallback: R, fn: (d: TextDocument) => R): R => {
  const d = documents.get(uri);
  return d ? fn(d) : fallback;
};

connection.onHover(answer('hover', null, (p) => (testFault('hover'), withDoc(p.textDocument.uri, null, (d) => service.hover(d, p.position)))));
connection.onCompletion(answer('completion', [], (p) => (testFault('completion'), withDoc(p.textDocument.uri, [], (d) => service.completion(d, p.position)))));
connection.onCodeAction(answer('codeAction', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.codeActions(d, p))));
connection.onDocumentSymbol(answer('documentSymbol', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.symbols(d))));
connection.languages.inlayHint.on(answer('inlayHint', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.inlayHints(d, p.range))));

// The report steps the document's analysis like a validation does, so a $/cancelRequest (or other requests) is
// seen between `---` documents of a large file; a cancelled report answers RequestCancelled.
connection.onRequest(ReportRequest, async (p: ReportParams, token): Promise<ReportResult | null | ResponseError<void>> => {
  try {
    testFault('report');
    const d = p?.uri ? documents.get(p.uri) : undefined;
    if (!d) return null;
    while (!service.analysisStep(d)) {
      await new Promise((r) => setImmediate(r));
      if (token.isCancellationRequested) {
        stats.cancelled++;
        return new ResponseError(LSPErrorCodes.RequestCancelled, 'llm-sizer report cancelled');
      }
    }
    return { uri: p.uri, report: service.report(d), formats: service.analyze(d).analysis.formats, version: d.version };
  } catch (e) {
    logError('report', e);
    return null;
  } finally {
    replyComing();
  }
});
connection.onRequest(
  StatsRequest,
  answer('stats', null, (): StatsResult => {
    const { published, cancelled } = stats;
    return {
      validations: { ...scheduler.stats, published },
      analyses: { ...service.counters },
      inProgress: service.analysesInProgress(),
      cancelled,
      memory: process.memoryUsage(),
    };
  }),
);
// Hardware comparison (engine II) of one deployment; bounded by the analysis budget like a validation.
connection.onRequest(
  CompareRequest,
  answer('compare', null, (p: CompareParams) => {
    const d = p?.uri ? documents.get(p.uri) : undefined;
    return d ? service.compare(d, typeof p?.deployment === 'number' ? p.deployment : undefined) : null;
  }),
);
connection.onRequest(
  CalibrateRequest,
  answer('calibrate', null, (p: CalibrateParams) => service.calibrate(String(p?.logText ?? ''), p?.uri ? (documents.get(p.uri) ?? null) : null)),
);

process.on('uncaughtException', (e) => connection.console.error(`llm-sizer: ${e?.stack ?? String(e)}`));
documents.listen(connection);
connection.listen();
