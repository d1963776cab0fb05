// Why a found deployment was not sized: one reason per deployment, for the `not-sized` information diagnostic and
// the report's `not_sized_reason`. A deployment that cannot be sized must say why, never vanish silently.
import type { Deployment, Diagnostic, Range } from '../formats/types';

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Diagnostic codes that already say why nothing was sized (another code owns the reason; no second message). */
const OWN_REASON = new Set(['unknown-model', 'no-gpu', 'unknown-gpu', 'model-config-invalid', 'invalid-value']);

/**
 * The reason a deployment is not sized, or null when it can be: the adapter's stated reason first, then a model the
 * file does not name. Reasons owned by another diagnostic (unknown model or GPU) are returned with `owned` set.
 */
export function notSizedReason(d: Deployment, resolved: { model: boolean; gpu: boolean }, diags: Diagnostic[]): { reason: string; owned: boolean } | null {
  if (d.unsized) return { reason: d.unsized, owned: false };
  // A model written as a placeholder or variable is said by value-unresolved; a second message would repeat it.
  // A vLLM --config file without a model is said by its own information line (the model comes from the command line).
  if (!d.model && d.format === 'vllm-config') return { reason: 'the model is given on the command line, not in this file', owned: true };
  if (!d.model)
    return d.unresolved?.some((u) => u.path === 'model')
      ? { reason: 'the model is not resolved in this file', owned: true }
      : { reason: 'the file names no model llm-sizer can read (set the model id, e.g. --model or a Hugging Face uri)', owned: false };
  const owner = diags.find((x) => OWN_REASON.has(x.code));
  if (!resolved.model) return { reason: owner?.code === 'unknown-model' ? `model unknown: ${owner.message}` : 'model unknown', owned: true };
  if (!resolved.gpu) return { reason: owner ? owner.message : 'no GPU is named', owned: true };
  return null;
}

/** The `not-sized` information diagnostic, on the deployment's name (or model token, or document). */
export function notSizedDiagnostic(d: Deployment, reason: string): Diagnostic {
  return {
    code: 'not-sized',
    severity: 'info',
    message: `${d.name} is not sized: ${reason}.`,
    range: d.ranges.name ?? d.ranges.model ?? d.ranges.document ?? ZERO,
  };
}

/** Pod rules that compare the GPU count with tp x pp x dp. */
const PARALLELISM_RULES = new Set(['gpu-count-mismatch', 'tp-across-nodes']);

/** Parallel sizes and the paths their flags are ranged under. */
const PARALLEL: [keyof Deployment['serving'], string][] = [
  ['tp', 'serving.tensor_parallel_size'],
  ['pp', 'serving.pipeline_parallel_size'],
  ['dp', 'serving.data_parallel_size'],
];

/**
 * Pod-rule findings that hold for this deployment. A parallel size that is unknown is never 1: when the file gives
 * the flag a value that does not resolve (`--tensor-parallel-size $TP`), or the deployment is not sized for an
 * adapter-stated reason and states no tp (NIM picks it from the profile at start-up), the rules comparing tp x pp x
 * dp with the GPU count stay silent.
 */
export function podFindingsThatHold(d: Deployment, found: Diagnostic[]): Diagnostic[] {
  // NIM chooses its engine and parallelism from the profile at start-up and may use the GPUs the pod requests: more
  // GPUs than the stated tp x pp is not known to leave any idle (fewer still cannot run).
  if (d.format === 'nim') found = found.filter((x) => !(x.code === 'gpu-count-mismatch' && x.severity === 'warning'));
  const unresolved = PARALLEL.some(([k, path]) => d.ranges[path] !== undefined && d.serving[k] === undefined);
  const chosenAtStart = !!d.unsized && d.serving.tp === undefined;
  if (!unresolved && !chosenAtStart) return found;
  return found.filter((x) => !PARALLELISM_RULES.has(x.code));
}
