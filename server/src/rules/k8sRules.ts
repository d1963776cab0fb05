// Kubernetes-level rules: facts about pods rather than the engine. They run for every deployment read from a pod
// (sized or not): GPUs requested per pod or group versus tp x pp (x dp), tensor parallelism spanning nodes, and
// multi-GPU pods whose /dev/shm is the container runtime's 64 MiB default or too small for NCCL.
import type { Deployment, Diagnostic, Range } from '../formats/types';
import { firstRange } from './ranges';

/** Below this, NCCL's shared-memory transport and vLLM's multiprocessing queues fail or fall back (vLLM docs use 2Gi+). */
export const MIN_SHM_BYTES = 1024 ** 3;

/** Field paths that decide how many GPUs a pod or group needs. */
const LAYOUT_PATHS = new Set([
  'serving.tensor_parallel_size',
  'serving.pipeline_parallel_size',
  'serving.data_parallel_size',
  'serving.data_parallel_size_local',
  'serving.nnodes',
  'hardware.count',
]);

/** `prefill: ` / `decode: ` on a disaggregated worker's messages. */
export function roleOf(d: Deployment): string {
  return d.role ? `${d.role[0].toUpperCase()}${d.role.slice(1)} worker: ` : '';
}

/**
 * GPUs the engine needs where `gpuCount` counts them (one pod, or one group), with the formula for the message; null
 * when the file does not say enough (a Ray cluster whose other nodes this manifest does not show, a headless worker).
 */
export function gpusWanted(d: Deployment, tp: number, pp: number, dp: number): { count: number; formula: string } | null {
  const L = d.layout ?? {};
  const group = (d.pod?.podsPerGroup ?? 1) > 1;
  // SGLang --enable-dp-attention runs data parallelism inside the tensor-parallel group (server_args.py: dp_size <= tp_size).
  if (d.serving.engine === 'sglang' && L.dpAttention) {
    const total = tp * pp;
    if (!group && L.nnodes && L.nnodes > 1)
      return total % L.nnodes === 0
        ? {
            count: total / L.nnodes,
            formula: `tensor_parallel_size x pipeline_parallel_size / nnodes (dp attention adds no GPUs) = ${tp} x ${pp} / ${L.nnodes}`,
          }
        : null;
    return { count: total, formula: `tensor_parallel_size x pipeline_parallel_size (dp attention adds no GPUs) = ${tp} x ${pp}` };
  }
  if (!group && L.dpLocal !== undefined)
    return { count: tp * pp * L.dpLocal, formula: `tensor_parallel_size x pipeline_parallel_size x data_parallel_size_local = ${tp} x ${pp} x ${L.dpLocal}` };
  if (!group && L.headless) return null;
  const total = tp * pp * dp;
  if (!group && L.nnodes && L.nnodes > 1)
    return total % L.nnodes === 0
      ? {
          count: total / L.nnodes,
          formula: `tensor_parallel_size x pipeline_parallel_size x data_parallel_size / nnodes = ${tp} x ${pp} x ${dp} / ${L.nnodes}`,
        }
      : null;
  // A Ray executor places workers on whatever Ray nodes joined; a single pod's count says nothing about the others.
  if (!group && d.rayCluster && (d.gpuCount ?? 0) < total) return null;
  return { count: total, formula: `tensor_parallel_size x pipeline_parallel_size x data_parallel_size = ${tp} x ${pp} x ${dp}` };
}

/**
 * Whether the model's weights alone need more than one node's GPUs (set by the analysis once the model is known):
 * tensor parallelism across nodes is a finding only when one node could hold the model.
 */
function modelNeedsNodes(d: Deployment): boolean | undefined {
  return d.weightsNeedNodes;
}

