import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMarketData, type LoadedData } from '../../src/data/index.ts';

// Every file in ../shared/data, with the facts from its README table and its first and last lines.
const DATA = '../shared/data';

interface Expected {
  file: string; kind: LoadedData['kind']; id: string; layout: string; rows: number;
  first: string; last: string; priceDecimals: number; intervalMs: number;
}

const FILES: Expected[] = [
  { file: 'daily/ORCL-1995-2014.csv', kind: 'bars', id: 'ORCL', layout: 'yahoo', rows: 5036, first: '1995-01-03T00:00:00.000Z', last: '2014-12-31T00:00:00.000Z', priceDecimals: 6, intervalMs: 86_400_000 },
  { file: 'daily/YHOO-1996-2014.csv', kind: 'bars', id: 'YHOO', layout: 'yahoo', rows: 4713, first: '1996-04-12T00:00:00.000Z', last: '2014-12-31T00:00:00.000Z', priceDecimals: 6, intervalMs: 86_400_000 },
  { file: 'daily/NVDA-1999-2014.csv', kind: 'bars', id: 'NVDA', layout: 'yahoo', rows: 4012, first: '1999-01-22T00:00:00.000Z', last: '2014-12-31T00:00:00.000Z', priceDecimals: 6, intervalMs: 86_400_000 },
  { file: 'daily/GOOG-2004-2013.csv', kind: 'bars', id: 'GOOG', layout: 'ohlcv-unnamed-date', rows: 2148, first: '2004-08-19T00:00:00.000Z', last: '2013-03-01T00:00:00.000Z', priceDecimals: 2, intervalMs: 86_400_000 },
  { file: 'daily/BTCUSD-monthly-2012-2024.csv', kind: 'bars', id: 'BTCUSD', layout: 'ohlcv-unnamed-date', rows: 156, first: '2012-01-31T00:00:00.000Z', last: '2024-12-31T00:00:00.000Z', priceDecimals: 2, intervalMs: 31 * 86_400_000 },
  { file: 'intraday/EURUSD-1h-2017-2018.csv', kind: 'bars', id: 'EURUSD', layout: 'ohlcv-unnamed-date', rows: 5000, first: '2017-04-19T09:00:00.000Z', last: '2018-02-07T15:00:00.000Z', priceDecimals: 5, intervalMs: 3_600_000 },
  { file: 'intraday/index-future-1min-2006.csv', kind: 'bars', id: 'INDEX', layout: 'ohlcv-date-time-split', rows: 30889, first: '2006-01-02T09:01:00.000Z', last: '2006-02-27T22:00:00.000Z', priceDecimals: 0, intervalMs: 60_000 },
  { file: 'ticks/index-future-trades-2015.csv', kind: 'trades', id: 'INDEX', layout: 'ohlcv', rows: 135, first: '2015-09-23T20:57:42.146Z', last: '2015-09-23T21:00:00.238Z', priceDecimals: 0, intervalMs: 505 },
  { file: 'ticks/fx-bidask-2010.csv', kind: 'quotes', id: 'FX', layout: 'bid-ask', rows: 10, first: '2010-02-03T16:53:50.000Z', last: '2010-02-03T16:53:59.000Z', priceDecimals: 4, intervalMs: 1000 },
];

function eventsOf(d: LoadedData): readonly { ts: number }[] {
  switch (d.kind) {
    case 'bars': return d.bars;
    case 'trades': return d.trades;
    case 'quotes': return d.quotes;
  }
}

for (const f of FILES) {
  test(`loads ${f.file} as ${f.kind} (${f.layout})`, () => {
    const d = loadMarketData(`${DATA}/${f.file}`);
    assert.equal(d.kind, f.kind);
    assert.equal(d.instrumentId, f.id);
    assert.equal(d.layout, f.layout);
    assert.equal(d.priceDecimals, f.priceDecimals);
    assert.equal(d.intervalMs, f.intervalMs);
    assert.equal(d.report.rows, f.rows);
    assert.equal(d.report.errors.length, 0);
    const events = eventsOf(d);
    assert.equal(events.length, f.rows, 'no reference file has duplicate bars, and ticks are all kept');
    assert.equal(new Date(events[0].ts).toISOString(), f.first);
    assert.equal(new Date(events[events.length - 1].ts).toISOString(), f.last);
    assert.equal(d.report.firstTs, events[0].ts);
    assert.equal(d.report.lastTs, events[events.length - 1].ts);
    for (let i = 1; i < events.length; i++) assert.ok(events[i].ts >= events[i - 1].ts, `ordered at ${i}`);
  });
}

test('Yahoo bars carry the file values exactly, and Adj Close is ignored unless asked for', () => {
  const d = loadMarketData(`${DATA}/daily/ORCL-1995-2014.csv`);
  assert.equal(d.kind, 'bars');
  if (d.kind !== 'bars') return;
  assert.deepEqual(d.bars[0], {
    type: 'bar', instrumentId: 'ORCL', ts: Date.UTC(1995, 0, 3), open: 2.179012, high: 2.191358, low: 2.117284, close: 2.117284, volume: 36301200,
  });
  assert.equal(d.bars.at(-1)?.close, 44.970001);
});

