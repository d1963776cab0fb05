// YAML parsed once with source ranges (the `yaml` package's nodes + LineCounter), and small helpers to walk it.
import { LineCounter, Scalar as ScalarNode, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import type { Diagnostic, Range } from '../formats/types';

export interface ParsedYaml {
  text: string;
  docs: Document.Parsed[];
  lineCounter: LineCounter;
  /** Syntax errors and warnings, positioned. */
  problems: Diagnostic[];
}

/** Largest document we parse; beyond it one diagnostic explains (the server must never hang). */
export const MAX_TEXT_BYTES = 5 * 1024 * 1024;

/**
 * Largest `---` document we parse. Reading YAML is the one step that cannot be split: measured on this project's
 * 2-core box, a 256 KB document costs 0.15 s (block map), 0.4 s (Kubernetes env list) and up to 1 s (dense flow
 * `[{a: 1}, ...]`) to parse and check, so this keeps any one step of the language server near a second at worst.
 * Deployment documents are a few KB (every fixture is under 8 KB); a bigger one gets `document-too-large`.
 */
export const MAX_DOCUMENT_BYTES = 256 * 1024;

/**
 * Deepest nesting of maps and sequences we hand to the adapters, schema validation and features (all of which may
 * recurse). Real deployment files nest about 20 levels; the `yaml` composer itself gives up near 1,000 (its
 * RESOURCE_EXHAUSTION error). A deeper document is dropped with one `yaml-too-deep` warning.
 */
export const MAX_DEPTH = 256;

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // uniqueKeys: false — the `yaml` package checks duplicate keys against every earlier key of the map (quadratic:
  // 6,000 keys took a second); `duplicateKeys` below does the same check with a Set.
  const docs = parseAllDocuments(text, { lineCounter, keepSourceTokens: false, uniqueKeys: false, prettyErrors: false }) as Document.Parsed[] | { empty: true };
  const all = Array.isArray(docs) ? docs : [];
  const list: Document.Parsed[] = [];
  const problems: Diagnostic[] = [];
  const pos = (o: number) => toPosition(lineCounter, o);
  for (const d of all) {
    const start = d.range?.[0] ?? 0;
    if (d.errors.some((e) => e.code === 'RESOURCE_EXHAUSTION')) {
      problems.push(tooDeep(lineCounter, start));
      continue;
    }
    if (maxDepth(d.contents) > MAX_DEPTH) {
      problems.push(tooDeep(lineCounter, start));
      continue;
    }
    list.push(d);
    const errs: { pos: [number, number]; message: string }[] = [...d.errors, ...duplicateKeys(d.contents)];
    if (errs.length > d.errors.length) errs.sort((x, y) => x.pos[0] - y.pos[0]);
    for (const e of errs) {
      const [a, b] = e.pos;
      problems.push({ code: 'yaml-syntax', severity: 'error', message: `YAML: ${firstLine(e.message)}`, range: { start: pos(a), end: pos(Math.max(a, b)) } });
    }
  }
  for (const d of list) SOURCES.set(d, text);
  return { text, docs: list, lineCounter, problems };
}

function tooDeep(lc: LineCounter, offset: number): Diagnostic {
  const p = toPosition(lc, offset);
  return {
    code: 'yaml-too-deep',
    severity: 'warning',
    message: `This YAML document nests maps and lists more than ${MAX_DEPTH} levels deep; llm-sizer skips it (deployment files nest about 20).`,
    range: { start: p, end: p },
  };
}

/** Nesting depth of maps and sequences (stops counting past MAX_DEPTH), without recursion or following aliases. */
export function maxDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (isMap(n) || isSeq(n)) {
      if (d > max) max = d;
      if (d > MAX_DEPTH) return d;
      for (const it of (n as YAMLMap | { items: unknown[] }).items as unknown[]) {
        if (isPair(it)) {
          stack.push([it.key, d + 1], [it.value, d + 1]);
        } else stack.push([it, d + 1]);
      }
    }
  }
  return max;
}

/** "Map keys must be unique", as the `yaml` package words it, in linear time (scalar keys; aliases not followed). */
function duplicateKeys(root: unknown): { pos: [number, number]; message: string }[] {
  const out: { pos: [number, number]; message: string }[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (isMap(n)) {
      const seen = new Set<unknown>();
      for (const p of (n as YAMLMap).items as Pair[]) {
        const k = p.key as unknown;
        if (isScalar(k)) {
          const v = (k as Scalar).value;
          if (seen.has(v)) {
            const a = (k as Scalar).range?.[0] ?? 0;
            out.push({ pos: [a, a + 1], message: 'Map keys must be unique' });
          } else seen.add(v);
        } else if (k) stack.push(k);
        stack.push(p.value);
      }
    } else if (isSeq(n)) for (const it of n.items) stack.push(it);
  }
  return out;
}

