// One inline summary per deployment, at the end of its name (or model) line: does it start, KV tokens,
// concurrency at the workload's context, and the decode bound when engine II reports one.
import { InlayHintKind } from 'vscode-languageserver';
import type { InlayHint, Range } from 'vscode-languageserver';
import type { DeploymentAnalysis } from '../analysis';
import { cdiv, fmtInt } from '../engine/units';
import type { CacheEntry } from '../languageService';

export function summaryLine(a: DeploymentAnalysis): string | null {
  const s = a.sizing;
  if (!s) return null;
  if (!s.startup.ok) return `✗ does not start (${s.startup.errorKind?.replace(/_/g, ' ')})`;
  const w = a.deployment.workload;
  const ctx = Math.min(s.serving.maxModelLen, Math.max(1, w.inputTokens + w.outputTokens));
  const conc = Math.min(s.serving.maxNumSeqs, Math.floor(s.kv.numBlocks / Math.max(1, cdiv(ctx, s.kv.blockSize))));
  const parts = [`✓ fits`, `${fmtInt(s.kv.capacityTokens)} KV tokens`, `${fmtInt(conc)} concurrent at ${fmtInt(ctx)} tokens`];
  const bound = a.performance?.performance.bound;
  if (bound) parts.push(`decode ${bound.replace(/_/g, '-')}`);
  return parts.join(' · ');
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
    out.push({ position: { line: at, character: col }, label: `  ${label}`, kind: InlayHintKind.Type, paddingLeft: true });
  }
  return out;
}
