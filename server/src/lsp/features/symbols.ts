// Document symbols: one per deployment, with its model, hardware and serving settings as children.
import { SymbolKind } from 'vscode-languageserver';
import type { DocumentSymbol, Range } from 'vscode-languageserver';
import type { CacheEntry } from '../languageService';

function within(outer: Range, inner: Range): Range {
  // LSP requires selectionRange inside range; clamp when a value's range overhangs the document's.
  const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character < b.character);
  return before(inner.start, outer.start) || before(outer.end, inner.end) ? { start: outer.start, end: outer.start } : inner;
}

export function documentSymbols(entry: CacheEntry): DocumentSymbol[] {
  return entry.analysis.deployments.map((a) => {
    const d = a.deployment;
    const doc = d.ranges.document;
    const children: DocumentSymbol[] = [];
    const child = (name: string, detail: string, path: string, kind: SymbolKind) => {
      const r = d.ranges[path];
      const k = d.keyRanges[path] ?? r;
      if (!r || !k) return;
      const range = { start: k.start, end: r.end };
      children.push({ name, detail, kind, range: within(doc, range), selectionRange: within(doc, k) });
    };
    child('model', a.model?.id ?? (d.model?.kind === 'id' ? d.model.id : ''), 'model', SymbolKind.Module);
    child(
      'hardware',
      a.gpu ? `${a.gpu.name}${d.gpuCount ? ` x ${d.gpuCount}` : ''}` : (d.gpu ?? ''),
      d.ranges.hardware ? 'hardware' : 'hardware.gpu',
      SymbolKind.Object,
    );
    if (d.ranges.serving) child('serving', '', 'serving', SymbolKind.Object);
    else for (const p of Object.keys(d.ranges).filter((k) => k.startsWith('serving.'))) child(p.slice(8), '', p, SymbolKind.Property);
    const s = a.sizing;
    const detail = s ? `${s.startup.ok ? 'starts' : 'does not start'} · ${s.kv.capacityTokens.toLocaleString('en-US')} KV tokens` : 'not sized';
    const sel = d.ranges.name ?? d.keyRanges.model ?? { start: doc.start, end: doc.start };
    return { name: d.name, detail, kind: SymbolKind.Namespace, range: doc, selectionRange: within(doc, sel), children };
  });
}
