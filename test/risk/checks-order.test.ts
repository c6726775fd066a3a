import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument } from '../../src/model/index.ts';
import { gate } from '../helpers/gate.ts';
import { money as usd, riskConfig as limits } from '../helpers/risk-config.ts';

const MIN = 60_000;

test('order size: max quantity per order allows the limit and denies one lot more', () => {
  const g = gate(limits({ instruments: { ACME: { maxOrderQuantity: '100' } } })).price(100);
  assert.equal(g.why({ side: 'buy', quantity: 100 }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 101 }), /^order-size: Order quantity 101 is above the ACME limit of 100 per order$/);
});

test('order size: max value per order at instrument, strategy and account scope', () => {
  const g = gate(limits({
    instruments: { ACME: { maxOrderNotional: usd('10000') } },
    strategies: { small: { maxOrderNotional: usd('5000') } },
    account: { maxOrderNotional: usd('8000') },
  })).price(100);
  // Instrument 10000 but account 8000: the tighter one decides.
  assert.equal(g.why({ side: 'buy', quantity: 80, limitPrice: 100 }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 80, limitPrice: 100.01 }), /order-size: Order value 8000\.80 USD is above the account's limit of 8000\.00 USD/);
  assert.equal(g.why({ side: 'buy', quantity: 50, limitPrice: 100, strategy: 'small' }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 50, limitPrice: 100.01, strategy: 'small' }), /strategy small's limit of 5000\.00 USD/);
  // A market order is valued at the reference price.
  assert.equal(g.why({ side: 'sell', quantity: 80 }), 'ok');
  assert.match(g.price(100.01).why({ side: 'sell', quantity: 80 }), /Order value 8000\.80 USD/);
});

test('price collar: within N% of the reference passes, one tick past is a fat finger', () => {
  const g = gate(limits({ account: { priceCollar: { pct: 5, maxReferenceAgeMs: MIN } } })).price(100);
  assert.equal(g.why({ side: 'buy', quantity: 1, limitPrice: 105 }), 'ok');
  assert.equal(g.why({ side: 'buy', quantity: 1, limitPrice: 95 }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 1, limitPrice: 105.01 }), /^price-collar: Limit price 105\.01 is 5\.01% from the reference 100\.00, outside the collar of 5%$/);
  assert.match(g.why({ side: 'sell', quantity: 1, limitPrice: 94.99 }), /price-collar/);
  assert.match(g.why({ side: 'sell', quantity: 1, stopPrice: 94.99 }), /Stop price 94\.99/);
});

test('price collar: a band in ticks, and the wider band wins when both are set', () => {
  const ticks = gate(limits({ instruments: { ACME: { priceCollar: { ticks: 10, maxReferenceAgeMs: MIN } } } })).price(100);
  assert.equal(ticks.why({ side: 'buy', quantity: 1, limitPrice: 100.1 }), 'ok');
  assert.match(ticks.why({ side: 'buy', quantity: 1, limitPrice: 100.11 }), /outside the collar of 10 ticks/);
  const both = gate(limits({ account: { priceCollar: { pct: 1, ticks: 200, maxReferenceAgeMs: MIN } } })).price(100);
  assert.equal(both.why({ side: 'buy', quantity: 1, limitPrice: 102 }), 'ok');
  assert.match(both.why({ side: 'buy', quantity: 1, limitPrice: 102.01 }), /outside the collar of 1% or 200 ticks/);
  // Percent arithmetic that is inexact in floats (0.29% of 100.00 = 29 ticks) still allows the edge.
  const odd = gate(limits({ account: { priceCollar: { pct: 0.29, maxReferenceAgeMs: MIN } } })).price(100);
  assert.equal(odd.why({ side: 'buy', quantity: 1, limitPrice: 100.29 }), 'ok');
  assert.match(odd.why({ side: 'buy', quantity: 1, limitPrice: 100.3 }), /price-collar/);
});

