/**
 * Number formatting for the report tables. Always `en-US` grouping and a fixed number of decimals, so a
 * report renders byte-identically on any machine, whatever its locale. `null` (an undefined ratio, e.g.
 * Sharpe with zero volatility) shows as an em dash rather than 0, which would be a lie.
 */

export const MISSING = '—';

const fixed = new Map<number, Intl.NumberFormat>();

function formatter(decimals: number): Intl.NumberFormat {
  let f = fixed.get(decimals);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    fixed.set(decimals, f);
  }
  return f;
}

/**
 * Formats a number with thousands separators and a fixed number of decimals.
 *
 * @example
 * formatNumber(1234567.891, 2); // '1,234,567.89'
 * formatNumber(null, 2);        // '—'
 */
export function formatNumber(value: number | null, decimals: number): string {
  if (value === null || !Number.isFinite(value)) return MISSING;
  // Avoid '-0.00' for tiny negatives that round to zero.
  const s = formatter(decimals).format(value);
  return /^-[0.,]+$/.test(s) ? s.slice(1) : s;
}

/**
 * Formats a fraction as a percentage.
 *
 * @example
 * formatPercent(-0.2534); // '-25.34%'
 */
export function formatPercent(fraction: number | null, decimals = 2): string {
  return fraction === null || !Number.isFinite(fraction) ? MISSING : formatNumber(fraction * 100, decimals) + '%';
}

/**
 * Formats a ratio (Sharpe, profit factor, …) with two decimals.
 *
 * @example
 * formatRatio(1.23456); // '1.23'
 */
export function formatRatio(value: number | null): string {
  return formatNumber(value, 2);
}

/**
 * Formats an amount of money in the quote currency with two decimals.
 *
 * @example
 * formatMoney(100000); // '100,000.00'
 */
export function formatMoney(value: number | null): string {
  return formatNumber(value, 2);
}

/**
 * Formats a count with thousands separators.
 *
 * @example
 * formatCount(2900000); // '2,900,000'
 */
export function formatCount(value: number | null): string {
  return formatNumber(value, 0);
}

/**
 * Formats a price with as many decimals as it needs (up to 8), so 0.00001234 and 4,512.5 both read right.
 *
 * @example
 * formatPrice(12.5);       // '12.50'
 * formatPrice(0.00001234); // '0.00001234'
 */
export function formatPrice(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return MISSING;
  const abs = Math.abs(value);
  const decimals = abs >= 1 || abs === 0 ? 2 : Math.min(8, 2 - Math.floor(Math.log10(abs)) + 1);
  return formatNumber(value, Math.max(2, decimals));
}
