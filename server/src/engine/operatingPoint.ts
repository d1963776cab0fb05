// The operating point of a deployment and its capacity section: the batch each replica runs and the replicas needed,
// from the concurrency given (closed loop) or the arrival rate (Little's Law, with M/M/c queueing), or a saturated
// replica when neither is given; then TTFT/TPOT there and whether they meet the SLO.
import type { BatchModel, WorkShape } from './capacity';
import { operatingBatch, queueWait } from './capacity';
import { latencyAt, newFeatures } from './closedLoop';
import type { BatchLimits, DeployedInstances, ReplicaModel } from './replicaModel';
import type { SizedWorkload } from './sizedWorkload';

export type BatchSource = 'workload.concurrency' | 'littles_law' | 'saturated';

/** The operating point, per replica; latencies in seconds. */
export interface OperatingPoint {
  source: BatchSource;
  /** Batch per replica (0 when nothing fits), and the batch its steps are evaluated at (at least 1). */
  Bop: number;
  Beval: number;
  replicasNeeded: number;
  replicasOp: number;
  /** Requests in the system (Little's Law L) and their arrival rate. */
  L: number;
  lam: number;
  queue: { wait: number; unbounded: boolean };
  /** The arrivals exceed what the most instances the file lets run can serve. */
  queueUnboundedAsDeployed: boolean;
  tpotOp: number;
  /** Prefill plus queueing. */
  ttftOp: number;
  /** TTFT (without queueing) + output x TPOT. */
  Wop: number;
  /** Per replica: B x O / W. */
  throughputOp: number;
}

export interface CapacitySection {
  arrival_rate_rps: number;
  request_latency_s: number;
  concurrency_needed: number;
  concurrency_per_replica: number;
  /** Most requests/s one replica serves: concurrency_per_replica / W at that batch (Little's Law). */
  max_rps_per_replica: number;
  /** W at concurrency_per_replica: TTFT + output x TPOT, in seconds. */
  request_latency_at_capacity_s: number;
  kv_limited_concurrency: number;
  max_num_seqs: number;
  replicas_needed: number;
  /** Engine instances (data-parallel ranks of gpus_per_replica GPUs each) deployed: the fixed count, or the autoscaler's minimum. */
  replicas_deployed: number;
  /** The most instances the file lets run (= replicas_deployed for a fixed count); null when unknown or without a stated ceiling. */
  replicas_deployed_max: number | null;
  /** False when the file's replica count is not known (a template placeholder): no overload is claimed. */
  replicas_deployed_known: boolean;
  /** Where the instance count comes from (`3 replicas x data_parallel_size 2`, `autoscaling 1..4 replicas`), or why it is unknown. */
  replicas_source: string;
  /** What every surface shows for the instances deployed: `6 (3 replicas x data_parallel_size 2)`, `1-4 (autoscaling ...)`, `unknown (...)`. */
  replicas_deployed_text: string;
  /** Little's Law's verdict: more instances needed than the file lets run (replicas_deployed_max); false when that is unknown. */
  overloaded: boolean;
  gpus_per_replica: number;
  utilization: number;
  queue_unbounded: boolean;
  meets_slo: boolean;
  reasons: string[];
}

/** W at batch b: TTFT + output x TPOT, seconds. */
export function requestLatency(bm: BatchModel, shape: WorkShape, b: number): number {
  return bm.ttft(b) + shape.output * bm.tpot(b);
}

