// One inline summary per deployment, at the end of its name (or model) line: the verdict and the concurrency at the
// workload's length, within VS Code's inlay hint length (editor.inlayHints.maximumLength, 43 characters by default);
// the tooltip holds the rest. Every figure comes from verdict.ts, the same numbers the diagnostics and report show.
import { InlayHintKind, MarkupKind } from 'vscode-languageserver';
import type { InlayHint, Range } from 'vscode-languageserver';
import type { DeploymentAnalysis } from '../../analysis/analysis';
import { fmtInt } from '../../engine/units';
import type { CacheEntry } from '../languageService';
import { assumptionsOf, concurrencyOf, verdictOf } from '../../analysis/verdict';

/** VS Code's default editor.inlayHints.maximumLength: longer labels are cut with an ellipsis. */
export const MAX_HINT_LENGTH = 43;

/** Tokens in short form: 1,200 -> "1.2k", 32,768 -> "33k", 900 -> "900". */
function short(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
}

/** The hint's label: verdict first, then requests running at once at the workload's length. */
export function summaryLine(a: DeploymentAnalysis): string | null {
  const v = verdictOf(a);
  if (v.kind === 'not-sized') return null;
  if (v.kind === 'fails') {
    const label = `✗ does not start${v.code ? `: ${v.code}` : ''}`;
    return label.length <= MAX_HINT_LENGTH ? label : '✗ does not start';
  }
  const c = concurrencyOf(a);
  const head = v.kind === 'assumed' ? '✓ starts*' : '✓ starts';
  if (!c) return head;
  return `${head} · ${fmtInt(c.running)} running at ${short(c.workload_tokens)} tok`;
}

/** The hint's tooltip: the verdict's reason, both concurrency figures, and what was assumed. */
export function summaryTooltip(a: DeploymentAnalysis): string {
  const v = verdictOf(a);
  const c = concurrencyOf(a);
  const s = a.sizing;
  const out = [`**LLM Sizer: ${v.label}**${v.reason ? ` — ${v.reason}` : ''}`];
  if (s && c) {
    out.push(
      '',
      `- KV cache: ${fmtInt(s.kv.capacityTokens)} tokens`,
      `- ${fmtInt(c.at_workload)} requests of the workload's ${fmtInt(c.workload_tokens)} tokens fit at once; ${fmtInt(c.running)} run (max_num_seqs ${s.serving.maxNumSeqs})`,
      `- ${c.at_max_model_len.toFixed(2)}x at max_model_len ${fmtInt(c.max_model_len)} (what vLLM prints)`,
    );
    const bound = a.performance?.performance.bound;
    if (bound) out.push(`- decode is ${bound.replace(/_/g, '-')}-bound${v.hypothetical ? ' (hypothetical: vLLM does not start)' : ''}`);
  }
  const assumed = assumptionsOf(a).filter((x) => !x.stated);
  if (assumed.length) out.push('', `\\* assumed: ${assumed.map((x) => `${x.label} ${x.value}`).join('; ')}`);
  return out.join('\n');
}

export function inlayHints(entry: CacheEntry, range: Range): InlayHint[] {
  const lines = entry.text.split('\n');
  const out: InlayHint[] = [];
  for (const a of entry.analysis.deployments) {
    const label = summaryLine(a);
    if (!label) continue;
    const d = a.deployment;
    const at = (d.ranges.name ?? d.ranges.model ?? d.ranges.document).start.line;
    if (at < range.start.line || at > range.end.line) continue;
    const col = (lines[at] ?? '').replace(/\r$/, '').length;
    out.push({
      position: { line: at, character: col },
      label,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      tooltip: { kind: MarkupKind.Markdown, value: summaryTooltip(a) },
    });
  }
  return out;
}