test('useAdjustedClose scales OHLC by AdjClose/Close, rounded to the file decimals', () => {
  const d = loadMarketData(`${DATA}/daily/ORCL-1995-2014.csv`, { useAdjustedClose: true });
  assert.equal(d.kind, 'bars');
  if (d.kind !== 'bars') return;
  const b = d.bars[0]; // 1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200
  const f = 1.883304 / 2.117284;
  assert.equal(b.close, 1.883304);
  assert.equal(b.open, Math.round(2.179012 * f * 1e6) / 1e6);
  assert.equal(b.high, Math.round(2.191358 * f * 1e6) / 1e6);
  assert.equal(b.low, 1.883304);
  assert.equal(d.priceDecimals, 6);
});

test('the two-field date/time layout keeps every column in place and the extra OpenInterest is ignored', () => {
  const d = loadMarketData(`${DATA}/intraday/index-future-1min-2006.csv`);
  assert.equal(d.kind, 'bars');
  if (d.kind !== 'bars') return;
  // 2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0
  assert.deepEqual(d.bars[0], { type: 'bar', instrumentId: 'INDEX', ts: Date.UTC(2006, 0, 2, 9, 1), open: 3602, high: 3603, low: 3597, close: 3599, volume: 5699 });
});

test('flat OHLC rows with millisecond stamps load as trades: price = close, size = volume; same-ms prints kept', () => {
  const d = loadMarketData(`${DATA}/ticks/index-future-trades-2015.csv`);
  assert.equal(d.kind, 'trades');
  if (d.kind !== 'trades') return;
  assert.deepEqual(d.trades[0], { type: 'trade', instrumentId: 'INDEX', ts: Date.UTC(2015, 8, 23, 20, 57, 42, 146), price: 3067, size: 180 });
  // lines 23 and 24 share 20:58:22.316 with different prices: both are real prints
  assert.equal(d.trades[21].ts, d.trades[22].ts);
  assert.deepEqual([d.trades[21].price, d.trades[22].price], [3068, 3069]);
  assert.equal(d.report.warnings.length, 0);
});

test('the same tick file loads as bars when asked', () => {
  const d = loadMarketData(`${DATA}/ticks/index-future-trades-2015.csv`, { kind: 'bars' });
  assert.equal(d.kind, 'bars');
  assert.equal(d.report.warnings.filter((w) => w.code === 'DUPLICATE_TIMESTAMP').length, 1);
  if (d.kind === 'bars') assert.equal(d.bars.length, 134, 'bars keep the first of a repeated timestamp');
});

test('quotes: MDY dates by default, sizes 0 when absent; the 4%-wide quote and the jumps are reported', () => {
  const d = loadMarketData(`${DATA}/ticks/fx-bidask-2010.csv`);
  assert.equal(d.kind, 'quotes');
  if (d.kind !== 'quotes') return;
  assert.deepEqual(d.quotes[0], { type: 'quote', instrumentId: 'FX', ts: Date.UTC(2010, 1, 3, 16, 53, 50), bid: 0.5346, ask: 0.5347, bidSize: 0, askSize: 0 });
  const wide = d.report.warnings.filter((w) => w.code === 'WIDE_SPREAD');
  assert.deepEqual(wide.map((w) => w.line), [6]);
  const jumps = d.report.warnings.filter((w) => w.code === 'OUTLIER_JUMP').map((w) => w.line);
  assert.ok(jumps.includes(4) && jumps.includes(9), `jumps at ${jumps}`);
  assert.ok(!jumps.includes(2), 'a 0.03% move is not a jump');
});

test('DMY reads the quote file as 2 March', () => {
  const d = loadMarketData(`${DATA}/ticks/fx-bidask-2010.csv`, { dateFormat: 'DMY' });
  assert.equal(d.report.firstTs, Date.UTC(2010, 2, 2, 16, 53, 50));
});

test('a time zone shifts wall-clock files: the 1-minute future in New York time', () => {
  const d = loadMarketData(`${DATA}/intraday/index-future-1min-2006.csv`, { timeZone: 'America/New_York' });
  assert.equal(d.report.firstTs, Date.UTC(2006, 0, 2, 14, 1));
  assert.equal(d.report.lastTs, Date.UTC(2006, 1, 28, 3, 0));
});

test('the split-adjusted Yahoo files show no suspected split and no data errors', () => {
  for (const name of ['ORCL-1995-2014', 'YHOO-1996-2014', 'NVDA-1999-2014']) {
    const d = loadMarketData(`${DATA}/daily/${name}.csv`);
    const codes = new Set(d.report.warnings.map((w) => w.code));
    assert.ok(!codes.has('SUSPECTED_SPLIT') && !codes.has('GAP') && !codes.has('HIGH_BELOW_OPEN_CLOSE'), `${name}: ${[...codes]}`);
  }
});