/** The operating point; what it implies for the deployment goes to `notes`, and each SLO it misses to `reasons`. */
export function operatingPointOf(wl: SizedWorkload, r: ReplicaModel, lim: BatchLimits, notes: string[], reasons: string[]): OperatingPoint {
  const { shape, conc, lambda, tpotSlo, ttftSlo } = wl;
  const { bm, runningMin, ceiling } = r;
  const { cap, usable, sw } = lim;
  const Wof = (b: number) => requestLatency(bm, shape, b);
  let source: BatchSource;
  let Bop: number;
  let replicasNeeded: number;
  let replicasOp: number;
  let L: number;
  let lam: number;
  let queue = { wait: 0, unbounded: false };
  let queueUnboundedAsDeployed = false;
  if (conc !== null) {
    source = 'workload.concurrency';
    L = conc;
    replicasNeeded = cap >= 1 ? Math.ceil(L / cap) : 0;
    replicasOp = Math.max(runningMin, replicasNeeded);
    Bop = L / replicasOp;
    lam = L / Wof(Math.max(1, Bop));
    if (cap >= 1 && ceiling !== null && L > ceiling * cap)
      notes.push(`concurrency ${L} exceeds the ${ceiling * cap} request slots deployed (${ceiling} replica(s) x ${cap}): ${replicasNeeded} replicas needed`);
  } else if (lambda !== null) {
    source = 'littles_law';
    lam = lambda;
    replicasNeeded = cap >= 1 ? Math.max(1, Math.ceil((lam * Wof(cap)) / cap)) : 0;
    replicasOp = Math.max(runningMin, replicasNeeded);
    Bop = cap >= 1 ? operatingBatch(bm, lam, replicasOp, cap) : 0;
    L = lam * Wof(Math.max(1, Bop));
    if (cap >= 1) {
      queueUnboundedAsDeployed = ceiling !== null && lam * Wof(cap) > ceiling * cap;
      queue = queueWait(replicasOp * cap, lam, Wof(Math.max(1, Bop)));
      // With a TTFT SLO, add replicas while queueing (M/M/c) is what pushes TTFT over it: the smallest R (up to 4x + 64
      // more) whose queueing + prefill meets the SLO, by doubling then bisection (queueing falls as R grows).
      const prefillAt = (R: number) => {
        const b = operatingBatch(bm, lam, R, cap);
        const q = queueWait(R * cap, lam, Wof(Math.max(1, b)));
        return { b, q, ok: !q.unbounded && (bm.ttft(Math.max(1, b)) + q.wait) * 1e3 <= (ttftSlo ?? Infinity) };
      };
      if (ttftSlo !== null && queue.wait > 0 && bm.ttft(Math.max(1, Bop)) * 1e3 <= ttftSlo && (ttftPrefillAt(bm, Bop) + queue.wait) * 1e3 > ttftSlo) {
        const limit = replicasOp * 4 + 64;
        let bad = replicasOp;
        let step = 1;
        let good = -1;
        while (bad + step <= limit) {
          if (prefillAt(bad + step).ok) {
            good = bad + step;
            break;
          }
          bad += step;
          step *= 2;
        }
        if (good < 0 && prefillAt(limit).ok) good = limit;
        if (good > 0) {
          while (good - bad > 1) {
            const mid = Math.floor((good + bad) / 2);
            if (prefillAt(mid).ok) good = mid;
            else bad = mid;
          }
          replicasOp = good;
          replicasNeeded = Math.max(replicasNeeded, good);
          const at = prefillAt(good);
          Bop = at.b;
          queue = at.q;
        }
        L = lam * Wof(Math.max(1, Bop));
      }
      if (queueUnboundedAsDeployed && ceiling !== null)
        notes.push(
          `${lam} req/s exceeds what ${ceiling} deployed replica(s) serve (${((ceiling * cap) / Wof(cap)).toFixed(2)} req/s at ${cap} per replica): the queue grows without bound until ${replicasNeeded} replicas run`,
        );
    } else {
      queueUnboundedAsDeployed = true;
    }
  } else {
    source = 'saturated';
    replicasNeeded = runningMin;
    replicasOp = runningMin;
    Bop = cap >= 1 ? cap : 1;
    L = replicasOp * Bop;
    lam = L / Wof(Bop);
    notes.push('no requests_per_second or concurrency: each replica is assumed saturated at its capacity');
  }
  if (!Number.isFinite(Bop) || Bop < 0) Bop = 0;
  const Beval = Math.max(1, Bop);
  let tpotOp = bm.tpot(Beval);
  let ttftPrefillOp = bm.ttft(Beval);
  if (source === 'workload.concurrency' && conc !== null && usable) {
    // What the clients see as deployed: conc / instances clients per instance, waiting for a slot when they outnumber
    // them. An autoscaler runs up to its ceiling; an unknown count is taken as the instances needed.
    const serving = ceiling !== null ? Math.max(1, Math.min(ceiling, replicasOp)) : replicasOp;
    const seen = latencyAt(r.pm, shape, conc / serving, r.slots, r.sched, r.phi, r.fit.coef, newFeatures());
    tpotOp = seen.tpot;
    ttftPrefillOp = seen.ttft;
  }
  const Wop = ttftPrefillOp + shape.output * tpotOp;
  if (queue.wait < 1e-9) queue = { ...queue, wait: 0 };
  const ttftOp = ttftPrefillOp + queue.wait;
  const throughputOp = Wop > 0 ? (Bop * shape.output) / Wop : 0;
  if (queue.unbounded) reasons.push('arrivals exceed capacity: the queue grows without bound');
  if (tpotSlo !== null && sw.sloMax >= 1 && tpotOp * 1e3 > tpotSlo)
    reasons.push(`TPOT at the operating batch ${Beval.toFixed(1)} is ${(tpotOp * 1e3).toFixed(1)} ms, above the ${tpotSlo} ms SLO`);
  if (ttftSlo !== null && sw.sloMax >= 1 && ttftOp * 1e3 > ttftSlo)
    reasons.push(`TTFT at the operating point is ${(ttftOp * 1e3).toFixed(1)} ms (queueing ${(queue.wait * 1e3).toFixed(1)} ms), above the ${ttftSlo} ms SLO`);
  return { source, Bop, Beval, replicasNeeded, replicasOp, L, lam, queue, queueUnboundedAsDeployed, tpotOp, ttftOp, Wop, throughputOp };
}

