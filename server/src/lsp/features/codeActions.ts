// Quick fixes built from the `data` our diagnostics carry: the value to put where, never a guess.
import { CodeActionKind } from 'vscode-languageserver';
import type { CodeAction, CodeActionParams, Diagnostic as LspDiagnostic, Range, TextEdit } from 'vscode-languageserver';
import type { DeploymentAnalysis } from '../../analysis/analysis';
import type { CacheEntry } from '../languageService';
import { SOURCE } from './diagnostics';
import { deploymentAt } from '../../analysis/locate';
import { insertSettingEdit, removalAt } from './settingEdits';
import { CHART_KEY_OF_OPTION } from '../../formats/servingKeys';

/** Quotes a replacement the way the original was quoted (or plain when it needs no quotes). */
function scalar(original: string, value: string | number): string {
  if (typeof value === 'number') return String(value);
  const q = original.trimStart()[0];
  if (q === '"' || q === "'") return `${q}${value}${q}`;
  return /^[\w./@+-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) ? value : JSON.stringify(value);
}

const unquote = (s: string) => s.trim().replace(/^(["'])(.*)\1$/, '$2');

/** Levenshtein distance, stopping early past `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...cur) > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** A candidate that is this name misspelt, not another model: within 2 edits (case aside), the same numbers in order. */
export function isRespelling(name: string, candidate: string): boolean {
  const nums = (x: string) => (x.match(/\d+(\.\d+)?/g) ?? []).join(',');
  return nums(name) === nums(candidate) && editDistance(name.toLowerCase(), candidate.toLowerCase(), 2) <= 2;
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
  // A bare boolean flag (`--enforce-eager`) has its flag as its range: not a value to replace.
  if (
    existing &&
    !(d.keyRanges[`serving.${key}`] && sameRange(existing, d.keyRanges[`serving.${key}`]) && d.format !== 'native' && d.format !== 'vllm-config')
  ) {
    return { range: existing, newText: scalar(textIn(lines, existing), value) };
  }
  if (existing) return null;
  if (d.format === 'vllm-config') return appendToDocument(d.ranges.document, lines, `${name}: ${value}`);
  // Every other format but the native plan: the place that format reads (container args, vllmConfig, engine_kwargs).
  if (d.format !== 'native') return insertSettingEdit(a, lines.join('\n'), key, value);
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

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * The edits that change tensor_parallel_size (or data_parallel_size) and keep the GPU count in step: when the file
 * states a count that matched tp x pp x dp, it is set to the new product (otherwise the fix would trade one error for
 * gpu-count-mismatch). Pods of a multi-pod group state a per-pod count: left alone (no fix then).
 */
function parallelEdits(a: DeploymentAnalysis, lines: string[], key: 'tensor_parallel_size' | 'data_parallel_size', value: number): TextEdit[] | null {
  const main = setServingEdit(a, lines, key, value);
  if (!main) return null;
  const s = a.sizing?.serving;
  const d = a.deployment;
  const countRange = d.ranges['hardware.count'];
  if (!s || !countRange || d.gpuCount === null) return [main];
  const before = s.tp * s.pp * s.dp;
  if (d.gpuCount !== before) return [main];
  if ((d.pod?.podsPerGroup ?? 1) > 1) return null;
  const after = (key === 'tensor_parallel_size' ? value : s.tp) * s.pp * (key === 'data_parallel_size' ? value : s.dp);
  if (sameRange(countRange, main.range)) return [main];
  return [main, { range: countRange, newText: scalar(textIn(lines, countRange), after) }];
}

/**
 * The edit that sets a deployment's replica count: its value where the file states one; for a Deployment, StatefulSet
 * or LeaderWorkerSet without one (the API's default of 1), `replicas:` inserted as the first key of the top-level
 * `spec:` block, at that block's indentation.
 */
function replicasEdit(a: DeploymentAnalysis, lines: string[], n: number): { key: string; edit: TextEdit } | null {
  const d = a.deployment;
  if (d.replicasUnknown) return null;
  const r = d.ranges.replicas;
  if (r) {
    // The key as the file spells it (replicas, replicaCount, num_replicas, minReplicas), for the fix's title.
    const key = /([A-Za-z_][\w-]*)\s*:\s*["']?$/.exec((lines[r.start.line] ?? '').slice(0, r.start.character))?.[1] ?? 'replicas';
    return { key, edit: { range: r, newText: scalar(textIn(lines, r), n) } };
  }
  if (d.format !== 'kubernetes' && d.format !== 'leaderworkerset') return null;
  const doc = d.ranges.document;
  if (!doc) return null;
  for (let i = doc.start.line; i <= doc.end.line && i < lines.length; i++) {
    if (!/^spec:\s*(#.*)?\r?$/.test(lines[i])) continue;
    const child = lines.slice(i + 1, doc.end.line + 1).find((l) => l.trim() && !l.trim().startsWith('#'));
    const indent = child ? (/^( +)/.exec(child)?.[1] ?? '') : '';
    if (!indent) return null;
    const at = { line: i + 1, character: 0 };
    return { key: 'replicas', edit: { range: { start: at, end: at }, newText: `${indent}replicas: ${n}\n` } };
  }
  return null;
}

/** Text appended after a document's last node, on a line of its own. */
function appendToDocument(doc: Range, lines: string[], text: string): TextEdit {
  const end = doc.end;
  if (end.character === 0) return { range: { start: end, end }, newText: `${text}\n` };
  const lineEnd = { line: end.line, character: (lines[end.line] ?? '').replace(/\r$/, '').length };
  return { range: { start: lineEnd, end: lineEnd }, newText: `\n${text}` };
}

function action(title: string, uri: string, diag: LspDiagnostic, edit: TextEdit | TextEdit[] | null, preferred = false): CodeAction | null {
  if (!edit || (Array.isArray(edit) && !edit.length)) return null;
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diag],
    isPreferred: preferred,
    edit: { changes: { [uri]: Array.isArray(edit) ? edit : [edit] } },
  };
}

/**
 * setting-ignored on a production-stack values file: move the setting to where the chart reads it. A vllmConfig key
 * the chart does not read goes to extraArgs as `--flag=value`; a sizing flag in extraArgs goes to vllmConfig.<key>.
 */
function moveIgnoredSetting(
  a: DeploymentAnalysis,
  lines: string[],
  diag: LspDiagnostic,
  data: Record<string, unknown>,
): { title: string; edits: TextEdit[] } | null {
  if (a.deployment.format !== 'production-stack') return null;
  const text = lines.join('\n');
  const removed = removalAt(text, diag.range);
  if (!removed || removed.value === null) return null;
  const ghost: DeploymentAnalysis = a;
  const merge = (add: TextEdit | null): TextEdit[] | null => {
    if (!add) return null;
    const r = removed.edit.range;
    const p = add.range.start;
    const inside =
      (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character)) &&
      (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));
    // The new entry lands where the old one is removed (it was the map's last pair): one replacement instead.
    return inside ? [{ range: r, newText: `${add.newText.replace(/^\n/, '')}\n` }] : [removed.edit, add];
  };
  if (typeof data.flag === 'string') {
    const key = data.flag.replace(/^--/, '').replace(/-/g, '_');
    if (key in CHART_KEY_OF_OPTION) return null;
    const edits = merge(insertSettingEdit(ghost, text, key, removed.value));
    return edits && { title: `Move to vllmConfig.extraArgs as ${data.flag}=${removed.value}`, edits };
  }
  if (typeof data.key === 'string') {
    const snake = Object.entries(CHART_KEY_OF_OPTION).find(([, camel]) => camel === data.key)?.[0];
    if (!snake) return null;
    const edits = merge(insertSettingEdit(ghost, text, snake, removed.value));
    return edits && { title: `Move to vllmConfig.${data.key}: ${removed.value}`, edits };
  }
  return null;
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
    const setServing = (title: string, key: string, value: string | number, preferred = false) =>
      a && push(action(title, uri, diag, setServingEdit(a, lines, key, value), preferred));
    switch (diag.code) {
      case 'max-model-len-too-long':
      case 'context-beyond-model':
        if (typeof data.suggested === 'number' && data.suggested > 0)
          setServing(`Set max_model_len to ${data.suggested}`, 'max_model_len', data.suggested, true);
        break;
      case 'heads-not-divisible':
        if (typeof data.suggested === 'number' && a)
          push(action(`Set tensor_parallel_size to ${data.suggested}`, uri, diag, parallelEdits(a, lines, 'tensor_parallel_size', data.suggested), true));
        break;
      case 'weights-exceed-memory':
        if (typeof data.suggestedTp === 'number' && a)
          push(action(`Set tensor_parallel_size to ${data.suggestedTp}`, uri, diag, parallelEdits(a, lines, 'tensor_parallel_size', data.suggestedTp), true));
        break;
      case 'littles-law-overload':
        // More replicas as vLLM data parallelism, with the GPU count in step (native plans and vLLM configs, where
        // data_parallel_size is what the sizing counts as replicas).
        if (typeof data.replicasNeeded === 'number' && a && (a.deployment.format === 'native' || a.deployment.format === 'vllm-config')) {
          push(
            action(
              `Set data_parallel_size to ${data.replicasNeeded} (replicas Little's Law needs)`,
              uri,
              diag,
              parallelEdits(a, lines, 'data_parallel_size', data.replicasNeeded),
              true,
            ),
          );
        } else if (typeof data.replicasNeeded === 'number' && a && !data.autoscaling) {
          // Every other format: its replica count (spec.replicas, replicaCount, num_replicas), each replica running
          // ranksPerReplica data-parallel instances. An autoscaler's bounds are the operator's policy: no fix.
          const per = typeof data.ranksPerReplica === 'number' && data.ranksPerReplica >= 1 ? data.ranksPerReplica : 1;
          const n = Math.ceil(data.replicasNeeded / per);
          const edit = replicasEdit(a, lines, n);
          if (edit) push(action(`Set ${edit.key} to ${n} (replicas Little's Law needs)`, uri, diag, edit.edit, true));
        }
        break;
      case 'gpu-count-mismatch': {
        // The stated GPU count, set to tp x pp x dp (a multi-pod group states a per-pod count: no fix).
        const r = a?.deployment.ranges['hardware.count'];
        if (typeof data.expected === 'number' && a && r && sameRange(r, diag.range) && (a.deployment.pod?.podsPerGroup ?? 1) === 1) {
          push(
            action(
              `Set the GPU count to ${data.expected} (tensor x pipeline x data parallel)`,
              uri,
              diag,
              { range: r, newText: scalar(textIn(lines, r), data.expected) },
              true,
            ),
          );
        }
        break;
      }
      case 'setting-ignored': {
        const mv = a ? moveIgnoredSetting(a, lines, diag, data) : null;
        if (mv) push(action(mv.title, uri, diag, mv.edits, true));
        break;
      }
      case 'kv-limits-concurrency':
        if (typeof data.suggestedKvCacheDtype === 'string')
          setServing(`Set kv_cache_dtype to ${data.suggestedKvCacheDtype} (doubles KV tokens)`, 'kv_cache_dtype', data.suggestedKvCacheDtype, true);
        break;
      case 'no-kv-memory':
      case 'cudagraph-exceeds-memory':
        if (typeof data.suggestedUtilization === 'number' && data.suggestedUtilization > 0 && data.suggestedUtilization <= 0.95) {
          setServing(`Set gpu_memory_utilization to ${data.suggestedUtilization}`, 'gpu_memory_utilization', data.suggestedUtilization, true);
        }
        break;
      case 'dtype-unsupported':
        if (typeof data.suggested === 'string')
          setServing(
            `Set ${diag.message.includes('KV') ? 'kv_cache_dtype' : 'dtype'} to ${data.suggested}`,
            diag.message.includes('KV') ? 'kv_cache_dtype' : 'dtype',
            data.suggested,
            true,
          );
        break;
      case 'unknown-model': {
        // Only a spelling fix: a candidate at most 2 edits away with the same numbers (family, version, size). Any other
        // "similar" catalog model is a different model, and swapping it in would size something else.
        const original = textIn(lines, diag.range);
        const cands = (Array.isArray(data.candidates) ? (data.candidates as unknown[]) : []).filter(
          (c): c is string => typeof c === 'string' && isRespelling(unquote(original), c),
        );
        cands.forEach((c, i) => push(action(`Change to "${c}" (spelling)`, uri, diag, { range: diag.range, newText: scalar(original, c) }, i === 0)));
        break;
      }
      case 'unknown-gpu': {
        const cands = Array.isArray(data.candidates) ? (data.candidates as unknown[]).filter((c): c is string => typeof c === 'string') : [];
        const original = textIn(lines, diag.range);
        cands.forEach((c, i) => push(action(`Change to "${c}"`, uri, diag, { range: diag.range, newText: scalar(original, c) }, i === 0)));
        break;
      }
      case 'schema-unknown-key':
        // `no-enable-prefix-caching` is the negation of `enable-prefix-caching`: renaming it would flip the setting.
        if (
          (typeof data.suggestion === 'string' && !/^no[-_]/i.test(textIn(lines, diag.range).trim())) ||
          (typeof data.suggestion === 'string' && /^no[-_]/i.test(data.suggestion))
        ) {
          push(action(`Rename to "${data.suggestion}"`, uri, diag, { range: diag.range, newText: String(data.suggestion) }, true));
        }
        break;
      case 'schema-value':
        if (typeof data.suggestion === 'string')
          push(
            action(
              `Change to ${JSON.stringify(data.suggestion)}`,
              uri,
              diag,
              { range: diag.range, newText: scalar(textIn(lines, diag.range), data.suggestion) },
              true,
            ),
          );
        break;
    }
  }
  return out;
}
