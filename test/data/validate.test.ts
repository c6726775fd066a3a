import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, Quote, TradeTick } from '../../src/model/index.ts';
import { loadMarketData, validateBars, validateQuotes, validateTrades, type ValidationReport } from '../../src/data/index.ts';
import { tempCsv } from './temp-files.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;

function bar(ts: number, open: number, high: number, low: number, close: number, volume = 1): Bar {
  return { type: 'bar', instrumentId: 'X', ts, open, high, low, close, volume };
}

/** A calm series: closes wiggle about ±0.5%, each bar spans its open and close. */
function calm(times: readonly number[], start = 100): Bar[] {
  let price = start;
  return times.map((ts, i) => {
    const next = price * (1 + 0.005 * Math.sin(i * 1.7));
    const b = bar(ts, price, Math.max(price, next) * 1.001, Math.min(price, next) * 0.999, next);
    price = next;
    return b;
  });
}

/** Weekday midnights (UTC) from Monday 2024-01-01; `skip` holds day offsets (0 = 1 Jan) with no bar. */
function weekdays(count: number, skip: ReadonlySet<number> = new Set()): number[] {
  const out: number[] = [];
  for (let d = 0; out.length < count; d++) {
    const ts = Date.UTC(2024, 0, 1) + d * DAY;
    const dow = new Date(ts).getUTCDay();
    if (dow !== 0 && dow !== 6 && !skip.has(d)) out.push(ts);
  }
  return out;
}

function codes(r: ValidationReport, code: string): number[] {
  return r.warnings.filter((w) => w.code === code).map((w) => w.line);
}

test('a calm daily series is clean, weekends and one-day holidays included', () => {
  const r = validateBars(calm(weekdays(300, new Set([14, 45])))); // two holidays
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.intervalMs, DAY);
  assert.equal(r.layout, 'memory');
});

test('daily gaps: more than 4 missing weekdays is reported, 4 is not', () => {
  const four = new Set([21, 22, 23, 24]); // Mon 22 Jan .. Thu 25 Jan
  assert.deepEqual(codes(validateBars(calm(weekdays(100, four))), 'GAP'), []);
  const r = validateBars(calm(weekdays(100, new Set([21, 22, 23, 24, 25, 28]))));
  const gaps = r.warnings.filter((w) => w.code === 'GAP');
  assert.equal(gaps.length, 1);
  assert.equal(gaps[0].line, 17); // 15 weekdays before the gap → 16th bar is line 17
  assert.match(gaps[0].message, /6 business days without data since line 16 \(2024-01-19\)/);
});

test('intraday gaps: within a day beyond 10 intervals; nights are normal; missing days are not', () => {
  const times: number[] = [];
  for (const day of [1, 2, 3, 4, 5, 15, 16]) { // 6..12 Jan missing entirely (5 weekdays)
    for (let m = 0; m < 120; m++) {
      if (day === 3 && m >= 50 && m < 70) continue; // a 21-minute hole on the 3rd
      if (day === 4 && m >= 50 && m < 55) continue; // a 6-minute hole: tolerated
      times.push(Date.UTC(2024, 0, day, 14, 0) + m * MINUTE);
    }
  }
  const r = validateBars(calm(times));
  const gaps = r.warnings.filter((w) => w.code === 'GAP');
  assert.equal(gaps.length, 2, JSON.stringify(gaps));
  assert.match(gaps[0].message, /no data for 21m within the day .*about 20 1m bars missing/);
  assert.match(gaps[1].message, /5 business days without data since line \d+ \(2024-01-05T15:59:00Z\)/);
});

test('monthly data: a skipped month is a gap, month lengths are not', () => {
  const months = [...Array(24).keys()].filter((m) => m !== 10).map((m) => Date.UTC(2020, m + 1, 0)); // month ends
  const r = validateBars(calm(months));
  assert.deepEqual(codes(r, 'GAP'), [12]);
});

test('only the 10 biggest gaps are listed, the rest counted', () => {
  const times: number[] = [];
  let t = Date.UTC(2024, 0, 2, 1, 0);
  for (let i = 0; i < 600; i++) {
    times.push(t);
    t += i % 40 === 39 ? (12 + (i / 40)) * MINUTE : MINUTE; // 15 holes of growing size, same day
  }
  const r = validateBars(calm(times));
  const gaps = r.warnings.filter((w) => w.code === 'GAP');
  assert.equal(gaps.length, 11);
  assert.deepEqual(gaps.at(-1), { code: 'GAP', line: 0, message: '4 smaller gaps not listed', omitted: 4 });
  assert.ok(gaps.slice(0, 10).every((g) => g.line > 200), 'the later, bigger holes are the ones listed');
});

test('duplicate bar timestamps warn, and the loader keeps the first', () => {
  const path = tempCsv('dup.csv', 'Date,Open,High,Low,Close\n2006-01-02,10,11,9,10\n2006-01-02,20,21,19,20\n2006-01-03,10,11,9,10\n');
  const d = loadMarketData(path);
  assert.equal(d.kind, 'bars');
  if (d.kind !== 'bars') return;
  assert.deepEqual(d.bars.map((b) => b.open), [10, 10]);
  assert.equal(d.report.rows, 3);
  assert.deepEqual(d.report.warnings.map((w) => [w.code, w.line]), [['DUPLICATE_TIMESTAMP', 3]]);
  assert.match(d.report.warnings[0].message, /repeats line 2; the first is kept/);
});