test('price collar: market orders need a fresh reference; no data at all is refused', () => {
  const g = gate(limits({ account: { priceCollar: { pct: 5, maxReferenceAgeMs: MIN } } }));
  assert.match(g.why({ side: 'buy', quantity: 1 }), /^price-collar: No fresh ACME reference price within 60 s \(no market data yet\)/);
  g.at(0).price(100);
  assert.equal(g.at(MIN).why({ side: 'buy', quantity: 1 }), 'ok');
  assert.match(g.at(MIN + 1).why({ side: 'buy', quantity: 1 }), /No fresh ACME reference price within 60 s \(last data 60 s ago\)/);
  // A limit order cannot be collared against a stale price either: fail safe.
  assert.match(g.why({ side: 'buy', quantity: 1, limitPrice: 100 }), /price-collar: No fresh/);
  // Strategy collar applies where the instrument has none; the instrument's own wins over both.
  const s = gate(limits({ strategies: { tight: { priceCollar: { pct: 1, maxReferenceAgeMs: MIN } } } })).price(100);
  assert.equal(s.why({ side: 'buy', quantity: 1, limitPrice: 110 }), 'ok');
  assert.match(s.why({ side: 'buy', quantity: 1, limitPrice: 101.01, strategy: 'tight' }), /collar of 1%/);
});

test('duplicate orders: the same order inside the window is refused, at the window edge it passes', () => {
  const g = gate(limits({ account: { duplicateWindowMs: 1000 } })).price(100);
  g.work({ side: 'buy', quantity: 10, limitPrice: 99 });
  assert.match(g.at(999).why({ side: 'buy', quantity: 10, limitPrice: 99 }), /^duplicate-order: Same buy order on ACME \(same quantity and price\) was sent 999 ms ago; duplicates within 1000 ms are refused$/);
  assert.equal(g.why({ side: 'buy', quantity: 10, limitPrice: 98.99 }), 'ok', 'a different price is a different order');
  assert.equal(g.why({ side: 'buy', quantity: 11, limitPrice: 99 }), 'ok', 'a different quantity is a different order');
  assert.equal(g.why({ side: 'sell', quantity: 10, limitPrice: 99 }), 'ok', 'the other side is a different order');
  assert.equal(g.at(1000).why({ side: 'buy', quantity: 10, limitPrice: 99 }), 'ok');
});

test('duplicate orders: a denied order does not start a window', () => {
  const g = gate(limits({ account: { duplicateWindowMs: 1000, maxOrderNotional: usd('500') } })).price(100);
  assert.match(g.why({ side: 'buy', quantity: 10, limitPrice: 99 }), /order-size/);
  assert.match(g.why({ side: 'buy', quantity: 10, limitPrice: 99 }), /order-size/, 'still the size, not a duplicate');
});

test('message throttle: N orders per sliding second, the N+1th waits until the first leaves the window', () => {
  const g = gate(limits({ account: { maxOrdersPerSecond: 3 } })).price(100);
  for (let i = 0; i < 3; i++) assert.equal(g.at(i * 100).check({ side: 'buy', quantity: 1 }).approved, true);
  assert.match(g.at(999).why({ side: 'buy', quantity: 1 }), /^message-throttle: The account already sent 3 orders in the last second \(limit 3\/s\)$/);
  assert.equal(g.at(1000).why({ side: 'buy', quantity: 1 }), 'ok', 'the order at t=0 left the window');
  assert.match(g.at(1000).why({ side: 'buy', quantity: 1 }), /message-throttle/, 'the one at t=100 has not');
});

test('message throttle: per strategy, independent of other strategies', () => {
  const g = gate(limits({ strategies: { chatty: { maxOrdersPerSecond: 1 } } })).price(100);
  assert.equal(g.why({ side: 'buy', quantity: 1, strategy: 'chatty' }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 1, strategy: 'chatty' }), /Strategy chatty already sent 1 orders/);
  assert.equal(g.why({ side: 'buy', quantity: 1, strategy: 'quiet' }), 'ok');
});

