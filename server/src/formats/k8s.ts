// Kubernetes workloads running a serving engine: Deployment, StatefulSet, Job, CronJob, Pod, DaemonSet, ReplicaSet,
// PodTemplate (format 'kubernetes'), LeaderWorkerSet groups ('leaderworkerset') and AIBrix deployments ('aibrix').
import { get, mapPairs, keyString, sourceOf } from '../yaml/yamlDoc';
import type { AdapterInput, AdapterOutput, FormatAdapter } from './adapter';
import type { Ctx } from './k8sCommon';
import {
  defaultPod,
  unreadableTemplate,
  deploymentFromContainer,
  engineContainers,
  finishGpu,
  gpuFromPod,
  gpuResources,
  metaName,
  num,
  podSpecOf,
  range,
  seqItems,
  str,
  valueSpan,
} from './k8sCommon';
import type { Val } from './args';
import { containerTextRules } from './containerRules';
import { setReplicas } from './nodes';
import type { Deployment } from './types';

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'CronJob', 'Pod', 'DaemonSet', 'ReplicaSet', 'PodTemplate']);

export function ctxOf(input: AdapterInput): Ctx {
  return {
    doc: input.doc,
    src: sourceOf(input.doc),
    lc: input.lineCounter,
    docIndex: input.docIndex,
    docRange: input.docRange,
    defaultGpu: input.defaultGpu,
    diagnostics: [],
  };
}

function probeCtx(doc: AdapterInput['doc']): Ctx {
  const z = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { doc, src: sourceOf(doc), lc: { linePos: () => ({ line: 1, col: 1 }) } as never, docIndex: 0, docRange: z, defaultGpu: null, diagnostics: [] };
}

function kindOf(root: unknown): string | null {
  const api = str(get(root, 'apiVersion'));
  const kind = str(get(root, 'kind'));
  return api && kind ? kind : null;
}

/** Labels that name the served model (GKE samples' ai.gke.io/model, AIBrix's model.aibrix.ai/name). */
const MODEL_LABELS = ['ai.gke.io/model', 'model.aibrix.ai/name'];

/** The model names a workload's labels (its own and its pod template's) give. */
export function modelLabelHints(root: unknown): string[] {
  const labels = [get(get(root, 'metadata'), 'labels'), get(get(get(get(root, 'spec'), 'template'), 'metadata'), 'labels')];
  const out: string[] = [];
  for (const l of labels)
    for (const p of mapPairs(l)) {
      const v = str(p.value);
      if (MODEL_LABELS.includes(keyString(p)) && v && !out.includes(v)) out.push(v);
    }
  return out;
}

function hasLabel(root: unknown, prefix: string): boolean {
  const labels = [get(get(root, 'metadata'), 'labels'), get(get(get(get(root, 'spec'), 'template'), 'metadata'), 'labels')];
  return labels.some((l) => mapPairs(l).some((p) => keyString(p).startsWith(prefix)));
}

/** Plain workloads. */
export const kubernetesAdapter: FormatAdapter = {
  format: 'kubernetes',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    const kind = kindOf(doc.contents);
    if (!kind || !WORKLOAD_KINDS.has(kind)) return false;
    return engineContainers(probeCtx(doc), podSpecOf(doc.contents, kind)).length > 0;
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const kind = kindOf(root)!;
    const format = hasLabel(root, 'model.aibrix.ai/') ? 'aibrix' : 'kubernetes';
    const pod = podSpecOf(root, kind);
    const { name, node } = metaName(root);
    const base = name ?? `${kind.toLowerCase()}-${input.docIndex + 1}`;
    const ces = engineContainers(ctx, pod);
    const replicasNode = get(get(root, 'spec'), 'replicas');
    const deployments = ces.map((ce) => {
      const d = deploymentFromContainer(ctx, format, ces.length > 1 ? `${base}/${ce.name}` : base, pod, ce);
      // A Pod, Job or CronJob runs one engine; a DaemonSet one per matching node, which the manifest does not say.
      if (kind === 'DaemonSet') d.replicasUnknown = 'a DaemonSet runs one pod per matching node';
      else if (kind !== 'Pod' && kind !== 'Job' && kind !== 'CronJob') {
        setReplicas(ctx, d, replicasNode, 'spec.replicas');
        if (name) d.scaleTarget = { kind, name };
      }
      const hints = modelLabelHints(root);
      if (hints.length) d.modelHints = hints;
      const nr = range(ctx, node);
      if (nr) d.ranges.name = nr;
      finishGpu(ctx, d);
      return d;
    });
    return { deployments, diagnostics: ctx.diagnostics };
  },
};