/**
 * A plain scalar that is one token wherever a value can stand, before and after any edit inside it: letters, digits
 * and `_ . + - /` only (no space, `#`, `:`, quote, flow or other indicator), not starting with `-`, `+` or `.` unless
 * a letter, digit, `_` or `.` follows (a lone `-` is a sequence entry).
 */
const SIMPLE_PLAIN = /^(?:[A-Za-z0-9_]|[-+.][A-Za-z0-9_.])[A-Za-z0-9_.+/-]*$/;
const SCALAR_TAG = Symbol.for('yaml.scalar');
/** Properties composeScalar derives from the token (everything else on the old node came from around it). */
const FROM_TOKEN = new Set(['value', 'source', 'range', 'type', 'format', 'minFractionDigits']);

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve(value: string, onError: (msg: string) => void, options: unknown): unknown;
}

type Ranged = { range?: [number, number, number] | null };

/** A plain value scalar and where it sits: the value of `pair`, or entry `index` of the sequence `items`. */
interface ValueSlot {
  node: Scalar;
  doc: Document.Parsed;
  pair: Pair | null;
  items: unknown[] | null;
  index: number;
}

/** 1: a scalar whose token covers old offsets [p, end]; 2: a collection or alias that starts there; 0: neither. */
function touch(n: unknown, p: number, end: number): 0 | 1 | 2 {
  const r = (n as Ranged | null)?.range;
  if (!r || r[0] > p) return 0;
  if (isScalar(n)) return end <= r[1] ? 1 : 0;
  return end <= r[0] ? 2 : 0;
}

/**
 * The one scalar that covers old offsets [p, end] when it is a mapping value or a sequence entry, else null (the
 * change touches a key, a document's root, where a collection starts, two scalars, or none). Appends every node to
 * `nodes`, documents included, for the offset shift. Plain loops, no closures: this runs on every edit.
 */
function touchedValue(docs: Document.Parsed[], p: number, end: number, nodes: Ranged[]): ValueSlot | null {
  let hit: ValueSlot | null = null;
  const stack: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length || doc.warnings.length) return null;
    nodes.push(doc as unknown as Ranged);
    const root = doc.contents;
    if (!root) continue;
    if (touch(root, p, end)) return null;
    nodes.push(root as Ranged);
    stack.push(root);
    while (stack.length) {
      const n = stack.pop();
      if (isMap(n)) {
        for (const pair of (n as YAMLMap).items as Pair[]) {
          const k = pair.key;
          if (k && typeof k === 'object') {
            if (touch(k, p, end)) return null;
            nodes.push(k as Ranged);
            stack.push(k);
          }
          const v = pair.value;
          if (v && typeof v === 'object') {
            const t = touch(v, p, end);
            if (t === 2 || (t === 1 && hit)) return null;
            if (t === 1) hit = { node: v as Scalar, doc, pair, items: null, index: 0 };
            nodes.push(v as Ranged);
            stack.push(v);
          }
        }
      } else if (isSeq(n)) {
        const items = (n as { items: unknown[] }).items;
        for (let i = 0; i < items.length; i++) {
          const v = items[i];
          if (!v || typeof v !== 'object') continue;
          const t = touch(v, p, end);
          if (t === 2 || (t === 1 && hit)) return null;
          if (t === 1) hit = { node: v as Scalar, doc, pair: null, items, index: i };
          nodes.push(v as Ranged);
          stack.push(v);
        }
      }
    }
  }
  return hit;
}

/**
 * The parse of `text` made from the parse of the previous text of the same `---` document, when the two differ only
 * inside one plain scalar that is a mapping value or a sequence entry (typing a number, a model or a GPU name);
 * otherwise null, and the caller parses the text. What it returns is what parseYaml(text) returns: the same nodes,
 * values, ranges, line starts and (no) problems; the scalar is resolved by the document's own schema the way the
 * `yaml` composer resolves it (test/unit/yamlReparse.test.ts compares the two on every fixture). It reuses, and
 * changes, prev's documents and nodes: prev must not be used afterwards.
 */
