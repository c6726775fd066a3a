/**
 * Validation thresholds, in one place so they can be reviewed against real data and documented
 * (docs/data.md lists each with its reasoning). Tuned on the reference files in ../shared/data: the
 * split-adjusted Yahoo files must come out clean, deliberate damage must not.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Median spacing below this is intraday data (hourly, 4-hour bars…): gaps are judged within one day. */
export const INTRADAY_MAX_INTERVAL_MS = 20 * HOUR_MS;
/** Median spacing up to this is daily data: gaps are counted in business days. Above it: weekly, monthly. */
export const DAILY_MAX_INTERVAL_MS = 4 * DAY_MS;

/**
 * Intraday: a gap within one calendar day longer than this many intervals is reported (halts, lost data).
 * Across days the daily rule below applies, so whole missing days are reported too.
 */
export const INTRADAY_GAP_FACTOR = 10;
/**
 * Daily (and intraday across days): more missing weekdays than this between two bars is reported. Exchange holidays cost one or two
 * weekdays (three at Christmas/New Year in some markets) and the longest modern closure, 11–14 Sep 2001,
 * cost four; anything longer is missing data.
 */
export const MAX_MISSING_BUSINESS_DAYS = 4;
/** Weekly or monthly: a spacing longer than this many median intervals is reported (a skipped period). */
export const PERIODIC_GAP_FACTOR = 1.5;
/** Gaps listed in a report, the biggest first; the rest are counted. */
export const MAX_LISTED_GAPS = 10;
/** `expectedIntervalMs` differing from the measured median spacing by more than this fraction is reported. */
export const INTERVAL_MISMATCH_TOLERANCE = 0.1;

/**
 * Outlier jump: |log return| between consecutive prices (close, trade price or quote mid) above this many
 * times the series' median |log return| (a robust scale that a few bad prints cannot inflate) …
 */
export const OUTLIER_SCALE_FACTOR = 10;
/**
 * … and above this absolute size for bars: |log return| > 0.25, i.e. up more than 28% or down more than 22%.
 * Daily equities do move this much on earnings (the Yahoo reference files show a handful such days in 20
 * years); the warning asks for a look, it does not claim the price is wrong.
 */
export const OUTLIER_MIN_ABS_LOG_RETURN = 0.25;
/** … or this size for ticks (trades, quote mids): consecutive prints seconds apart rarely move 2%. */
export const TICK_OUTLIER_MIN_ABS_LOG_RETURN = 0.02;
/** Below this many returns the median is no scale at all (a 10-row file); only the absolute size applies. */
export const OUTLIER_MIN_SAMPLES = 30;
/** Jumps listed in a report, the biggest first; the rest are counted. */
export const MAX_LISTED_JUMPS = 10;

/**
 * Suspected unadjusted split: previous close / open ≈ one of these ratios (N-for-D: forward splits, and
 * 1-for-N reverse splits)… Prices halve at a 2-for-1 split; a vendor that did not adjust history leaves that
 * step in the series. No 2-for-3 "reverse" ratio: nobody does that, and +50% news gaps would match it.
 */
export const SPLIT_RATIOS: readonly (readonly [number, number])[] = [
  [3, 2], [2, 1], [3, 1], [4, 1], [5, 1], [8, 1], [10, 1], [20, 1],
  [1, 2], [1, 3], [1, 4], [1, 5], [1, 8], [1, 10], [1, 20],
];
/**
 * … within this distance in log space (±3%, a normal overnight move on top of the split), and the new bar's
 * range never reaches the previous close. ±5% flagged real news gaps in the reference files (NVDA 2004).
 */
export const SPLIT_LOG_TOLERANCE = 0.03;

/** Quotes: a spread wider than this many median spreads … */
export const WIDE_SPREAD_FACTOR = 20;
/** … and wider than this fraction of the mid is reported (a stale side or a bad print). */
export const WIDE_SPREAD_MIN_FRACTION = 0.01;
