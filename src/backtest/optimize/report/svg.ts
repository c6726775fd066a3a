/** Small helpers for the report's server-drawn SVG charts: a colour scale, number formatting, escaping. */
import { escapeHtml } from '../../report/index.ts';

export { escapeHtml };

/** Colour stops from low (purple) through teal to high (yellow), close to viridis. */
const STOPS: ReadonlyArray<readonly [number, number, number]> = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

/**
 * The colour of `t` in [0, 1] on the scale.
 *
 * @example colorAt(1) // 'rgb(253,231,37)'
 */
export function colorAt(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Maps values to [0, 1] over their range (0.5 for a flat range). */
export function normaliser(values: readonly number[]): (v: number) => number {
  const finite = values.filter(Number.isFinite);
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  return (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
}

/** Three significant digits, no exponent for everyday magnitudes. */
export function short(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)}%`;
}

/** A colour legend bar from lo to hi. */
export function legendSvg(lo: number, hi: number, label: string): string {
  const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => `<stop offset="${t * 100}%" stop-color="${colorAt(t)}"/>`).join('');
  return `<svg class="legend-bar" viewBox="0 0 320 34" width="320" height="34" role="img" aria-label="colour scale">`
    + `<defs><linearGradient id="scale">${stops}</linearGradient></defs>`
    + `<rect x="0" y="0" width="320" height="12" fill="url(#scale)" rx="2"/>`
    + `<text x="0" y="28" font-size="11">${escapeHtml(short(lo))}</text>`
    + `<text x="160" y="28" font-size="11" text-anchor="middle">${escapeHtml(label)}</text>`
    + `<text x="320" y="28" font-size="11" text-anchor="end">${escapeHtml(short(hi))}</text></svg>`;
}
