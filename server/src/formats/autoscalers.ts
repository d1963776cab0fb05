// Autoscalers a manifest states beside the workload they scale. A HorizontalPodAutoscaler (or a KEDA ScaledObject,
// which drives one) owns the replica count of its target once applied, so `spec.replicas` of that Deployment,
// StatefulSet or LeaderWorkerSet is no longer the count: the autoscaler's bounds are. Facts only; analysis applies
// them to the deployments whose kind and name they target.
//   HorizontalPodAutoscaler (autoscaling/v1, v2): spec.scaleTargetRef {kind, name} required; spec.minReplicas
//     "defaults to 1 pod"; spec.maxReplicas required (Kubernetes API reference, HorizontalPodAutoscalerSpec).
//   KEDA ScaledObject (keda.sh/v1alpha1): scaleTargetRef.kind "Optional. Default: Deployment"; minReplicaCount
//     "Optional. Default: 0"; maxReplicaCount "Optional. Default: 100" (keda.sh/docs reference/scaledobject-spec).
import { get } from '../yaml/yamlDoc';
import { num, str } from './nodes';
import type { Deployment } from './types';

export interface AutoscalerFacts {
  /** HorizontalPodAutoscaler or ScaledObject. */
  kind: string;
  name: string;
  target: { kind: string; name: string };
  /** The floor as stated or defaulted; null when the file states something that is not a number (a template). */
  min: number | null;
  /** The ceiling as stated or defaulted; null when it is not a number. */
  max: number | null;
  /** What is not a number, for the "replicas unknown" reason. */
  unreadable?: string;
}

/** Workload kinds an autoscaler can target and llm-sizer reads. */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'LeaderWorkerSet']);

/** True when a `---` document's text may hold an autoscaler (a cheap test before parsing it). */
export function mayHoldAutoscaler(text: string): boolean {
  return text.includes('HorizontalPodAutoscaler') || text.includes('ScaledObject');
}

/** The autoscaler a parsed document states (null when it states none). */
export function autoscalerOf(root: unknown): AutoscalerFacts | null {
  const kind = str(get(root, 'kind'));
  const api = str(get(root, 'apiVersion')) ?? '';
  const hpa = kind === 'HorizontalPodAutoscaler' && api.startsWith('autoscaling/');
  const keda = kind === 'ScaledObject' && api.startsWith('keda.sh/');
  if (!hpa && !keda) return null;
  const spec = get(root, 'spec');
  const ref = get(spec, 'scaleTargetRef');
  const targetName = str(get(ref, 'name'));
  const targetKind = str(get(ref, 'kind')) ?? (keda ? 'Deployment' : null);
  if (!targetName || !targetKind || !SCALABLE.has(targetKind)) return null;
  const [minKey, maxKey] = hpa ? ['minReplicas', 'maxReplicas'] : ['minReplicaCount', 'maxReplicaCount'];
  const [minDefault, maxDefault] = hpa ? [1, null] : [0, 100];
  const minNode = get(spec, minKey);
  const maxNode = get(spec, maxKey);
  const bound = (node: unknown, dflt: number | null): number | null => (node === undefined || node === null ? dflt : num(node));
  const min = bound(minNode, minDefault);
  const max = bound(maxNode, maxDefault);
  const bad = [
    [minNode, min, minKey],
    [maxNode, max, maxKey],
  ].find(([node, v]) => node !== undefined && node !== null && v === null);
  const metaName = str(get(get(root, 'metadata'), 'name'));
  const who = metaName ? `${kind} ${metaName}` : kind;
  return {
    kind,
    name: metaName ?? kind,
    target: { kind: targetKind, name: targetName },
    min: min === null ? null : Math.max(0, Math.floor(min)),
    max: max === null ? null : Math.max(0, Math.floor(max)),
    ...(bad ? { unreadable: `${who} ${bad[2]} is ${JSON.stringify(str(bad[0]) ?? 'not a number')}` } : {}),
  };
}

/** A key that tells whether two sets of autoscaler facts differ (a cached analysis of their targets is then stale). */
export function autoscalersKey(all: AutoscalerFacts[]): string {
  return all.length ? JSON.stringify(all) : '';
}

/**
 * The deployment as its autoscaler runs it: the autoscaler's floor (at least one engine runs under traffic, as for
 * KServe's scale-to-zero) up to its ceiling. The deployment is untouched when no autoscaler in the file targets it.
 */
export function withAutoscaler(d: Deployment, all: AutoscalerFacts[]): Deployment {
  const t = d.scaleTarget;
  if (!t || !all.length) return d;
  const a = all.find((x) => x.target.kind === t.kind && x.target.name === t.name);
  if (!a) return d;
  const replicas = Math.max(1, a.min ?? 1);
  // spec.replicas no longer counts (no fix may edit it), nor does a template placeholder in it.
  const ranges = { ...d.ranges };
  delete ranges.replicas;
  const out: Deployment = {
    ...d,
    replicas,
    replicasMax: a.max === null ? null : Math.max(replicas, a.max),
    ranges,
    autoscaler: { kind: a.kind, name: a.name },
  };
  if (a.unreadable) out.replicasUnknown = a.unreadable;
  else delete out.replicasUnknown;
  return out;
}
