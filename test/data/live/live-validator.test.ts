import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, KeelError, type Bar, type MarketEvent, type Quote, type TradeTick } from '../../../src/model/index.ts';
import {
  LiveValidator, ManualClock, parseLiveDataConfig, type LiveStatusEvent, type ValidatorConfigInput, type Verdict,
} from '../../../src/data/live/index.ts';

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const es = defineInstrument({ id: 'ES', priceTick: '0.25', lotSize: '1' });
const px = defineInstrument({ id: 'PX', priceTick: '0.01', lotSize: '1' });

function setup(config: ValidatorConfigInput = {}, isMarketOpen?: (id: string, ts: number) => boolean) {
  const clock = new ManualClock(T0);
  const valid: MarketEvent[] = [];
  const issues: Array<{ event: MarketEvent; verdict: Verdict }> = [];
  const statuses: LiveStatusEvent[] = [];
  const v = new LiveValidator({
    clock, instruments: [es, px], config, ...(isMarketOpen ? { isMarketOpen } : {}),
    output: { onValid: (e) => valid.push(e), onIssue: (event, verdict) => issues.push({ event, verdict }), onStatus: (s) => statuses.push(s) },
  });
  return { clock, v, valid, issues, statuses };
}

const trade = (price: number, size = 1, ts = T0, instrumentId = 'ES'): TradeTick => ({ type: 'trade', instrumentId, ts, price, size });
const quote = (bid: number, ask: number, ts = T0, bidSize = 1, askSize = 1): Quote => ({ type: 'quote', instrumentId: 'ES', ts, bid, ask, bidSize, askSize });
const bar = (ts: number, o: number, h: number, l: number, c: number, volume = 10): Bar => ({ type: 'bar', instrumentId: 'ES', ts, open: o, high: h, low: l, close: c, volume });

test('a clean trade, quote and bar are accepted and counted', () => {
  const { v, valid } = setup();
  assert.equal(v.check(trade(4500)).action, 'accept');
  assert.equal(v.check(quote(4500, 4500.25)).action, 'accept');
  assert.equal(v.check(bar(T0 - 60_000, 4500, 4501, 4499, 4500.5)).action, 'accept');
  assert.equal(valid.length, 3);
  assert.equal(v.counters.accepted, 3);
  assert.equal(v.counters.dropped, 0);
});

test('non-positive prices: 0 is dropped, one tick is accepted; non-finite values are dropped', () => {
  const { v } = setup();
  const zero = v.check(trade(0));
  assert.deepEqual([zero.action, zero.reason], ['drop', 'non-positive-price']);
  assert.match(zero.message, /^ES trade at 2024-01-02T14:30:00.000Z: price 0 must be positive$/);
  assert.equal(v.check(trade(-4500)).reason, 'non-positive-price');
  assert.equal(v.check(trade(0.25)).action, 'accept');
  assert.equal(v.check(trade(NaN)).reason, 'not-a-number');
  assert.equal(v.check(quote(Infinity, 4500)).reason, 'not-a-number');
  assert.equal(v.counters['non-positive-price'], 2);
  assert.equal(v.counters['not-a-number'], 2);
});

test('sizes: a trade needs a positive size; quote sizes and bar volume may be 0 but not negative', () => {
  const { v } = setup();
  assert.equal(v.check(trade(4500, 0)).reason, 'non-positive-size');
  assert.equal(v.check(trade(4500, 1)).action, 'accept');
  assert.equal(v.check(quote(4500, 4500.25, T0, 0, 0)).action, 'accept');
  assert.equal(v.check(quote(4500, 4500.25, T0 + 1, -1, 0)).reason, 'non-positive-size');
  assert.equal(v.check(bar(T0, 4500, 4500, 4500, 4500, 0)).action, 'accept');
  assert.equal(v.check(bar(T0 + 60_000, 4500, 4500, 4500, 4500, -5)).reason, 'non-positive-size');
});

