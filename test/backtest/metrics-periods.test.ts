import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inferPeriodsPerYear } from '../../src/backtest/metrics/index.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Every calendar day from `start` for `count` days at 00:00 UTC. */
function calendarDays(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i * DAY);
}

/** Weekdays only: Saturday (6) and Sunday (0) dropped, checked with Date so it is independent of the code. */
function weekdays(start: number, calendarCount: number, offsetMs = 0): number[] {
  return calendarDays(start, calendarCount)
    .filter((t) => ![0, 6].includes(new Date(t).getUTCDay()))
    .map((t) => t + offsetMs);
}

test('daily bars of a weekday market → 252, even with holidays removed', () => {
  const days = weekdays(Date.UTC(2023, 0, 2), 730).filter((_, i) => i % 40 !== 7); // ~2% holidays
  assert.equal(inferPeriodsPerYear(days), 252);
});

test('daily bars every calendar day (crypto) → 365', () => {
  assert.equal(inferPeriodsPerYear(calendarDays(Date.UTC(2023, 0, 1), 500)), 365);
});

test('daily bars stamped at Tokyo midnight (Sunday–Thursday in UTC) are still a 5-day week → 252', () => {
  // 2023-01-02 00:00 JST is 2023-01-01 15:00 UTC, a Sunday in UTC.
  const days = weekdays(Date.UTC(2023, 0, 2), 400, -9 * HOUR);
  assert.equal(new Date(days[0]).getUTCDay(), 0);
  assert.equal(inferPeriodsPerYear(days), 252);
});

test('daily bars with a DST shift in local-midnight stamps (23 h / 25 h gaps) → 252', () => {
  // New York midnight: 05:00 UTC in winter, 04:00 UTC in summer.
  const days = weekdays(Date.UTC(2023, 0, 2), 365).map((t) => {
    const month = new Date(t).getUTCMonth();
    return t + (month >= 2 && month <= 9 ? 4 : 5) * HOUR;
  });
  assert.equal(inferPeriodsPerYear(days), 252);
});

test('weekly bars (Fridays, one holiday week closing on Thursday) → 52', () => {
  const fridays = Array.from({ length: 104 }, (_, i) => Date.UTC(2023, 0, 6) + i * 7 * DAY);
  fridays[15] -= DAY;
  assert.equal(inferPeriodsPerYear(fridays), 52);
});

test('monthly bars at month end → 12', () => {
  const monthEnds = Array.from({ length: 36 }, (_, i) => Date.UTC(2020, i + 1, 0));
  assert.equal(inferPeriodsPerYear(monthEnds), 12);
});

test('monthly BTCUSD reference file (real month-end dates) → 12', () => {
  const lines = readFileSync(new URL('../../../shared/data/daily/BTCUSD-monthly-2012-2024.csv', import.meta.url), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
  const times = lines.map((line) => Date.parse(line.split(',')[0] + 'T00:00:00Z'));
  assert.equal(inferPeriodsPerYear(times), 12);
});

test('quarterly → 4, yearly → 1', () => {
  assert.equal(inferPeriodsPerYear(Array.from({ length: 20 }, (_, i) => Date.UTC(2020, 3 * i + 3, 0))), 4);
  assert.equal(inferPeriodsPerYear(Array.from({ length: 10 }, (_, i) => Date.UTC(2010 + i, 11, 31))), 1);
});

test('hourly FX, 24 h × 5 days (Monday–Friday UTC) → 24 × 252', () => {
  const hours = weekdays(Date.UTC(2023, 0, 2), 120).flatMap((day) => Array.from({ length: 24 }, (_, h) => day + h * HOUR));
  assert.equal(inferPeriodsPerYear(hours), 24 * 252);
});

test('hourly EURUSD reference file (Sunday-evening bars in UTC) → 24 × 252', () => {
  const lines = readFileSync(new URL('../../../shared/data/intraday/EURUSD-1h-2017-2018.csv', import.meta.url), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
  const times = lines.map((line) => Date.parse(line.split(',')[0].replace(' ', 'T') + 'Z'));
  // Independently: about 2% of the bars fall on a Sunday, none on a Saturday.
  const sundays = times.filter((t) => new Date(t).getUTCDay() === 0).length;
  assert.ok(sundays > 0 && sundays / times.length < 0.05);
  assert.equal(inferPeriodsPerYear(times), 24 * 252);
});

test('1-minute session bars (09:31–16:00, 390 a day, weekdays) → 390 × 252', () => {
  const minutes = weekdays(Date.UTC(2023, 0, 2), 60).flatMap((day) =>
    Array.from({ length: 390 }, (_, m) => day + 14 * HOUR + 31 * MINUTE + m * MINUTE),
  );
  assert.equal(inferPeriodsPerYear(minutes), 390 * 252);
});

test('1-minute bars around the clock every day (crypto) → 1440 × 365', () => {
  const minutes = Array.from({ length: 1440 * 10 }, (_, i) => Date.UTC(2023, 0, 1) + i * MINUTE);
  assert.equal(inferPeriodsPerYear(minutes), 1440 * 365);
});

test('a spacing outside every bucket (fortnightly) → 365.25 / spacing in days', () => {
  const fortnights = Array.from({ length: 30 }, (_, i) => Date.UTC(2023, 0, 2) + i * 14 * DAY);
  assert.equal(inferPeriodsPerYear(fortnights), 365.25 / 14);
});

test('fewer than two timestamps → the daily default 252', () => {
  assert.equal(inferPeriodsPerYear([]), 252);
  assert.equal(inferPeriodsPerYear([Date.UTC(2023, 0, 2)]), 252);
});