/** LeaderWorkerSet: a group of `size` pods (leader + workers) serves one model replica. */
export const leaderWorkerSetAdapter: FormatAdapter = {
  format: 'leaderworkerset',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    if (kindOf(doc.contents) !== 'LeaderWorkerSet') return false;
    const lwt = get(get(doc.contents, 'spec'), 'leaderWorkerTemplate');
    const pc = probeCtx(doc);
    return [get(lwt, 'leaderTemplate'), get(lwt, 'workerTemplate')].some((t) => engineContainers(pc, get(t, 'spec')).length > 0);
  },
  adapt(input): AdapterOutput {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const spec = get(root, 'spec');
    const lwt = get(spec, 'leaderWorkerTemplate');
    const sizeNode = get(lwt, 'size');
    const size = Math.max(1, Math.floor(num(sizeNode) ?? 1));
    const leaderPod = get(get(lwt, 'leaderTemplate'), 'spec');
    const workerPod = get(get(lwt, 'workerTemplate'), 'spec');
    const { name, node } = metaName(root);
    const base = name ?? `leaderworkerset-${input.docIndex + 1}`;
    // LeaderWorkerSet sets LWS_GROUP_SIZE (= size) in every pod of the group; the leader's LWS_WORKER_INDEX is 0.
    const sizeSpan = valueSpan(sizeNode);
    const injected: Record<string, Val> = sizeSpan && num(sizeNode) !== null ? { LWS_GROUP_SIZE: { text: String(size), span: sizeSpan } } : {};
    // The engine runs in the leader (multi-node Ray) or, without a leader template, in every pod.
    const lead = engineContainers(ctx, leaderPod, injected)[0];
    const work = engineContainers(ctx, workerPod, injected)[0];
    const ce = lead ?? work;
    const podSpec = lead ? leaderPod : workerPod;
    const d = deploymentFromContainer(ctx, 'leaderworkerset', base, podSpec, ce, 'per pod');
    const leaderGpus = d.gpuCount;
    // Worker GPUs: the worker template's GPU container.
    let workerGpus: number | null = null;
    if (leaderPod && workerPod) {
      const probe: Deployment = { ...d, ranges: {}, keyRanges: {}, notes: [] };
      for (const c of seqItems(get(workerPod, 'containers'))) {
        const n = gpuResources(ctx, c, probe, 'per pod');
        if (n !== null) {
          workerGpus = n;
          break;
        }
      }
      if (!d.ranges['hardware.count'] && probe.ranges['hardware.count']) d.ranges['hardware.count'] = probe.ranges['hardware.count'];
    } else workerGpus = leaderGpus;
    const perPod = leaderGpus ?? workerGpus;
    if (perPod !== null) {
      d.gpuCount = (leaderGpus ?? workerGpus ?? 0) + (size - 1) * (workerGpus ?? leaderGpus ?? 0);
      d.gpusPerNode = perPod;
      d.pod = { ...d.pod!, podsPerGroup: size, countLabel: `GPUs per group (size ${size} x ${perPod} per pod)` };
    }
    const sr = range(ctx, sizeNode);
    if (sr && size > 1) d.ranges['hardware.count'] = d.ranges['hardware.count'] ?? sr;
    if (sr) d.ranges['group.size'] = sr;
    // spec.replicas counts groups: each group of `size` pods runs one engine.
    setReplicas(ctx, d, get(spec, 'replicas'), 'spec.replicas');
    if (name) d.scaleTarget = { kind: 'LeaderWorkerSet', name };
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    if (!lead && leaderPod) d.notes.push('The leader template runs no engine; read from the worker template.');
    if (workerPod && workerPod !== podSpec) {
      gpuFromPod(ctx, workerPod, d);
      for (const c of seqItems(get(workerPod, 'containers'))) containerTextRules(ctx, c);
    }
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};

/** AIBrix StormService: roles (prefill / decode) each with a pod template. */
export const aibrixStormAdapter: FormatAdapter = {
  format: 'aibrix',
  detect(doc) {
    const api = str(get(doc.contents, 'apiVersion')) ?? '';
    return /aibrix\.ai\//.test(api) && kindOf(doc.contents) === 'StormService';
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const spec = get(root, 'spec');
    const { name } = metaName(root);
    const base = name ?? `stormservice-${input.docIndex + 1}`;
    const out: Deployment[] = [];
    const tpl = get(get(spec, 'template'), 'spec');
    const outer = num(get(spec, 'replicas')) ?? 1;
    for (const role of seqItems(get(tpl, 'roles'))) {
      const rname = str(get(role, 'name')) ?? 'role';
      const pod = get(get(role, 'template'), 'spec');
      for (const ce of engineContainers(ctx, pod)) {
        const d = deploymentFromContainer(ctx, 'aibrix', `${base}/${rname}`, pod, ce);
        if (/prefill|decode/i.test(rname)) d.role = /prefill/i.test(rname) ? 'prefill' : 'decode';
        // podGroupSize: one engine instance spans that many pods (SGLang --nnodes, vLLM multi-node), each with its GPUs.
        const group = num(get(role, 'podGroupSize'));
        if (group !== null && Number.isSafeInteger(group) && group > 1 && d.gpuCount !== null) {
          d.gpusPerNode = d.gpuCount;
          d.gpuCount *= group;
          d.pod = { ...(d.pod ?? defaultPod()), podsPerGroup: group, countLabel: `GPUs per pod group (podGroupSize ${group} x ${d.gpusPerNode})` };
        }
        d.replicas = Math.max(0, Math.floor((num(get(role, 'replicas')) ?? 1) * outer));
        for (const [n, key] of [
          [get(role, 'replicas'), 'roles[].replicas'],
          [get(spec, 'replicas'), 'spec.replicas'],
        ] as const)
          if (n !== undefined && n !== null && num(n) === null) d.replicasUnknown = `${key} is ${JSON.stringify(str(n) ?? 'not a number')}`;
        finishGpu(ctx, d);
        out.push(d);
      }
    }
    return { deployments: out, diagnostics: ctx.diagnostics };
  },
};
