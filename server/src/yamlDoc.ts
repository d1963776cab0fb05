// YAML parsed once with source ranges (the `yaml` package's nodes + LineCounter), and small helpers to walk it.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import type { Diagnostic, Range } from './formats/types';

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
