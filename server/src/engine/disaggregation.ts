// Disaggregated prefill / decode: the prefill and decode pools the same arrivals would need with the phases on separate
// replicas, against the colocated GPU count, and the KV each request moves between them.
import type { WorkShape } from './capacity';
import { largestTrue } from './capacity';
import { decodeOnlyTpot, prefillOnlyThroughput } from './closedLoop';
import type { PerfModel } from './latency';
import { prefillTime, stepTime } from './latency';
import type { MemorySizing } from './memory';
import type { OperatingPoint } from './operatingPoint';
import type { BatchLimits, ReplicaModel } from './replicaModel';
import type { SizedWorkload } from './sizedWorkload';

export interface DisaggregationSection {
  prefill_gpus: number;
  decode_gpus: number;
  colocated_gpus: number;
  ratio: string;
  prefill_replicas: number;
  decode_replicas: number;
  prefill_tokens_per_s_per_replica: number;
  decode_batch: number;
  decode_tpot_ms: number;
  kv_transfer_bytes_per_request: number;
  kv_transfer_ms: number;
  note: string;
}

/** Assumed inter-node link for disaggregated KV transfer: 400 Gb/s RDMA NIC = 50 GB/s. */
const KV_TRANSFER_BYTES_PER_S = 50e9;

/** The disaggregated split at the operating point's arrival rate; without detail, pools of 0. */
export function disaggregationOf(
  mem: MemorySizing,
  wl: SizedWorkload,
  r: ReplicaModel,
  lim: BatchLimits,
  op: OperatingPoint,
  detail: boolean,
): DisaggregationSection {
  const { shape, tpotSlo } = wl;
  const { pm, fit, gpusPerReplica } = r;
  const { usable, maxB } = lim;
  const lam = op.lam;
  const lamD = lam > 0 ? lam : 0;
  // Pools priced with the engine's fitted step costs, as the colocated latency is.
  const xPrefill = detail ? prefillOnlyThroughput(pm, shape, fit.coef) : 0;
  const prefillReplicas = detail && usable && lamD > 0 && shape.newPrompt > 0 ? Math.max(1, Math.ceil((lamD * shape.newPrompt) / Math.max(1e-9, xPrefill))) : 0;
  // Decode pool: pure decode steps (no prompt interference), as large a batch as the KV, max_num_seqs and TPOT SLO allow.
  const dOk = (b: number) => tpotSlo === null || decodeOnlyTpot(pm, shape, b, fit.coef) * 1e3 <= tpotSlo;
  const dCap = detail && usable ? Math.max(largestTrue(maxB, dOk), 0) : 0;
  const dBatch = dCap >= 1 ? dCap : detail && usable ? maxB : 0;
  const dTpot = decodeOnlyTpot(pm, shape, Math.max(1, dBatch), fit.coef);
  const decodeReplicas = detail && usable && lamD > 0 && dBatch >= 1 ? Math.max(1, Math.ceil((lamD * shape.output * dTpot) / dBatch)) : 0;
  const colocated = usable ? op.replicasOp * gpusPerReplica : 0;
  const pG = prefillReplicas * gpusPerReplica;
  const dG = decodeReplicas * gpusPerReplica;
  const g = gcd(pG, dG);
  const kvPerReq = mem.kv.bytesPerToken * shape.prompt;
  return {
    prefill_gpus: pG,
    decode_gpus: dG,
    colocated_gpus: colocated,
    ratio: pG > 0 && dG > 0 ? `${pG / g}:${dG / g}` : pG > 0 ? 'prefill only' : dG > 0 ? 'decode only' : 'n/a',
    prefill_replicas: prefillReplicas,
    decode_replicas: decodeReplicas,
    prefill_tokens_per_s_per_replica: xPrefill,
    decode_batch: dBatch,
    decode_tpot_ms: dTpot * 1e3,
    kv_transfer_bytes_per_request: kvPerReq,
    kv_transfer_ms: (kvPerReq / KV_TRANSFER_BYTES_PER_S) * 1e3,
    note: "step times carry the engine's fitted step costs (engine/latencyFit.json; fitted on colocated runs); prefill pool = ceil(lambda x new prompt tokens / prefill tokens/s per replica) at full max_num_batched_tokens steps; decode pool = ceil(lambda x O x TPOT / batch) with pure decode steps at the largest batch the KV cache, max_num_seqs and the TPOT SLO allow; same tp x pp per replica; KV moves over an assumed 400 Gb/s RDMA link (50 GB/s); no headroom added",
  };
}

/** Prompt tokens per second one replica prefills when it does nothing else (full max_num_batched_tokens steps). */
export function prefillThroughput(pm: PerfModel, w: WorkShape): number {
  const M = pm.maxNumBatchedTokens;
  const P = w.newPrompt;
  if (P <= 0) return 0;
  if (P >= M) {
    const t = prefillTime(pm, P, w.cached);
    return t > 0 ? P / t : 0;
  }
  const k = Math.max(1, Math.floor(M / P));
  const t = stepTime(pm, { decode: 0, context: 0, prefill: k * P, prefillCtx: w.cached + (P + 1) / 2, prefillKvRead: k * (w.cached + P), logits: k });
  return t > 0 ? (k * P) / t : 0;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(Math.round(a));
  let y = Math.abs(Math.round(b));
  while (y) [x, y] = [y, x % y];
  return x || 1;
}