test('open orders: per instrument, per strategy and for the account', () => {
  const g = gate(limits({ instruments: { ACME: { maxOpenOrders: 2 } } })).price(100);
  const a = g.work({ side: 'buy', quantity: 1, limitPrice: 99 });
  g.work({ side: 'buy', quantity: 1, limitPrice: 98 });
  assert.match(g.why({ side: 'buy', quantity: 1, limitPrice: 97 }), /^open-orders: 2 orders already working on ACME; the limit is 2$/);
  g.cancel(a);
  assert.equal(g.why({ side: 'buy', quantity: 1, limitPrice: 97 }), 'ok');
  const s = gate(limits({ strategies: { s1: { maxOpenOrders: 1 } }, account: { maxOpenOrders: 2 } })).price(100);
  s.work({ side: 'buy', quantity: 1, limitPrice: 99, strategy: 's1' });
  assert.match(s.why({ side: 'buy', quantity: 1, limitPrice: 98, strategy: 's1' }), /Strategy s1 already has 1 working orders; its limit is 1/);
  s.work({ side: 'buy', quantity: 1, limitPrice: 98, strategy: 's2' });
  assert.match(s.why({ side: 'buy', quantity: 1, limitPrice: 97, strategy: 's3' }), /The account already has 2 working orders; the limit is 2/);
});

test('a filled order stops counting as working', () => {
  const g = gate(limits({ account: { maxOpenOrders: 1 } })).price(100);
  const o = g.work({ side: 'buy', quantity: 10, limitPrice: 99 });
  g.fill(o, 4, 9900, 6);
  assert.match(g.why({ side: 'buy', quantity: 1 }), /open-orders/, 'partially filled is still working');
  g.fill(o, 6, 9900, 0);
  assert.equal(g.why({ side: 'buy', quantity: 1 }), 'ok');
});

