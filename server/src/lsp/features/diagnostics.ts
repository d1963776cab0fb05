// Our diagnostics as LSP diagnostics: same code, message, range and fix data, marked as ours.
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic } from '../../formats/types';
import { DIAGNOSTICS } from '../../rules/registry';

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const SOURCE = 'llm-sizer';

/**
 * URL of the folder with one page per code (docs/diagnostics in the installed extension), set once by the server at
 * startup: each diagnostic then links to its page (codeDescription.href), as eslint and ruff link to their rule docs.
 */
let docsBase: string | null = null;
export function setDiagnosticDocsBase(url: string | null): void {
  docsBase = url && !url.endsWith('/') ? `${url}/` : url;
}

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const link = docsBase && DIAGNOSTICS[d.code] ? { codeDescription: { href: `${docsBase}${d.code}.md` } } : {};
  return { range: d.range, severity: SEVERITY[d.severity], code: d.code, ...link, source: SOURCE, message: d.message, ...(d.data ? { data: d.data } : {}) };
}

// Diagnostics of the `---` documents an edit did not touch are the same objects version after version (the segment
// cache), so their LSP form is built once: an edit of a 5,000-line file converts the edited plan's few, not all ~150.
// Entries go with their diagnostic; the LSP objects are only serialized, never changed.
const converted = new WeakMap<Diagnostic, LspDiagnostic>();

export function toLspDiagnostics(ds: Diagnostic[]): LspDiagnostic[] {
  return ds.map((d) => {
    let l = converted.get(d);
    if (!l) converted.set(d, (l = toLspDiagnostic(d)));
    return l;
  });
}
