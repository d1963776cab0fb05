// Rules on the performance model (engine II): queues that grow without bound, SLOs out of reach, decode far below the
// ridge. They read the performance result of a deployment that starts; without one they stay silent.
import type { DeploymentAnalysis } from '../analysis/analysis';
import { deployedInstances } from '../analysis/instances';
import type { PerformanceOutput } from '../analysis/perf';
import type { ResolvedServing } from '../engine/memory';
import { fmtInt } from '../engine/units';
import type { Deployment, Diagnostic } from '../formats/types';
import { CODES } from './codes';
import type { RangeOf } from './ranges';
import type { Rule, SizedDeployment } from './rule';
import { runRules } from './rule';

/** What the performance rules read: the operating point and the capacity verdict, both known. */
export interface PerformanceFacts {
  a: DeploymentAnalysis;
  d: Deployment;
  sv: ResolvedServing;
  p: NonNullable<PerformanceOutput['performance']>;
  c: NonNullable<PerformanceOutput['capacity']>;
  r: RangeOf;
}

/** The performance facts; null without a performance result or for a deployment that does not start. */
function performanceFacts(a: DeploymentAnalysis, r: RangeOf): PerformanceFacts | null {
  const pv = a.performance;
  const p = pv?.performance;
  const c = pv?.capacity;
  if (!p || !c || !a.sizing?.startup.ok) return null;
  return { a, d: a.deployment, sv: a.sizing.serving, p, c, r };
}

/**
 * The engine's verdict (capacity.overloaded): more instances needed than the file lets run. An unknown count or an
 * autoscaler without a stated ceiling claims nothing (the report says "replicas unknown"). Judged on an assumed
 * workload (the llmSizer.defaultWorkload setting), it is information.
 */
export const littlesLawOverload: Rule<PerformanceFacts> = {
  code: CODES.littlesLawOverload,
  check: ({ d, sv, c, r }) => {
    const lambda = c.arrival_rate_rps;
    const ceiling = c.replicas_deployed_max;
    if (!c.overloaded || ceiling === null) return null;
    // Data-parallel ranks per copy the file counts: a plan or vLLM config counts its ranks itself (data_parallel_size
    // is its replica count), every other format counts copies of dp ranks each.
    const inst = deployedInstances(d, sv);
    const dp = d.format !== 'native' && d.format !== 'vllm-config' && inst.min > 0 && d.replicas > 0 ? inst.min / d.replicas : 1;
    return {
      code: CODES.littlesLawOverload,
      severity: d.workloadAssumed ? 'info' : 'warning',
      message: `${d.workloadAssumed ? 'For the assumed workload (llmSizer.defaultWorkload): ' : ''}At ${+lambda.toFixed(2)} requests/s, Little's Law (L = λW) needs ${c.replicas_needed} replicas: one replica serves at most ${c.max_rps_per_replica.toFixed(2)} requests/s (${fmtInt(c.concurrency_per_replica)} in flight, each taking W = ${c.request_latency_at_capacity_s.toFixed(2)} s = TTFT + output x TPOT), so the ${c.replicas_deployed_text} deployed serve ${(ceiling * c.max_rps_per_replica).toFixed(2)} requests/s${c.queue_unbounded ? ' and the queue grows without bound' : ''}. Deploy ${c.replicas_needed} replicas (${c.replicas_needed * c.gpus_per_replica} GPUs)${dp > 1 ? `: ${Math.ceil(c.replicas_needed / dp)} copies of data_parallel_size ${dp}` : ''}.`,
      range: r('workload.requests_per_second', 'replicas', 'serving.data_parallel_size', 'workload'),
      // The quick fix sets the file's replica count to ceil(needed / data-parallel ranks per replica).
      data: { replicasNeeded: c.replicas_needed, ranksPerReplica: dp, autoscaling: d.replicasMax !== undefined },
    };
  },
};

/** A stated TTFT or TPOT target the operating point misses. */
export const sloUnreachable: Rule<PerformanceFacts> = {
  code: CODES.sloUnreachable,
  applies: ({ d, c }) => (d.slo.ttftMs !== null || d.slo.tpotMs !== null) && !c.meets_slo,
  check: ({ d, p, c, r }) => {
    const why =
      c.reasons.filter((x) => /TTFT|TPOT|SLO/i.test(x))[0] ??
      c.reasons[0] ??
      `TPOT ${p.tpot_ms.toFixed(1)} ms, TTFT ${p.ttft_ms.toFixed(1)} ms at batch ${p.batch}`;
    return {
      code: CODES.sloUnreachable,
      severity: d.workloadAssumed ? 'info' : 'warning',
      message: `The SLO is not met: ${why}.`,
      range: r(d.slo.tpotMs !== null ? 'slo.tpot_ms' : 'slo.ttft_ms', 'slo'),
    };
  },
};

/** Decode far left of the ridge point: weights are streamed once per step for only a few sequences. */
export const decodeBelowRidge: Rule<PerformanceFacts> = {
  code: CODES.decodeBelowRidge,
  check: ({ d, p, r }) => {
    const ridge = p.ridge_point_flop_per_byte;
    const ai = p.decode?.linear_intensity ?? 0;
    if (!(ridge > 0 && ai > 0 && ai < ridge / 20 && p.max_batch >= 4 * Math.max(1, p.batch))) return null;
    return {
      code: CODES.decodeBelowRidge,
      // A finding for a workload the file states; for the assumed default an information line.
      severity: d.workloadStated ? 'warning' : 'info',
      message: `Decode runs at batch ${p.batch}: about ${ai.toFixed(0)} FLOP/byte against a ridge point of ${ridge.toFixed(0)} FLOP/byte, so the GPU waits on memory and most of its compute is paid for but idle. More requests in flight per replica (the knee is at batch ${p.knee_batch}) raise throughput at little TPOT cost; fewer replicas serve the same load.`,
      range: r('workload.concurrency', 'workload.requests_per_second', 'serving.max_num_seqs', 'workload', 'model'),
      data: { kneeBatch: p.knee_batch },
    };
  },
};

/** In the order they are reported. */
export const PERFORMANCE_RULES: readonly Rule<PerformanceFacts>[] = [littlesLawOverload, sloUnreachable, decodeBelowRidge];

/** Warnings from the performance model: queues that grow without bound, SLOs out of reach, decode far below the ridge. */
export function performanceRules(a: DeploymentAnalysis, r: RangeOf): Diagnostic[] {
  const facts = performanceFacts(a, r);
  return facts ? runRules(PERFORMANCE_RULES, facts) : [];
}

/** A performance rule as an entry of the sized table (rules.ts), silent where there are no performance facts. */
export function sizedPerformanceRule(rule: Rule<PerformanceFacts>): Rule<SizedDeployment> {
  return {
    code: rule.code,
    check: (x) => {
      const facts = performanceFacts(x.a, x.r);
      if (!facts || (rule.applies && !rule.applies(facts))) return null;
      return rule.check(facts);
    },
  };
}
