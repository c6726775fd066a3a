/**
 * Time handling for the report. Results carry ISO 8601 UTC strings; the charts want UTC seconds. Daily
 * (or coarser) data is shown as dates and intraday data with clock times, decided from the bar spacing
 * because a daily bar may be stamped at midnight, at the close, or at the exchange's local midnight.
 */

export type TimeScale = 'daily' | 'intraday';

const DAY_MS = 86_400_000;
/** Spacing at or above this counts as daily; 20h tolerates DST shifts and close-stamped bars. */
const DAILY_SPACING_MS = 20 * 3_600_000;
/** The median of this many leading gaps is plenty to classify a series and keeps long ones cheap. */
const SPACING_SAMPLE = 2_000;

/**
 * Parses an ISO 8601 time to epoch milliseconds; a malformed time is a bug in the result writer.
 *
 * @example
 * isoToMs('2024-01-02T00:00:00.000Z'); // 1704153600000
 */
export function isoToMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`report: not an ISO time: ${JSON.stringify(iso)}`);
  return ms;
}

/**
 * Classifies a series as daily or intraday from the median gap between its first points.
 *
 * @example
 * detectTimeScale([Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)]); // 'daily'
 */
export function detectTimeScale(timesMs: ArrayLike<number>): TimeScale {
  const n = Math.min(timesMs.length, SPACING_SAMPLE + 1);
  if (n < 2) return n === 1 && timesMs[0] % DAY_MS === 0 ? 'daily' : 'intraday';
  const gaps: number[] = [];
  for (let i = 1; i < n; i++) gaps.push(timesMs[i] - timesMs[i - 1]);
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1] >= DAILY_SPACING_MS ? 'daily' : 'intraday';
}

/**
 * Formats a time for the tables: a date for daily data, `date hh:mm[:ss]` (UTC) for intraday data.
 *
 * @example
 * formatTime('2024-01-02T14:30:00Z', 'intraday'); // '2024-01-02 14:30'
 * formatTime('2024-01-02T00:00:00Z', 'daily');    // '2024-01-02'
 */
export function formatTime(iso: string, scale: TimeScale): string {
  const text = new Date(isoToMs(iso)).toISOString();
  if (scale === 'daily') return text.slice(0, 10);
  const seconds = text.slice(17, 19);
  return text.slice(0, 10) + ' ' + text.slice(11, 16) + (seconds === '00' ? '' : ':' + seconds);
}
