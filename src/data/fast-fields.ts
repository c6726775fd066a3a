import { civilToEpochMs, wallTimeToUtc } from '../model/index.ts';

/**
 * Byte-level readers for the fields of well-formed market data rows: plain decimals and the common timestamp
 * forms, straight from the file's bytes without building strings. Each returns NaN for anything it does not
 * handle, and then the row goes through the general string path (rows.ts), which gives the same values and
 * reports every problem; so these readers never report anything and have no side effect but `scan`.
 *
 * Exactness: a decimal with at most 15 significant digits and at most 22 decimals is an integer m < 2^53 over
 * 10^k, both exact doubles, and one IEEE division rounds correctly: the same double `Number(text)` gives.
 */

/** Where the last successful read stopped (the `,` after the field or the line end) and what it saw. */
export const scan = { end: 0, decimals: 0 };

const COMMA = 44;
const DOT = 46;
const MINUS = 45;
const PLUS = 43;
const ZERO = 48;
const COLON = 58;
const SLASH = 47;
const SPACE = 32;
const T = 84;
const Z_UPPER = 90;
const Z_LOWER = 122;

const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A plain decimal (`12`, `-0.5`, `+3.`, `.25`) from `pos`; NaN for a form it does not take (no digits, more
 * than 15 significant digits, more than 22 decimals). It stops at the first byte that is not part of the
 * number: the caller checks that this is the comma or the line end (exponents, spaces, quotes fail there).
 * On success `scan.end` is that position and `scan.decimals` the decimals without trailing zeros
 * (`decimalsOf`'s count).
 *
 * @example
 * scanNumber(Buffer.from('10.50,7'), 0, 7); // 10.5 (scan.end === 5, scan.decimals === 1)
 */
export function scanNumber(b: Uint8Array, pos: number, end: number): number {
  let i = pos;
  const sign = i < end ? b[i] : 0;
  if (sign === MINUS || sign === PLUS) i++;
  const from = i;
  let m = 0;
  let d: number;
  while (i < end && (d = b[i] - ZERO) >= 0 && d <= 9) { m = m * 10 + d; i++; }
  let digits = i - from;
  let frac = 0;
  if (i < end && b[i] === DOT) {
    const fracFrom = ++i;
    while (i < end && (d = b[i] - ZERO) >= 0 && d <= 9) { m = m * 10 + d; i++; }
    frac = i - fracFrom;
    digits += frac;
  }
  // m holds every digit, leading zeros gone: below 10^15 it has at most 15 significant digits and is exact.
  if (digits === 0 || m >= 1e15 || frac > 22) return NaN;
  // Trailing zeros change neither the value (m / 10^k is the same rational) nor, by decimalsOf, the decimals.
  // (m - 10 floor(m / 10): % on a double is a call to fmod, and m is exact below 10^15.)
  while (frac > 0 && m - Math.floor(m / 10) * 10 === 0) { m /= 10; frac--; }
  scan.end = i;
  scan.decimals = frac;
  const v = frac > 0 ? m / POW10[frac] : m;
  return sign === MINUS ? -v : v;
}

/** Two ASCII digits at `i` as a number, or -1. */
function two(b: Uint8Array, i: number): number {
  const h = b[i] - ZERO;
  const l = b[i + 1] - ZERO;
  return h >= 0 && h <= 9 && l >= 0 && l <= 9 ? h * 10 + l : -1;
}

function four(b: Uint8Array, i: number): number {
  const h = two(b, i);
  const l = two(b, i + 2);
  return h >= 0 && l >= 0 ? h * 100 + l : -1;
}

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (day <= MONTH_DAYS[month]) return true;
  return month === 2 && day === 29 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
}

/** Parsed date scratch: year, month, day of the last `scanDate`. */
const date = { year: 0, month: 0, day: 0 };

/** `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD` at `pos`; returns the position after it, or -1. */
function scanDate(b: Uint8Array, pos: number, end: number, compact: boolean): number {
  if (pos + 8 > end) return -1;
  const year = four(b, pos);
  if (year < 0) return -1;
  const sep = b[pos + 4];
  let month: number, day: number, next: number;
  if (sep === MINUS || sep === SLASH) {
    if (pos + 10 > end || b[pos + 7] !== sep) return -1;
    month = two(b, pos + 5);
    day = two(b, pos + 8);
    next = pos + 10;
  } else if (compact) {
    month = two(b, pos + 4);
    day = two(b, pos + 6);
    next = pos + 8;
  } else {
    return -1;
  }
  if (!validDate(year, month, day)) return -1;
  date.year = year; date.month = month; date.day = day;
  return next;
}

/** Time of day scratch of the last `scanClock`. */
const clock = { ms: 0, utc: false };

/**
 * `HH:MM[:SS[.f…]][Z]` at `pos`, up to a comma or `end` (`compact` also takes `HHMM` and `HHMMSS`, the forms
 * of a separate time column, and no `Z`); returns the position after it, or -1.
 */
