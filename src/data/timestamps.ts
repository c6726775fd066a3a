import { KeelError } from '../model/index.ts';
import { civilToEpochMs, daysFromCivil, wallTimeToUtc } from '../model/index.ts';

/**
 * Timestamps as found in market data files → epoch ms UTC. A timestamp without an explicit offset is wall
 * time in the given zone (files are usually stamped in exchange time); epoch numbers and `Z`/`±HH:MM`
 * suffixes are absolute and ignore the zone.
 */

/** How to read a date whose year comes last: `02/03/2010` is 3 February under MDY, 2 March under DMY. */
export type DateFormat = 'YMD' | 'MDY' | 'DMY';

const YEAR_FIRST = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const YEAR_LAST = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AP]M)?)?$/i;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const EPOCH_SECONDS = /^(\d{10})(?:\.(\d{1,9}))?$/;
const EPOCH_MS = /^\d{13}$/;
const TIME_OF_DAY = /^\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?\s*(?:[AP]M|Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const COMPACT_TIME = /^(\d{2})(\d{2})(\d{2})?$/;

const FORMATS_HINT = 'expected e.g. 2006-01-02, 2006-01-02 09:01:00, 2015-09-23T20:57:42.146Z, '
  + '02/03/2010 16:53:50, 20060102, or epoch seconds (10 digits) / milliseconds (13 digits)';

/**
 * Parse one timestamp into epoch ms UTC.
 *
 * Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`, `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`,
 * `MM/DD/YYYY HH:MM:SS` (`DD/MM/YYYY` when `dateFormat` is `'DMY'`; optional AM/PM), `YYYYMMDD`, and epoch
 * numbers (10 digits = seconds, 13 = ms). Without an offset the time is wall time in `timeZone` (IANA):
 * a wall time the zone skips (spring forward) is refused, a repeated one (fall back) is its first occurrence.
 * Throws a KeelError (code BAD_TIMESTAMP, field "time") on anything else; callers add the file and line.
 *
 * @example
 * parseTimestamp('2006-01-02 09:01:00', 'America/New_York'); // Date.UTC(2006, 0, 2, 14, 1)
 * parseTimestamp('02/03/2010 16:53:50');                     // 3 Feb 2010 16:53:50 UTC
 * parseTimestamp('1700000000');                              // 1700000000000
 */
export function parseTimestamp(text: string, timeZone = 'UTC', dateFormat?: DateFormat): number {
  return orThrow(readTimestamp(text, timeZone, dateFormat), text);
}

/** Why a timestamp was refused; `field` is `date` or `time` (which of two fields was wrong). */
export interface TimestampProblem {
  readonly field: 'date' | 'time';
  readonly reason: string;
  readonly hint?: string;
}

/**
 * `parseTimestamp` without exceptions, for loaders that turn problems into report lines.
 *
 * @example
 * readTimestamp('2006-13-01'); // { field: 'time', reason: 'has month 13, outside 1-12' }
 */
export function readTimestamp(text: string, timeZone = 'UTC', dateFormat?: DateFormat): number | TimestampProblem {
  const s = text.trim();
  if (s === '') return problem('is empty');
  let m = YEAR_FIRST.exec(s);
  if (m) return fromParts(+m[1], +m[3], +m[4], m[5], m[6], m[7], m[8], m[9], undefined, timeZone);
  if ((m = COMPACT_DATE.exec(s))) return fromParts(+m[1], +m[2], +m[3], undefined, undefined, undefined, undefined, undefined, undefined, timeZone);
  if ((m = EPOCH_SECONDS.exec(s))) return Number(m[1]) * 1000 + fractionToMs(m[2]);
  if (EPOCH_MS.test(s)) return Number(s);
  if ((m = YEAR_LAST.exec(s))) {
    if (dateFormat === 'YMD') {
      return problem('has the year last but the date format is YMD', 'pass dateFormat MDY or DMY');
    }
    const dayFirst = dateFormat === 'DMY';
    const month = +(dayFirst ? m[3] : m[1]);
    const day = +(dayFirst ? m[1] : m[3]);
    if (month > 12) {
      // Never guess the order from the values: one file mixing both would load with swapped dates.
      const [order, other] = dayFirst ? ['day/month/year', 'MDY'] : ['month/day/year', 'DMY'];
      return problem(`is not a valid ${order} date (month ${month})`, `pass dateFormat ${other} if that is the file's order`);
    }
    return fromParts(+m[4], month, day, m[5], m[6], m[7], m[8], undefined, m[9], timeZone);
  }
  return problem('is not a recognised date/time', FORMATS_HINT);
}

/**
 * Parse a timestamp stored as two fields, a date and a time of day (`2006-01-02`, `09:01:00`; also
 * `20060102`, `0901` or `090100`). The rules of `parseTimestamp` apply to the joined value.
 *
 * @example
 * parseDateTimeFields('2006-01-02', '09:01:00', 'America/New_York'); // Date.UTC(2006, 0, 2, 14, 1)
 */
export function parseDateTimeFields(date: string, time: string, timeZone = 'UTC', dateFormat?: DateFormat): number {
  const r = readDateTimeFields(date, time, timeZone, dateFormat);
  return orThrow(r, typeof r !== 'number' && r.field === 'date' ? date : time);
}

/** `parseDateTimeFields` without exceptions. */
export function readDateTimeFields(date: string, time: string, timeZone = 'UTC', dateFormat?: DateFormat): number | TimestampProblem {
  let d = date.trim();
  let t = time.trim();
  if (d === '') return { field: 'date', reason: 'is empty' };
  if (t === '') return { field: 'time', reason: 'is empty' };
  const cd = COMPACT_DATE.exec(d);
  if (cd) d = `${cd[1]}-${cd[2]}-${cd[3]}`;
  const ct = COMPACT_TIME.exec(t);
  if (ct) t = `${ct[1]}:${ct[2]}:${ct[3] ?? '00'}`;
  if (!TIME_OF_DAY.test(t)) return { field: 'time', reason: 'is not a time of day', hint: 'expected HH:MM[:SS[.fff]]' };
  const r = readTimestamp(`${d} ${t}`, timeZone, dateFormat);
  if (typeof r === 'number') return r;
  // Blame the field the user must fix: the date if it is wrong on its own, else the time.
  const dateAlone = readTimestamp(d, 'UTC', dateFormat);
  return typeof dateAlone === 'number' ? r : { ...dateAlone, field: 'date' };
}

function orThrow(r: number | TimestampProblem, value: string): number {
  if (typeof r === 'number') return r;
  throw new KeelError('BAD_TIMESTAMP', r.reason, { field: r.field, value, ...(r.hint ? { hint: r.hint } : {}) });
}

function fromParts(
  year: number, month: number, day: number,
  hh: string | undefined, mm: string | undefined, ss: string | undefined, frac: string | undefined,
  offset: string | undefined, ampm: string | undefined, timeZone: string,
): number | TimestampProblem {
  if (month < 1 || month > 12) return problem(`has month ${month}, outside 1-12`);
  if (day < 1 || day > daysInMonth(year, month)) return problem(`has day ${day}, which ${year}-${pad2(month)} does not have`);
  let hour = hh === undefined ? 0 : +hh;
  const minute = mm === undefined ? 0 : +mm;
  const second = ss === undefined ? 0 : +ss;
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return problem(`has hour ${hour}, outside 1-12 for AM/PM`);
    const pm = ampm.toUpperCase() === 'PM';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 23) return problem(`has hour ${hour}, outside 0-23`);
  if (minute > 59) return problem(`has minute ${minute}, outside 0-59`);
  if (second > 59) return problem(`has second ${second}, outside 0-59`);
  const wall = civilToEpochMs(year, month, day, hour, minute, second, fractionToMs(frac));
  if (offset === undefined) {
    // A wall time inside the spring-forward hole never appeared on a clock there: the zone is wrong.
    const utc = wallTimeToUtc(wall, timeZone, 'reject');
    return utc === utc ? utc : problem(`does not exist in ${timeZone} (clocks skip it at the daylight-saving change)`, 'is the file in another time zone, or in UTC?');
  }
  const minutes = offsetMinutes(offset);
  return typeof minutes === 'number' ? wall - minutes * 60_000 : minutes;
}

/** `Z` → 0, `+05:30` / `+0530` / `-04` → minutes east of UTC. */
function offsetMinutes(offset: string): number | TimestampProblem {
  if (offset === 'Z' || offset === 'z') return 0;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return problem(`has an invalid UTC offset ${offset}`);
  return sign * (hours * 60 + minutes);
}

/** Fractional-second digits → whole ms; digits past the millisecond are truncated (ticks store ms). */
function fractionToMs(frac: string | undefined): number {
  if (frac === undefined) return 0;
  return Number((frac + '00').slice(0, 3));
}

function daysInMonth(year: number, month: number): number {
  return month === 12 ? 31 : daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function problem(reason: string, hint?: string): TimestampProblem {
  return hint ? { field: 'time', reason, hint } : { field: 'time', reason };
}
