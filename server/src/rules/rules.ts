// Engine results as diagnostics with stable codes (DESIGN.md section 4). Each message says why and what to change;
// `data` carries what the quick fixes need. Ranges point at the most specific node.
// The rules live by subject (parallelismRules, modelRules, startupMemoryRules, memoryRules, performanceRules); this
// module keeps their table, whose order is the order users see the diagnostics in.
import type { DeploymentAnalysis } from '../analysis/analysis';
import type { Diagnostic } from '../formats/types';
import { cudagraphExceedsMemory, hostRamExceedsLimit, kvHeadsReplicated, kvLimitsConcurrency, memoryTermsUnknown } from './memoryRules';
import { bf16Unsupported, contextBeyondModel, fp8CheckpointUnsupported, fp8KvUnsupported, quantizationMismatch } from './modelRules';
import { expertsNotDivisible, gpuCountMismatch, headsNotDivisible, tpAcrossNodes } from './parallelismRules';
import { PERFORMANCE_RULES, sizedPerformanceRule } from './performanceRules';
import type { Rule, SizedDeployment } from './rule';
import { runRules, sizedDeployment } from './rule';
import { maxModelLenTooLong, noKvMemory, samplerWarmupOom, samplerWarmupTight, weightsExceedMemory } from './startupMemoryRules';

export { CODES } from './codes';
export { validTpSizes } from './parallelismRules';
export { performanceRules } from './performanceRules';

/** Every rule of a sized deployment, in the order its diagnostics are reported. */
export const SIZED_RULES: readonly Rule<SizedDeployment>[] = [
  // The engine's refusals: layout and checkpoint first (config checks), then memory (profiling, warm-up).
  headsNotDivisible,
  expertsNotDivisible,
  contextBeyondModel,
  bf16Unsupported,
  fp8CheckpointUnsupported,
  fp8KvUnsupported,
  quantizationMismatch,
  weightsExceedMemory,
  noKvMemory,
  maxModelLenTooLong,
  samplerWarmupOom,
  samplerWarmupTight,
  // What the deployment holds once it starts.
  hostRamExceedsLimit,
  memoryTermsUnknown,
  kvHeadsReplicated,
  kvLimitsConcurrency,
  gpuCountMismatch,
  tpAcrossNodes,
  // Engine II: Little's Law, the SLO and the roofline at the operating point.
  ...PERFORMANCE_RULES.map(sizedPerformanceRule),
  cudagraphExceedsMemory,
];

/** The sizing rules' diagnostics; none for a deployment whose model, GPU or sizing is unknown. */
export function rulesFor(a: DeploymentAnalysis): Diagnostic[] {
  const x = sizedDeployment(a);
  return x ? runRules(SIZED_RULES, x) : [];
}
