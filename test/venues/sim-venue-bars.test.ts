import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bar, simHarness, DAY } from '../helpers/sim-harness.ts';
import { fixedBpsSlippage, latencyModel, percentFee } from '../../src/venues/index.ts';
import { moneyFromNumber } from '../../src/model/index.ts';

// Bars: day 0 is the decision bar; orders submitted after it first trade on day 1.

test('market order decided on a bar fills at the next bar open', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 10 }); });
  h.run([bar(0, 100, 101, 99, 100.5), bar(1, 102, 103, 101, 102.5), bar(2, 104, 105, 103, 104)]);
  assert.deepEqual(h.prices(id), [102]);
  assert.equal(h.fills(id)[0].quantity, 10);
  assert.equal(h.fills(id)[0].ts, DAY);
  assert.equal(h.fills(id)[0].liquidity, 'taker');
  assert.equal(h.status(id), 'FILLED');
});

test('market sell with fixed bps slippage rounds against the trader to the tick', () => {
  const h = simHarness({ slippage: fixedBpsSlippage(10) });
  h.after(0, () => h.submit({ side: 'sell', quantity: 1 }));
  h.after(0, () => h.submit({ side: 'buy', quantity: 1 }));
  h.run([bar(0, 100, 101, 99, 100), bar(1, 100.03, 101, 99, 100)]);
  // 100.03 × (1 − 0.001) = 99.92997 → down to 99.92; × 1.001 = 100.13003 → up to 100.14
  assert.deepEqual(h.prices(), [99.92, 100.14]);
});

test('limit buy fills at the limit only when the low trades through it (default rule)', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 5, limitPrice: 98 }); });
  // day 1 touches 98 exactly: no fill under "through"; day 2 trades to 97.5: fill at 98 as maker
  h.run([bar(0, 100, 101, 99, 100), bar(1, 99.5, 100, 98, 99), bar(2, 99, 99.5, 97.5, 98.5)]);
  assert.deepEqual(h.prices(id), [98]);
  assert.equal(h.fills(id)[0].ts, 2 * DAY);
  assert.equal(h.fills(id)[0].liquidity, 'maker');
});

test('limit buy with the touch rule fills when the low equals the limit', () => {
  const h = simHarness({ limitFill: 'touch' });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 5, limitPrice: 98 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 99.5, 100, 98, 99)]);
  assert.deepEqual(h.prices(id), [98]);
});

test('a gap through a buy limit fills at the open, not at the limit', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 5, limitPrice: 98 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 95, 96, 94, 95.5)]);
  assert.deepEqual(h.prices(id), [95]);
});

test('a gap through a sell limit fills at the open', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'sell', quantity: 5, limitPrice: 105 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 107, 108, 106, 107), bar(2, 100, 100, 100, 100)]);
  assert.deepEqual(h.prices(id), [107]);
});

test('sell limit fills at the limit when the high trades through it', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'sell', quantity: 5, limitPrice: 105 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 101, 105, 100, 104), bar(2, 104, 106, 103, 105)]);
  assert.deepEqual(h.prices(id), [105]);
  assert.equal(h.fills(id)[0].ts, 2 * DAY);
});

test('stop buy triggers at the stop inside the bar, at the open on a gap', () => {
  const h = simHarness();
  let a = '', b = '';
  h.after(0, () => { a = h.submit({ side: 'buy', quantity: 1, stopPrice: 102 }); });
  h.after(0, () => { b = h.submit({ side: 'buy', quantity: 1, stopPrice: 100.5 }); });
  h.run([bar(0, 100, 100.4, 99, 100), bar(1, 101, 103, 100.8, 102.5)]);
  assert.deepEqual(h.prices(a), [102]); // reached inside the bar
  assert.deepEqual(h.prices(b), [101]); // gapped over 100.5: the open is the first price available
});

