// Where a serving setting goes in each format, as a text edit: the native plan's `serving:`, a vLLM config's top
// level, a container's argument list (`--flag=value`), the production-stack chart's `vllmConfig` (camelCase keys it
// reads) or its `extraArgs`, Ray Serve's `engine_kwargs`. Structure comes from a fresh YAML parse of the text; the
// deployment's ranges say which container, model spec or llm_config is meant. Null when the place is not certain.
import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { Position, Range, TextEdit } from 'vscode-languageserver';
import type { DeploymentAnalysis } from '../../analysis/analysis';
import { CHART_KEY_OF_OPTION } from '../../formats/servingKeys';

export function offsetAt(text: string, p: Position): number {
  let line = 0;
  let i = 0;
  while (line < p.line) {
    const n = text.indexOf('\n', i);
    if (n < 0) return text.length;
    i = n + 1;
    line++;
  }
  return Math.min(text.length, i + p.character);
}

export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let last = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i + 1;
  }
  return { line, character: offset - last };
}

const at = (text: string, o: number): Range => ({ start: positionAt(text, o), end: positionAt(text, o) });
const span = (text: string, a: number, b: number): Range => ({ start: positionAt(text, a), end: positionAt(text, b) });

/** Column of the line start before `offset` up to the first non-space. */
function columnOf(text: string, offset: number): number {
  const ls = text.lastIndexOf('\n', offset - 1) + 1;
  return offset - ls;
}

type Chain = { node: Node; pair?: Pair }[];

/** The nodes from the document root down to the deepest one containing `offset`. */
function chainTo(doc: Document, offset: number): Chain {
  const out: Chain = [];
  let n: unknown = doc.contents;
  let pair: Pair | undefined;
  while (n && typeof n === 'object' && 'range' in (n as Node) && (n as Node).range) {
    const node = n as Node;
    const r = node.range!;
    if (offset < r[0] || offset > r[2]) break;
    out.push({ node, pair });
    let next: unknown = null;
    if (isMap(node)) {
      for (const p of node.items) {
        const v = p.value as Node | null;
        const k = p.key as Node | null;
        if (v?.range && offset >= v.range[0] && offset <= v.range[2]) {
          next = v;
          pair = p as Pair;
          break;
        }
        if (k?.range && offset >= k.range[0] && offset <= k.range[2]) {
          next = k;
          pair = p as Pair;
          break;
        }
      }
    } else if (isSeq(node)) {
      pair = undefined;
      next = node.items.find((it) => (it as Node)?.range && offset >= (it as Node).range![0] && offset <= (it as Node).range![2]) ?? null;
    }
    n = next;
  }
  return out;
}

function docFor(text: string, offset: number): Document | null {
  for (const d of parseAllDocuments(text)) {
    if (!('contents' in d)) continue;
    const c = d.contents as Node | null;
    if (c?.range && offset >= c.range[0] && offset <= c.range[2]) return d as Document;
  }
  return null;
}

function pairOf(m: YAMLMap, key: string): Pair | undefined {
  return m.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair | undefined;
}

/** Text for a new entry of a block map: on a new line after its last pair, at its keys' column. */
function addToMap(text: string, m: YAMLMap, line: string): TextEdit | null {
  if (m.flow) {
    const end = m.range![1] - 1; // before `}`
    return { range: at(text, end), newText: `${m.items.length ? ', ' : ''}${line.replace(/\n\s*/g, ' ')}` };
  }
  const first = m.items[0]?.key as Node | undefined;
  if (!first?.range) return null;
  const indent = columnOf(text, first.range[0]);
  const last = m.items[m.items.length - 1];
  const lastEnd = ((last.value as Node | null)?.range ?? (last.key as Node).range!)[1];
  const eol = text.indexOf('\n', lastEnd);
  const pos = eol < 0 ? text.length : eol;
  const body = line
    .split('\n')
    .map((l) => ' '.repeat(indent) + l)
    .join('\n');
  return { range: at(text, pos), newText: `\n${body}` };
}

/** A new last item of a sequence of argv words. */
function addToSeq(text: string, s: YAMLSeq, word: string): TextEdit | null {
  const items = s.items as Node[];
  const quote = items.some((it) => isScalar(it) && it.type === 'QUOTE_DOUBLE') ? '"' : '';
  const w = `${quote}${word}${quote}`;
  if (s.flow) return { range: at(text, s.range![1] - 1), newText: `${items.length ? ', ' : ''}${w}` };
  const first = items[0];
  if (!first?.range) return null;
  // The `- ` indicator before the first item (the item itself may start with `-`, as `--model` does).
  const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
  const indent = text.slice(lineStart, first.range[0]).search(/-\s*$/);
  if (indent < 0) return null;
  const lastEnd = items[items.length - 1].range![1];
  const eol = text.indexOf('\n', lastEnd);
  return { range: at(text, eol < 0 ? text.length : eol), newText: `\n${' '.repeat(indent)}- ${w}` };
}

