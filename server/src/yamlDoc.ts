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

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, keepSourceTokens: false, uniqueKeys: true, prettyErrors: false }) as Document.Parsed[] | { empty: true };
  const list = Array.isArray(docs) ? docs : [];
  const problems: Diagnostic[] = [];
  const pos = (o: number) => toPosition(lineCounter, o);
  for (const d of list) {
    for (const e of d.errors) {
      const [a, b] = e.pos;
      problems.push({ code: 'yaml-syntax', severity: 'error', message: `YAML: ${firstLine(e.message)}`, range: { start: pos(a), end: pos(Math.max(a, b)) } });
    }
  }
  for (const d of list) SOURCES.set(d, text);
  return { text, docs: list, lineCounter, problems };
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
