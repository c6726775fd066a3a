import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, type Bar, type MarketEvent, type TradeTick } from '../../../src/model/index.ts';
import { loadMarketData } from '../../../src/data/index.ts';
import {
  BarAggregator, LiveDataSource, ManualClock, ScriptedFeed, type LiveDataConfigInput, type LiveStatusEvent, type ScriptStep,
} from '../../../src/data/live/index.ts';

const DATA = '../shared/data';
const M = 60_000;
const T0 = Date.UTC(2024, 0, 2, 14, 30);
const es = defineInstrument({ id: 'ES', priceTick: '0.25', lotSize: '1' });

/** Independent reference: group trades by interval with plain arithmetic, one bar per non-empty interval. */
function referenceBars(trades: readonly TradeTick[], intervalMs: number): Array<[number, number, number, number, number, number]> {
  const out: Array<[number, number, number, number, number, number]> = [];
  for (const t of trades) {
    const start = Math.floor(t.ts / intervalMs) * intervalMs;
    const last = out.at(-1);
    if (last === undefined || last[0] !== start) out.push([start, t.price, t.price, t.price, t.price, t.size]);
    else {
      last[2] = Math.max(last[2], t.price);
      last[3] = Math.min(last[3], t.price);
      last[4] = t.price;
      last[5] += t.size;
    }
  }
  return out;
}

const row = (b: Bar): [number, number, number, number, number, number] => [b.ts, b.open, b.high, b.low, b.close, b.volume];

/** A deterministic ES trade stream: one trade every 500 ms, a small walk on the 0.25 grid. */
function tradeStream(from: number, to: number): TradeTick[] {
  const out: TradeTick[] = [];
  let price = 4500;
  for (let ts = from, i = 0; ts < to; ts += 500, i++) {
    price += ((i * 7919) % 5 - 2) * 0.25;
    out.push({ type: 'trade', instrumentId: 'ES', ts, price, size: 1 + (i % 4) });
  }
  return out;
}

function source(feeds: ScriptedFeed[], clock: ManualClock, config: LiveDataConfigInput) {
  const out: MarketEvent[] = [];
  const statuses: LiveStatusEvent[] = [];
  const src = new LiveDataSource({
    feeds, instruments: [es], clock, timers: clock, config,
    output: { onMarketEvent: (e) => out.push(e) }, status: { onStatus: (s) => statuses.push(s) },
  });
  return { src, out, statuses };
}

test('end to end: trades from two feeds, a bad tick and a failover mid-minute give exact 1-minute bars, each once, in order', () => {
  const clock = new ManualClock(T0 - 1000);
  const trades = tradeStream(T0, T0 + 3 * M + 1);
  const badTick: TradeTick = { type: 'trade', instrumentId: 'ES', ts: T0 + 10_250, price: 6750, size: 1 };
  const cut = T0 + 90_000;
  // The primary is 20 ms behind the venue and drops at 14:31:30; the backup is 700 ms behind, so at the switch
  // it still has to deliver a trade the primary already did.
  const primaryScript: ScriptStep[] = [
    ...trades.filter((t) => t.ts < cut).map((event) => ({ at: event.ts + 20, event })),
    { at: badTick.ts + 20, event: badTick },
    { at: cut + 10, status: { state: 'disconnected', reason: 'socket closed: 1006' } },
  ];
  const backupScript: ScriptStep[] = trades.map((event) => ({ at: event.ts + 700, event }));
  const primary = new ScriptedFeed('primary', { script: primaryScript, clock, timers: clock, pollMs: 10 });
  const backup = new ScriptedFeed('backup', { script: backupScript, clock, timers: clock, pollMs: 10 });
  const { src, out, statuses } = source([primary, backup], clock, { bars: { interval: '1m', closeDelayMs: 1000 }, failover: { staleAfterMs: 5000 } });
  src.start();
  clock.advanceTo(T0 + 3 * M + 5000);

  const bars = out.filter((e): e is Bar => e.type === 'bar');
  assert.equal(out.length, bars.length, 'trade-only feeds give bars only');
  assert.deepEqual(bars.map(row), referenceBars(trades, M).slice(0, 3));
  assert.ok(bars.every((b, i) => i === 0 || b.ts > bars[i - 1].ts));
  assert.deepEqual(statuses.filter((s) => s.type === 'feed.failover').map((s) => s.type === 'feed.failover' && [s.from, s.to, s.reason]),
    [['primary', 'backup', 'primary disconnected (socket closed: 1006)']]);

  const h = src.health();
  assert.equal(h.activeFeed, 'backup');
  assert.equal(h.counters.validation.spike, 1, 'the bad tick was held, then dropped');
  assert.equal(h.counters.failover.failovers, 1);
  assert.equal(h.counters.failover.overlap, 1, 'the backup\'s copy of the 14:31:29.500 trade');
  assert.equal(h.counters.bars?.bars, 3);
  // The last trade (14:33:00.000) came through the backup at 14:33:00.700; it is now 14:33:05.
  assert.equal(h.instruments[0].lastEventAgeMs, 4300);
  assert.equal(h.instruments[0].lastEventTs, T0 + 3 * M);
  assert.equal(h.ready, true);
  src.stop();
  assert.equal(primary.isConnected || backup.isConnected, false);
});

