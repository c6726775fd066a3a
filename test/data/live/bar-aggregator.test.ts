import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, type Bar, type TradeTick } from '../../../src/model/index.ts';
import { BarAggregator, type BarConfigInput } from '../../../src/data/live/index.ts';

const M = 60_000;
const T0 = Date.UTC(2024, 0, 2, 14, 30);
const es = defineInstrument({ id: 'ES', priceTick: '0.25', lotSize: '1' });
const btc = defineInstrument({ id: 'BTC', priceTick: '0.01', lotSize: '0.001', assetClass: 'crypto' });

function setup(config: BarConfigInput = {}, instruments = [es, btc]) {
  const bars: Bar[] = [];
  const agg = new BarAggregator({ instruments, config, output: { onBar: (b) => bars.push(b) } });
  return { agg, bars };
}

const t = (ts: number, price: number, size = 1, instrumentId = 'ES'): TradeTick => ({ type: 'trade', instrumentId, ts, price, size });
const ohlcv = (b: Bar) => [new Date(b.ts).toISOString(), b.open, b.high, b.low, b.close, b.volume];

test('trades in one minute become one exact OHLCV bar, emitted by the first trade of the next minute', () => {
  const { agg, bars } = setup();
  agg.onTrade(t(T0 + 100, 4500, 2));
  agg.onTrade(t(T0 + 20_000, 4501.75, 1));
  agg.onTrade(t(T0 + 30_000, 4499.25, 5));
  agg.onTrade(t(T0 + 59_999, 4500.5, 3));
  assert.equal(bars.length, 0, 'the minute is not over yet');
  agg.onTrade(t(T0 + M + 5, 4502, 1));
  assert.deepEqual(bars.map(ohlcv), [['2024-01-02T14:30:00.000Z', 4500, 4501.75, 4499.25, 4500.5, 11]]);
  assert.equal(agg.counters.bars, 1);
});

test('a trade exactly at the boundary opens the next bar', () => {
  const { agg, bars } = setup();
  agg.onTrade(t(T0, 4500));
  agg.onTrade(t(T0 + M - 1, 4501));
  agg.onTrade(t(T0 + M, 4510));
  agg.onTrade(t(T0 + 2 * M, 4511));
  assert.deepEqual(bars.map(ohlcv), [
    ['2024-01-02T14:30:00.000Z', 4500, 4501, 4500, 4501, 2],
    ['2024-01-02T14:31:00.000Z', 4510, 4510, 4510, 4510, 1],
  ]);
});

test('volume is summed in lots: 0.1 + 0.2 BTC is exactly 0.3', () => {
  const { agg, bars } = setup();
  agg.onTrade(t(T0, 42000.01, 0.1, 'BTC'));
  agg.onTrade(t(T0 + 1, 42000.02, 0.2, 'BTC'));
  agg.onTrade(t(T0 + M, 42000.03, 0.001, 'BTC'));
  assert.equal(0.1 + 0.2 === 0.3, false, 'float addition would not be exact');
  assert.equal(bars[0].volume, 0.3);
  assert.equal(bars[0].high, 42000.02);
  assert.equal(agg.counters.offGrid, 0);
  agg.onTrade(t(T0 + M + 1, 42000.035, 0.0001, 'BTC'));
  assert.equal(agg.counters.offGrid, 1, 'off-grid prints are counted (and rounded to the grid)');
});

test('empty intervals give no bar by default, and flat bars at the previous close with emitEmpty', () => {
  const quiet = setup();
  quiet.agg.onTrade(t(T0, 4500));
  quiet.agg.onTrade(t(T0 + 3 * M + 1, 4502));
  assert.deepEqual(quiet.bars.map((b) => b.ts), [T0]);

  const filled = setup({ emitEmpty: true });
  filled.agg.onTrade(t(T0, 4500));
  filled.agg.onTrade(t(T0 + 10, 4501));
  filled.agg.onTrade(t(T0 + 3 * M + 1, 4502));
  assert.deepEqual(filled.bars.map(ohlcv), [
    ['2024-01-02T14:30:00.000Z', 4500, 4501, 4500, 4501, 2],
    ['2024-01-02T14:31:00.000Z', 4501, 4501, 4501, 4501, 0],
    ['2024-01-02T14:32:00.000Z', 4501, 4501, 4501, 4501, 0],
  ]);
  assert.equal(filled.agg.counters.emptyBars, 2);
});

test('timer flush: a finished minute is emitted closeDelayMs after its end, not a millisecond before', () => {
  const { agg, bars } = setup({ closeDelayMs: 1000 });
  agg.onTrade(t(T0 + 5, 4500));
  agg.flush(T0 + M + 999);
  assert.equal(bars.length, 0);
  agg.flush(T0 + M + 1000);
  assert.deepEqual(bars.map(ohlcv), [['2024-01-02T14:30:00.000Z', 4500, 4500, 4500, 4500, 1]]);
  agg.flush(T0 + 10 * M);
  assert.equal(bars.length, 1, 'nothing more without trades');
});

