import { listBiggest, type RankedIssue, type ValidationIssue } from './issues.ts';
import type { SeriesColumns } from './series-columns.ts';
import { median } from './stats.ts';
import { MAX_LISTED_JUMPS, OUTLIER_MIN_SAMPLES, OUTLIER_SCALE_FACTOR, SPLIT_LOG_TOLERANCE, SPLIT_RATIOS } from './thresholds.ts';

/**
 * Price jumps that are probably not the market: outliers (bad prints, a decimal point slipped) and steps left
 * by unadjusted splits. A backtest would trade on either as if it were real, so both are reported.
 */

/**
 * Consecutive prices whose |log return| is far beyond the series' typical move and above `minAbsLogReturn`
 * (see thresholds.ts). `skipLines` holds lines already explained (e.g. by a suspected split).
 *
 * @example
 * findJumps([10, 10.1, 30, 10.2], [2, 3, 4, 5], 'close', 0.25); // jumps at lines 4 and 5
 */
export function findJumps(
  prices: ArrayLike<number>, lines: ArrayLike<number>, field: string, minAbsLogReturn: number,
  skipLines: ReadonlySet<number> = new Set(),
): ValidationIssue[] {
  if (prices.length < 2) return [];
  const moves = new Float64Array(prices.length - 1);
  const sizes = new Float64Array(prices.length - 1);
  for (let i = 1; i < prices.length; i++) {
    moves[i - 1] = Math.log(prices[i] / prices[i - 1]);
    sizes[i - 1] = Math.abs(moves[i - 1]);
  }
  const typical = median(sizes);
  const scaled = moves.length >= OUTLIER_MIN_SAMPLES ? OUTLIER_SCALE_FACTOR * typical : 0;
  const threshold = Math.max(scaled, minAbsLogReturn);
  const found: RankedIssue[] = [];
  for (let i = 1; i < prices.length; i++) {
    const move = moves[i - 1];
    const size = sizes[i - 1];
    if (!(size > threshold) || skipLines.has(lines[i])) continue;
    // A move undone at once is the signature of a bad print; one that holds is more likely real news.
    const next = i < moves.length ? moves[i] : 0;
    const spike = next * move < 0 && Math.abs(next) >= size / 2 ? '; it reverses on the next row (a spike: likely a bad print)' : '';
    found.push({
      size,
      issue: {
        code: 'OUTLIER_JUMP', line: lines[i], field, value: String(prices[i]),
        message: `moved ${percent(Math.exp(move) - 1)} from ${prices[i - 1]} at line ${lines[i - 1]}`
          + (scaled > 0 ? `; the typical move is ${percent(Math.exp(typical) - 1, false)}` : '') + spike,
      },
    });
  }
  return listBiggest(found, MAX_LISTED_JUMPS, 'OUTLIER_JUMP', 'smaller jumps');
}

// Ratios this close to 1 are within no split's tolerance (the mildest, 3/2, is a log move of 0.405 ± 0.03);
// the bounds are pulled in by a hair so rounding in exp() never skips a real candidate.
const MILDEST_SPLIT_LOG = Math.min(...SPLIT_RATIOS.map(([n, d]) => Math.abs(Math.log(n / d)))) - SPLIT_LOG_TOLERANCE;
const NO_SPLIT_FROM = MILDEST_SPLIT_LOG > 0 ? Math.exp(-MILDEST_SPLIT_LOG) * (1 + 1e-9) : 1;
const NO_SPLIT_TO = MILDEST_SPLIT_LOG > 0 ? Math.exp(MILDEST_SPLIT_LOG) * (1 - 1e-9) : 1;

/**
 * Bars whose open sits at a split ratio (2, 3, 3/2, 1/10, …) of the previous close while the bar never
 * trades back to that close: the footprint of a split the data vendor did not adjust for.
 *
 * @example
 * findSplits(barColumns, lines); // [{ code: 'SUSPECTED_SPLIT', line: 812, field: 'open', ... }]
 */
export function findSplits(bars: SeriesColumns, lines: ArrayLike<number>): ValidationIssue[] {
  const found: ValidationIssue[] = [];
  const [open, high, low, close] = bars.values;
  for (let i = 1; i < bars.length; i++) {
    const prevClose = close[i - 1];
    if (prevClose >= low[i] && prevClose <= high[i]) continue; // the market went back there: a real move
    const r = prevClose / open[i];
    if (r > NO_SPLIT_FROM && r < NO_SPLIT_TO) continue; // nearer 1 than any split ratio: skip the logs

    const ratio = Math.log(r);
    // The way back from a one-bar spike looks like a split too; a split does not follow a jump the other way.
    const before = i >= 2 ? Math.log(prevClose / close[i - 2]) : 0;
    if (before * ratio > 0 && Math.abs(before) > Math.abs(ratio) / 2) continue;
    for (const [n, d] of SPLIT_RATIOS) {
      if (Math.abs(ratio - Math.log(n / d)) >= SPLIT_LOG_TOLERANCE) continue;
      const what = n > d ? `${n}-for-${d} split` : `${n}-for-${d} reverse split`;
      found.push({
        code: 'SUSPECTED_SPLIT', line: lines[i], field: 'open', value: String(open[i]),
        message: `is ${d}/${n} of the previous close ${prevClose} at line ${lines[i - 1]} and the bar never trades back to it: `
          + `an unadjusted ${what}? (use split-adjusted data, e.g. useAdjustedClose)`,
      });
      break;
    }
  }
  return found;
}

function percent(fraction: number, signed = true): string {
  const p = fraction * 100;
  const digits = Math.abs(p) >= 10 ? 0 : Math.abs(p) >= 1 ? 1 : 2;
  return `${signed && p > 0 ? '+' : ''}${p.toFixed(digits)}%`;
}
