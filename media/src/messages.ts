// Messages between the extension host and the webviews (postMessage). Data only; the host gets it from the server.
export type ToWebview =
  | { type: 'report'; result: { uri: string; report: Record<string, unknown>; formats: string[]; version: number | null }; title: string }
  | { type: 'compare'; result: unknown; title: string }
  | { type: 'calibrate'; result: unknown; title: string; canInsert: boolean }
  | { type: 'message'; title: string; text: string };

export type FromWebview = { type: 'ready' } | { type: 'insertCalibration' } | { type: 'exportReport' };
