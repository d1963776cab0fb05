// Where each character of a YAML scalar's value sits in the source text. Flow scalars (plain, 'single', "double")
// fold line breaks into spaces and resolve escapes; block scalars (| and >) are mapped line by line. The mapping is
// verified against the parsed value; when it does not match (an exotic form), callers fall back to the node's range.
import { isScalar } from 'yaml';
import type { Scalar } from 'yaml';

/** Source span of every value character: value[i] came from source[start[i], end[i]). */
export interface CharMap {
  start: number[];
  end: number[];
}

export interface MappedString {
  text: string;
  map: CharMap | null;
  /** Node range, for fallbacks. */
  nodeStart: number;
  nodeEnd: number;
}

function push(m: CharMap, out: string[], ch: string, a: number, b: number): void {
  out.push(ch);
  m.start.push(a);
  m.end.push(b);
}

function popTrailingSpace(m: CharMap, out: string[]): void {
  while (out.length && (out[out.length - 1] === ' ' || out[out.length - 1] === '\t')) {
    out.pop();
    m.start.pop();
    m.end.pop();
  }
}

const ESC: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

function mapFlow(src: string, a: number, b: number, kind: 'plain' | 'single' | 'double'): { text: string; map: CharMap } {
  const m: CharMap = { start: [], end: [] };
  const out: string[] = [];
  let i = a;
  let end = b;
  if (kind !== 'plain') {
    i++;
    end--; // closing quote
  }
  let lineStart = true;
  let first = true;
  while (i < end) {
    const c = src[i];
    if (c === '\r' && src[i + 1] === '\n') {
      i++;
      continue;
    }
    if (c === '\n') {
      // Fold: trailing spaces of this line go, leading spaces of the next go; empty lines become \n.
      popTrailingSpace(m, out);
      const nl = i;
      let empties = 0;
      i++;
      for (;;) {
        while (i < end && (src[i] === ' ' || src[i] === '\t')) i++;
        if (i < end && (src[i] === '\n' || (src[i] === '\r' && src[i + 1] === '\n'))) {
          empties++;
          i += src[i] === '\r' ? 2 : 1;
          continue;
        }
        break;
      }
      if (empties) for (let k = 0; k < empties; k++) push(m, out, '\n', nl, nl + 1);
      else push(m, out, ' ', nl, nl + 1);
      lineStart = true;
      continue;
    }
    void lineStart;
    void first;
    if (kind === 'single' && c === "'" && src[i + 1] === "'") {
      push(m, out, "'", i, i + 2);
      i += 2;
      continue;
    }
    if (kind === 'double' && c === '\\') {
      const n = src[i + 1];
      if (n === '\n' || n === '\r') {
        // Escaped line break: joins without a space; leading spaces of the next line go.
        i += n === '\r' ? 3 : 2;
        while (i < end && (src[i] === ' ' || src[i] === '\t')) i++;
        continue;
      }
      if (n === 'x' || n === 'u' || n === 'U') {
        const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
        const code = parseInt(src.slice(i + 2, i + 2 + len), 16);
        const ch = String.fromCodePoint(code);
        for (const unit of ch.split('')) push(m, out, unit, i, i + 2 + len);
        i += 2 + len;
        continue;
      }
      if (n in ESC) {
        push(m, out, ESC[n], i, i + 2);
        i += 2;
        continue;
      }
    }
    push(m, out, c, i, i + 1);
    i++;
    lineStart = false;
    first = false;
  }
  if (kind === 'plain') popTrailingSpace(m, out);
  return { text: out.join(''), map: m };
}