/** Little's Law's capacity section; `reasons` is complete by now (meets_slo is its emptiness). */
export function capacitySectionOf(wl: SizedWorkload, r: ReplicaModel, lim: BatchLimits, op: OperatingPoint, reasons: string[]): CapacitySection {
  const { bm, inst, deployed, ceiling, gpusPerReplica } = r;
  const { cap, usable, maxSeqs } = lim;
  const { lam, L, replicasOp, replicasNeeded, queue } = op;
  const kvLimRaw = r.kvLimited;
  return {
    arrival_rate_rps: lam,
    request_latency_s: op.Wop + queue.wait,
    concurrency_needed: L,
    concurrency_per_replica: cap,
    max_rps_per_replica: usable && cap >= 1 ? cap / requestLatency(bm, wl.shape, cap) : 0,
    request_latency_at_capacity_s: usable && cap >= 1 ? requestLatency(bm, wl.shape, cap) : 0,
    kv_limited_concurrency: Number.isFinite(kvLimRaw) ? kvLimRaw : maxSeqs,
    max_num_seqs: maxSeqs,
    replicas_needed: replicasNeeded,
    replicas_deployed: deployed,
    replicas_deployed_max: ceiling,
    replicas_deployed_known: inst.known,
    replicas_source: inst.source,
    replicas_deployed_text: deployedText(inst, deployed, ceiling),
    overloaded: usable && op.source !== 'saturated' && ceiling !== null && lam > 0 && replicasNeeded > ceiling,
    gpus_per_replica: gpusPerReplica,
    utilization: usable && replicasOp * cap > 0 ? Math.min(1, L / (replicasOp * cap)) : 0,
    queue_unbounded: op.queueUnboundedAsDeployed || queue.unbounded,
    meets_slo: usable && reasons.length === 0,
    reasons,
  };
}

/** The instances deployed as every surface shows them (see CapacitySection.replicas_deployed_text). */
function deployedText(inst: DeployedInstances, min: number, ceiling: number | null): string {
  if (!inst.known) return `unknown (${inst.source})`;
  if (ceiling === min) return /^(\d+ replicas?|data_parallel_size \d+)$/.test(inst.source) ? `${min}` : `${min} (${inst.source})`;
  return ceiling === null ? `at least ${min} (${inst.source})` : `${min}-${ceiling} (${inst.source})`;
}

function ttftPrefillAt(bm: BatchModel, b: number): number {
  return bm.ttft(Math.max(1, b));
}
