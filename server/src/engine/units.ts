// Units and number helpers shared by the engine and its presenters. Pure.

export const KiB = 1024;
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

/** Integer division rounding up, as vLLM's `cdiv`. */
export function cdiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

export function toGiB(bytes: number): number {
  return bytes / GiB;
}

/** vLLM prints memory in GiB with two decimals (`f"{x / GiB_bytes:.2f}GiB"`). */
export function fmtGiB(bytes: number, digits = 2): string {
  return `${(bytes / GiB).toFixed(digits)} GiB`;
}

/** Thousands separators, as vLLM prints token counts (`f"{n:,}"`). */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  // Plain string work: Intl's toLocaleString costs microseconds per call and this runs in every hover and message.
  const t = Math.trunc(n);
  const digits = String(Math.abs(t));
  const grouped = digits.length > 3 ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : digits;
  return t < 0 ? `-${grouped}` : grouped;
}

export function fmtParams(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(2)}T`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  return String(Math.round(n));
}

/** A finite number or the fallback: keeps NaN and Infinity out of every result. */
export function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Rounds half away from zero to `digits` decimals (what Python's f-string formatting prints for our values). */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
