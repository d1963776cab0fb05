// Rules on the parallel layout: sizes the model's heads and experts do not divide, GPU counts that do not match
// tp x pp x dp, and tensor parallelism spanning nodes.
import { CODES } from './codes';
import type { Rule, SizedDeployment } from './rule';
import { refuses } from './rule';

/** Tensor-parallel sizes vLLM accepts for this model, up to `limit`. */
export function validTpSizes(heads: number, kvHeads: number, limit = 64, experts = 0, ep = false): number[] {
  const out: number[] = [];
  for (let tp = 1; tp <= limit; tp *= 2) {
    if (heads % tp !== 0) continue;
    if (kvHeads >= tp ? kvHeads % tp !== 0 : tp % kvHeads !== 0) continue;
    if (ep && experts && experts % tp !== 0) continue;
    out.push(tp);
  }
  return out;
}

/** Divisibility (vLLM ModelConfig.verify_with_parallel_config; QKVParallelLinear): the engine's startup verdict. */
export const headsNotDivisible: Rule<SizedDeployment> = {
  code: CODES.headsNotDivisible,
  applies: ({ st }) => refuses(st, 'heads_not_divisible'),
  check: ({ m, sv, tpRange }) => {
    if (!m.mla) {
      const valid = validTpSizes(m.heads, m.kvHeads, Math.max(8, sv.tp * 2));
      return {
        code: CODES.headsNotDivisible,
        severity: 'error',
        message: `Total number of attention heads (${m.heads}) and KV heads (${m.kvHeads}) must divide evenly by tensor_parallel_size (${sv.tp}); vLLM refuses to start. Valid sizes: ${valid.join(', ')}.`,
        range: tpRange,
        data: { validTp: valid, suggested: valid.filter((v) => v <= sv.tp).pop() ?? valid[0] },
      };
    }
    const valid = validTpSizes(m.heads, m.heads, Math.max(8, sv.tp * 2));
    return {
      code: CODES.headsNotDivisible,
      severity: 'error',
      message: `Total number of attention heads (${m.heads}) must be divisible by tensor_parallel_size (${sv.tp}). Valid sizes: ${valid.join(', ')}.`,
      range: tpRange,
      data: { validTp: valid, suggested: valid.filter((v) => v <= sv.tp).pop() ?? valid[0] },
    };
  },
};

/** Experts split over the expert-parallel ranks. */
export const expertsNotDivisible: Rule<SizedDeployment> = {
  code: CODES.headsNotDivisible,
  check: ({ m, sv, r }) =>
    m.moe && sv.ep > 1 && m.moe.numExperts % sv.ep !== 0
      ? {
          code: CODES.headsNotDivisible,
          severity: 'error',
          message: `${m.moe.numExperts} experts cannot be split evenly over ${sv.ep} expert-parallel ranks (tp x dp).`,
          range: r('serving.enable_expert_parallel', 'serving.tensor_parallel_size'),
        }
      : null,
};

/** GPU count versus parallel layout. Pods get these from podRules (k8sRules.ts), sized or not. */
export const gpuCountMismatch: Rule<SizedDeployment> = {
  code: CODES.gpuCountMismatch,
  applies: ({ d }) => !d.pod,
  check: ({ d, sv, r }) => {
    const need = sv.tp * sv.pp * sv.dp;
    if (d.gpuCount === null || d.gpuCount === need) return null;
    const fewer = d.gpuCount < need;
    return {
      code: CODES.gpuCountMismatch,
      severity: fewer ? 'error' : 'warning',
      message: `hardware.count is ${d.gpuCount} but tensor_parallel_size x pipeline_parallel_size x data_parallel_size = ${sv.tp} x ${sv.pp} x ${sv.dp} = ${need}.${fewer ? ' vLLM cannot place the workers.' : ` ${d.gpuCount - need} GPUs stay idle.`}`,
      range: r('hardware.count', 'serving.tensor_parallel_size'),
      data: { expected: need },
    };
  },
};

/** Tensor parallelism over more GPUs than a node has, for a model one node could hold. */
export const tpAcrossNodes: Rule<SizedDeployment> = {
  code: CODES.tpAcrossNodes,
  check: ({ d, sv, tpRange }) =>
    !d.pod && d.gpusPerNode !== null && sv.tp > d.gpusPerNode && d.weightsNeedNodes === false
      ? {
          code: CODES.tpAcrossNodes,
          severity: 'warning',
          message: `tensor_parallel_size ${sv.tp} spans more than one node (${d.gpusPerNode} GPUs per node): every layer's all-reduce crosses the network. Prefer tensor parallelism within a node and pipeline parallelism across nodes.`,
          range: tpRange,
        }
      : null,
};