test('OHLC inconsistencies other than high < low are warnings', () => {
  const t = Date.UTC(2024, 0, 2);
  const r = validateBars([bar(t, 10, 10.5, 9, 11), bar(t + DAY, 10, 11, 10.5, 10.8), bar(t + 2 * DAY, 10, 11, 9, 10)]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings.map((w) => [w.code, w.line, w.field]), [['HIGH_BELOW_OPEN_CLOSE', 2, 'high'], ['LOW_ABOVE_OPEN_CLOSE', 3, 'low']]);
});

test('outlier jumps: a bad print far beyond the typical move, flagged as a spike; real volatility is not', () => {
  const bars = calm(weekdays(200));
  const i = 120;
  const b = bars[i];
  bars[i] = bar(b.ts, b.open, b.close * 10, b.low, b.close * 10); // decimal point slipped
  const r = validateBars(bars);
  const jumps = r.warnings.filter((w) => w.code === 'OUTLIER_JUMP');
  assert.deepEqual(jumps.map((j) => j.line), [i + 2, i + 3]);
  assert.match(jumps[0].message, /moved \+\d+% .*reverses on the next row/);
  // a 30% move in a series that moves ±5% a day is below 10x its typical move
  const wild = weekdays(100).map((ts, k) => {
    const c = 100 * (k % 2 === 0 ? 1 : 1.05) * (k >= 50 ? 1.3 : 1);
    return bar(ts, c, c * 1.01, c * 0.99, c);
  });
  assert.deepEqual(codes(validateBars(wild), 'OUTLIER_JUMP'), []);
});

test('suspected unadjusted splits: 2-for-1 and 1-for-10, not a gap the market trades back into', () => {
  const bars = calm(weekdays(100));
  const halve = (k: number) => { const b = bars[k]; bars[k] = bar(b.ts, b.open / 2, b.high / 2, b.low / 2, b.close / 2); };
  for (let k = 40; k < 100; k++) halve(k);
  const r = validateBars(bars);
  assert.deepEqual(codes(r, 'SUSPECTED_SPLIT'), [42]);
  assert.match(r.warnings.find((w) => w.code === 'SUSPECTED_SPLIT')!.message, /1\/2 of the previous close .* unadjusted 2-for-1 split/);
  assert.deepEqual(codes(r, 'OUTLIER_JUMP'), [], 'the split explains the jump');

  const rev = calm(weekdays(60));
  for (let k = 30; k < 60; k++) { const b = rev[k]; rev[k] = bar(b.ts, b.open * 10, b.high * 10, b.low * 10, b.close * 10); }
  assert.match(validateBars(rev).warnings.find((w) => w.code === 'SUSPECTED_SPLIT')!.message, /1-for-10 reverse split/);

  const news = calm(weekdays(60));
  const p = news[29].close;
  news[30] = bar(news[30].ts, p / 2, p * 1.01, p / 2 * 0.99, p); // opens at half, trades back up: not a split
  assert.deepEqual(codes(validateBars(news), 'SUSPECTED_SPLIT'), []);
});

test('ticks: same-time prints are kept; identical ones warn', () => {
  const t = Date.UTC(2024, 0, 2, 9);
  const trade = (ts: number, price: number, size: number): TradeTick => ({ type: 'trade', instrumentId: 'X', ts, price, size });
  const r = validateTrades([trade(t, 10, 1), trade(t, 10.01, 1), trade(t, 10.01, 1), trade(t + 5, 10, 2)]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings.map((w) => [w.code, w.line]), [['DUPLICATE_TICK', 4]]);
});

test('quotes: crossed quotes and abnormally wide spreads warn', () => {
  const quote = (s: number, bid: number, ask: number): Quote => ({ type: 'quote', instrumentId: 'X', ts: Date.UTC(2024, 0, 2, 9) + s * 1000, bid, ask, bidSize: 1, askSize: 1 });
  const quotes = [...Array(40).keys()].map((s) => quote(s, 1.1000, 1.1002));
  quotes[10] = quote(10, 1.1003, 1.1001);
  quotes[20] = quote(20, 1.09, 1.11);
  const r = validateQuotes(quotes);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings.map((w) => [w.code, w.line]), [['CROSSED_QUOTE', 12], ['WIDE_SPREAD', 22]]);
});

test('expectedIntervalMs: a different median spacing is reported and gaps use the expected interval', () => {
  const times = [...Array(100).keys()].map((k) => Date.UTC(2024, 0, 2, 1) + k * 5 * MINUTE);
  const r = validateBars(calm(times), { expectedIntervalMs: MINUTE });
  assert.deepEqual(r.warnings.filter((w) => w.code === 'INTERVAL_MISMATCH').map((w) => w.message), ['median spacing is 5m, expected 1m']);
  assert.equal(r.intervalMs, 5 * MINUTE);
  assert.deepEqual(validateBars(calm(times), { expectedIntervalMs: 5 * MINUTE }).warnings, []);
});

test('in-memory series get the same fatal checks, with lines as if from a file', () => {
  const t = Date.UTC(2024, 0, 2);
  const r = validateBars([bar(t, 10, 11, 9, 10), bar(t + DAY, 10, 11, 9, NaN), bar(t - DAY, 10, 11, 9, 10)]);
  assert.deepEqual(r.errors.map((e) => [e.code, e.line, e.field]), [['NOT_A_NUMBER', 3, 'close'], ['OUT_OF_ORDER', 4, 'time']]);
  assert.equal(r.firstTs, t);
  assert.equal(r.lastTs, t);
});
