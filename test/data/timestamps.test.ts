import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError } from '../../src/model/index.ts';
import { parseDateTimeFields, parseTimestamp } from '../../src/data/index.ts';

test('date-only and ISO forms, without offset, read as UTC by default', () => {
  assert.equal(parseTimestamp('2006-01-02'), Date.UTC(2006, 0, 2));
  assert.equal(parseTimestamp('2006-01-02 09:01'), Date.UTC(2006, 0, 2, 9, 1));
  assert.equal(parseTimestamp('2006-01-02 09:01:05'), Date.UTC(2006, 0, 2, 9, 1, 5));
  assert.equal(parseTimestamp('2006-01-02 09:01:05.5'), Date.UTC(2006, 0, 2, 9, 1, 5, 500));
  assert.equal(parseTimestamp('2015-09-23T20:57:42.146'), Date.UTC(2015, 8, 23, 20, 57, 42, 146));
  assert.equal(parseTimestamp('2015-09-23T20:57:42.146789'), Date.UTC(2015, 8, 23, 20, 57, 42, 146), 'sub-ms digits truncated');
  assert.equal(parseTimestamp('  2006/01/02 '), Date.UTC(2006, 0, 2));
});

test('explicit offsets win over the time zone argument', () => {
  const z = Date.UTC(2015, 8, 23, 20, 57, 42);
  assert.equal(parseTimestamp('2015-09-23T20:57:42Z', 'Asia/Tokyo'), z);
  assert.equal(parseTimestamp('2015-09-23T22:57:42+02:00', 'America/New_York'), z);
  assert.equal(parseTimestamp('2015-09-23T15:27:42-0530'), z);
  assert.equal(parseTimestamp('2015-09-23T23:57:42+03'), z);
});

test('compact dates and epoch numbers', () => {
  assert.equal(parseTimestamp('20060102'), Date.UTC(2006, 0, 2));
  assert.equal(parseTimestamp('1136192460'), Date.UTC(2006, 0, 2, 9, 1), '10 digits = seconds');
  assert.equal(parseTimestamp('1136192460123'), Date.UTC(2006, 0, 2, 9, 1, 0, 123), '13 digits = ms');
  assert.equal(parseTimestamp('1136192460', 'America/New_York'), Date.UTC(2006, 0, 2, 9, 1), 'epochs are absolute');
});

test('year-last dates are MDY by default, DMY on request, refused under YMD', () => {
  assert.equal(parseTimestamp('02/03/2010 16:53:50'), Date.UTC(2010, 1, 3, 16, 53, 50));
  assert.equal(parseTimestamp('02/03/2010 16:53:50', 'UTC', 'MDY'), Date.UTC(2010, 1, 3, 16, 53, 50));
  assert.equal(parseTimestamp('02/03/2010 16:53:50', 'UTC', 'DMY'), Date.UTC(2010, 2, 2, 16, 53, 50));
  assert.equal(parseTimestamp('25.12.2010', 'UTC', 'DMY'), Date.UTC(2010, 11, 25));
  assert.equal(parseTimestamp('2/3/2010 4:53:50 PM'), Date.UTC(2010, 1, 3, 16, 53, 50));
  assert.equal(parseTimestamp('2/3/2010 12:05:00 AM'), Date.UTC(2010, 1, 3, 0, 5));
  assert.throws(() => parseTimestamp('13/02/2010'), /month\/day\/year.*dateFormat DMY/);
  assert.throws(() => parseTimestamp('02/13/2010', 'UTC', 'DMY'), /day\/month\/year.*dateFormat MDY/);
  assert.throws(() => parseTimestamp('02/03/2010', 'UTC', 'YMD'), /year last/);
  assert.equal(parseTimestamp('2010-02-03', 'UTC', 'DMY'), Date.UTC(2010, 1, 3), 'year-first is never ambiguous');
});

test('wall time in a zone: New York winter and summer, Kolkata +05:30', () => {
  assert.equal(parseTimestamp('2006-01-02 09:01:00', 'America/New_York'), Date.UTC(2006, 0, 2, 14, 1));
  assert.equal(parseTimestamp('2006-07-03 09:30:00', 'America/New_York'), Date.UTC(2006, 6, 3, 13, 30));
  assert.equal(parseTimestamp('2006-07-03 09:30:00', 'Europe/London'), Date.UTC(2006, 6, 3, 8, 30));
  assert.equal(parseTimestamp('2006-01-02', 'Asia/Kolkata'), Date.UTC(2006, 0, 1, 18, 30));
});

