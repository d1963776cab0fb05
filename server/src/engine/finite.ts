// Finite-number guards of the performance sizing: inputs that are usable rates, and results with no NaN or Infinity
// anywhere (replaced by 0, with a note saying where), so that every output is JSON- and arithmetic-safe.

export function validPositive(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

export function allFinite(x: unknown): boolean {
  if (typeof x === 'number') return Number.isFinite(x);
  if (Array.isArray(x)) {
    for (const v of x) if (!allFinite(v)) return false;
    return true;
  }
  if (x && typeof x === 'object') {
    for (const k in x as Record<string, unknown>) if (!allFinite((x as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Replaces NaN/Infinity by 0 (recording where) so that every result is JSON- and arithmetic-safe. */
export function sanitize<T>(x: T, notes: string[], path = ''): T {
  if (path === '' && allFinite(x)) return x;
  if (typeof x === 'number') {
    if (Number.isFinite(x)) return x;
    notes.push(`non-finite value at ${path || 'result'} replaced by 0`);
    return 0 as unknown as T;
  }
  if (Array.isArray(x)) return x.map((v, i) => sanitize(v, notes, `${path}[${i}]`)) as unknown as T;
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) out[k] = sanitize(v, notes, path ? `${path}.${k}` : k);
    return out as T;
  }
  return x;
}
