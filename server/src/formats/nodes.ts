// The adapter context of a Kubernetes-style document and the helpers that read its YAML nodes (values, spans,
// ranges), shared by k8sCommon and the container rules without an import cycle between them.
import type { Document, LineCounter, Node } from 'yaml';
import { isScalar, isSeq, offsetRange, rangeOf, scalarValue } from '../yaml/yamlDoc';
import type { Deployment, Diagnostic, Range } from './types';

export interface Ctx {
  doc: Document.Parsed;
  src: string | undefined;
  lc: LineCounter;
  docIndex: number;
  docRange: Range;
  defaultGpu: string | null;
  diagnostics: Diagnostic[];
}

export function seqItems(node: unknown): Node[] {
  return isSeq(node) ? ((node as { items: Node[] }).items ?? []) : [];
}

export function str(node: unknown): string | null {
  const v = scalarValue(node);
  if (typeof v === 'string') return v;
  // A number as written (`-.inf`, `1e309` would print as -Infinity / Infinity).
  if (typeof v === 'number' && !Number.isFinite(v)) return String((node as { source?: unknown }).source ?? v);
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

export function num(node: unknown): number | null {
  const v = scalarValue(node);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return null;
}

/** Source span of a node; for a one-line quoted scalar, the text between the quotes. */
export function valueSpan(node: unknown): [number, number] | null {
  const r = (node as Node | undefined)?.range;
  if (!r) return null;
  const t = isScalar(node) ? (node as { type?: string }).type : undefined;
  if ((t === 'QUOTE_DOUBLE' || t === 'QUOTE_SINGLE') && r[1] - r[0] >= 2) return [r[0] + 1, r[1] - 1];
  return [r[0], r[1]];
}

export function range(ctx: Ctx, node: unknown): Range | null {
  const s = valueSpan(node);
  return s ? offsetRange(ctx.lc, s[0], s[1]) : rangeOf(ctx.lc, node as Node);
}

/**
 * `replicas` (or the chart's replicaCount) node onto the deployment: a whole non-negative count and its range. Absent,
 * 1 (the Kubernetes API and the charts' default); present but not a number (a Helm placeholder), unknown: never
 * defaulted, so Little's Law claims no overload.
 */
export function setReplicas(ctx: Ctx, d: Deployment, node: unknown, key = 'replicas'): void {
  const n = num(node);
  d.replicas = Math.max(0, Math.floor(n ?? 1));
  const r = range(ctx, node);
  if (r) d.ranges.replicas = r;
  if (node !== undefined && node !== null && n === null) d.replicasUnknown = `${key} is ${JSON.stringify(str(node) ?? 'not a number')}`;
}

/**
 * An autoscaler's bounds onto the deployment: `replicas` is its minimum (`minDefault` when unstated), `replicasMax` its
 * ceiling (null when unstated: KServe's Knative autoscaler and Ray Serve's `auto` then set it, not the file).
 */
export function setReplicaBounds(ctx: Ctx, d: Deployment, minNode: unknown, maxNode: unknown, minDefault: number, keys: [string, string], floor = 0): void {
  setReplicas(ctx, d, minNode, keys[0]);
  if (minNode === undefined || minNode === null) d.replicas = minDefault;
  // KServe's adapters have always sized a scale-to-zero minimum as one replica (floor 1); KubeAI keeps its 0. Either
  // way the engine runs at least one under traffic (the first request wakes one).
  d.replicas = Math.max(floor, d.replicas);
  const max = num(maxNode);
  d.replicasMax = max !== null ? Math.max(d.replicas, Math.floor(max)) : null;
  if (maxNode !== undefined && maxNode !== null && max === null) d.replicasUnknown = `${keys[1]} is ${JSON.stringify(str(maxNode) ?? 'not a number')}`;
  if (!d.ranges.replicas) {
    const r = range(ctx, maxNode);
    if (r) d.ranges.replicas = r;
  }
  // Equal bounds run a fixed count, but both keys state it: kept as bounds, so no quick fix edits one of the two.
}
