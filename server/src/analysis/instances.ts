// Engine instances a deployment runs: the file's replica count times the data-parallel ranks of each copy. One
// definition for the engine (Little's Law, cost), the rules and the report.
import type { DeployedInstances } from '../engine/performance';
import type { ResolvedServing } from '../engine/memory';
import type { Deployment } from '../formats/types';

/**
 * replicas x data_parallel_size, with the autoscaler's bounds when the file autoscales. Each data-parallel rank is an
 * engine instance of tp x pp GPUs with its own KV cache and scheduler (vLLM --data-parallel-size), so a copy with dp
 * ranks serves dp instances' worth. Two cases count no dp: SGLang --enable-dp-attention splits attention across the
 * tensor-parallel group's own GPUs (one instance), and a vLLM --headless worker serves no API (its ranks belong to the
 * head's count, which another manifest states): unknown.
 *
 * Autoscaling (KServe min/maxReplicas, Ray Serve autoscaling_config, KubeAI): the instances range from min to max. The
 * overload verdict compares the need with the ceiling, not the floor: an autoscaler that may reach the need is doing
 * its job, and warning at the floor would flag every scale-from-one deployment. Without a stated ceiling nothing is
 * claimed.
 */
export function deployedInstances(d: Deployment, s: Pick<ResolvedServing, 'engine' | 'dp'>): DeployedInstances {
  const L = d.layout ?? {};
  const dpAttention = s.engine === 'sglang' && L.dpAttention === true;
  const dp = dpAttention ? 1 : Math.max(1, Math.floor(s.dp));
  const replicas = Math.max(0, Math.floor(d.replicas));
  const per = dp > 1 ? ` x data_parallel_size ${dp}` : '';
  const unknown = d.replicasUnknown ?? (L.headless ? 'a --headless worker serves no API: its ranks count with the head deployment' : undefined);
  if (unknown) return { min: replicas * dp, max: null, known: false, source: unknown };
  if (d.replicasMax !== undefined) {
    const max = d.replicasMax === null ? null : Math.max(replicas, Math.floor(d.replicasMax));
    return {
      min: replicas * dp,
      max: max === null ? null : max * dp,
      known: true,
      source: `${d.autoscaler ? `${d.autoscaler.kind} ${d.autoscaler.name}: ` : ''}autoscaling ${replicas}..${max ?? 'no stated maximum'} replicas${per}`,
    };
  }
  // Config files and native plans have no replica count: their copies are the data-parallel ranks.
  const src = d.format === 'native' || d.format === 'vllm-config' ? `data_parallel_size ${dp}` : `${replicas} replica${replicas === 1 ? '' : 's'}${per}`;
  return { min: replicas * dp, max: replicas * dp, known: true, source: src };
}
