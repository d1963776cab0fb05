// Quick fixes built from the `data` our diagnostics carry: the value to put where, never a guess.
import { CodeActionKind } from 'vscode-languageserver';
import type { CodeAction, CodeActionParams, Diagnostic as LspDiagnostic, Range, TextEdit } from 'vscode-languageserver';
import type { DeploymentAnalysis } from '../analysis';
import type { CacheEntry } from '../languageService';
import { SOURCE } from './diagnostics';
import { deploymentAt } from './locate';

/** Quotes a replacement the way the original was quoted (or plain when it needs no quotes). */
function scalar(original: string, value: string | number): string {
  if (typeof value === 'number') return String(value);
  const q = original.trimStart()[0];
  if (q === '"' || q === "'") return `${q}${value}${q}`;
  return /^[\w./@+-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) ? value : JSON.stringify(value);
}

function textIn(lines: string[], r: Range): string {
  if (r.start.line !== r.end.line) return lines[r.start.line]?.slice(r.start.character) ?? '';
  return lines[r.start.line]?.slice(r.start.character, r.end.character) ?? '';
}

/**
 * An edit that sets a serving setting: replaces its value when present, otherwise inserts the key under
 * `serving:` (native) or at the top level (vllm-config), following the file's indentation and spelling.
 */
export function setServingEdit(a: DeploymentAnalysis, lines: string[], key: string, value: string | number): TextEdit | null {
  const d = a.deployment;
  const kebab = d.format === 'vllm-config' && Object.keys(d.keyRanges).some((k) => k.startsWith('serving.') && /-/.test(textIn(lines, d.keyRanges[k])));
  const name = kebab ? key.replace(/_/g, '-') : key;
  const existing = d.ranges[`serving.${key}`];
  if (existing) return { range: existing, newText: scalar(textIn(lines, existing), value) };
  if (d.format === 'vllm-config') return appendToDocument(d.ranges.document, lines, `${name}: ${value}`);
  const servingKey = d.keyRanges.serving;
  const servingVal = d.ranges.serving;
  if (servingKey && servingVal && lines[servingVal.start.line]?.[servingVal.start.character] === '{') {
    // Flow mapping `serving: {a: 1}`: add before the closing brace.
    const end = { line: servingVal.end.line, character: servingVal.end.character - 1 };
    const inner = textIn(lines, servingVal).slice(1, -1).trim();
    return { range: { start: end, end }, newText: `${inner ? ', ' : ''}${name}: ${value}` };
  }
  if (servingKey) {
    const child = Object.entries(d.keyRanges).find(([k]) => k.startsWith('serving.'))?.[1];
    const indent = child ? child.start.character : servingKey.start.character + 2;
    const line = servingKey.start.line + 1;
    return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${' '.repeat(indent)}${name}: ${value}\n` };
  }
  return appendToDocument(d.ranges.document, lines, `serving:\n  ${name}: ${value}`);
}

/** Text appended after a document's last node, on a line of its own. */
function appendToDocument(doc: Range, lines: string[], text: string): TextEdit {
  const end = doc.end;
  if (end.character === 0) return { range: { start: end, end }, newText: `${text}\n` };
  const lineEnd = { line: end.line, character: (lines[end.line] ?? '').replace(/\r$/, '').length };
  return { range: { start: lineEnd, end: lineEnd }, newText: `\n${text}` };
}

function action(title: string, uri: string, diag: LspDiagnostic, edit: TextEdit | null, preferred = false): CodeAction | null {
  if (!edit) return null;
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: preferred, edit: { changes: { [uri]: [edit] } } };
}

export function codeActions(entry: CacheEntry, params: CodeActionParams): CodeAction[] {
  const uri = params.textDocument.uri;
  const lines = entry.text.split('\n');
  const out: CodeAction[] = [];
  for (const diag of params.context.diagnostics) {
    if (diag.source !== SOURCE) continue;
    const data = (diag.data ?? {}) as Record<string, unknown>;
    const a = deploymentAt(entry.analysis.deployments, diag.range.start);
    const push = (x: CodeAction | null) => x && out.push(x);
    const setServing = (title: string, key: string, value: string | number, preferred = false) => a && push(action(title, uri, diag, setServingEdit(a, lines, key, value), preferred));
    switch (diag.code) {
      case 'max-model-len-too-long':
      case 'context-beyond-model':
        if (typeof data.suggested === 'number' && data.suggested > 0) setServing(`Set max_model_len to ${data.suggested}`, 'max_model_len', data.suggested, true);
        break;
      case 'heads-not-divisible':
        if (typeof data.suggested === 'number') setServing(`Set tensor_parallel_size to ${data.suggested}`, 'tensor_parallel_size', data.suggested, true);
        break;
      case 'weights-exceed-memory':
        if (typeof data.suggestedTp === 'number') setServing(`Set tensor_parallel_size to ${data.suggestedTp}`, 'tensor_parallel_size', data.suggestedTp, true);
        break;
      case 'kv-limits-concurrency':
        if (typeof data.suggestedKvCacheDtype === 'string') setServing(`Set kv_cache_dtype to ${data.suggestedKvCacheDtype} (doubles KV tokens)`, 'kv_cache_dtype', data.suggestedKvCacheDtype, true);
        break;
      case 'no-kv-memory':
      case 'cudagraph-exceeds-memory':
        if (typeof data.suggestedUtilization === 'number' && data.suggestedUtilization > 0 && data.suggestedUtilization <= 0.95) {
          setServing(`Set gpu_memory_utilization to ${data.suggestedUtilization}`, 'gpu_memory_utilization', data.suggestedUtilization, true);
        }
        break;
      case 'dtype-unsupported':
        if (typeof data.suggested === 'string') setServing(`Set ${diag.message.includes('KV') ? 'kv_cache_dtype' : 'dtype'} to ${data.suggested}`, diag.message.includes('KV') ? 'kv_cache_dtype' : 'dtype', data.suggested, true);
        break;
      case 'unknown-model':
      case 'unknown-gpu': {
        const cands = Array.isArray(data.candidates) ? (data.candidates as unknown[]).filter((c): c is string => typeof c === 'string') : [];
        const original = textIn(lines, diag.range);
        cands.forEach((c, i) => push(action(`Change to "${c}"`, uri, diag, { range: diag.range, newText: scalar(original, c) }, i === 0)));
        break;
      }
      case 'schema-unknown-key':
        if (typeof data.suggestion === 'string') push(action(`Rename to "${data.suggestion}"`, uri, diag, { range: diag.range, newText: data.suggestion }, true));
        break;
      case 'schema-value':
        if (typeof data.suggestion === 'string') push(action(`Change to ${JSON.stringify(data.suggestion)}`, uri, diag, { range: diag.range, newText: scalar(textIn(lines, diag.range), data.suggestion) }, true));
        break;
    }
  }
  return out;
}