test('prices off the instrument tick grid are dropped', () => {
  const { v } = setup();
  const off = v.check(trade(4500.1));
  assert.deepEqual([off.action, off.reason], ['drop', 'off-grid']);
  assert.match(off.message, /price 4500.1 is not on ES's tick grid of 0.25/);
  assert.equal(v.check(trade(4500.25)).action, 'accept');
});

test('crossed quotes are dropped, locked quotes flagged (or dropped when configured), a one-tick spread accepted', () => {
  const { v, valid } = setup();
  const crossed = v.check(quote(4500.25, 4500));
  assert.deepEqual([crossed.action, crossed.reason], ['drop', 'crossed-quote']);
  assert.match(crossed.message, /bid 4500.25 is above ask 4500/);
  const locked = v.check(quote(4500, 4500, T0 + 1));
  assert.deepEqual([locked.action, locked.reason], ['flag', 'locked-quote']);
  assert.equal(v.check(quote(4500, 4500.25, T0 + 2)).action, 'accept');
  assert.equal(valid.length, 2, 'the flagged locked quote is passed on');
  assert.equal(v.counters.flagged, 1);

  const strict = setup({ lockedQuotes: 'drop' });
  assert.deepEqual([strict.v.check(quote(4500, 4500)).action, strict.v.counters['locked-quote']], ['drop', 1]);
});

test('a bar whose high and low do not contain open and close is dropped', () => {
  const { v } = setup();
  assert.equal(v.check(bar(T0, 4500, 4499, 4501, 4500)).reason, 'bad-bar');
  assert.equal(v.check(bar(T0, 4500, 4501, 4499, 4502)).reason, 'bad-bar');
  assert.equal(v.check(bar(T0, 4500, 4502, 4499, 4502)).action, 'accept');
});

test('clock skew: a stamp exactly maxClockSkewMs ahead is accepted, one ms more is dropped', () => {
  const { v } = setup({ maxClockSkewMs: 2000 });
  const ahead = v.check(trade(4500, 1, T0 + 2001));
  assert.deepEqual([ahead.action, ahead.reason], ['drop', 'future-timestamp']);
  assert.match(ahead.message, /2001 ms ahead of the local clock \(limit 2000 ms\)/);
  assert.equal(v.check(trade(4500, 1, T0 + 2000)).action, 'accept');
});

test('out of order: a stamp 1 ms before the last is dropped and counted, an equal stamp is accepted; bars are their own stream', () => {
  const { v } = setup();
  assert.equal(v.check(trade(4500, 1, T0)).action, 'accept');
  const back = v.check(trade(4500.25, 1, T0 - 1));
  assert.deepEqual([back.action, back.reason], ['drop', 'out-of-order']);
  assert.equal(v.check(trade(4500.25, 2, T0)).action, 'accept');
  assert.equal(v.check(quote(4500, 4500.25, T0 - 1)).reason, 'out-of-order', 'trades and quotes share one time line');
  // The bar for the minute before arrives after that minute's ticks: a bar stream of its own.
  assert.equal(v.check(bar(T0 - 60_000, 4500, 4501, 4499, 4500)).action, 'accept');
  assert.equal(v.check(bar(T0 - 120_000, 4500, 4501, 4499, 4500)).reason, 'out-of-order');
  assert.equal(v.counters['out-of-order'], 3);
  assert.equal(v.health().find((h) => h.instrumentId === 'ES')?.counters['out-of-order'], 3);
});

test('duplicates: an identical trade or quote is dropped, a different print at the same time is not; a second bar for an interval is dropped', () => {
  const { v } = setup();
  assert.equal(v.check(trade(4500, 1)).action, 'accept');
  assert.equal(v.check(trade(4500, 1)).reason, 'duplicate');
  assert.equal(v.check(trade(4500, 2)).action, 'accept');
  assert.equal(v.check(quote(4500, 4500.25, T0 + 5)).action, 'accept');
  assert.equal(v.check(quote(4500, 4500.25, T0 + 5)).reason, 'duplicate');
  assert.equal(v.check(quote(4500, 4500.25, T0 + 5, 3)).action, 'accept');
  assert.equal(v.check(bar(T0, 4500, 4501, 4499, 4500)).action, 'accept');
  assert.equal(v.check(bar(T0, 4500, 4502, 4499, 4501)).reason, 'duplicate');
  assert.equal(v.counters.duplicate, 3);

  const keep = setup({ duplicateTrades: 'keep' });
  keep.v.check(trade(4500, 1));
  assert.equal(keep.v.check(trade(4500, 1)).action, 'accept');
});

// Spikes on PX (tick 0.01). The default percentage limit is 10% from the last good price.
const p = (price: number, ts: number): TradeTick => trade(price, 1, ts, 'PX');

test('spike percentage rule: 9.99% from the last good price is accepted, 10.01% is held', () => {
  const under = setup({ spike: { maxJumpPct: 10 } });
  under.v.check(p(100, T0));
  assert.equal(under.v.check(p(109.99, T0 + 1)).action, 'accept');

  const over = setup({ spike: { maxJumpPct: 10 } });
  over.v.check(p(100, T0));
  const held = over.v.check(p(110.01, T0 + 1));
  assert.deepEqual([held.action, held.reason], ['hold', 'spike-suspect']);
  assert.match(held.message, /price 110.01 is 10.01% from the last good price 100 \(limit 10%\); held until 3 more events confirm it/);
  assert.equal(over.valid.length, 1);
  assert.equal(over.v.check(p(89.99, T0 + 2)).action, 'hold', 'the spike is judged against the last good price, both directions');
});

test('spike rolling rule: above N x the rolling mean move once warmed up, never below the floor', () => {
  const config = { maxJumpPct: 50, rollingFactor: 10, minJumpPct: 0.5, warmup: 10, window: 20 };
  // Alternating 100 / 100.1: the mean move is ~0.1%, so the rolling limit is ~1%.
  const warm = (v: LiveValidator, n: number): number => {
    let ts = T0;
    for (let i = 0; i < n; i++) v.check(p(i % 2 === 0 ? 100 : 100.1, ts++));
    v.check(p(100, ts++));
    return ts;
  };
  const under = setup({ spike: config });
  let ts = warm(under.v, 20);
  assert.equal(under.v.check(p(100.99, ts)).action, 'accept');

  const over = setup({ spike: config });
  ts = warm(over.v, 20);
  const held = over.v.check(p(101.01, ts));
  assert.equal(held.action, 'hold');
  assert.match(held.message, /x the mean move/);

  const cold = setup({ spike: config });
  ts = warm(cold.v, 4);
  assert.equal(cold.v.check(p(101.01, ts)).action, 'accept', 'before warmup only maxJumpPct applies');

  // A flat market has a mean move of 0: the floor keeps a small move from looking infinite.
  const flat = setup({ spike: config });
  for (let i = 0; i < 20; i++) flat.v.check(p(100, T0 + i));
  assert.equal(flat.v.check(p(100.49, T0 + 20)).action, 'accept');
  const flat2 = setup({ spike: config });
  for (let i = 0; i < 20; i++) flat2.v.check(p(100, T0 + i));
  assert.equal(flat2.v.check(p(100.51, T0 + 20)).action, 'hold');
});

test('a single bad tick is dropped when the next event is back at the old level', () => {
  const { v, valid, issues } = setup();
  v.check(p(100, T0));
  v.check(p(100.02, T0 + 1));
  assert.equal(v.check(p(1000.2, T0 + 2)).action, 'hold');
  assert.equal(v.check(p(100.01, T0 + 3)).action, 'accept');
  assert.deepEqual(valid.map((e) => (e as TradeTick).price), [100, 100.02, 100.01]);
  assert.equal(v.counters.spike, 1);
  const dropped = issues.find((i) => i.verdict.reason === 'spike');
  assert.equal((dropped?.event as TradeTick).price, 1000.2);
  assert.match(dropped?.verdict.message ?? '', /dropped as a spike, reverted/);
});

test('a real level shift is accepted after K confirmations, every held event released in order', () => {
  const { v, valid } = setup({ spike: { confirmations: 3 } });
  v.check(p(100, T0));
  assert.equal(v.check(p(120, T0 + 1)).action, 'hold');
  assert.equal(v.check(p(120.5, T0 + 2)).action, 'hold');
  assert.equal(v.check(p(119.8, T0 + 3)).action, 'hold');
  assert.equal(valid.length, 1, 'nothing of the new level is passed on before it is confirmed');
  const released = v.check(p(120.2, T0 + 4));
  assert.deepEqual([released.action, released.reason], ['flag', 'level-shift']);
  assert.deepEqual(valid.map((e) => (e as TradeTick).price), [100, 120, 120.5, 119.8, 120.2]);
  assert.equal(v.counters['level-shift'], 4);
  assert.equal(v.counters.accepted, 5);
  // The new level is now the reference.
  assert.equal(v.check(p(121, T0 + 5)).action, 'accept');
});

test('a level shift with one confirmation too few, then a return, is dropped entirely', () => {
  const { v, valid } = setup({ spike: { confirmations: 3 } });
  v.check(p(100, T0));
  v.check(p(120, T0 + 1));
  v.check(p(120.5, T0 + 2));
  v.check(p(119.8, T0 + 3));
  assert.equal(v.check(p(100.1, T0 + 4)).action, 'accept');
  assert.deepEqual(valid.map((e) => (e as TradeTick).price), [100, 100.1]);
  assert.equal(v.counters.spike, 3);
  assert.equal(v.health().find((h) => h.instrumentId === 'PX')?.held, 0);
});

test('confirmations: 0 accepts a big move at once, flagged', () => {
  const { v, valid } = setup({ spike: { confirmations: 0 } });
  v.check(p(100, T0));
  assert.deepEqual([v.check(p(150, T0 + 1)).action, valid.length], ['flag', 2]);
});

test('stale: reported once just past maxAgeMs, not at it; fresh again on the next event; never while the market is closed', () => {
  const { clock, v, statuses } = setup({ maxAgeMs: 5000 });
  v.check(trade(4500, 1, T0));
  v.check(p(100, T0));
  clock.advance(5000);
  v.checkStale();
  assert.equal(statuses.length, 0);
  clock.advance(1);
  v.checkStale();
  v.checkStale();
  assert.deepEqual(statuses.map((s) => s.type), ['instrument.stale', 'instrument.stale']);
  const st = statuses[0];
  assert.ok(st.type === 'instrument.stale' && st.ageMs === 5001 && /ES market data is stale: last event 5.0 s ago \(limit 5 s\)/.test(st.reason));
  assert.equal(v.counters.stale, 2);
  assert.equal(v.health().every((h) => h.stale), true);
  clock.advance(1000);
  v.check(trade(4500, 1, clock.now()));
  assert.deepEqual(statuses.at(-1), { type: 'instrument.fresh', ts: T0 + 6001, instrumentId: 'ES', staleForMs: 6001 });

  const closed = setup({ maxAgeMs: 5000 }, () => false);
  closed.clock.advance(60_000);
  closed.v.checkStale();
  assert.equal(closed.statuses.length, 0);
});

test('events for an instrument not subscribed are dropped', () => {
  const { v } = setup();
  assert.equal(v.check(trade(10, 1, T0, 'NQ')).reason, 'unknown-instrument');
  assert.equal(v.counters['unknown-instrument'], 1);
});

test('bad config is a KeelError naming the field and the value', () => {
  const clock = new ManualClock(T0);
  assert.throws(() => new LiveValidator({ clock, output: { onValid() {} }, config: { maxAgeMs: -5 } }), (e: unknown) => {
    assert.ok(e instanceof KeelError);
    assert.equal(e.code, 'BAD_LIVE_DATA_CONFIG');
    assert.equal(e.field, 'live data config validation.maxAgeMs');
    assert.equal(e.value, -5);
    assert.equal(e.message, 'live data config validation.maxAgeMs = -5: must be positive');
    return true;
  });
  assert.throws(() => parseLiveDataConfig({ validation: { spike: { confirmation: 2 } } }),
    /live data config validation.spike = "confirmation": has no key "confirmation" \(known keys: maxJumpPct, .*confirmations\)/);
  assert.throws(() => parseLiveDataConfig({ validation: { lockedQuotes: 'warn' } }), /validation.lockedQuotes = "warn": must be flag or drop/);
  assert.throws(() => parseLiveDataConfig({ bars: { interval: '7m' } }), /bars.interval = "7m": must be 1d or a number/);
  assert.throws(() => parseLiveDataConfig({ bars: { timeZone: 'Mars/Olympus' } }), /bars.timeZone = "Mars\/Olympus": is not a known IANA time zone/);
  const d = parseLiveDataConfig(undefined);
  assert.deepEqual(d.failover, { staleAfterMs: 10_000, switchBack: true, holdDownMs: 30_000 });
  assert.equal(d.validation.spike.confirmations, 3);
});