export function reparseScalarEdit(prev: ParsedYaml, text: string): ParsedYaml | null {
  const old = prev.text;
  if (prev.problems.length || old === text) return null;
  // The changed region: old [p, oldEnd) became new [p, oldEnd + delta).
  const min = Math.min(old.length, text.length);
  let p = 0;
  while (p < min && old.charCodeAt(p) === text.charCodeAt(p)) p++;
  let s = 0;
  while (s < min - p && old.charCodeAt(old.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
  const oldEnd = old.length - s;
  const delta = text.length - old.length;
  // Every node (to shift its offsets) and the one plain value scalar whose token covers the change.
  const nodes: Ranged[] = [];
  const slot = touchedValue(prev.docs, p, oldEnd, nodes);
  if (!slot) return null;
  const { node, doc } = slot;
  const [a, b, end] = node.range!;
  const token = text.slice(a, b + delta);
  const c = a > 0 ? old.charCodeAt(a - 1) : 0x0a;
  if (node.type !== 'PLAIN' || node.tag || node.anchor || c === 0x0a || c === 0x0d) return null;
  if (node.source !== old.slice(a, b) || !SIMPLE_PLAIN.test(node.source) || !SIMPLE_PLAIN.test(token)) return null;
  // The composer's tag resolution for an untagged plain scalar that is not a key (compose-scalar.js, findScalarTagByTest).
  const schema = doc.schema as unknown as { tags: ScalarTag[]; compat: unknown; [SCALAR_TAG]: ScalarTag };
  if (schema.compat) return null;
  const tag = schema.tags.find((t) => t.default === true && t.test?.test(token)) ?? schema[SCALAR_TAG];
  let failed = false;
  let res: unknown;
  try {
    res = tag.resolve(token, () => (failed = true), doc.options);
  } catch {
    return null;
  }
  if (failed) return null;
  const next: Scalar = isScalar(res) ? (res as Scalar) : new ScalarNode(res);
  for (const k of Object.keys(node)) if (!FROM_TOKEN.has(k)) (next as unknown as Record<string, unknown>)[k] = (node as unknown as Record<string, unknown>)[k];
  next.range = [a, b + delta, end + delta];
  next.source = token;
  next.type = 'PLAIN';
  if (tag.format) next.format = tag.format;
  if (slot.pair) slot.pair.value = next;
  else slot.items![slot.index] = next;
  // Offsets at or after the old token's end move by delta; the token holds no line break, so line starts move alike.
  for (const n of nodes) {
    const r = n.range;
    if (n === node || !r) continue;
    for (let i = 0; i < 3; i++) if (r[i] >= b) r[i] += delta;
  }
  const lineCounter = new LineCounter();
  for (const o of prev.lineCounter.lineStarts) lineCounter.addNewLine(o >= b ? o + delta : o);
  for (const d of prev.docs) SOURCES.set(d, text);
  return { text, docs: prev.docs, lineCounter, problems: [] };
}

const SOURCES = new WeakMap<object, string>();
/** The text a document was parsed from (offsets in node ranges point into it). */
export function sourceOf(doc: object): string | undefined {
  return SOURCES.get(doc);
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

export function toPosition(lc: LineCounter, offset: number): { line: number; character: number } {
  const p = lc.linePos(offset);
  return { line: p.line - 1, character: p.col - 1 };
}

export function rangeOf(lc: LineCounter, node: { range?: [number, number, number] | null } | null | undefined): Range | null {
  if (!node?.range) return null;
  const [a, b] = node.range;
  return { start: toPosition(lc, a), end: toPosition(lc, b) };
}

export function offsetRange(lc: LineCounter, a: number, b: number): Range {
  return { start: toPosition(lc, a), end: toPosition(lc, b) };
}

export function mapPairs(node: unknown): Pair<Scalar, Node>[] {
  return isMap(node) ? ((node as YAMLMap).items as Pair<Scalar, Node>[]) : [];
}

export function keyString(p: Pair): string {
  const k = p.key as unknown;
  return isScalar(k) ? String((k as Scalar).value) : '';
}

export function getPair(node: unknown, key: string): Pair<Scalar, Node> | undefined {
  return mapPairs(node).find((p) => keyString(p) === key);
}

export function get(node: unknown, key: string): Node | undefined {
  const v = getPair(node, key)?.value as Node | undefined;
  return v ?? undefined;
}

/** A scalar's JS value, or undefined for maps, sequences, aliases and nulls. */
export function scalarValue(node: unknown): unknown {
  if (isAlias(node)) return undefined;
  if (isScalar(node)) return (node as Scalar).value ?? undefined;
  return undefined;
}

/** Plain JS for a node without expanding aliases (alias bombs stay cheap). */
export function toPlain(node: unknown, depth = 0): unknown {
  if (depth > 64) return undefined;
  if (isScalar(node)) return (node as Scalar).value;
  if (isMap(node)) {
    const o: Record<string, unknown> = Object.create(null);
    for (const p of (node as YAMLMap).items as Pair[]) {
      const k = keyString(p);
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
      o[k] = toPlain(p.value, depth + 1);
    }
    return { ...o };
  }
  if (isSeq(node)) return node.items.map((i) => toPlain(i, depth + 1));
  return undefined;
}

export { isMap, isPair, isScalar, isSeq, isAlias };
