// Finding what is under the cursor: the deployment whose document holds a position, and the field there.
import type { DeploymentAnalysis } from './analysis';
import type { Position, Range } from '../formats/types';

export function contains(r: Range | undefined, p: Position): boolean {
  if (!r) return false;
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

/** The deployment of the YAML document that holds `p` (documents do not overlap). */
export function deploymentAt(ds: DeploymentAnalysis[], p: Position): DeploymentAnalysis | undefined {
  return ds.find((a) => contains(a.deployment.ranges.document, p)) ?? (ds.length === 1 ? ds[0] : undefined);
}

export interface FieldHit {
  analysis: DeploymentAnalysis;
  /** Field path as in Deployment.ranges: `model`, `hardware.gpu`, `serving.max_model_len`, `metadata.name`. */
  path: string;
  range: Range;
  onKey: boolean;
}

/** The most specific field (key or value) under `p`. */
export function fieldAt(ds: DeploymentAnalysis[], p: Position): FieldHit | undefined {
  const a = deploymentAt(ds, p);
  if (!a) return undefined;
  const d = a.deployment;
  let best: FieldHit | undefined;
  const consider = (path: string, r: Range | undefined, onKey: boolean) => {
    if (!r || !contains(r, p)) return;
    // Prefer the narrowest range: `hardware.gpu` inside a flow-mapped `hardware`.
    const span = (x: Range) => (x.end.line - x.start.line) * 10_000 + (x.end.character - x.start.character);
    if (!best || span(r) < span(best.range)) best = { analysis: a, path, range: r, onKey };
  };
  for (const [path, r] of Object.entries(d.keyRanges)) consider(path, r, true);
  for (const [path, r] of Object.entries(d.ranges)) if (path !== 'document') consider(path, r, false);
  return best;
}