export function podRules(d: Deployment): Diagnostic[] {
  const pod = d.pod;
  if (!pod) return [];
  const r = (...paths: string[]): Range => firstRange(d, paths);
  const out: Diagnostic[] = [];
  // Unstated sizes are the engine's default 1; sizes the file states but does not resolve are unknown, and every
  // rule below that depends on them stays silent (value-unresolved says so once).
  const unknownLayout = (d.unresolved ?? []).some((u) => LAYOUT_PATHS.has(u.path));
  const tp = d.serving.tp ?? 1;
  const pp = d.serving.pp ?? 1;
  const dp = d.serving.dp ?? 1;
  // A GPU count that is not a whole number we can print (an LWS size of 1e308) is treated as unknown.
  const gpuCount = d.gpuCount !== null && Number.isSafeInteger(d.gpuCount) ? d.gpuCount : null;
  // Parallel sizes that are not whole numbers from 1 to 4096 get the engine's invalid-value error instead (a dp of
  // 1e308 must not print "= Infinity" here).
  const sane = !unknownLayout && [tp, pp, dp].every((v) => Number.isInteger(v) && v >= 1 && v <= 4096);
  const want = sane ? gpusWanted(d, tp, pp, dp) : null;
  if (want && gpuCount !== null && gpuCount !== want.count) {
    const fewer = gpuCount < want.count;
    out.push({
      code: 'gpu-count-mismatch',
      severity: fewer ? 'error' : 'warning',
      message: `${roleOf(d)}${pod.countLabel} is ${gpuCount} but ${want.formula} = ${want.count}.${fewer ? ' The engine cannot place its workers and fails at startup.' : ` ${gpuCount - want.count} GPUs stay idle.`}`,
      range: r('hardware.count', 'serving.tensor_parallel_size'),
      data: { expected: want.count },
    });
  }
  // CUDA_VISIBLE_DEVICES hides GPUs the engine needs in this pod: it sees fewer devices than tp x pp and fails.
  const vis = pod.visibleDevices;
  if (vis && want && pod.podsPerGroup === 1 && vis.count < want.count) {
    const need = want.count;
    out.push({
      code: 'cuda-visible-devices-too-few',
      severity: 'error',
      message: `${roleOf(d)}CUDA_VISIBLE_DEVICES="${vis.text}" exposes ${vis.count} GPU${vis.count === 1 ? '' : 's'} but the engine needs ${need} in this pod (${want.formula.replace(/ = .*$/, '')}): it cannot start its workers. List ${need} devices or remove the variable (Kubernetes already exposes the GPUs the pod requests).`,
      range: vis.range ?? r('hardware.count'),
      data: { expected: need },
    });
  }
  // A serving container that asks for no accelerator runs on whatever node it lands on, usually one without a GPU.
  if (pod.requestsAccelerator === false && gpuCount === null && !(d.unresolved ?? []).some((u) => u.path === 'hardware.count')) {
    out.push({
      code: 'no-gpu-requested',
      severity: 'warning',
      message: `${roleOf(d)}The serving container requests no GPU (no nvidia.com/gpu or amd.com/gpu in resources.limits) and no runtime class or node selector places it on GPU nodes: it can be scheduled on a node without a GPU, or share one the scheduler thinks is free. Add resources.limits: nvidia.com/gpu: ${sane ? tp * pp : 1}.`,
      range: pod.engineRange ?? r('document'),
      data: { suggested: sane ? tp * pp : 1 },
    });
  }
  // A single pod asking for more GPUs than its instance type has never schedules.
  if (pod.podsPerGroup === 1 && d.gpusPerNode !== null && gpuCount !== null && gpuCount > d.gpusPerNode) {
    out.push({
      code: 'gpus-exceed-node',
      severity: 'error',
      message: `The pod requests ${gpuCount} GPUs but its instance type has ${d.gpusPerNode}: it stays Pending. Use a larger instance type or spread the model over pods (LeaderWorkerSet, pipeline parallelism).`,
      range: r('hardware.count'),
      data: { gpusPerNode: d.gpusPerNode },
    });
  }
  if (sane && d.gpusPerNode !== null && d.gpusPerNode > 0 && pod.podsPerGroup > 1 && tp > d.gpusPerNode && modelNeedsNodes(d) === false) {
    out.push({
      code: 'tp-across-nodes',
      severity: 'warning',
      message: `tensor_parallel_size ${tp} spans pods on different nodes (${d.gpusPerNode} GPUs per pod): every layer's all-reduce crosses the network. Keep tensor parallelism within a pod (tp ${d.gpusPerNode}) and use pipeline_parallel_size ${Math.ceil(tp / d.gpusPerNode) * pp} across pods.`,
      range: r('serving.tensor_parallel_size', 'hardware.count'),
      data: { suggestedTp: d.gpusPerNode, suggestedPp: Math.ceil(tp / d.gpusPerNode) * pp },
    });
  }
  // A single pod holds what it requests (its node may hold more); in a group, each pod holds gpusPerNode.
  const gpusInPod = pod.podsPerGroup === 1 ? (gpuCount ?? tp * pp) : (d.gpusPerNode ?? gpuCount ?? 0);
  const multi = gpusInPod > 1 || (pod.podsPerGroup === 1 && tp * pp > 1);
  if (sane && multi && pod.shm !== 'unlimited' && (pod.shm === 'none' || pod.shm < MIN_SHM_BYTES)) {
    out.push({
      code: 'shm-too-small',
      severity: 'warning',
      message:
        pod.shm === 'none'
          ? `This pod runs ${Math.max(gpusInPod, tp * pp)} GPUs but mounts no memory-backed /dev/shm, so it gets the runtime's 64 MiB: NCCL and the engine's worker processes fail or crawl. Mount an emptyDir with medium: Memory (sizeLimit 2Gi or more) at /dev/shm.`
          : `/dev/shm is limited to ${(pod.shm / 1024 ** 2).toFixed(0)} MiB for a ${Math.max(gpusInPod, tp * pp)}-GPU pod; NCCL and the engine's worker processes need more. Use a sizeLimit of 2Gi or more.`,
      range: pod.shmRange ?? r('hardware.count', 'document'),
      data: { suggestedSizeLimit: '2Gi' },
    });
  }
  return out;
}
