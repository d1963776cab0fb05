// The shape of a sizing rule and the facts every rule of a sized deployment reads. A rule is a small named object:
// the registry code it emits, an optional precondition, and the check that returns its diagnostics. Rules whose
// inputs are unknown stay silent (analysis.ts sizes only what the file resolves; value-unresolved says so once).
import type { DeploymentAnalysis } from '../analysis/analysis';
import type { GpuSpec } from '../engine/hardware';
import type { MemorySizing, ResolvedServing } from '../engine/memory';
import type { ModelArch } from '../engine/model';
import type { StartupErrorKind, StartupResult } from '../engine/startup';
import type { Deployment, Diagnostic, Range } from '../formats/types';
import type { Code } from './codes';
import type { RangeOf } from './ranges';
import { rangesOf } from './ranges';

export interface Rule<X> {
  /** The code the rule emits (codes.ts), whose meaning and docs page are in registry.ts. */
  code: Code;
  /** When false the rule says nothing (its inputs are unknown or the case does not arise). */
  applies?(x: X): boolean;
  /** The rule's findings: none, one, or one per item it checks. */
  check(x: X): Diagnostic | Diagnostic[] | null;
}

/** What the rules of a sized deployment read: the analysis and its parts, known (not null). */
export interface SizedDeployment {
  a: DeploymentAnalysis;
  d: Deployment;
  s: MemorySizing;
  m: ModelArch;
  gpu: GpuSpec;
  sv: ResolvedServing;
  st: StartupResult;
  mem: MemorySizing['memory'];
  r: RangeOf;
  /** Where a tensor-parallel finding points. */
  tpRange: Range;
}

/** The facts of a sized deployment; null when the model, the GPU or the sizing is unknown (no rule applies). */
export function sizedDeployment(a: DeploymentAnalysis): SizedDeployment | null {
  const s = a.sizing;
  const m = a.model?.arch;
  const gpu = a.gpu;
  if (!s || !m || !gpu) return null;
  const r = rangesOf(a.deployment);
  return {
    a,
    d: a.deployment,
    s,
    m,
    gpu,
    sv: s.serving,
    st: s.startup,
    mem: s.memory,
    r,
    tpRange: r('serving.tensor_parallel_size', 'hardware.count', 'model'),
  };
}

/** Whether the engine's startup verdict includes this refusal. */
export function refuses(st: StartupResult, kind: StartupErrorKind): boolean {
  return st.findings.some((f) => f.kind === kind);
}

/** The findings of `rules` on `x`, in table order (the order users see). */
export function runRules<X>(rules: readonly Rule<X>[], x: X, out: Diagnostic[] = []): Diagnostic[] {
  for (const rule of rules) {
    if (rule.applies && !rule.applies(x)) continue;
    const found = rule.check(x);
    if (found === null) continue;
    if (Array.isArray(found)) out.push(...found);
    else out.push(found);
  }
  return out;
}