function mapBlock(src: string, a: number, b: number, folded: boolean): { text: string; map: CharMap } {
  const m: CharMap = { start: [], end: [] };
  const out: string[] = [];
  const headerEnd = src.indexOf('\n', a);
  if (headerEnd < 0 || headerEnd >= b) return { text: '', map: m };
  const header = src.slice(a, headerEnd).replace(/\s+#.*$/, '');
  const digit = /[1-9]/.exec(header);
  // Lines of the block.
  const lines: { s: number; e: number }[] = [];
  let p = headerEnd + 1;
  while (p < b) {
    let q = src.indexOf('\n', p);
    if (q < 0 || q > b) q = b;
    lines.push({ s: p, e: q > p && src[q - 1] === '\r' ? q - 1 : q });
    p = q + 1;
  }
  let indent = -1;
  if (digit) {
    // Explicit indentation is relative to the parent's indentation: the key's column.
    let ls = a;
    while (ls > 0 && src[ls - 1] !== '\n') ls--;
    let parentIndent = 0;
    while (src[ls + parentIndent] === ' ') parentIndent++;
    indent = parentIndent + Number(digit[0]);
  } else {
    for (const l of lines) {
      const t = src.slice(l.s, l.e);
      if (t.trim() === '') continue;
      indent = t.length - t.trimStart().length;
      break;
    }
  }
  if (indent < 0) return { text: '', map: m };
  let prevKind: 'none' | 'text' | 'more' | 'empty' = 'none';
  let pendingBreak = -1;
  let emptyRun: number[] = [];
  for (const l of lines) {
    const raw = src.slice(l.s, l.e);
    const isEmpty = raw.slice(0, indent).trim() === '' && raw.length <= indent ? true : raw.trim() === '' && raw.length <= indent;
    if (isEmpty) {
      emptyRun.push(l.e);
      continue;
    }
    const contentStart = l.s + Math.min(indent, raw.length);
    const more = folded && (src[contentStart] === ' ' || src[contentStart] === '\t');
    if (pendingBreak >= 0) {
      if (folded && prevKind === 'text' && !more && emptyRun.length === 0) push(m, out, ' ', pendingBreak, pendingBreak + 1);
      else if (folded && prevKind === 'text' && !more) for (const e of emptyRun) push(m, out, '\n', e, e + 1);
      else {
        push(m, out, '\n', pendingBreak, pendingBreak + 1);
        for (const e of emptyRun) push(m, out, '\n', e, e + 1);
      }
    } else for (const e of emptyRun) push(m, out, '\n', e, e + 1);
    emptyRun = [];
    for (let i = contentStart; i < l.e; i++) push(m, out, src[i], i, i + 1);
    pendingBreak = l.e;
    prevKind = more ? 'more' : 'text';
  }
  if (pendingBreak >= 0) push(m, out, '\n', pendingBreak, pendingBreak + 1);
  for (const e of emptyRun) push(m, out, '\n', e, e + 1);
  return { text: out.join(''), map: m };
}

/** Maps a string scalar's value back to source offsets. */
export function mapScalar(src: string | undefined, node: unknown): MappedString | null {
  if (!isScalar(node)) return null;
  const n = node as Scalar;
  if (!n.range) return null;
  const value = n.value;
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  const [a, b] = n.range;
  const base: MappedString = { text, map: null, nodeStart: a, nodeEnd: b };
  if (!src) return base;
  let r: { text: string; map: CharMap } | null = null;
  try {
    switch (n.type) {
      case 'PLAIN':
        r = mapFlow(src, a, b, 'plain');
        break;
      case 'QUOTE_SINGLE':
        r = mapFlow(src, a, b, 'single');
        break;
      case 'QUOTE_DOUBLE':
        r = mapFlow(src, a, b, 'double');
        break;
      case 'BLOCK_LITERAL':
        r = mapBlock(src, a, b, false);
        break;
      case 'BLOCK_FOLDED':
        r = mapBlock(src, a, b, true);
        break;
    }
  } catch {
    r = null;
  }
  if (r && r.text.startsWith(text)) {
    r.map.start.length = text.length;
    r.map.end.length = text.length;
    return { ...base, map: r.map };
  }
  return base;
}

/** Source offsets of value[i, j) (j > i), or the node's range when unmapped. */
export function spanOf(ms: MappedString, i: number, j: number): [number, number] {
  if (!ms.map || j <= i || i >= ms.map.start.length) return [ms.nodeStart, ms.nodeEnd];
  const jj = Math.min(j, ms.map.end.length);
  return [ms.map.start[i], ms.map.end[jj - 1]];
}
