// Kubernetes-level rules: facts about pods rather than the engine. They run for every deployment read from a pod
// (sized or not): GPUs requested per pod or group versus tp x pp (x dp), tensor parallelism spanning nodes, and
// multi-GPU pods whose /dev/shm is the container runtime's 64 MiB default or too small for NCCL.
import type { Deployment, Diagnostic, Range } from './formats/types';

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
/** Below this, NCCL's shared-memory transport and vLLM's multiprocessing queues fail or fall back (vLLM docs use 2Gi+). */
export const MIN_SHM_BYTES = 1024 ** 3;

export function podRules(d: Deployment): Diagnostic[] {
  const pod = d.pod;
  if (!pod) return [];
  const r = (...paths: string[]): Range => {
    for (const p of paths) if (d.ranges[p]) return d.ranges[p];
    return d.ranges.document ?? ZERO;
  };
  const out: Diagnostic[] = [];
  const tp = d.serving.tp ?? 1;
  const pp = d.serving.pp ?? 1;
  const dp = d.serving.dp ?? 1;
  const need = tp * pp * dp;
  // A GPU count that is not a whole number we can print (an LWS size of 1e308) is treated as unknown.
  const gpuCount = d.gpuCount !== null && Number.isSafeInteger(d.gpuCount) ? d.gpuCount : null;
  // Parallel sizes that are not whole numbers from 1 to 4096 get the engine's invalid-value error instead (a dp of
  // 1e308 must not print "= Infinity" here).
  const sane = [tp, pp, dp].every((v) => Number.isInteger(v) && v >= 1 && v <= 4096);
  if (sane && gpuCount !== null && gpuCount !== need) {
    const fewer = gpuCount < need;
    out.push({
      code: 'gpu-count-mismatch',
      severity: fewer ? 'error' : 'warning',
      message: `${pod.countLabel} is ${gpuCount} but tensor_parallel_size x pipeline_parallel_size x data_parallel_size = ${tp} x ${pp} x ${dp} = ${need}.${fewer ? ' The engine cannot place its workers and fails at startup.' : ` ${gpuCount - need} GPUs stay idle.`}`,
      range: r('hardware.count', 'serving.tensor_parallel_size'),
      data: { expected: need },
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
  if (sane && d.gpusPerNode !== null && d.gpusPerNode > 0 && pod.podsPerGroup > 1 && tp > d.gpusPerNode) {
    out.push({
      code: 'tp-across-nodes',
      severity: 'warning',
      message: `tensor_parallel_size ${tp} spans pods on different nodes (${d.gpusPerNode} GPUs per pod): every layer's all-reduce crosses the network. Keep tensor parallelism within a pod (tp ${d.gpusPerNode}) and use pipeline_parallel_size ${Math.ceil(tp / d.gpusPerNode) * pp} across pods.`,
      range: r('serving.tensor_parallel_size', 'hardware.count'),
      data: { suggestedTp: d.gpusPerNode, suggestedPp: Math.ceil(tp / d.gpusPerNode) * pp },
    });
  }
  // A single pod holds what it requests (its node may hold more); in a group, each pod holds gpusPerNode.
  const gpusInPod = pod.podsPerGroup === 1 ? gpuCount ?? tp * pp : d.gpusPerNode ?? gpuCount ?? 0;
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
