// Defence in depth for the CLI's output: the inputs are bounded where they enter (engine/model.ts config caps,
// inputBounds.ts, the engine's own checks), so no report holds Infinity or NaN; if one ever did, the CLI stops with
// an internal error instead of printing "Infinity GiB" (text) or a silent null (JSON turns Infinity into null).

/** The path of the first number that is not finite in a report object, or null when all are finite. */
export function firstNonFinite(x: unknown, path = '$', depth = 0): string | null {
  if (typeof x === 'number') return Number.isFinite(x) ? null : path;
  if (!x || typeof x !== 'object' || depth > 64) return null;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const p = firstNonFinite(x[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(x)) {
    const p = firstNonFinite(v, `${path}.${k}`, depth + 1);
    if (p) return p;
  }
  return null;
}
