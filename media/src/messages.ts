// Messages between the extension host and the webviews (postMessage). Data only; the host gets it from the server.
// The payload types come from the one report contract (server/src/presenters/reportTypes.ts via protocol.ts), imported as types
// only so no server or LSP code reaches the webview bundle.
import type { CalibrateResult, CompareResult, ReportResult } from '../../server/src/lsp/protocol';

export type ToWebview =
  /** `path`: the file relative to the workspace, as the report shows it. */
  | { type: 'report'; result: ReportResult; title: string; path?: string }
  | { type: 'compare'; result: CompareResult | null; title: string }
  | { type: 'calibrate'; result: CalibrateResult; title: string; canInsert: boolean }
  | { type: 'message'; title: string; text: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'insertCalibration' }
  | { type: 'exportReport' }
  /** Reveal a range of the report's document in the editor (a diagnostic or a deployment clicked in the report). */
  | { type: 'reveal'; line: number; character: number; endLine?: number; endCharacter?: number }
  /** Re-run the comparison for another deployment of the file. */
  | { type: 'compareDeployment'; index: number };
