// Splits a multi-document YAML file at its `---` markers so each document can be parsed and sized on its own,
// and results for documents whose text did not change can be reused (an edit re-sizes one plan, not the file).
import type { Diagnostic, Range } from '../formats/types';

export interface Segment {
  /** Text of the segment: from its `---` line (inclusive) to the next one (exclusive). */
  text: string;
  /** Line of the file the segment starts on (segment ranges are shifted by this). */
  startLine: number;
}

// A `---` at column 0 followed by space or end of line always starts a document in YAML 1.2, even inside
// block scalars, so splitting there never cuts a node in two.
const MARKER = /^---(?:[ \t]|$)/;

export function splitSegments(text: string): Segment[] {
  const out: Segment[] = [];
  let segStart = 0;
  let segLine = 0;
  let line = 0;
  let pos = 0;
  // Directive lines (`%YAML`) belong to the document after them; remember where a run of them began.
  let directiveStart = -1;
  let directiveLine = -1;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    // Past the last line break there is no character: reading one would return NaN and make V8 drop this function's
    // optimized code (an out-of-bounds deopt) on every text that ends with a line break.
    const c = pos < text.length ? text.charCodeAt(pos) : -1;
    if (c === 0x25 /* % */) {
      if (directiveStart < 0) {
        directiveStart = pos;
        directiveLine = line;
      }
    } else if (c === 0x2d /* - */ && MARKER.test(text.slice(pos, Math.min(end, pos + 4)))) {
      const cut = directiveStart >= 0 ? directiveStart : pos;
      const cutLine = directiveStart >= 0 ? directiveLine : line;
      if (cut > segStart) out.push({ text: text.slice(segStart, cut), startLine: segLine });
      segStart = cut;
      segLine = cutLine;
      directiveStart = -1;
    } else if (end > pos && c !== 0x23 /* # */) directiveStart = -1;
    if (nl === -1) break;
    pos = nl + 1;
    line++;
  }
  if (segStart < text.length || !out.length) out.push({ text: text.slice(segStart), startLine: segLine });
  return out;
}

export function shiftRange(r: Range, lines: number): Range {
  return lines === 0
    ? r
    : { start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } };
}

export function shiftRanges(rs: Record<string, Range>, lines: number): Record<string, Range> {
  if (lines === 0) return rs;
  const o: Record<string, Range> = {};
  for (const k of Object.keys(rs)) o[k] = shiftRange(rs[k], lines);
  return o;
}

export function shiftDiagnostics(ds: Diagnostic[], lines: number): Diagnostic[] {
  return lines === 0 ? ds : ds.map((d) => ({ ...d, range: shiftRange(d.range, lines) }));
}
