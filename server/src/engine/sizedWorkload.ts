// The workload a performance sizing takes, made safe: token counts clamped to what max_model_len admits, rates and
// concurrency that are positive numbers (else ignored, with a note), SLOs without NaN.
import type { WorkShape } from './capacity';
import { workShape } from './capacity';
import { validPositive } from './finite';
import type { MemorySizing } from './memory';

export interface WorkloadInput {
  requestsPerSecond: number | null;
  inputTokens: number;
  outputTokens: number;
  concurrency: number | null;
  /** 0..1 */
  prefixCacheHitRate: number;
}

export interface SloInput {
  ttftMs: number | null;
  tpotMs: number | null;
}

/** The workload as sized: one request's shape, the arrival rate or the concurrency (null when not given), the SLOs. */
export interface SizedWorkload {
  shape: WorkShape;
  lambda: number | null;
  conc: number | null;
  tpotSlo: number | null;
  ttftSlo: number | null;
}

/** Largest arrival rate sized (req/s): a billion requests per second is beyond any serving fleet. */
const MAX_RATE = 1e9;

/** The workload and SLOs made safe; every adjustment is noted in `notes`. */
export function sizedWorkloadOf(w: WorkloadInput, slo: SloInput, mem: MemorySizing, notes: string[]): SizedWorkload {
  const rawIn = Number.isFinite(w.inputTokens) ? w.inputTokens : 0;
  const rawOut = Number.isFinite(w.outputTokens) ? w.outputTokens : 1;
  if (!(rawIn >= 0)) notes.push(`input_tokens ${w.inputTokens} is negative: using 0`);
  if (!(rawOut >= 1)) notes.push(`output_tokens ${w.outputTokens} is below 1: using 1`);
  const hitIn = Number.isFinite(w.prefixCacheHitRate) ? w.prefixCacheHitRate : 0;
  if (hitIn < 0 || hitIn > 1) notes.push(`prefix_cache_hit_rate ${w.prefixCacheHitRate} is outside 0..1: clamped`);
  // A request never exceeds max_model_len tokens (vLLM rejects longer ones); clamping also bounds the work below.
  const mml = Math.max(2, mem.serving.maxModelLen);
  const inClamped = Math.min(Math.max(0, rawIn), mml - 1);
  const outClamped = Math.min(Math.max(1, rawOut), mml - inClamped);
  if (inClamped + outClamped < Math.max(0, rawIn) + Math.max(1, rawOut))
    notes.push(`input + output tokens exceed max_model_len ${mml}: a request is cut to ${inClamped} + ${outClamped} tokens`);
  const shape = workShape(inClamped, outClamped, hitIn);
  let lambda: number | null = null;
  if (w.requestsPerSecond !== null && w.requestsPerSecond !== undefined) {
    if (validPositive(w.requestsPerSecond)) {
      // Beyond any fleet; above this, rate x time overflows to Infinity in the replica count (found by npm run fuzz).
      lambda = Math.min(w.requestsPerSecond, MAX_RATE);
      if (w.requestsPerSecond > MAX_RATE)
        notes.push(`requests_per_second ${w.requestsPerSecond} is above ${MAX_RATE.toExponential()} req/s: sized at ${MAX_RATE.toExponential()}`);
    } else notes.push(`requests_per_second ${w.requestsPerSecond} is not a positive rate: ignored`);
  }
  let conc: number | null = null;
  if (w.concurrency !== null && w.concurrency !== undefined) {
    if (validPositive(w.concurrency)) conc = w.concurrency;
    else notes.push(`concurrency ${w.concurrency} is not positive: ignored`);
  }
  const tpotSlo = slo.tpotMs !== null && slo.tpotMs !== undefined && !Number.isNaN(slo.tpotMs) ? slo.tpotMs : null;
  const ttftSlo = slo.ttftMs !== null && slo.ttftMs !== undefined && !Number.isNaN(slo.ttftMs) ? slo.ttftMs : null;
  return { shape, lambda, conc, tpotSlo, ttftSlo };
}
