// Our diagnostics as LSP diagnostics: same code, message, range and fix data, marked as ours.
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic } from '../formats/types';

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const SOURCE = 'llm-sizer';

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: SOURCE, message: d.message, ...(d.data ? { data: d.data } : {}) };
}

export function toLspDiagnostics(ds: Diagnostic[]): LspDiagnostic[] {
  return ds.map(toLspDiagnostic);
}