/** Appends ` --flag=value` inside a one-line shell command string (`vllm serve m --tp 2`). */
function addToCommandString(text: string, n: Node, word: string): TextEdit | null {
  if (!isScalar(n) || !n.range) return null;
  if (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED') return null;
  const src = text.slice(n.range[0], n.range[1]);
  if (src.includes('\n')) return null;
  const end = n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE' ? n.range[1] - 1 : n.range[1];
  return { range: at(text, end), newText: ` ${word}` };
}

const flagOf = (key: string, value: string | number) => `--${key.replace(/_/g, '-')}=${value}`;

/**
 * Adds a setting that is not in the file yet, in the place this deployment's format reads it. Replacing a setting that
 * is there is codeActions' setServingEdit (its value range); this is only for the insert.
 */
export function insertSettingEdit(a: DeploymentAnalysis, text: string, key: string, value: string | number): TextEdit | null {
  const d = a.deployment;
  const anchor = d.ranges.model ?? Object.entries(d.keyRanges).find(([k]) => k.startsWith('serving.'))?.[1];
  if (!anchor) return null;
  const offset = offsetAt(text, anchor.start);
  const doc = docFor(text, offset);
  if (!doc) return null;
  const chain = chainTo(doc, offset);
  if (d.format === 'production-stack') {
    // The modelSpec item that holds this model: vllmConfig.<camelKey> when the chart reads it, else extraArgs.
    const spec = [...chain].reverse().find((c) => isMap(c.node) && pairOf(c.node as YAMLMap, 'modelURL'))?.node as YAMLMap | undefined;
    if (!spec) return null;
    const vc = pairOf(spec, 'vllmConfig')?.value;
    const camel = CHART_KEY_OF_OPTION[key];
    if (camel)
      return isMap(vc) && vc.items.length ? addToMap(text, vc, `${camel}: ${value}`) : vc ? null : addToMap(text, spec, `vllmConfig:\n  ${camel}: ${value}`);
    const extra = isMap(vc) ? pairOf(vc, 'extraArgs')?.value : undefined;
    if (isSeq(extra) && extra.items.length) return addToSeq(text, extra, flagOf(key, value));
    if (extra) return null;
    return isMap(vc) && vc.items.length
      ? addToMap(text, vc, `extraArgs: ["${flagOf(key, value)}"]`)
      : vc
        ? null
        : addToMap(text, spec, `vllmConfig:\n  extraArgs: ["${flagOf(key, value)}"]`);
  }
  if (d.format === 'ray-serve' || d.format === 'rayservice') {
    const cfg = [...chain].reverse().find((c) => isMap(c.node) && pairOf(c.node as YAMLMap, 'model_loading_config'))?.node as YAMLMap | undefined;
    if (!cfg) return null;
    const ek = pairOf(cfg, 'engine_kwargs')?.value;
    if (isMap(ek) && ek.items.length) return addToMap(text, ek, `${key}: ${value}`);
    return ek ? null : addToMap(text, cfg, `engine_kwargs:\n  ${key}: ${value}`);
  }
  // Container command lines (Deployment, StatefulSet, Job, LWS, KServe, ...): the argv list that holds the model.
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i].node;
    if (isSeq(n)) {
      const item = chain[i + 1]?.node;
      // One item holding a whole shell command (`- vllm serve m --tp 2` or an `sh -c` script line).
      if (item && isScalar(item) && /\s--?\w/.test(String(item.value)) && /\bserve\b|vllm|python/.test(String(item.value)))
        return addToCommandString(text, item, flagOf(key, value));
      return addToSeq(text, n, flagOf(key, value));
    }
    if (
      isScalar(n) &&
      i === chain.length - 1 &&
      /\s/.test(String(n.value)) &&
      chain[i].pair &&
      /^(command|args)$/.test(String((chain[i].pair!.key as { value?: unknown })?.value ?? ''))
    ) {
      return addToCommandString(text, n, flagOf(key, value));
    }
  }
  return null;
}

/** The setting's whole `key: value` pair (in a map) or argv item(s) (in a list), to move it elsewhere. */
export function removalAt(text: string, range: Range): { edit: TextEdit; value: string | null } | null {
  const offset = offsetAt(text, range.start);
  const doc = docFor(text, offset);
  if (!doc) return null;
  const chain = chainTo(doc, offset);
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i].node;
    if (isMap(n) && !n.flow) {
      const p = n.items.find((x) => (x.key as Node)?.range && offset >= (x.key as Node).range![0] && offset <= (x.key as Node).range![2]);
      if (!p) continue;
      const from = text.lastIndexOf('\n', (p.key as Node).range![0]) + 1;
      const v = p.value as Node | null;
      const endNode = v?.range ? v.range[2] : (p.key as Node).range![2];
      let to = text.indexOf('\n', Math.max(endNode - 1, (p.key as Node).range![1]));
      to = to < 0 ? text.length : to + 1;
      return { edit: { range: span(text, from, to), newText: '' }, value: isScalar(v) ? String(v.value) : null };
    }
    if (isSeq(n) && !n.flow) {
      const items = n.items as Node[];
      const k = items.findIndex((it) => it.range && offset >= it.range[0] && offset <= it.range[2]);
      if (k < 0) continue;
      const word = String((items[k] as { value?: unknown }).value ?? '');
      // `--flag value` as two items: take both.
      const two = !word.includes('=') && items[k + 1] && isScalar(items[k + 1]) && !String((items[k + 1] as { value?: unknown }).value).startsWith('-');
      const last = two ? items[k + 1] : items[k];
      let from = text.lastIndexOf('\n', items[k].range![0]) + 1;
      // Its only item(s): the whole `key:` entry goes, not just the items (an empty `extraArgs:` would be null).
      const pair = chain[i].pair;
      if ((two ? 2 : 1) === items.length && pair && (pair.key as Node)?.range && i > 0 && isMap(chain[i - 1].node) && !(chain[i - 1].node as YAMLMap).flow)
        from = text.lastIndexOf('\n', (pair.key as Node).range![0]) + 1;
      let to = text.indexOf('\n', last.range![1] - 1);
      to = to < 0 ? text.length : to + 1;
      const value = word.includes('=') ? word.slice(word.indexOf('=') + 1) : two ? String((items[k + 1] as { value?: unknown }).value) : null;
      return { edit: { range: span(text, from, to), newText: '' }, value };
    }
  }
  return null;
}