test('DST changes: both sides exact, the repeated hour is its first occurrence, the skipped hour is refused', () => {
  // US 2024: clocks 02:00 EST → 03:00 EDT on 10 March, 02:00 EDT → 01:00 EST on 3 November.
  assert.equal(parseTimestamp('2024-03-10 01:59:00', 'America/New_York'), Date.UTC(2024, 2, 10, 6, 59));
  assert.equal(parseTimestamp('2024-03-10 03:00:00', 'America/New_York'), Date.UTC(2024, 2, 10, 7, 0));
  assert.throws(() => parseTimestamp('2024-03-10 02:30:00', 'America/New_York'), /does not exist in America\/New_York/);
  assert.equal(parseTimestamp('2024-11-03 00:59:00', 'America/New_York'), Date.UTC(2024, 10, 3, 4, 59));
  assert.equal(parseTimestamp('2024-11-03 01:30:00', 'America/New_York'), Date.UTC(2024, 10, 3, 5, 30), 'first 01:30 is EDT');
  assert.equal(parseTimestamp('2024-11-03 02:00:00', 'America/New_York'), Date.UTC(2024, 10, 3, 7, 0));
  // Lord Howe Island moves by 30 minutes; Europe on the last Sunday of March at 01:00 UTC.
  assert.equal(parseTimestamp('2024-04-07 01:45:00', 'Australia/Lord_Howe'), Date.UTC(2024, 3, 6, 14, 45), 'first 01:45 is +11:00');
  assert.equal(parseTimestamp('2024-03-31 03:00:00', 'Europe/Berlin'), Date.UTC(2024, 2, 31, 1, 0));
  assert.equal(parseTimestamp('2024-03-30 03:00:00', 'Europe/Berlin'), Date.UTC(2024, 2, 30, 2, 0));
});

test('bad timestamps are KeelErrors naming the field and value', () => {
  const cases: [string, RegExp][] = [
    ['2006-13-01', /month 13/],
    ['2006-02-29', /day 29, which 2006-02 does not have/],
    ['2006-01-02 24:00:00', /hour 24/],
    ['2006-01-02 09:60', /minute 60/],
    ['yesterday', /not a recognised date\/time/],
    ['', /is empty/],
    ['123456789', /not a recognised/],
  ];
  for (const [text, reason] of cases) {
    assert.throws(() => parseTimestamp(text), (e: unknown) => {
      assert.ok(e instanceof KeelError, text);
      assert.equal(e.code, 'BAD_TIMESTAMP');
      assert.equal(e.field, 'time');
      assert.equal(e.value, text);
      assert.match(e.message, reason);
      return true;
    });
  }
  assert.equal(parseTimestamp('2008-02-29'), Date.UTC(2008, 1, 29), 'leap day exists in 2008');
  assert.throws(() => parseTimestamp('2006-01-02', 'Mars/Olympus'), (e: unknown) => e instanceof KeelError && e.code === 'BAD_TIME_ZONE');
});

test('parseDateTimeFields joins a date and a time of day, and blames the right one', () => {
  assert.equal(parseDateTimeFields('2006-01-02', '09:01:00', 'America/New_York'), Date.UTC(2006, 0, 2, 14, 1));
  assert.equal(parseDateTimeFields('20060102', '0901'), Date.UTC(2006, 0, 2, 9, 1));
  assert.equal(parseDateTimeFields('20060102', '090105'), Date.UTC(2006, 0, 2, 9, 1, 5));
  assert.equal(parseDateTimeFields('02/03/2010', '16:53:50', 'UTC', 'DMY'), Date.UTC(2010, 2, 2, 16, 53, 50));
  assert.throws(() => parseDateTimeFields('2006-01-32', '09:01:00'), (e: unknown) => e instanceof KeelError && e.field === 'date' && e.value === '2006-01-32');
  assert.throws(() => parseDateTimeFields('2006-01-02', '25:00:00'), (e: unknown) => e instanceof KeelError && e.field === 'time' && /hour 25/.test(e.message));
  assert.throws(() => parseDateTimeFields('2006-01-02', 'noon'), (e: unknown) => e instanceof KeelError && e.field === 'time' && /not a time of day/.test(e.message));
});
