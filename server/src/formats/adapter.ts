// The adapter interface every format implements: detect a document by content, turn it into deployments.
import type { Document, LineCounter } from 'yaml';
import type { Deployment, Diagnostic, Range } from './types';

export interface AdapterInput {
  doc: Document.Parsed;
  docIndex: number;
  lineCounter: LineCounter;
  /** Range of the whole document (for document-level diagnostics). */
  docRange: Range;
  /** Workspace default GPU for files that name none. */
  defaultGpu: string | null;
}

export interface AdapterOutput {
  deployments: Deployment[];
  diagnostics: Diagnostic[];
}

export interface FormatAdapter {
  /** Stable format name reported as `format` in the JSON report. */
  format: string;
  /** True when this document is of this format (by content, never by file name alone). */
  detect(doc: Document.Parsed): boolean;
  adapt(input: AdapterInput): AdapterOutput;
}