test('restricted list: no new exposure, reducing still allowed', () => {
  const g = gate(limits({ account: { restricted: ['ACME'] } })).price(100);
  assert.match(g.why({ side: 'buy', quantity: 1 }), /^restricted-list: ACME is on the account's restricted list$/);
  g.hold(10, 100);
  assert.equal(g.why({ side: 'sell', quantity: 10 }), 'ok');
  assert.match(g.why({ side: 'sell', quantity: 11 }), /restricted-list/, 'flipping short adds exposure');
  const s = gate(limits({ strategies: { s1: { restricted: ['ACME'] } } })).price(100);
  assert.match(s.why({ side: 'buy', quantity: 1, strategy: 's1' }), /on strategy s1's restricted list/);
  assert.equal(s.why({ side: 'buy', quantity: 1, strategy: 's2' }), 'ok');
});

test('trading sessions: open from the start minute, closed from the end minute, in the exchange zone', () => {
  const nyse = { zone: 'America/New_York', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:30', end: '16:00' }] };
  const g = gate(limits({ account: { sessions: { zone: nyse.zone, windows: [{ days: [...nyse.windows[0].days], start: '09:30', end: '16:00' }] } } }));
  const tue = Date.UTC(2024, 0, 2); // Tuesday, EST = UTC-5
  assert.match(g.at(tue + 14.5 * 3600_000 - 1).price(100).why({ side: 'buy', quantity: 1 }), /^trading-session: ACME is outside its trading hours \(mon,tue,wed,thu,fri 09:30-16:00 America\/New_York\)$/);
  assert.equal(g.at(tue + 14.5 * 3600_000).why({ side: 'buy', quantity: 1 }), 'ok');
  assert.equal(g.at(tue + 21 * 3600_000 - 1).why({ side: 'buy', quantity: 1 }), 'ok');
  assert.match(g.at(tue + 21 * 3600_000).why({ side: 'buy', quantity: 1 }), /trading-session/);
  // Summer time: the same local hours are an hour earlier in UTC.
  const july = Date.UTC(2024, 6, 2); // Tuesday, EDT = UTC-4
  assert.equal(g.at(july + 13.5 * 3600_000).why({ side: 'buy', quantity: 1 }), 'ok');
  assert.match(g.at(Date.UTC(2024, 6, 6, 15)).why({ side: 'buy', quantity: 1 }), /trading-session/, 'Saturday');
});

test('trading sessions: a window past midnight belongs to the day it starts', () => {
  const g = gate(limits({ instruments: { ACME: { sessions: { zone: 'UTC', windows: [{ days: ['sun'], start: '22:00', end: '06:00' }] } } } }));
  const sun = Date.UTC(2024, 0, 7);
  assert.match(g.at(sun + 21.99 * 3600_000).price(1).why({ side: 'buy', quantity: 1 }), /trading-session/);
  assert.equal(g.at(sun + 22 * 3600_000).why({ side: 'buy', quantity: 1 }), 'ok');
  assert.equal(g.at(sun + 29.9 * 3600_000).why({ side: 'buy', quantity: 1 }), 'ok', 'Monday 05:54');
  assert.match(g.at(sun + 30 * 3600_000).why({ side: 'buy', quantity: 1 }), /trading-session/, 'Monday 06:00');
});

test('instrument rules: tick grid, lot size, min and max quantity, min notional', () => {
  const btc = defineInstrument({ id: 'BTC', assetClass: 'crypto', priceTick: '0.5', lotSize: '0.001' });
  const g = gate(limits({ instruments: { BTC: { minQuantity: '0.002', maxQuantity: '5', minNotional: usd('10') } } }), { instruments: [btc] }).price(10000);
  assert.match(g.why({ side: 'buy', quantity: 0.002, limitPrice: 10000.25 }), /^instrument-rules: Price 10000\.25 is not on BTC's tick grid of 0\.5$/);
  assert.match(g.why({ side: 'buy', quantity: 0.0025, limitPrice: 10000 }), /Quantity 0\.0025 is not a whole number of BTC's lot size 0\.001/);
  assert.match(g.why({ side: 'buy', quantity: 0.001, limitPrice: 10000 }), /Quantity 0\.001 is below BTC's minimum order quantity 0\.002/);
  assert.equal(g.why({ side: 'buy', quantity: 0.002, limitPrice: 5000 }), 'ok', 'exactly the minimum notional of 10');
  assert.match(g.why({ side: 'buy', quantity: 0.002, limitPrice: 4999.5 }), /Order value 9\.999 USD is below BTC's minimum of 10\.00 USD/);
  assert.equal(g.why({ side: 'buy', quantity: 5, limitPrice: 10000 }), 'ok');
  assert.match(g.why({ side: 'buy', quantity: 5.001, limitPrice: 10000 }), /above BTC's maximum order quantity 5/);
  assert.match(g.why({ side: 'buy', quantity: 1, limitPrice: -5 }), /Price -5\.0 must be positive/);
  assert.match(g.why({ side: 'buy', quantity: 0 }), /^order-shape: Quantity must be positive/);
});

test('config quantities that are not whole lots are refused when the engine starts', () => {
  const btc = defineInstrument({ id: 'BTC', priceTick: '0.5', lotSize: '0.001' });
  assert.throws(() => gate(limits({ instruments: { BTC: { maxOrderQuantity: '0.0015' } } }), { instruments: [btc] }),
    /risk instruments\.BTC\.maxOrderQuantity = "0\.0015": is not a whole number of BTC's lot size 0\.001/);
});

test('reduce-only: may close the position net of working exits, never flip it', () => {
  const g = gate(limits({})).price(100).hold(100, 100);
  assert.equal(g.why({ side: 'sell', quantity: 100, reduceOnly: true }), 'ok');
  assert.match(g.why({ side: 'sell', quantity: 101, reduceOnly: true }), /^reduce-only: Reduce-only sell of 101 would increase the ACME position of 100$/);
  assert.match(g.why({ side: 'buy', quantity: 1, reduceOnly: true }), /reduce-only/);
  g.work({ side: 'sell', quantity: 60, limitPrice: 110 });
  assert.equal(g.why({ side: 'sell', quantity: 40, reduceOnly: true }), 'ok');
  assert.match(g.why({ side: 'sell', quantity: 41, reduceOnly: true }), /\(60 already working on that side\)/);
});

test('unknown outcome: an order in doubt blocks new risk on its instrument until it is settled', () => {
  const g = gate(limits({})).price(100).hold(50, 100);
  const o = g.work({ side: 'buy', quantity: 10, limitPrice: 99 });
  g.risk.onOrderEvent({ type: 'order.unknown', ts: 0, clientOrderId: o.clientOrderId, reason: 'request timed out' });
  assert.match(g.why({ side: 'buy', quantity: 1 }), /^unknown-orders: 1 ACME order\(s\) have an unknown outcome; no new risk until they are reconciled$/);
  assert.equal(g.why({ side: 'sell', quantity: 50 }), 'ok', 'reducing is still allowed');
  g.fill(o, 10, 9900);
  assert.equal(g.why({ side: 'buy', quantity: 1 }), 'ok');
});
