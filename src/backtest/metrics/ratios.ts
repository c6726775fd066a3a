/**
 * Annualised risk and return ratios. Each returns null rather than NaN or Infinity when it is undefined, so
 * the result serialises to JSON unchanged and a reader sees "no value" instead of a misleading number.
 */
import type { ReturnStats } from './returns.ts';

const YEAR_MS = 365.25 * 86_400_000;

/**
 * Sample stdev of the returns × sqrt(periodsPerYear); null with fewer than two returns.
 *
 * @example
 * annualVolatility(returnStats(equity, 0), 252);
 */
export function annualVolatility(stats: ReturnStats | null, periodsPerYear: number): number | null {
  return stats === null ? null : stats.stdev * Math.sqrt(periodsPerYear);
}

/**
 * mean(r − rf/ppy) / stdev(r) × sqrt(ppy); null with fewer than two returns or zero volatility.
 *
 * @example
 * sharpeRatio(returnStats(equity, 0.02 / 252), 252);
 */
export function sharpeRatio(stats: ReturnStats | null, periodsPerYear: number): number | null {
  if (stats === null || stats.stdev === 0) return null;
  return finiteOrNull((stats.meanExcess / stats.stdev) * Math.sqrt(periodsPerYear));
}

/**
 * mean(r − rf/ppy) / downside deviation × sqrt(ppy), the downside deviation taken over all periods;
 * null with fewer than two returns or no period below the risk-free rate.
 *
 * @example
 * sortinoRatio(returnStats(equity, 0), 252);
 */
export function sortinoRatio(stats: ReturnStats | null, periodsPerYear: number): number | null {
  if (stats === null || stats.downsideDeviation === 0) return null;
  return finiteOrNull((stats.meanExcess / stats.downsideDeviation) * Math.sqrt(periodsPerYear));
}

/**
 * Compound annual growth rate (E_last / E_first)^(1 / years) − 1 with years = span / 365.25 days;
 * null when the span is 0 or either equity is ≤ 0.
 *
 * @example
 * cagr(100, 121, Date.UTC(2020, 0, 1), Date.UTC(2022, 0, 1)); // ≈ 0.1 (two years of 10%)
 */
export function cagr(startEquity: number, endEquity: number, startTime: number, endTime: number): number | null {
  const years = (endTime - startTime) / YEAR_MS;
  if (!(years > 0) || !(startEquity > 0) || !(endEquity > 0)) return null;
  // A few hours of data annualises to absurd or overflowing numbers; overflow becomes null.
  return finiteOrNull(Math.pow(endEquity / startEquity, 1 / years) - 1);
}

/**
 * CAGR / |max drawdown|; null when either is undefined or the curve never drew down.
 *
 * @example
 * calmarRatio(0.12, -0.3); // 0.4
 */
export function calmarRatio(cagrValue: number | null, maxDrawdown: number): number | null {
  if (cagrValue === null || maxDrawdown === 0) return null;
  return finiteOrNull(cagrValue / Math.abs(maxDrawdown));
}

/** JSON has no NaN or Infinity; an overflowed or undefined ratio is reported as "no value". */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