test('timer flush with emitEmpty closes quiet minutes too, once each', () => {
  const { agg, bars } = setup({ emitEmpty: true, closeDelayMs: 0 });
  agg.onTrade(t(T0, 4500));
  agg.flush(T0 + 3 * M);
  agg.flush(T0 + 3 * M + 500);
  assert.deepEqual(bars.map((b) => [b.ts, b.volume]), [[T0, 1], [T0 + M, 0], [T0 + 2 * M, 0]]);
  agg.onTrade(t(T0 + 3 * M + 600, 4503));
  agg.onTrade(t(T0 + 5 * M, 4504));
  assert.deepEqual(bars.slice(3).map((b) => [b.ts, b.close, b.volume]), [[T0 + 3 * M, 4503, 1], [T0 + 4 * M, 4503, 0]]);
});

test('a late trade for a bar already emitted is counted and dropped', () => {
  const { agg, bars } = setup({ closeDelayMs: 500 });
  agg.onTrade(t(T0 + 1000, 4500));
  agg.flush(T0 + M + 500);
  assert.equal(bars.length, 1);
  assert.equal(agg.onTrade(t(T0 + M - 1, 4600, 7)), false);
  assert.equal(agg.counters.lateTrades, 1);
  assert.equal(bars[0].high, 4500, 'the emitted bar is not rewritten');
  assert.equal(agg.onTrade(t(T0 + M, 4501)), true);
});

test('1h bars follow the local hour: in Asia/Kolkata (UTC+5:30) they start at :30 UTC', () => {
  const inr = defineInstrument({ id: 'NIFTY', priceTick: '0.05', timeZone: 'Asia/Kolkata' });
  const { agg } = setup({ interval: '1h' }, [inr]);
  assert.equal(agg.intervalStart('NIFTY', Date.UTC(2024, 0, 2, 4, 10)), Date.UTC(2024, 0, 2, 3, 30));
  assert.equal(agg.intervalStart('NIFTY', Date.UTC(2024, 0, 2, 4, 30)), Date.UTC(2024, 0, 2, 4, 30));
});

test('daily bars start at the session start in the instrument zone, across midnight and DST', () => {
  const fut = defineInstrument({ id: 'CL', priceTick: '0.01', timeZone: 'America/New_York' });
  const { agg, bars } = setup({ interval: '1d', sessionStart: '17:00' }, [fut]);
  // Monday 16:59 New York (EST, UTC-5) is in the session that opened Sunday 17:00; 17:00 opens Tuesday's.
  agg.onTrade(t(Date.UTC(2024, 0, 8, 21, 59), 70, 1, 'CL'));
  agg.onTrade(t(Date.UTC(2024, 0, 8, 22, 0), 71, 2, 'CL'));
  agg.onTrade(t(Date.UTC(2024, 0, 9, 5, 0), 72, 3, 'CL')); // after midnight: same session
  agg.onTrade(t(Date.UTC(2024, 0, 9, 22, 0), 73, 1, 'CL'));
  assert.deepEqual(bars.map(ohlcv), [
    ['2024-01-07T22:00:00.000Z', 70, 70, 70, 70, 1],
    ['2024-01-08T22:00:00.000Z', 71, 72, 71, 72, 5],
  ]);
  // Summer time (EDT, UTC-4): the session opens at 21:00 UTC.
  assert.equal(agg.intervalStart('CL', Date.UTC(2024, 6, 9, 12)), Date.UTC(2024, 6, 8, 21));
  // The session spanning the March DST change opens at 22:00 UTC (EST) and the next at 21:00 UTC (EDT).
  assert.equal(agg.intervalStart('CL', Date.UTC(2024, 2, 10, 12)), Date.UTC(2024, 2, 9, 22));
  assert.equal(agg.intervalStart('CL', Date.UTC(2024, 2, 10, 21, 30)), Date.UTC(2024, 2, 10, 21));
});

test('1s and 5m intervals', () => {
  const sec = setup({ interval: '1s' });
  sec.agg.onTrade(t(T0 + 999, 4500));
  sec.agg.onTrade(t(T0 + 1000, 4501));
  sec.agg.onTrade(t(T0 + 2500, 4502));
  assert.deepEqual(sec.bars.map((b) => [b.ts - T0, b.close]), [[0, 4500], [1000, 4501]]);
  const five = setup({ interval: '5m' });
  assert.equal(five.agg.intervalStart('ES', T0 + 7 * M + 3), T0 + 5 * M);
});

test('trades for an instrument the aggregator does not know are counted and dropped', () => {
  const { agg, bars } = setup();
  assert.equal(agg.onTrade(t(T0, 1, 1, 'NQ')), false);
  assert.equal(agg.counters.unknownInstrument, 1);
  assert.equal(bars.length, 0);
});
