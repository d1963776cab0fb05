// `llm-sizer compare`: filled in by engine II (hardware comparison).
import type { AnalysisOptions } from './analysis';
export function compareText(_file: string, _text: string, _o: AnalysisOptions, _json: boolean, out: (s: string) => void): number {
  out('compare: hardware comparison is not available in this build\n');
  return 2;
}
