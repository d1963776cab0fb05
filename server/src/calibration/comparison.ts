// The one calibration comparison: what a vLLM startup log measured beside what the engine predicts for the same
// deployment, term by term. The CLI (`llm-sizer calibrate`) and the editor's "Calibrate from vLLM Log" both build it
// here, for the same deployment (the first one that was sized), so they never disagree.
import type { FileAnalysis } from '../analysis/analysis';
import type { MemorySizing } from '../engine/memory';
import { calibrationYaml } from './logParser';
import type { ParsedLog } from './logParser';

/** Memory terms in GiB, KV tokens and the concurrency factor, keyed as vLLM's log lines name them. */
export interface CalibrationTerms {
  total: number | null;
  weights: number | null;
  activation: number | null;
  non_torch: number | null;
  cudagraph: number | null;
  kv: number | null;
  tokens: number | null;
  concurrency: number | null;
}

export interface CalibrationComparison {
  log: ParsedLog;
  measured: CalibrationTerms;
  predicted: CalibrationTerms | null;
  /** The `calibration:` block for a native plan, from the measured terms. */
  calibration: string;
}

const GIB = 2 ** 30;

/** The terms the engine predicts (null without a sizing). */
export function predictedTerms(s: MemorySizing | null | undefined): CalibrationTerms | null {
  if (!s) return null;
  const m = s.memory;
  return {
    total: m.totalBytes / GIB,
    weights: m.weightsBytes / GIB,
    activation: m.activationPeakBytes / GIB,
    non_torch: m.nonTorchBytes / GIB,
    cudagraph: m.cudagraphBytes / GIB,
    kv: m.kvCacheBytes / GIB,
    tokens: s.kv.capacityTokens,
    concurrency: s.kv.maxConcurrency,
  };
}

/** The terms the log printed (null where it did not print one). */
export function measuredTerms(log: ParsedLog): CalibrationTerms {
  return {
    total: log.totalMemoryGiB,
    weights: log.weightsGiB,
    activation: log.activationPeakGiB,
    non_torch: log.nonTorchGiB,
    cudagraph: log.cudagraphGiB,
    kv: log.availableKvGiB,
    tokens: log.kvTokens,
    concurrency: log.maxConcurrency,
  };
}

/** The sizing a log is compared with: the file's first deployment that was sized. */
export function calibrationTarget(f: FileAnalysis | null): MemorySizing | null {
  return f?.deployments.find((d) => d.sizing)?.sizing ?? null;
}

export function calibrationComparison(log: ParsedLog, sizing: MemorySizing | null): CalibrationComparison {
  return { log, measured: measuredTerms(log), predicted: predictedTerms(sizing), calibration: calibrationYaml(log) };
}
