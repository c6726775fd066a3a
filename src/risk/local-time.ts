import { wallTimeToUtc, zoneOffsetMs } from '../model/index.ts';
import type { Sessions, Weekday } from './config.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
// 1970-01-01 was a Thursday; index 0 = mon.
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "09:30" → 570. The config parser has validated the format. */
export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Weekday and minute of the day of a UTC instant, in a zone. */
export function localClock(utcMs: number, zone: string): { readonly weekday: Weekday; readonly minute: number } {
  const local = utcMs + zoneOffsetMs(utcMs, zone);
  const day = Math.floor(local / DAY_MS);
  return { weekday: WEEKDAYS[(((day + 3) % 7) + 7) % 7], minute: Math.floor((local - day * DAY_MS) / MINUTE_MS) };
}

function previousDay(d: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(d) + 6) % 7];
}

/**
 * True when `utcMs` falls in one of the session windows. A window whose end is before its start runs past
 * midnight and belongs to the day it starts on (a Sunday 18:00–17:00 futures session is listed under sun).
 *
 * @example isInSession(Date.UTC(2024, 0, 2, 15), { zone: 'America/New_York', windows: [{ days: ['tue'], start: '09:30', end: '16:00' }] }) // true
 */
export function isInSession(utcMs: number, sessions: Sessions): boolean {
  const { weekday, minute } = localClock(utcMs, sessions.zone);
  for (const w of sessions.windows) {
    const start = minutesOfDay(w.start);
    const end = minutesOfDay(w.end);
    if (end > start) {
      if (minute >= start && minute < end && w.days.includes(weekday)) return true;
    } else {
      if (minute >= start && w.days.includes(weekday)) return true;
      if (minute < end && w.days.includes(previousDay(weekday))) return true;
    }
  }
  return false;
}

/**
 * The first instant strictly after `utcMs` at which the local clock in `zone` reads `hhmm` (a daily reset).
 * DST holes move the reset forward, as a wall clock would.
 */
export function nextLocalTime(utcMs: number, hhmm: string, zone: string): number {
  const local = utcMs + zoneOffsetMs(utcMs, zone);
  const day = Math.floor(local / DAY_MS);
  const at = minutesOfDay(hhmm) * MINUTE_MS;
  for (let d = day; d <= day + 2; d++) {
    const t = wallTimeToUtc(d * DAY_MS + at, zone);
    if (t > utcMs) return t;
  }
  return wallTimeToUtc((day + 3) * DAY_MS + at, zone);
}
