import { median } from '../../data/index.ts';
/**
 * How many return periods make a year, inferred from the timestamps of an equity curve. Annualised
 * volatility, Sharpe and Sortino all scale by sqrt(periodsPerYear), so a wrong guess silently inflates or
 * deflates them by up to sqrt(365/252) ≈ 1.2 (daily) or far more (intraday).
 */

const DAY_MS = 86_400_000;

/** Trading days in a year of a market closed at weekends (the industry convention). */
export const TRADING_DAYS_PER_YEAR = 252;
/** Calendar days, for markets that trade every day (crypto) or curves marked every day. */
export const CALENDAR_DAYS_PER_YEAR = 365;

/**
 * A series counts as "closed at weekends" when its two quietest UTC weekdays together hold less than this
 * share of the points. Real hourly FX in UTC has ~2% of its bars on Sunday evening; a 7-day series has 2/7.
 */
const WEEKEND_SHARE_LIMIT = 0.1;

/** Used when there are fewer than two timestamps: nothing to infer, and no return statistic exists anyway. */
const DEFAULT_PERIODS_PER_YEAR = TRADING_DAYS_PER_YEAR;

/**
 * Spacing buckets in days, checked in order against the median spacing. The ranges are wide enough for
 * month-end and week-end stamps that move around holidays (a month is 26–35 days between last business days).
 */
const SPACING_BUCKETS: ReadonlyArray<{ readonly minDays: number; readonly maxDays: number; readonly periodsPerYear: number }> = [
  { minDays: 6, maxDays: 8, periodsPerYear: 52 },
  { minDays: 26, maxDays: 35, periodsPerYear: 12 },
  { minDays: 85, maxDays: 95, periodsPerYear: 4 },
  { minDays: 350, maxDays: 380, periodsPerYear: 1 },
];

/** Median spacings shorter than this are intraday bars; up to DAILY_MAX_DAYS they are daily (DST gives 23–25 h). */
const INTRADAY_MAX_DAYS = 0.75;
const DAILY_MAX_DAYS = 1.5;

/**
 * Periods per year implied by the timestamps (epoch ms UTC, ascending):
 * - median spacing ≈ 1 day → 252 if the series skips weekends, else 365;
 * - ≈ 7 days → 52; ≈ a month → 12; ≈ a quarter → 4; ≈ a year → 1;
 * - intraday → median points per UTC calendar day (days with data only) × 252 or 365 (same weekend rule);
 * - any other spacing → 365.25 / median spacing in days.
 *
 * @example
 * inferPeriodsPerYear([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)]); // 252
 */
export function inferPeriodsPerYear(times: ArrayLike<number>): number {
  if (times.length < 2) return DEFAULT_PERIODS_PER_YEAR;
  const spacingDays = medianSpacingMs(times) / DAY_MS;
  const daysPerYear = skipsWeekends(times) ? TRADING_DAYS_PER_YEAR : CALENDAR_DAYS_PER_YEAR;
  if (spacingDays < INTRADAY_MAX_DAYS) return medianPointsPerDay(times) * daysPerYear;
  if (spacingDays <= DAILY_MAX_DAYS) return daysPerYear;
  for (const bucket of SPACING_BUCKETS) {
    if (spacingDays >= bucket.minDays && spacingDays <= bucket.maxDays) return bucket.periodsPerYear;
  }
  return 365.25 / spacingDays;
}

/**
 * True when the series (almost) never has points on two of the seven UTC weekdays. Looking at the two
 * quietest weekdays rather than Saturday/Sunday keeps the rule right for markets east of UTC, whose local
 * midnight dates land on the previous UTC weekday (Tokyo's Monday is Sunday 15:00 UTC).
 */
export function skipsWeekends(times: ArrayLike<number>): boolean {
  const perWeekday = [0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < times.length; i++) perWeekday[utcWeekday(times[i])]++;
  perWeekday.sort((a, b) => a - b);
  return perWeekday[0] + perWeekday[1] < WEEKEND_SHARE_LIMIT * times.length;
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function utcWeekday(t: number): number {
  return (((Math.floor(t / DAY_MS) + 4) % 7) + 7) % 7;
}

/** Median gap between consecutive timestamps, in ms. Robust to weekend and holiday gaps, unlike the mean. */
function medianSpacingMs(times: ArrayLike<number>): number {
  const gaps = new Float64Array(times.length - 1);
  for (let i = 1; i < times.length; i++) gaps[i - 1] = times[i] - times[i - 1];
  return median(gaps);
}

/** Median number of points per UTC calendar day, over the days that have at least one point. */
function medianPointsPerDay(times: ArrayLike<number>): number {
  const counts: number[] = [];
  let day = Math.floor(times[0] / DAY_MS);
  let count = 0;
  for (let i = 0; i < times.length; i++) {
    const d = Math.floor(times[i] / DAY_MS);
    if (d !== day) {
      counts.push(count);
      day = d;
      count = 0;
    }
    count++;
  }
  counts.push(count);
  return median(Float64Array.from(counts));
}


