import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan, scanDateTime, scanNumber, scanTimestamp } from '../../src/data/fast-fields.ts';
import { decimalsOf } from '../../src/model/index.ts';
import { readDateTimeFields, readTimestamp } from '../../src/data/timestamps.ts';

/** A seeded generator, so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

test('scanNumber gives Number(text) exactly, and the decimals decimalsOf counts, for plain decimals', () => {
  const rnd = random(7);
  const cases = ['0', '-0', '+3.', '.25', '5.', '00012.50', '0.000000', '123456789012345', '0.1', '0.30000000000000004'.slice(0, 17),
    '9007199254740.99', '2.179012', '36301200', '-1.5', '1.000'];
  for (let i = 0; i < 20_000; i++) {
    const intDigits = Math.floor(rnd() * 10);
    const fracDigits = Math.floor(rnd() * 9);
    let t = rnd() < 0.1 ? '-' : '';
    for (let k = 0; k < intDigits; k++) t += String(Math.floor(rnd() * 10));
    if (fracDigits > 0 || intDigits === 0) t += '.';
    for (let k = 0; k < fracDigits; k++) t += String(Math.floor(rnd() * 10));
    cases.push(t);
  }
  for (const text of cases) {
    const v = scanNumber(bytes(`${text},x`), 0, text.length + 2);
    if (Number.isNaN(v)) {
      assert.ok(!/\d/.test(text) || text.replace(/^[-+]?0*\.?0*/, '').replace('.', '').length > 15, `declined ${text}`);
      continue;
    }
    assert.ok(Object.is(v, Number(text)), `${text}: ${v} vs ${Number(text)}`);
    assert.equal(scan.end, text.length, text);
    assert.equal(scan.decimals, decimalsOf(text), text);
  }
});

test('scanNumber declines what is not a plain decimal with at most 15 significant digits', () => {
  for (const text of ['', '-', '.', '+', '1234567890123456', '0.0000000000000000000001234']) {
    assert.ok(Number.isNaN(scanNumber(bytes(text), 0, text.length)), text);
  }
  // Exponents, hex, spaces: the number stops early, and the caller sees no comma there.
  for (const text of ['1e3', '0x1F', '1 ', '1.2.3', 'Infinity']) {
    const v = scanNumber(bytes(text), 0, text.length);
    assert.ok(Number.isNaN(v) || scan.end < text.length, text);
  }
});

const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata'];

/** What the string path makes of a timestamp text: a number, or undefined for a problem. */
function expected(text: string, zone: string): number | undefined {
  const r = readTimestamp(text, zone);
  return typeof r === 'number' ? r : undefined;
}

test('scanTimestamp agrees with readTimestamp wherever it answers, and answers the common forms', () => {
  const rnd = random(11);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const texts: string[] = ['2006-01-02', '2006-01-02 09:01', '2015-09-23T20:57:42.146Z', '2015-09-23T20:57:42.146789', '20060102',
    '1136192460', '1136192460.5', '1136192460123', '2008-02-29', '2007-02-29', '2006-13-01', '2006-01-02 24:00', '2006-01-02 09:60',
    '2006-03-12 02:30:00', '2006-10-29 01:30:00', '2006-03-26 01:30:00', '2006-01-02t09:01', '2006-01-02 9:01', '2006-01-02T09:01:00+02:00',
    '2006/01/02 09:01:00', '2006-01/02', '2006-01-02 09:01:00.', '2006-01-02 09:01:00.1234567891', '02/03/2010 16:53:50', '99999999'];
  for (let i = 0; i < 20_000; i++) {
    const y = 1990 + Math.floor(rnd() * 40);
    const mo = 1 + Math.floor(rnd() * 13);
    const d = 1 + Math.floor(rnd() * 31);
    const h = Math.floor(rnd() * 25);
    const mi = Math.floor(rnd() * 61);
    const s = Math.floor(rnd() * 61);
    const form = Math.floor(rnd() * 5);
    const date = `${y}-${pad(mo)}-${pad(d)}`;
    texts.push(form === 0 ? date : form === 1 ? `${date} ${pad(h)}:${pad(mi)}:${pad(s)}` : form === 2 ? `${date}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(Math.floor(rnd() * 1000), 3)}Z`
      : form === 3 ? `${y}${pad(mo)}${pad(d)}` : String(Math.floor(rnd() * 2e9)));
  }
  let answered = 0;
  for (const text of texts) {
    for (const zone of ZONES) {
      const v = scanTimestamp(bytes(`${text},1`), 0, text.length + 2, zone, zone === 'UTC');
      const want = expected(text, zone);
      if (Number.isNaN(v)) {
        continue; // declined: the string path reads it (and words any problem)
      }
      answered++;
      assert.equal(v, want, `${text} in ${zone}`);
      assert.equal(scan.end, text.length, text);
    }
  }
  assert.ok(answered > texts.length * ZONES.length * 0.5, `the byte path answers most forms (${answered})`);
  for (const text of ['2006-01-02', '2006-01-02 09:01:00', '2006-01-02T09:01:00Z', '20060102', '1136192460', '1136192460123']) {
    assert.ok(!Number.isNaN(scanTimestamp(bytes(text), 0, text.length, 'UTC', true)), `answers ${text}`);
  }
});

test('scanDateTime agrees with readDateTimeFields for a date and a time field', () => {
  const cases: Array<[string, string]> = [['2006-01-02', '09:01:00'], ['20060102', '0901'], ['20060102', '090105'], ['2006-01-02', '09:01'],
    ['2006-01-02', '09:01:05.250'], ['2006-01-02', '24:00'], ['2006-02-30', '09:01'], ['2006-01-02', '0960'], ['2006-01-02', '09015'],
    ['2006-03-12', '02:30:00'], ['2006/01/02', '23:59:59']];
  for (const [date, time] of cases) {
    for (const zone of ZONES) {
      const line = `${date},${time}`;
      const v = scanDateTime(bytes(line), 0, line.length, date.length + 1, line.length, zone, zone === 'UTC');
      if (Number.isNaN(v)) continue;
      assert.equal(v, readDateTimeFields(date, time, zone), `${date} ${time} in ${zone}`);
    }
  }
});