function scanClock(b: Uint8Array, pos: number, end: number, compact: boolean): number {
  // Every two-digit read is bounded by `end`: bytes past it may be the next line or a stale buffer.
  const hour = pos + 2 < end ? two(b, pos) : -1;
  if (hour < 0 || hour > 23) return -1;
  let i: number;
  let minute: number, second = 0, ms = 0;
  if (b[pos + 2] === COLON) {
    minute = pos + 5 <= end ? two(b, pos + 3) : -1;
    i = pos + 5;
    if (i < end && b[i] === COLON) {
      second = i + 3 <= end ? two(b, i + 1) : -1;
      if (second < 0) return -1;
      i += 3;
      if (i < end && b[i] === DOT) {
        // Fractional seconds: the first three digits are the milliseconds, the rest truncated (1-9 digits).
        i++;
        let n = 0;
        for (; i < end; i++) {
          const d = b[i] - ZERO;
          if (d < 0 || d > 9) break;
          if (n < 3) ms = ms * 10 + d;
          n++;
        }
        if (n === 0 || n > 9) return -1;
        for (let k = n; k < 3; k++) ms *= 10;
      }
    }
  } else if (compact) {
    minute = pos + 4 <= end ? two(b, pos + 2) : -1;
    i = pos + 4;
    const s = i < end && b[i] !== COMMA ? (i + 2 <= end ? two(b, i) : -1) : -2;
    if (s >= 0) { second = s; i += 2; } else if (s === -1) return -1;
  } else {
    return -1;
  }
  if (minute < 0 || minute > 59 || second > 59 || i > end) return -1;
  clock.utc = false;
  if (!compact && i < end && (b[i] === Z_UPPER || b[i] === Z_LOWER)) { clock.utc = true; i++; }
  if (i < end && b[i] !== COMMA) return -1;
  clock.ms = hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
  return i;
}

/** Wall time → epoch ms in `timeZone`; NaN inside a daylight-saving gap (the string path words the error). */
function toUtc(wall: number, utc: boolean, timeZone: string, zoneIsUtc: boolean): number {
  return utc || zoneIsUtc ? wall : wallTimeToUtc(wall, timeZone, 'reject');
}

/**
 * One timestamp field from `pos` up to the next comma or `end`: `YYYY-MM-DD` or `YYYY/MM/DD` with an optional
 * ` HH:MM[:SS[.fff]]` or `THH:MM[:SS[.fff]]` and an optional `Z`, `YYYYMMDD`, epoch seconds (10 digits, optional
 * fraction) or milliseconds (13 digits). NaN for anything else, including values `readTimestamp` refuses.
 *
 * @example
 * scanTimestamp(Buffer.from('2006-01-02 09:01:00,1'), 0, 21, 'UTC', true); // Date.UTC(2006, 0, 2, 9, 1)
 */
export function scanTimestamp(b: Uint8Array, pos: number, end: number, timeZone: string, zoneIsUtc: boolean): number {
  let digits = 0;
  while (pos + digits < end && b[pos + digits] - ZERO >= 0 && b[pos + digits] - ZERO <= 9) digits++;
  const after = pos + digits;
  if (digits === 4) {
    const next = scanDate(b, pos, end, false);
    if (next < 0) return NaN;
    const day = civilToEpochMs(date.year, date.month, date.day, 0, 0, 0, 0);
    if (next === end || b[next] === COMMA) {
      scan.end = next;
      return toUtc(day, false, timeZone, zoneIsUtc);
    }
    if (b[next] !== SPACE && b[next] !== T) return NaN;
    const stop = scanClock(b, next + 1, end, false);
    if (stop < 0) return NaN;
    scan.end = stop;
    return toUtc(day + clock.ms, clock.utc, timeZone, zoneIsUtc);
  }
  if (after < end && b[after] !== COMMA && !(digits === 10 && b[after] === DOT)) return NaN;
  if (digits === 8) {
    if (scanDate(b, pos, end, true) < 0) return NaN;
    scan.end = after;
    return toUtc(civilToEpochMs(date.year, date.month, date.day, 0, 0, 0, 0), false, timeZone, zoneIsUtc);
  }
  if (digits === 13) {
    scan.end = after;
    return integerAt(b, pos, after);
  }
  if (digits !== 10) return NaN;
  let ms = 0;
  let i = after;
  if (i < end && b[i] === DOT) {
    i++;
    let n = 0;
    for (; i < end && b[i] !== COMMA; i++) {
      const d = b[i] - ZERO;
      if (d < 0 || d > 9) return NaN;
      if (n < 3) ms = ms * 10 + d;
      n++;
    }
    if (n === 0 || n > 9) return NaN;
    for (let k = n; k < 3; k++) ms *= 10;
  }
  scan.end = i;
  return integerAt(b, pos, after) * 1000 + ms;
}

/**
 * A timestamp split over a date field (`YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`) and a time field (`HH:MM`,
 * `HH:MM:SS[.fff]`, `HHMM`, `HHMMSS`), each ending at a comma or its `end`; NaN for anything else.
 *
 * @example
 * scanDateTime(buf, 0, 10, 11, 19, 'UTC', true); // '2006-01-02,09:01:00' → Date.UTC(2006, 0, 2, 9, 1)
 */
export function scanDateTime(
  b: Uint8Array, datePos: number, dateEnd: number, timePos: number, timeEnd: number, timeZone: string, zoneIsUtc: boolean,
): number {
  const next = scanDate(b, datePos, dateEnd, true);
  if (next < 0 || (next < dateEnd && b[next] !== COMMA)) return NaN;
  const stop = scanClock(b, timePos, timeEnd, true);
  if (stop < 0) return NaN;
  return toUtc(civilToEpochMs(date.year, date.month, date.day, 0, 0, 0, 0) + clock.ms, false, timeZone, zoneIsUtc);
}

function integerAt(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (b[i] - ZERO);
  return v;
}
