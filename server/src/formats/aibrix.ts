// AIBrix RayClusterFleet (orchestration.aibrix.ai): `spec.replicas` Ray clusters, each a KubeRay RayCluster from
// `spec.template.spec`: a head group whose container runs the engine (`vllm serve ... --distributed-executor-backend
// ray` after `$KUBERAY_GEN_RAY_START_CMD`) and worker groups that only join the cluster. One cluster is one serving
// replica; its GPUs are the head pod's plus each worker group's replicas x GPUs per worker pod.
import { setReplicas } from './nodes';
import { get } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import { ctxOf } from './k8s';
import { deploymentFromContainer, engineContainers, finishGpu, gpuResources, metaName, num, range, seqItems, str, unreadableTemplate } from './k8sCommon';
import type { Deployment } from './types';

export const aibrixFleetAdapter: FormatAdapter = {
  format: 'aibrix',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return /^orchestration\.aibrix\.ai\//.test(str(get(doc.contents, 'apiVersion')) ?? '') && str(get(doc.contents, 'kind')) === 'RayClusterFleet';
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const spec = get(root, 'spec');
    const { name, node } = metaName(root);
    const cluster = get(get(spec, 'template'), 'spec');
    const headPod = get(get(get(cluster, 'headGroupSpec'), 'template'), 'spec');
    const ces = engineContainers(ctx, headPod);
    // A fleet whose head runs no engine (a bare Ray cluster; the app is deployed later) is not a serving deployment.
    if (!ces.length) return { deployments: [], diagnostics: [] };
    const d = deploymentFromContainer(ctx, 'aibrix', name ?? `rayclusterfleet-${input.docIndex + 1}`, headPod, ces[0]);
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    // KubeRay mounts a memory-backed /dev/shm into every Ray container it creates (ray-operator
    // controllers/ray/common/pod.go, addEmptyDir for SharedMemoryVolumeName), so the manifest needs none.
    if (d.pod) d.pod = { ...d.pod, shm: 'unlimited', shmRange: null };
    const head = d.gpuCount;
    let workers = 0;
    let workerGpus = 0;
    let perWorker: number | null = null;
    for (const g of seqItems(get(cluster, 'workerGroupSpecs'))) {
      const reps = num(get(g, 'replicas')) ?? num(get(g, 'minReplicas')) ?? 1;
      const c = seqItems(get(get(get(g, 'template'), 'spec'), 'containers'))[0];
      const probe: Deployment = { ...d, ranges: {}, keyRanges: {}, notes: [] };
      const n = c ? gpuResources(ctx, c, probe, 'per pod') : null;
      workers += reps;
      workerGpus += reps * (n ?? 0);
      if (n !== null) perWorker = n;
    }
    if (workers > 0 && head !== null) {
      d.gpuCount = head + workerGpus;
      d.gpusPerNode = Math.max(head, perWorker ?? 0);
      d.pod = {
        ...d.pod!,
        podsPerGroup: 1 + workers,
        countLabel: `GPUs across the Ray cluster (head ${head} + ${workers} worker pod${workers === 1 ? '' : 's'})`,
      };
    }
    setReplicas(ctx, d, get(spec, 'replicas'));
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};