test('stop sell (stop-loss) fills at the stop or at a lower gap open, with slippage', () => {
  const h = simHarness({ slippage: fixedBpsSlippage(10) });
  let a = '', b = '';
  h.after(0, () => { a = h.submit({ side: 'sell', quantity: 1, stopPrice: 95 }); });
  h.after(0, () => { b = h.submit({ side: 'sell', quantity: 1, stopPrice: 99 }); });
  h.run([bar(0, 100, 101, 99.5, 100), bar(1, 98, 98.5, 94, 95)]);
  assert.deepEqual(h.prices(a), [94.9]); // 95 × 0.999 = 94.905 → down to 94.90
  assert.deepEqual(h.prices(b), [97.9]); // gap: 98 × 0.999 = 97.902 → 97.90
});

test('stop-limit buy: gap above the limit rests, then fills at the limit when the bar comes back', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 1, stopPrice: 101, limitPrice: 101.5 }); });
  // Opens at 103 (triggered, above the limit), trades down to 101 later in the bar: fills at the limit.
  h.run([bar(0, 100, 100.5, 99, 100), bar(1, 103, 104, 101, 102)]);
  assert.deepEqual(h.prices(id), [101.5]);
});

test('stop-limit buy: triggered but never back to the limit stays working as a limit on later bars', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 1, stopPrice: 101, limitPrice: 101.5 }); });
  h.run([bar(0, 100, 100.5, 99, 100), bar(1, 103, 104, 102, 103), bar(2, 102.5, 103, 101.2, 102)]);
  assert.equal(h.fills(id).length, 1);
  assert.equal(h.fills(id)[0].ts, 2 * DAY);
  assert.deepEqual(h.prices(id), [101.5]);
});

test('stop-limit sell triggered inside the bar fills at the stop', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'sell', quantity: 1, stopPrice: 98, limitPrice: 97.5 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 99, 99.5, 96, 97)]);
  assert.deepEqual(h.prices(id), [98]);
});

test('partial fills are capped by the participation rate of each bar volume', () => {
  const h = simHarness({ participationRate: 0.1 });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 25 }); });
  h.run([bar(0, 100, 101, 99, 100, 100), bar(1, 100, 101, 99, 100, 100), bar(2, 101, 102, 100, 101, 100), bar(3, 102, 103, 101, 102, 100)]);
  assert.deepEqual(h.fills(id).map((f) => f.quantity), [10, 10, 5]);
  assert.deepEqual(h.prices(id), [100, 101, 102]);
  const statuses = h.events.filter((e) => e.type === 'order.filled').map((e) => (e.type === 'order.filled' ? e.leavesQuantity : -1));
  assert.deepEqual(statuses, [15, 5, 0]);
  assert.equal(h.status(id), 'FILLED');
});

test('orders share one bar capacity in arrival order', () => {
  const h = simHarness({ participationRate: 0.5 });
  let a = '', b = '';
  h.after(0, () => { a = h.submit({ side: 'buy', quantity: 30 }); b = h.submit({ side: 'buy', quantity: 30 }); });
  h.run([bar(0, 100, 101, 99, 100, 100), bar(1, 100, 101, 99, 100, 100)]);
  assert.deepEqual(h.fills(a).map((f) => f.quantity), [30]);
  assert.deepEqual(h.fills(b).map((f) => f.quantity), [20]);
});

test('IOC fills what it can on its first bar and cancels the rest', () => {
  const h = simHarness({ participationRate: 0.1 });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 25, timeInForce: 'IOC' }); });
  h.run([bar(0, 100, 101, 99, 100, 100), bar(1, 100, 101, 99, 100, 100), bar(2, 100, 101, 99, 100, 100)]);
  assert.deepEqual(h.fills(id).map((f) => f.quantity), [10]);
  assert.equal(h.status(id), 'CANCELED');
});

