import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FillRecord } from '../../src/backtest/result.ts';
import { aggregateCandles, MAX_CANDLES, renderReport, type PriceSeries } from '../../src/backtest/report/index.ts';
import { bucketStarts, reduceBuckets } from '../../src/backtest/report/downsample.ts';
import { jsonForScript } from '../../src/backtest/report/escape.ts';
import { openPositionEntry, tradeMarkers } from '../../src/backtest/report/markers.ts';
import { detectTimeScale, formatTime } from '../../src/backtest/report/time.ts';
import { DAY, embeddedData, fakePrices, fakeResult, METRICS, START, trade } from '../helpers/backtest-result.ts';

test('the report is one offline file: library inlined, nothing loaded from the network', () => {
  const html = renderReport(fakeResult(fakePrices(100)), fakePrices(100));
  assert.ok(html.startsWith('<!doctype html>'));
  assert.ok(html.includes('window.LightweightCharts='), 'lightweight-charts standalone build inlined');
  assert.doesNotMatch(html, /<script[^>]*\ssrc=/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /\s(src|href)\s*=\s*["']?\/\//i, 'no protocol-relative loads');
  // The only external URL in markup is the attribution anchor, which loads nothing.
  const markup = html.replace(/<script[\s\S]*?<\/script>/g, '');
  for (const m of markup.matchAll(/<(\w+)[^>]*\s(?:src|href)\s*=\s*["']?https?:/gi)) assert.equal(m[1].toLowerCase(), 'a');
});

test('a hostile strategy name or instrument id stays inert text in markup and in the embedded JSON', () => {
  const name = '</script><script>alert(1)</script>\u2028&<!--';
  const prices = fakePrices(50);
  const html = renderReport(fakeResult(prices, { name, instrument: name }), prices);
  assert.ok(!html.includes('</script><script>alert'), 'no raw breakout anywhere');
  assert.ok(html.includes('<h1>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped in the header');
  const json = /id="keel-report-data">([^<]*)</.exec(html)?.[1] ?? '';
  assert.ok(json.includes('\\u003c/script\\u003e'));
  assert.ok(!/[<>&\u2028\u2029]/.test(json), 'JSON has no raw < > & or line separators');
  assert.equal(embeddedData(html).instrument, name, 'the browser parses the original text back');
  assert.equal(jsonForScript('</script>'), '"\\u003c/script\\u003e"');
});

test('metrics are all present and formatted', () => {
  const prices = fakePrices(60);
  const html = renderReport(fakeResult(prices), prices);
  const row = (label: string): string | undefined => new RegExp(`<th scope="row">${label}</th><td[^>]*>([^<]*)<`).exec(html)?.[1];
  assert.equal(row('Total return'), '12.34%');
  assert.equal(row('CAGR'), '4.56%');
  assert.equal(row('Annual volatility'), '18.00%');
  assert.equal(row('Max drawdown'), '-25.34%');
  assert.equal(row('Win rate'), '50.00%');
  assert.equal(row('Exposure time'), '42.00%');
  assert.equal(row('Sharpe ratio'), '1.23');
  assert.equal(row('Profit factor'), '2.50');
  assert.equal(row('Sortino ratio'), '—', 'null metrics show an em dash');
  assert.equal(row('Max drawdown duration'), '120.0 days');
  assert.equal(row('End equity'), '112,340.00');
  assert.equal(row('Average loss'), '-4.25');
  assert.equal(row('Risk denials'), '0', 'risk counts are plain counts');
  assert.equal(row('Breaker trips'), '0');
  assert.equal(html.match(/<th scope="row">/g)?.length, Object.keys(METRICS).length + 4, 'every metric, plus 4 ledger rows');
});

test('the trade table has one row per trade, plus orders and fills counts', () => {
  const prices = fakePrices(60);
  const trades = [trade(0, 1, 3), trade(1, 5, 8, 'short'), trade(2, 10, 12), trade(3, 20, 25), trade(4, 30, 40)];
  const html = renderReport(fakeResult(prices, { trades }), prices);
  assert.equal(html.match(/<tr class="trade">/g)?.length, trades.length);
  assert.ok(html.includes('Trades (5)'));
  assert.match(html, /<b>6<\/b><span>Submitted<\/span>/);
  assert.match(html, /<b>0<\/b><span>Fills<\/span>/);
  assert.ok(html.includes('2020-01-02'), 'daily data shows dates');
});

test('markers: entries below with up arrows, exits above with down arrows, sorted and snapped', () => {
  const prices = fakePrices(60);
  const data = embeddedData(renderReport(fakeResult(prices, { trades: [trade(0, 5, 10)] }), prices));
  const markers = data.markers as { time: number; position: string; shape: string; text: string }[];
  assert.deepEqual(
    markers.map((m) => [m.time, m.position, m.shape, m.text]),
    [
      [(START + 5 * DAY) / 1000, 'belowBar', 'arrowUp', 'Buy 100.00'],
      [(START + 10 * DAY) / 1000, 'aboveBar', 'arrowDown', 'Sell 101.00'],
    ],
  );
});

test('the open position entry is recovered from the fills', () => {
  const fill = (time: string, side: 'buy' | 'sell', quantity: number, price: number): FillRecord => ({
    time, clientOrderId: time, side, price, quantity, fee: 0, liquidity: 'taker', tag: null,
  });
  const fills = [fill('2020-01-02T00:00:00Z', 'buy', 10, 1), fill('2020-01-05T00:00:00Z', 'sell', 10, 2), fill('2020-01-07T00:00:00Z', 'buy', 5, 3), fill('2020-01-08T00:00:00Z', 'buy', 5, 4)];
  assert.equal(openPositionEntry(fills)?.price, 3);
  assert.equal(openPositionEntry(fills.slice(0, 2)), null);
  const markers = tradeMarkers([], fills, true, [Date.UTC(2020, 0, 1) / 1000, Date.UTC(2020, 0, 6) / 1000]);
  assert.deepEqual(markers, [{ time: Date.UTC(2020, 0, 6) / 1000, position: 'belowBar', shape: 'arrowUp', color: '#16a34a', text: 'Buy (open) 3.00' }]);
});

test('rendering is deterministic', () => {
  const prices = fakePrices(500);
  const a = renderReport(fakeResult(prices), prices);
  const b = renderReport(fakeResult(fakePrices(500)), fakePrices(500));
  assert.equal(a, b);
});

test('100,000 bars are aggregated into at most MAX_CANDLES candles and the file stays small', () => {
  const prices = fakePrices(100_000, 60_000);
  const html = renderReport(fakeResult(prices, { trades: [] }), prices);
  const data = embeddedData(html) as { candles: { time: number[]; high: number[]; low: number[] }; curve: { time: number[] }; scale: string };
  assert.ok(data.candles.time.length <= MAX_CANDLES && data.candles.time.length >= MAX_CANDLES / 2, `candles: ${data.candles.time.length}`);
  assert.ok(data.curve.time.length <= 10_000);
  assert.equal(data.scale, 'intraday');
  assert.equal(Math.max(...data.candles.high), Math.max(...prices.high), 'aggregation keeps the extremes');
  assert.equal(Math.min(...data.candles.low), Math.min(...prices.low));
  assert.ok(html.length < 1_500_000, `report is ${html.length} bytes`);
});

test('aggregation: OHLC buckets, strictly increasing whole seconds, drawdown keeps its minimum', () => {
  const c = aggregateCandles({ time: [0, 60_000, 120_000, 180_000], open: [1, 2, 3, 4], high: [5, 9, 6, 7], low: [0.5, 1, 0.2, 3], close: [2, 3, 4, 5] }, 2);
  assert.deepEqual(c, { time: [0, 120], open: [1, 3], high: [9, 7], low: [0.5, 0.2], close: [3, 5] });
  // Ticks within one second merge so the chart never sees a duplicate time.
  assert.deepEqual(bucketStarts([1000, 1200, 1900, 2100, 2100], 10), [0, 3]);
  assert.deepEqual(reduceBuckets([-0.1, -0.3, -0.2, 0], [0, 2], 'min'), [-0.3, -0.2]);
});

test('time scale: daily shows dates, intraday shows UTC clock times', () => {
  assert.equal(detectTimeScale([START, START + DAY, START + 3 * DAY]), 'daily');
  assert.equal(detectTimeScale([START, START + 60_000, START + 120_000]), 'intraday');
  assert.equal(formatTime('2024-01-02T14:30:00Z', 'intraday'), '2024-01-02 14:30');
  assert.equal(formatTime('2024-01-02T00:00:00Z', 'daily'), '2024-01-02');
});

test('a result without prices still renders the tables', () => {
  const empty: PriceSeries = { time: [], open: [], high: [], low: [], close: [] };
  const html = renderReport(fakeResult(fakePrices(30)), empty);
  assert.equal((embeddedData(html).candles as { time: number[] }).time.length, 0);
  assert.throws(() => renderReport(fakeResult(fakePrices(3)), { ...fakePrices(3), close: [1] }), /differ in length/);
});
