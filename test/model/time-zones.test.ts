import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wallTimeToUtc, zoneOffsetMs } from '../../src/model/index.ts';

const H = 3_600_000;

test('zone offsets from Intl, including half-hour zones and both DST seasons', () => {
  assert.equal(zoneOffsetMs(Date.UTC(2006, 0, 2), 'America/New_York'), -5 * H);
  assert.equal(zoneOffsetMs(Date.UTC(2006, 6, 2), 'America/New_York'), -4 * H);
  assert.equal(zoneOffsetMs(Date.UTC(2006, 0, 2), 'Asia/Kolkata'), 5.5 * H);
  assert.equal(zoneOffsetMs(Date.UTC(2006, 0, 2), 'UTC'), 0);
  // exactly at the US spring change (07:00Z) and one ms before it
  assert.equal(zoneOffsetMs(Date.UTC(2024, 2, 10, 7) - 1, 'America/New_York'), -5 * H);
  assert.equal(zoneOffsetMs(Date.UTC(2024, 2, 10, 7), 'America/New_York'), -4 * H);
});

test('wall time → UTC round-trips every 15 minutes across a whole DST year', () => {
  const zone = 'America/New_York';
  const firstOccurrence: string[] = [];
  for (let utc = Date.UTC(2024, 0, 1); utc < Date.UTC(2025, 0, 1); utc += 15 * 60_000) {
    const back = wallTimeToUtc(utc + zoneOffsetMs(utc, zone), zone);
    if (back === utc) continue;
    assert.equal(back, utc - H, `at ${new Date(utc).toISOString()}`);
    firstOccurrence.push(new Date(utc).toISOString().slice(11, 16));
  }
  // only the second pass through 01:00-01:59 EST (06:00-06:59Z on 3 Nov) maps to the first one
  assert.deepEqual(firstOccurrence, ['06:00', '06:15', '06:30', '06:45']);
});

test('skipped wall times move forward by default, or are rejected', () => {
  const wall = Date.UTC(2024, 2, 10, 2, 30);
  assert.equal(wallTimeToUtc(wall, 'America/New_York'), Date.UTC(2024, 2, 10, 7, 30));
  assert.ok(Number.isNaN(wallTimeToUtc(wall, 'America/New_York', 'reject')));
  assert.equal(wallTimeToUtc(wall, 'UTC', 'reject'), wall);
});