test('health: a silent instrument is stale and the source not ready; bars configured, feed bars are ignored', () => {
  const clock = new ManualClock(T0);
  const feed = new ScriptedFeed('only');
  const { src, out, statuses } = source([feed], clock, { validation: { maxAgeMs: 10_000 }, failover: { staleAfterMs: 30_000 }, bars: { interval: '1m' } });
  src.start();
  feed.push({ type: 'bar', instrumentId: 'ES', ts: T0 - M, open: 1, high: 1, low: 1, close: 1, volume: 1 });
  feed.push({ type: 'quote', instrumentId: 'ES', ts: T0, bid: 4500, ask: 4500.25, bidSize: 1, askSize: 1 });
  assert.deepEqual(out.map((e) => e.type), ['quote']);
  clock.advance(10_250);
  const h = src.health();
  assert.equal(h.ready, false);
  assert.equal(h.instruments[0].stale, true);
  assert.equal(h.counters.feedBarsIgnored, 1);
  assert.equal(statuses.filter((s) => s.type === 'instrument.stale').length, 1);
  src.stop();
  assert.equal(clock.timerCount, 0, 'stop cancels the timer');
});

test('replay of the real tick file ticks/index-future-trades-2015.csv into exact 1-minute bars', () => {
  const data = loadMarketData(`${DATA}/ticks/index-future-trades-2015.csv`);
  assert.equal(data.kind, 'trades');
  if (data.kind !== 'trades') return;
  const trades = data.trades; // the file holds 135 trades, all of them used
  const inst = defineInstrument({ id: data.instrumentId, priceTick: '1', lotSize: '1' });
  const expected = referenceBars(trades, M);

  const direct: Bar[] = [];
  const agg = new BarAggregator({ instruments: [inst], config: { interval: '1m' }, output: { onBar: (b) => direct.push(b) } });
  for (const t of trades) agg.onTrade(t);
  agg.flush(trades.at(-1)!.ts + 2 * M);
  assert.deepEqual(direct.map(row), expected);
  assert.equal(expected.length, 4);

  // The same file through the whole live path, played by a scripted feed in real (manual) time.
  const clock = new ManualClock(trades[0].ts - 1000);
  const feed = new ScriptedFeed('replay', { script: trades.map((event) => ({ at: event.ts, event })), clock, timers: clock, pollMs: 5 });
  const out: MarketEvent[] = [];
  const src = new LiveDataSource({
    feeds: [feed], instruments: [inst], clock, timers: clock, config: { bars: { interval: '1m' } }, output: { onMarketEvent: (e) => out.push(e) },
  });
  src.start();
  clock.advanceTo(trades.at(-1)!.ts + 2 * M);
  src.stop();
  assert.deepEqual(out.map((e) => row(e as Bar)), expected);
  assert.equal(src.health().counters.validation.dropped, 0);
});

test('replay of the real 1-minute file (30,889 bars as 123,556 trades) into exact 5-minute and daily bars', () => {
  const data = loadMarketData(`${DATA}/intraday/index-future-1min-2006.csv`);
  assert.equal(data.kind, 'bars');
  if (data.kind !== 'bars') return;
  const inst = defineInstrument({ id: data.instrumentId, priceTick: '1', lotSize: '1' });
  // Each 1-minute bar becomes four prints in its first seconds: open, high, low, close (all the volume).
  const trades: TradeTick[] = [];
  for (const b of data.bars) {
    const id = b.instrumentId;
    trades.push({ type: 'trade', instrumentId: id, ts: b.ts, price: b.open, size: 0 });
    trades.push({ type: 'trade', instrumentId: id, ts: b.ts + 1000, price: b.high, size: 0 });
    trades.push({ type: 'trade', instrumentId: id, ts: b.ts + 2000, price: b.low, size: 0 });
    trades.push({ type: 'trade', instrumentId: id, ts: b.ts + 3000, price: b.close, size: b.volume });
  }
  for (const [interval, ms] of [['5m', 5 * M], ['1d', 24 * 60 * M]] as const) {
    const bars: Bar[] = [];
    const agg = new BarAggregator({ instruments: [inst], config: { interval }, output: { onBar: (b) => bars.push(b) } });
    for (let i = 0; i < trades.length; i++) agg.onTrade(trades[i]);
    agg.flush(trades.at(-1)!.ts + 2 * ms);
    const expected = referenceBars(trades, ms);
    assert.equal(bars.length, expected.length, interval);
    assert.deepEqual(bars.map(row), expected, interval);
    assert.equal(agg.counters.lateTrades + agg.counters.offGrid, 0);
  }
});
