// Completion: plan keys with their schema documentation, enum values, model ids and GPU names from the
// catalog, and vLLM option names in `vllm serve --config` files. Context comes from the text around the cursor
// (the document may not parse while someone is typing).
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver';
import type { CompletionItem, Position } from 'vscode-languageserver';
import type { Catalog } from '../../catalog/index';
import { gpuSpecOf } from '../../catalog/index';
import { kvLayers } from '../../engine/kvcache';
import { paramCounts } from '../../engine/params';
import { fmtGiB, fmtInt, fmtParams } from '../../engine/units';
import { VLLM_ALL_OPTIONS, VLLM_SIZING_OPTIONS } from '../../formats/vllmOptions';
import type { CacheEntry } from '../languageService';
import { describeKey, schemaChildren } from '../../analysis/schemaValidation';
import { deploymentAt } from '../../analysis/locate';

export interface CompletionContext {
  /** Keys from the document root down to the mapping the cursor is in (key) or the key whose value it is (value). */
  path: string[];
  isValue: boolean;
  /** Text already typed for the key or value. */
  prefix: string;
}

const KEY_LINE = /^(\s*)(?:-\s+)?([\w.-]+|"[^"]*"|'[^']*'):(?:\s+(.*))?$/;

function unquote(k: string): string {
  return k.replace(/^["']|["']$/g, '');
}

/** The block-mapping keys enclosing `line` at indentation `indent`, from the nearest `---` down. */
function parentKeys(lines: string[], lineNo: number, indent: number): string[] {
  const path: string[] = [];
  let cur = indent;
  for (let i = lineNo - 1; i >= 0 && cur > 0; i--) {
    const l = lines[i];
    if (/^---(\s|$)/.test(l)) break;
    const t = l.trimStart();
    if (!t || t.startsWith('#')) continue;
    const ind = l.length - t.length;
    if (ind >= cur) continue;
    const m = /^([\w.-]+|"[^"]*"|'[^']*'):\s*(#.*)?$/.exec(t.replace(/^-\s+/, ''));
    if (m) path.unshift(unquote(m[1]));
    cur = ind;
  }
  return path;
}

export function completionContext(text: string, pos: Position): CompletionContext {
  const lines = text.split('\n');
  const full = (lines[pos.line] ?? '').replace(/\r$/, '');
  const before = full.slice(0, pos.character);
  const indent = before.length - before.trimStart().length;
  // Flow mapping on one line: `hardware: {gpu: H|`.
  const flow = /^(\s*)(?:-\s+)?([\w.-]+):\s*\{([^}]*)$/.exec(before);
  if (flow) {
    const base = [...parentKeys(lines, pos.line, flow[1].length), flow[2]];
    const inner = flow[3].split(',').pop() ?? '';
    const kv = /^\s*([\w.-]+):\s*(.*)$/.exec(inner);
    if (kv) return { path: [...base, kv[1]], isValue: true, prefix: unquote(kv[2]) };
    return { path: base, isValue: false, prefix: inner.trim() };
  }
  const m = KEY_LINE.exec(before);
  if (m && m[3] !== undefined) return { path: [...parentKeys(lines, pos.line, m[1].length), unquote(m[2])], isValue: true, prefix: unquote(m[3]) };
  if (m && before.endsWith(':')) return { path: [...parentKeys(lines, pos.line, m[1].length), unquote(m[2])], isValue: true, prefix: '' };
  return { path: parentKeys(lines, pos.line, indent), isValue: false, prefix: before.trim().replace(/^-\s*/, '') };
}

/** Which format the cursor's document is in: what the analysis detected, else what the text says. */
function formatAt(entry: CacheEntry, pos: Position): 'native' | 'vllm-config' | null {
  const d = deploymentAt(entry.analysis.deployments, pos);
  if (d?.deployment.format === 'native' || d?.deployment.format === 'vllm-config') return d.deployment.format;
  const lines = entry.text.split('\n');
  let a = pos.line;
  while (a > 0 && !/^---(\s|$)/.test(lines[a])) a--;
  let b = pos.line + 1;
  while (b < lines.length && !/^---(\s|$)/.test(lines[b])) b++;
  const doc = lines.slice(a, b).join('\n');
  if (/apiVersion:\s*["']?llm-sizer\//.test(doc)) return 'native';
  return null;
}

const modelItemsCache = new WeakMap<Catalog, CompletionItem[]>();
const gpuItemsCache = new WeakMap<Catalog, CompletionItem[]>();

export function modelItems(catalog: Catalog): CompletionItem[] {
  let items = modelItemsCache.get(catalog);
  if (items) return items;
  items = [];
  for (const e of catalog.modelEntries()) {
    let detail: string;
    try {
      const r = catalog.resolveModel(e.id)!;
      const p = paramCounts(r.arch);
      const kv = kvLayers(r.arch, { tp: 1, elementBytes: 2, mlaLatent: true }).reduce((s, l) => s + l.bytesPerTokenUnsharded, 0);
      detail = `${fmtParams(p.total)} params${p.active < p.total ? ` (${fmtParams(p.active)} active)` : ''} · ${fmtInt(kv)} KV B/token · ${fmtInt(r.arch.maxPosition)} context`;
    } catch {
      detail = 'model config incomplete';
    }
    items.push({ label: e.id, kind: CompletionItemKind.Value, detail, filterText: e.id, documentation: e.source ? `Source: ${e.source}` : undefined });
  }
  modelItemsCache.set(catalog, items);
  return items;
}

export function gpuItems(catalog: Catalog): CompletionItem[] {
  let items = gpuItemsCache.get(catalog);
  if (items) return items;
  items = catalog.gpuEntries().map((e) => {
    const g = gpuSpecOf(e);
    return {
      label: g.id,
      kind: CompletionItemKind.Value,
      detail: `${fmtGiB(g.memoryBytes)} · ${(g.memoryBandwidth / 1e12).toFixed(2)} TB/s${g.flopsDense.bf16 ? ` · ${(g.flopsDense.bf16 / 1e12).toFixed(0)} TFLOP/s bf16` : ''}`,
      documentation: g.name,
    };
  });
  gpuItemsCache.set(catalog, items);
  return items;
}

function keyItem(label: string, doc: { description?: string; type?: unknown } | null, insert: string): CompletionItem {
  const object = doc?.type === 'object';
  return {
    label,
    kind: CompletionItemKind.Property,
    detail: doc?.type ? String(Array.isArray(doc.type) ? doc.type.join(' | ') : doc.type) : undefined,
    documentation: doc?.description ? { kind: MarkupKind.Markdown, value: doc.description } : undefined,
    insertText: object ? `${insert}:\n  ` : `${insert}: `,
  };
}

function valueItems(values: unknown[]): CompletionItem[] {
  return values.map((v) => ({ label: v === null ? 'null' : String(v), kind: CompletionItemKind.EnumMember }));
}

export function completions(entry: CacheEntry, pos: Position, catalog: Catalog): CompletionItem[] {
  if (entry.catalogKind || entry.analysis.disabled) return [];
  const fmt = formatAt(entry, pos);
  if (!fmt) return [];
  const ctx = completionContext(entry.text, pos);
  if (fmt === 'vllm-config') {
    if (ctx.isValue) {
      const key = ctx.path[ctx.path.length - 1]?.replace(/-/g, '_');
      if (ctx.path.length === 1 && key === 'model') return modelItems(catalog);
      const doc = key && Object.hasOwn(VLLM_SIZING_OPTIONS, key) ? describeKey('deployment', ['serving', key]) : null;
      if (doc?.enum) return valueItems(doc.enum);
      if (doc?.type === 'boolean') return valueItems([true, false]);
      return [];
    }
    if (ctx.path.length) return [];
    // Follow the file's spelling: kebab-case when its keys use dashes.
    const kebab = /^[a-z]+-[a-z-]+:/m.test(entry.text);
    return [...VLLM_ALL_OPTIONS].map((k) => {
      const name = kebab ? k.replace(/_/g, '-') : k;
      const item = keyItem(
        name,
        Object.hasOwn(VLLM_SIZING_OPTIONS, k) ? describeKey('deployment', ['serving', k]) : { description: 'vLLM option (does not change the sizing).' },
        name,
      );
      item.sortText = (Object.hasOwn(VLLM_SIZING_OPTIONS, k) ? '0' : '1') + name;
      return item;
    });
  }
  if (ctx.isValue) {
    const p = ctx.path.join('.');
    if (p === 'model') return modelItems(catalog);
    if (p === 'hardware.gpu') return gpuItems(catalog);
    const doc = describeKey('deployment', ctx.path);
    if (doc?.enum) return valueItems(doc.enum);
    const types = Array.isArray(doc?.type) ? doc!.type : [doc?.type];
    if (types.includes('boolean')) return valueItems([true, false]);
    return [];
  }
  return schemaChildren('deployment', ctx.path).map((k) => keyItem(k, describeKey('deployment', [...ctx.path, k]), k));
}
