import { listBiggest, type RankedIssue, type ValidationIssue } from './issues.ts';
import {
  DAILY_MAX_INTERVAL_MS, INTRADAY_GAP_FACTOR, INTRADAY_MAX_INTERVAL_MS, MAX_LISTED_GAPS,
  MAX_MISSING_BUSINESS_DAYS, PERIODIC_GAP_FACTOR,
} from './thresholds.ts';
import { formatDuration, formatInstant } from './time-format.ts';
import { localDayIndex } from '../model/index.ts';

const DAY_MS = 86_400_000;

/**
 * Gaps against the series' own frequency. Markets close at night, at weekends and on holidays, so a gap is
 * judged by the kind of data: intraday bars against the interval within one calendar day, and by whole
 * missing weekdays (beyond a few holidays) across days, like daily bars; weekly/monthly bars against the
 * median spacing. Only the biggest are listed.
 */

/**
 * Report gaps in a series of strictly increasing timestamps.
 *
 * @example
 * findGaps(ts, lines, 60_000, 'UTC'); // [{ code: 'GAP', line: 1234, field: 'time', message: 'no data for 45m ...' }]
 */
export function findGaps(ts: ArrayLike<number>, lines: ArrayLike<number>, intervalMs: number, timeZone: string): ValidationIssue[] {
  if (ts.length < 2 || !(intervalMs > 0)) return [];
  const gaps: RankedIssue[] = [];
  const every = formatDuration(intervalMs);
  for (let i = 1; i < ts.length; i++) {
    const spacing = ts[i] - ts[i - 1];
    if (intervalMs <= DAILY_MAX_INTERVAL_MS) {
      if (intervalMs < INTRADAY_MAX_INTERVAL_MS && spacing <= INTRADAY_GAP_FACTOR * intervalMs) continue;
      const fromDay = localDayIndex(ts[i - 1], timeZone);
      const toDay = localDayIndex(ts[i], timeZone);
      if (intervalMs < INTRADAY_MAX_INTERVAL_MS && fromDay === toDay) {
        const missing = Math.round(spacing / intervalMs) - 1;
        gaps.push(gap(spacing, lines[i], `no data for ${formatDuration(spacing)} within the day since ${since(lines, ts, i)}: about ${missing} ${every} bars missing`));
        continue;
      }
      // Across days nights, weekends and holidays are normal: count only whole weekdays without data.
      const missing = weekdaysBetween(fromDay, toDay);
      if (missing <= MAX_MISSING_BUSINESS_DAYS) continue;
      gaps.push(gap(missing * DAY_MS, lines[i], `${missing} business days without data since ${since(lines, ts, i)}`));
    } else {
      if (spacing <= PERIODIC_GAP_FACTOR * intervalMs) continue;
      gaps.push(gap(spacing, lines[i], `${formatDuration(spacing)} since ${since(lines, ts, i)}, ${(spacing / intervalMs).toFixed(1)}x the usual ${every}`));
    }
  }
  return listBiggest(gaps, MAX_LISTED_GAPS, 'GAP', 'smaller gaps');
}

function since(lines: ArrayLike<number>, ts: ArrayLike<number>, i: number): string {
  return `line ${lines[i - 1]} (${formatInstant(ts[i - 1])})`;
}

function gap(size: number, line: number, message: string): RankedIssue {
  return { size, issue: { code: 'GAP', line, field: 'time', message } };
}

// Weekdays in [0, n) counted from day 0 = Thursday 1970-01-01: Thu Fri Sat Sun Mon Tue Wed.
const WEEKDAY_PREFIX = [0, 1, 2, 2, 2, 3, 4, 5];
// Whole weeks added so days before 1970 (negative indexes) count the same way.
const WEEKS_SHIFT = 7 * 200_000;

function weekdaysBefore(day: number): number {
  const n = day + WEEKS_SHIFT;
  return 5 * Math.floor(n / 7) + WEEKDAY_PREFIX[n % 7];
}

/**
 * Monday-to-Friday days strictly between two day indexes (days since 1970-01-01).
 *
 * @example
 * weekdaysBetween(friday, nextMonday); // 0
 */
export function weekdaysBetween(fromDay: number, toDay: number): number {
  return toDay - fromDay <= 1 ? 0 : weekdaysBefore(toDay) - weekdaysBefore(fromDay + 1);
}
