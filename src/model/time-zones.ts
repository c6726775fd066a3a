import { KeelError } from './errors.ts';

/**
 * Wall-clock time ↔ UTC for IANA time zones, using only `Intl.DateTimeFormat` (no tz database of our own).
 * Files from brokers and exchanges are often stamped in exchange-local time; Keel stores UTC epoch ms.
 *
 * Offsets are cached per hour: `Intl` costs microseconds per call and a file has millions of rows, but an
 * offset only changes at a transition, so one lookup per hour of data is enough. A cached hour is one with
 * no transition within a day of it; hours near a transition are resolved exactly every time.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Cache size cap per zone; past it the cache restarts (memory stays bounded on any input). */
const MAX_CACHED_HOURS = 200_000;

interface Zone {
  readonly format: Intl.DateTimeFormat;
  /** wall hour index → offset (ms) valid for every wall time in that hour */
  readonly wallHours: Map<number, number>;
  /** UTC hour index → offset (ms) valid for every instant in that hour */
  readonly utcHours: Map<number, number>;
  /** UTC day index → offset (ms) valid for the whole day (days without a transition) */
  readonly utcDays: Map<number, number>;
}

const zones = new Map<string, Zone>();

/** True for the names that mean UTC; they skip `Intl` entirely. */
export function isUtcZone(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC' || timeZone === 'GMT' || timeZone === 'Etc/GMT' || timeZone === 'Z';
}

/**
 * Throws a KeelError unless `timeZone` is an IANA name the runtime knows.
 *
 * @example
 * assertTimeZone('America/New_York'); // ok
 * assertTimeZone('New York');         // KeelError BAD_TIME_ZONE
 */
export function assertTimeZone(timeZone: string): void {
  if (!isUtcZone(timeZone)) zoneOf(timeZone);
}

function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (zone) return zone;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    throw new KeelError('BAD_TIME_ZONE', 'is not a known IANA time zone', {
      field: 'timeZone', value: timeZone, hint: 'use a name such as UTC, America/New_York or Europe/London',
    });
  }
  zone = { format, wallHours: new Map(), utcHours: new Map(), utcDays: new Map() };
  zones.set(timeZone, zone);
  return zone;
}

/** Offset of the zone from UTC at a UTC instant, in ms (New York in winter → -18,000,000). Exact, uncached. */
function exactOffset(zone: Zone, utcMs: number): number {
  const wholeSecond = Math.floor(utcMs / 1000) * 1000;
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of zone.format.formatToParts(wholeSecond)) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
    }
  }
  return civilToEpochMs(y, mo, d, h, mi, s, 0) - wholeSecond;
}

/**
 * Offset of `timeZone` from UTC at the UTC instant `utcMs`, in ms (positive east of Greenwich).
 *
 * @example
 * zoneOffsetMs(Date.UTC(2006, 0, 2), 'America/New_York'); // -18000000 (EST, UTC-5)
 */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  if (isUtcZone(timeZone)) return 0;
  const zone = zoneOf(timeZone);
  // Most days have no transition: one entry per day keeps the risk gate's session checks and daily resets off
  // Intl (microseconds a call). A day qualifies when it starts and ends on the same offset; zones never
  // change offset and back within one day.
  const day = Math.floor(utcMs / DAY_MS);
  const daily = zone.utcDays.get(day);
  if (daily !== undefined) return daily;
  const dayStart = day * DAY_MS;
  const startOffset = exactOffset(zone, dayStart);
  if (exactOffset(zone, dayStart + DAY_MS - 1000) === startOffset) {
    remember(zone.utcDays, day, startOffset);
    return startOffset;
  }
  const hour = Math.floor(utcMs / HOUR_MS);
  const cached = zone.utcHours.get(hour);
  if (cached !== undefined) return cached;
  const start = hour * HOUR_MS;
  const offset = exactOffset(zone, start);
  // Cache only when the whole hour has one offset (historic zones changed offset at odd minutes).
  if (exactOffset(zone, start + HOUR_MS - 1) === offset) {
    remember(zone.utcHours, hour, offset);
    return offset;
  }
  return exactOffset(zone, utcMs);
}

/**
 * The UTC instant of a wall-clock time in `timeZone`. `wallMs` is the wall time written as if it were UTC
 * (e.g. `Date.UTC(2006, 0, 2, 9, 1)` for 2006-01-02 09:01). At a DST change a repeated wall time maps
 * to its first occurrence; a skipped one (the spring-forward hole) is moved forward by the length of the
 * hole, as clocks would show it (the "compatible" rule of Temporal), or gives NaN with `skipped: 'reject'`.
 *
 * @example
 * wallTimeToUtc(Date.UTC(2006, 0, 2, 9, 1), 'America/New_York');           // Date.UTC(2006, 0, 2, 14, 1)
 * wallTimeToUtc(Date.UTC(2024, 2, 10, 2, 30), 'America/New_York');          // 07:30Z (= 03:30 EDT)
 * wallTimeToUtc(Date.UTC(2024, 2, 10, 2, 30), 'America/New_York', 'reject'); // NaN
 */
export function wallTimeToUtc(wallMs: number, timeZone: string, skipped: 'forward' | 'reject' = 'forward'): number {
  if (isUtcZone(timeZone)) return wallMs;
  const zone = zoneOf(timeZone);
  const hour = Math.floor(wallMs / HOUR_MS);
  const cached = zone.wallHours.get(hour);
  if (cached !== undefined) return wallMs - cached;
  // Offsets never exceed ±14 h, so the instants a day either side bracket every candidate.
  const before = exactOffset(zone, wallMs - DAY_MS);
  const after = exactOffset(zone, wallMs + DAY_MS);
  if (before === after) {
    remember(zone.wallHours, hour, before);
    return wallMs - before;
  }
  const early = wallMs - before; // the instant if the pre-transition offset applies
  const late = wallMs - after;
  const earlyOk = exactOffset(zone, early) === before;
  const lateOk = exactOffset(zone, late) === after;
  if (earlyOk && lateOk) return Math.min(early, late); // repeated hour: first occurrence
  if (earlyOk) return early;
  if (lateOk) return late;
  // Skipped hour: the pre-transition offset pushes it forward past the hole.
  return skipped === 'reject' ? NaN : early;
}

function remember(cache: Map<number, number>, key: number, offset: number): void {
  if (cache.size >= MAX_CACHED_HOURS) cache.clear();
  cache.set(key, offset);
}

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil; exact for any year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Epoch ms of a calendar date and time of day read as UTC (no range checks; callers validate). */
export function civilToEpochMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  return daysFromCivil(y, mo, d) * DAY_MS + h * HOUR_MS + mi * MINUTE_MS + s * 1000 + ms;
}

/** Local calendar day index (days since 1970-01-01) of a UTC instant in `timeZone`. */
export function localDayIndex(utcMs: number, timeZone: string): number {
  return Math.floor((utcMs + zoneOffsetMs(utcMs, timeZone)) / DAY_MS);
}
