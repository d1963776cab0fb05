// Number formatting only (the webview computes nothing: it formats what the server sent).
export const GiB = 1024 ** 3;
export const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
export function gib(b: unknown, digits = 2): string {
  const v = num(b);
  return v === null ? '–' : `${(v / GiB).toFixed(digits)} GiB`;
}
export function int(x: unknown): string {
  const v = num(x);
  return v === null ? '–' : Math.round(v).toLocaleString('en-US');
}
export function fixed(x: unknown, d = 1, unit = ''): string {
  const v = num(x);
  return v === null ? '–' : `${v.toFixed(d)}${unit}`;
}
export function si(x: unknown, unit = ''): string {
  const v = num(x);
  if (v === null) return '–';
  const a = Math.abs(v);
  const [div, p] = a >= 1e15 ? [1e15, 'P'] : a >= 1e12 ? [1e12, 'T'] : a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  const q = v / div;
  return `${Math.abs(q) >= 100 ? q.toFixed(0) : Math.abs(q) >= 10 ? q.toFixed(1) : q.toFixed(2)} ${p}${unit}`;
}
export function usd(x: unknown, d = 3): string {
  const v = num(x);
  return v === null ? '–' : `$${v.toFixed(d)}`;
}
