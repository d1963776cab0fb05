// Where a rule's diagnostic points: the most specific node the file has, falling back to the document.
import type { Deployment, Range } from '../formats/types';

/** The file's first character: the range of last resort (a deployment without a document range). */
export const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Finds the range of the first field path the file states, or the document's. */
export type RangeOf = (path: string, ...fallbacks: string[]) => Range;

/** The range of the first of `paths` the deployment states, else its document's (else the file's start). */
export function firstRange(d: Deployment, paths: readonly string[]): Range {
  for (const p of paths) if (d.ranges[p]) return d.ranges[p];
  return d.ranges.document ?? ZERO;
}

/** `firstRange` bound to one deployment, as the rules call it: `r('serving.max_model_len', 'model')`. */
export function rangesOf(d: Deployment): RangeOf {
  return (path, ...fallbacks) => firstRange(d, [path, ...fallbacks]);
}
