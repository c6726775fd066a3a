import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMarketData, parseColumnMapping, defaultInstrumentId } from '../../src/data/index.ts';
import { tempCsv } from './temp-files.ts';

test('header names are case-insensitive; extra columns are ignored; BOM, CRLF and quotes are fine', () => {
  const path = tempCsv('mixed.csv', '\uFEFF"DATE","open","HIGH","Low","CLOSE","Vol","Note"\r\n"2006-01-02",10,11,9,10.25,100,"a, b"\r\n\r\n');
  const d = loadMarketData(path);
  assert.equal(d.kind, 'bars');
  if (d.kind !== 'bars') return;
  assert.equal(d.layout, 'ohlcv');
  assert.deepEqual(d.bars, [{ type: 'bar', instrumentId: 'MIXED', ts: Date.UTC(2006, 0, 2), open: 10, high: 11, low: 9, close: 10.25, volume: 100 }]);
  assert.equal(d.priceDecimals, 2);
});

test('separate Date and Time columns; volume optional (0)', () => {
  const d = loadMarketData(tempCsv('dt.csv', 'Date,Time,Open,High,Low,Close\n20060102,0901,1,2,0.5,1.5\n'), { timeZone: 'Europe/London' });
  assert.equal(d.layout, 'ohlcv-date-time');
  if (d.kind !== 'bars') return assert.fail('bars');
  assert.equal(d.bars[0].ts, Date.UTC(2006, 0, 2, 9, 1));
  assert.equal(d.bars[0].volume, 0);
});

test('native trade and quote layouts, epoch timestamps', () => {
  const trades = loadMarketData(tempCsv('t.csv', 'timestamp,price,qty\n1136192460123,10.5,3\n1136192460200,10.55,1\n'));
  assert.equal(trades.kind, 'trades');
  assert.equal(trades.layout, 'trades');
  if (trades.kind === 'trades') assert.deepEqual(trades.trades.map((t) => [t.ts, t.price, t.size]), [[1136192460123, 10.5, 3], [1136192460200, 10.55, 1]]);
  const quotes = loadMarketData(tempCsv('q.csv', 'time,bid_price,ask_price,bid_size,ask_size\n1136192460,1.1,1.2,5,6\n'));
  assert.equal(quotes.kind, 'quotes');
  if (quotes.kind === 'quotes') assert.deepEqual(quotes.quotes[0], { type: 'quote', instrumentId: 'Q', ts: 1136192460000, bid: 1.1, ask: 1.2, bidSize: 5, askSize: 6 });
});

test('flat bars at whole seconds stay bars; the kind option overrides detection', () => {
  const flat = 'Date,Open,High,Low,Close,Volume\n2006-01-02,5,5,5,5,1\n2006-01-03,6,6,6,6,1\n';
  assert.equal(loadMarketData(tempCsv('flat.csv', flat)).kind, 'bars');
  const asTrades = loadMarketData(tempCsv('flat2.csv', flat), { kind: 'trades' });
  assert.equal(asTrades.kind, 'trades');
  if (asTrades.kind === 'trades') assert.deepEqual(asTrades.trades.map((t) => t.price), [5, 6]);
});

test('a column mapping reads any CSV; unmapped fields are still found by name', () => {
  const path = tempCsv('broker-export.csv', 'When;x,Px Open,Px Hi,Px Lo,Last,Volume\n2006-01-02 09:30,10,11,9,10.5,7\n');
  assert.throws(() => loadMarketData(path), /no time column for trades \(header: When;x,Px Open,Px Hi,Px Lo,Last,Volume\)/);
  const d = loadMarketData(path, { columns: parseColumnMapping('time=When;x,open=Px Open,high=px hi,low=PX LO'), instrumentId: 'ACME' });
  assert.equal(d.layout, 'ohlcv+columns');
  if (d.kind !== 'bars') return assert.fail('bars');
  assert.deepEqual(d.bars[0], { type: 'bar', instrumentId: 'ACME', ts: Date.UTC(2006, 0, 2, 9, 30), open: 10, high: 11, low: 9, close: 10.5, volume: 7 });
});

test('a mapping can name a separate date and time, and an unnamed column', () => {
  const d = loadMarketData(tempCsv('m2.csv', ',day,clock,c,o,h,l\nx,02/01/2006,09:01,1,1,1,1\n'), {
    columns: { date: 'day', time: 'clock', close: 'c' }, dateFormat: 'DMY',
  });
  assert.equal(d.report.firstTs, Date.UTC(2006, 0, 2, 9, 1));
});

test('priceDecimals is the most decimals in any price, trailing zeros ignored, exponents understood', () => {
  const d = loadMarketData(tempCsv('dec.csv', 'Date,Open,High,Low,Close,Volume\n2006-01-02,1.50000,2.0001,1e-3,1.25,100.123456789\n'));
  assert.equal(d.priceDecimals, 4, 'volume decimals do not count');
});

test('default instrument id: file name up to the first - or ., upper-cased', () => {
  assert.equal(defaultInstrumentId('../shared/data/daily/ORCL-1995-2014.csv'), 'ORCL');
  assert.equal(defaultInstrumentId('/x/btcusd.csv'), 'BTCUSD');
  assert.equal(defaultInstrumentId('eur_usd-1h.csv'), 'EUR_USD');
});