test('FOK fills all at once or is canceled with no fill', () => {
  const h = simHarness({ participationRate: 0.1 });
  let small = '', big = '';
  h.after(0, () => { big = h.submit({ side: 'buy', quantity: 25, timeInForce: 'FOK' }); small = h.submit({ side: 'buy', quantity: 10, timeInForce: 'FOK' }); });
  h.run([bar(0, 100, 101, 99, 100, 100), bar(1, 100, 101, 99, 100, 100)]);
  assert.equal(h.fills(big).length, 0);
  assert.equal(h.status(big), 'CANCELED');
  assert.deepEqual(h.fills(small).map((f) => f.quantity), [10]);
});

test('IOC limit that cannot fill on its first bar is canceled', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 1, limitPrice: 90, timeInForce: 'IOC' }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 100, 101, 99, 100), bar(2, 89, 89, 88, 88)]);
  assert.equal(h.fills(id).length, 0);
  assert.equal(h.status(id), 'CANCELED');
});

test('DAY order expires when its first trading day ends unfilled; GTC keeps working', () => {
  const h = simHarness();
  let day = '', gtc = '';
  h.after(0, () => { day = h.submit({ side: 'buy', quantity: 1, limitPrice: 95, timeInForce: 'DAY' }); gtc = h.submit({ side: 'buy', quantity: 1, limitPrice: 95 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 100, 101, 99, 100), bar(2, 96, 97, 94, 95)]);
  assert.equal(h.status(day), 'EXPIRED');
  assert.equal(h.fills(day).length, 0);
  assert.deepEqual(h.prices(gtc), [95]);
});

test('latency longer than the bar spacing delays the first possible fill', () => {
  const h = simHarness({ latency: latencyModel(1.5 * DAY) });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 1 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 101, 102, 100, 101), bar(2, 102, 103, 101, 102), bar(3, 103, 104, 102, 103)]);
  assert.deepEqual(h.prices(id), [102]);
});

test('seeded latency jitter is reproducible', () => {
  const a = latencyModel(5, 10, 7);
  const b = latencyModel(5, 10, 7);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  assert.ok(xs.every((x) => x >= 5 && x < 15));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => latencyModel(5, 10, 8).next()));
});

test('cancel before the fill cancels; cancel after the fill changes nothing', () => {
  const h = simHarness();
  let a = '', b = '';
  h.after(0, () => { a = h.submit({ side: 'buy', quantity: 1, limitPrice: 90 }); b = h.submit({ side: 'buy', quantity: 1 }); });
  h.after(1, () => { h.execution.cancel(a); h.execution.cancel(b); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 100, 101, 99, 100), bar(2, 80, 81, 79, 80)]);
  assert.equal(h.status(a), 'CANCELED');
  assert.equal(h.fills(a).length, 0);
  assert.equal(h.status(b), 'FILLED');
});

test('notional (all-in) order buys the most whole lots the cash covers including the fee', () => {
  const h = simHarness({ fees: percentFee(0.1) });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', notional: 10_000 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 33.33, 34, 33, 33.5)]);
  const f = h.fills(id)[0];
  // 10,000 / (33.33 × 1.001) = 299.7 → 299 lots; cost 9,965.67 + fee 9.97 = 9,975.64 ≤ 10,000; 300 lots would cost 10,008.99
  assert.equal(f.quantity, 299);
  assert.equal(f.fee, moneyFromNumber(9.97));
  assert.equal(h.status(id), 'FILLED');
});

test('a notional too small for one lot is canceled with a reason', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', notional: 50 }); });
  h.run([bar(0, 100, 101, 99, 100), bar(1, 100, 101, 99, 100)]);
  assert.equal(h.status(id), 'CANCELED');
  assert.match(h.execution.orders.get(id)!.reason!, /less than one lot/);
});

test('a notional so large that the lot count passes 2^53 is capped instead of hanging the engine', () => {
  const h = simHarness();
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', notional: 1e15 }); }); // 1e17 lots of a 0.01 price
  h.run([bar(0, 0.01, 0.01, 0.01, 0.01), bar(1, 0.01, 0.01, 0.01, 0.01)]);
  assert.equal(h.fills(id)[0].quantity, Number.MAX_SAFE_INTEGER);
});
