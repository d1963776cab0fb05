// Why a found deployment was not sized: one reason per deployment, for the `not-sized` information diagnostic and
// the report's `not_sized_reason`. A deployment that cannot be sized must say why, never vanish silently.
import type { Deployment, Diagnostic, Range } from './formats/types';

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Diagnostic codes that already say why nothing was sized (another code owns the reason; no second message). */
const OWN_REASON = new Set(['unknown-model', 'no-gpu', 'unknown-gpu', 'model-config-invalid', 'invalid-value']);

/**
 * The reason a deployment is not sized, or null when it can be: the adapter's stated reason first, then a model the
 * file does not name. Reasons owned by another diagnostic (unknown model or GPU) are returned with `owned` set.
 */
export function notSizedReason(d: Deployment, resolved: { model: boolean; gpu: boolean }, diags: Diagnostic[]): { reason: string; owned: boolean } | null {
  if (d.unsized) return { reason: d.unsized, owned: false };
  if (!d.model) return { reason: 'the file names no model llm-sizer can read (set the model id, e.g. --model or a Hugging Face uri)', owned: false };
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

/**
 * Pod-rule findings that hold for this deployment: a deployment not sized for an adapter-stated reason whose tensor
 * parallelism the file does not state (NIM picks it from the profile at start-up) has an unknown tp, never 1, so
 * the rules comparing it with the GPU count stay silent.
 */
export function podFindingsThatHold(d: Deployment, found: Diagnostic[]): Diagnostic[] {
  if (!d.unsized || d.serving.tp !== undefined) return found;
  return found.filter((x) => !PARALLELISM_RULES.has(x.code));
}
