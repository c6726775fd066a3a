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

/** Sessions with times in minutes and days as flags (index 0 = mon), so a check is arithmetic only. */
export interface CompiledSessions {
  readonly source: Sessions;
  readonly zone: string;
  readonly windows: ReadonlyArray<{ readonly days: readonly boolean[]; readonly start: number; readonly end: number }>;
}

export function compileSessions(sessions: Sessions): CompiledSessions {
  return {
    source: sessions,
    zone: sessions.zone,
    windows: sessions.windows.map((w) => ({ days: WEEKDAYS.map((d) => w.days.includes(d)), start: minutesOfDay(w.start), end: minutesOfDay(w.end) })),
  };
}

/**
 * True when `utcMs` falls in one of the session windows. A window whose end is before its start runs past
 * midnight and belongs to the day it starts on (a Sunday 18:00–17:00 futures session is listed under sun).
 *
 * @example isInSession(Date.UTC(2024, 0, 2, 15), compileSessions({ zone: 'America/New_York', windows: [{ days: ['tue'], start: '09:30', end: '16:00' }] })) // true
 */
export function isInSession(utcMs: number, sessions: CompiledSessions): boolean {
  const local = utcMs + zoneOffsetMs(utcMs, sessions.zone);
  const dayIndex = Math.floor(local / DAY_MS);
  const minute = Math.floor((local - dayIndex * DAY_MS) / MINUTE_MS);
  const day = (((dayIndex + 3) % 7) + 7) % 7;
  const prev = (day + 6) % 7;
  const ws = sessions.windows;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (w.end > w.start) {
      if (minute >= w.start && minute < w.end && w.days[day]) return true;
    } else {
      if (minute >= w.start && w.days[day]) return true;
      if (minute < w.end && w.days[prev]) return true;
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
