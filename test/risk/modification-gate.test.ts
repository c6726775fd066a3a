import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withChanges, type OrderRequest } from '../../src/model/index.ts';
import { buildChanges } from '../../src/backtest/index.ts';
import type { ModifySpec, OrderSpec } from '../../src/strategy/index.ts';
import { gate } from '../helpers/gate.ts';
import { money as usd, riskConfig as limits } from '../helpers/risk-config.ts';

const MIN = 60_000;

/** The gate's verdict on modifying `order` as a strategy would ask ('ok' or `check: reason`). */
function modify(g: ReturnType<typeof gate>, order: OrderRequest, spec: ModifySpec): string {
  const r = withChanges(order, buildChanges(g.instruments[0], spec));
  if (!r.ok) throw new Error(r.reason);
  const d = g.risk.evaluateModification(order, r.order);
  return d.approved ? 'ok' : `${d.check}: ${d.reason}`;
}

/** Book the venue's answer to a replace the way the execution engine would. */
function applied(g: ReturnType<typeof gate>, order: OrderRequest, spec: ModifySpec): OrderRequest {
  const r = withChanges(order, buildChanges(g.instruments[0], spec));
  if (!r.ok) throw new Error(r.reason);
  g.risk.onOrderEvent({ type: 'order.pending-update', ts: g.clock.now(), clientOrderId: order.clientOrderId, order: r.order });
  g.risk.onOrderEvent({ type: 'order.updated', ts: g.clock.now(), clientOrderId: order.clientOrderId, order: r.order });
  return r.order;
}

const buy = (quantity: number, limitPrice: number, more: Partial<OrderSpec> = {}): OrderSpec => ({ side: 'buy', quantity, limitPrice, ...more });

test('a modification runs the order checks except the order throttle, duplicates and the open-order count, and has its own throttle', () => {
  const g = gate(limits({}));
  assert.deepEqual(g.risk.modificationCheckNames, [
    'order-shape', 'instrument-rules', 'trading-state', 'reduce-only', 'unknown-orders', 'restricted-list', 'trading-session',
    'price-collar', 'order-size', 'position-limit', 'exposure-limit', 'short-sale', 'buying-power', 'modification-throttle',
  ]);
  const busy = gate(limits({ account: { maxOrdersPerSecond: 1, duplicateWindowMs: 10_000, maxOpenOrders: 1 } })).price(100);
  const o = busy.work(buy(10, 99));
  assert.match(busy.why(buy(10, 99)), /^duplicate-order/, 'a new copy would be a duplicate…');
  assert.equal(modify(busy, o, { quantity: 12 }), 'ok', '…but replacing the order is not a new order, nor a second working one');
});

test('price collar: the new price must be inside the collar (at the edge ok, one tick past denied); unchanged prices are not re-checked', () => {
  const g = gate(limits({ account: { priceCollar: { pct: 5, maxReferenceAgeMs: MIN } } })).price(100);
  const o = g.work(buy(10, 99));
  assert.equal(modify(g, o, { limitPrice: 105 }), 'ok');
  assert.equal(modify(g, o, { limitPrice: 105.01 }), 'price-collar: Limit price 105.01 is 5.01% from the reference 100.00, outside the collar of 5%');
  g.price(120);
  assert.equal(modify(g, o, { quantity: 5 }), 'ok', 'the market moved away from the resting bid: it can still be resized');
  assert.match(modify(g, o, { limitPrice: 99.01 }), /^price-collar: Limit price 99\.01 is 17\.49% from the reference 120\.00/);
  g.at(MIN + 1);
  assert.equal(modify(g, o, { quantity: 5 }), 'ok', 'no price to check, no reference needed');
  assert.match(modify(g, o, { limitPrice: 119 }), /^price-collar: No fresh ACME reference price within 60 s/);
});

test('order size: the replacement is one order of its new total quantity and value', () => {
  const g = gate(limits({ instruments: { ACME: { maxOrderQuantity: '100' } }, account: { maxOrderNotional: usd('10000') } })).price(100);
  const o = g.work(buy(60, 99));
  assert.equal(modify(g, o, { quantity: 100 }), 'ok');
  assert.equal(modify(g, o, { quantity: 101 }), 'order-size: Order quantity 101 is above the ACME limit of 100 per order');
  assert.equal(modify(g, o, { quantity: 100, limitPrice: 100 }), 'ok', '10,000.00: at the limit');
  assert.equal(modify(g, o, { quantity: 100, limitPrice: 100.01 }), "order-size: Order value 10001.00 USD is above the account's limit of 10000.00 USD per order");
  g.fill(o, 50, 9900, 10);
  assert.equal(modify(g, o, { quantity: 101 }), 'order-size: Order quantity 101 is above the ACME limit of 100 per order', 'fills count toward the order size');
});

test('position limit: the order being replaced is not counted next to its replacement, and its fills count once', () => {
  const g = gate(limits({ instruments: { ACME: { maxPositionQuantity: '100' } } })).price(100).hold(40, 100);
  const other = g.work(buy(10, 98));
  const o = g.work(buy(50, 99));
  assert.match(g.why(buy(1, 99)), /^position-limit/, 'the books are full: 40 held + 60 working');
  assert.equal(modify(g, o, { limitPrice: 99.5 }), 'ok', 'a new price: still 100, not 150');
  assert.equal(modify(g, o, { quantity: 51 }), 'position-limit: ACME position would reach 101 (now 40, working 60), above the limit of 100');
  assert.equal(g.risk.exposure.instruments.get('ACME')!.openBuyLots, 60, 'checking a replacement leaves the books as they were');
  g.cancel(other);
  assert.equal(modify(g, o, { quantity: 60 }), 'ok', 'at the limit');
  g.fill(o, 30, 9900, 20);
  assert.equal(modify(g, o, { quantity: 60 }), 'ok', '70 held + 30 still to buy');
  assert.equal(modify(g, o, { quantity: 61 }), 'position-limit: ACME position would reach 101 (now 70, working 20), above the limit of 100');
  assert.equal(modify(g, o, { quantity: 31 }), 'ok', 'smaller than the order: 31 − 30 filled leaves 1 working');
});

test('position limit by value: a smaller order passes even when a price move put the books over the limit', () => {
  const g = gate(limits({ instruments: { ACME: { maxPositionNotional: usd('10000') } } })).price(100);
  const o = g.work(buy(100, 99));
  g.price(120);
  assert.match(g.why(buy(1, 99)), /^position-limit: ACME position would be worth 12120\.00 USD/);
  assert.equal(modify(g, o, { quantity: 90 }), 'ok', 'refusing it would leave the larger order working');
  assert.equal(modify(g, o, { limitPrice: 98 }), 'ok');
  assert.equal(modify(g, o, { quantity: 101 }), 'position-limit: ACME position would be worth 12120.00 USD, above the limit of 10000.00 USD');
});

test('exposure limits: the replacement replaces the order in the worst case; at the cap ok, past it denied', () => {
  const g = gate(limits({ account: { maxGrossExposure: usd('10000') } })).price(100);
  const o = g.work(buy(100, 100));
  assert.equal(modify(g, o, { limitPrice: 99 }), 'ok', 'still 10,000 gross, not 20,000');
  assert.equal(modify(g, o, { quantity: 101 }), 'exposure-limit: Account gross exposure would reach 10100.00 USD (now 10000.00 USD), above the limit of 10000.00 USD');
  g.price(120);
  assert.equal(modify(g, o, { quantity: 90 }), 'ok', 'smaller: 10,800 is over the cap but less than the 12,000 it replaces');
  assert.match(modify(g, o, { quantity: 101 }), /^exposure-limit: Account gross exposure would reach 12120\.00 USD \(now 12000\.00 USD\)/);
});

test('buying power (cash): the replacement needs free cash for what it still has working, not on top of itself', () => {
  const g = gate(limits({ account: { buyingPower: { mode: 'cash' } } }), { cash: '10000' }).price(100);
  const o = g.work(buy(50, 100));
  assert.equal(modify(g, o, { quantity: 100 }), 'ok', '10,000 needed, 10,000 free once this order is out of the books');
  assert.equal(modify(g, o, { quantity: 101 }), 'buying-power: Order needs 10100.00 USD (value 10100.00 USD + fee 0.00 USD) but only 10000.00 USD cash is free');
  assert.equal(modify(g, o, { limitPrice: 200 }), 'ok');
  assert.match(modify(g, o, { limitPrice: 200.02 }), /^buying-power: Order needs 10001\.00 USD/);
  g.fill(o, 20, 10000, 30);
  g.account.cash = usd('8000');
  assert.equal(modify(g, o, { quantity: 100 }), 'ok', '80 more at 100 = 8,000: the 20 filled are paid for');
  assert.match(modify(g, o, { quantity: 101 }), /^buying-power: Order needs 8100\.00 USD/);
  g.account.cash = usd('1000');
  assert.equal(modify(g, o, { quantity: 40 }), 'ok', 'needs less than the order it replaces, so it passes though cash fell');
});

test('REDUCING: a modification may shrink or reprice an order; it may grow one only if the order still only reduces a position', () => {
  const g = gate(limits({})).price(100).hold(100, 100);
  const entry = g.work(buy(10, 99));
  const exit = g.work({ side: 'sell', quantity: 50, limitPrice: 101 });
  g.risk.state.set('REDUCING', 'ops', 'drill');
  assert.equal(modify(g, entry, { quantity: 5 }), 'ok');
  assert.equal(modify(g, entry, { limitPrice: 98 }), 'ok');
  assert.equal(modify(g, entry, { quantity: 10, limitPrice: 98 }), 'ok', 'same size, new price');
  assert.equal(modify(g, entry, { quantity: 11 }), 'trading-state: Trading is REDUCING (drill); a modification may not enlarge an order unless the order only reduces a position');
  assert.equal(modify(g, exit, { quantity: 100 }), 'ok', 'selling the whole long is still reducing');
  assert.match(modify(g, exit, { quantity: 101 }), /^trading-state: Trading is REDUCING/);
});

test('HALTED: no modification at all, not even a smaller order (cancel it instead)', () => {
  const g = gate(limits({})).price(100);
  const o = g.work(buy(10, 99));
  g.risk.state.set('HALTED', 'ops', 'incident');
  assert.equal(modify(g, o, { quantity: 5 }), 'trading-state: Trading is HALTED (incident); only cancels are accepted until an operator re-arms');
});

test('only a working order without a replace in flight can be modified; a pending enlargement counts for other orders until the venue answers', () => {
  const g = gate(limits({ instruments: { ACME: { maxPositionQuantity: '15' } } })).price(100);
  const o = g.work(buy(10, 99));
  const r = withChanges(o, buildChanges(g.instruments[0], { quantity: 15 }));
  assert.ok(r.ok);
  g.risk.onOrderEvent({ type: 'order.pending-update', ts: 0, clientOrderId: o.clientOrderId, order: r.order });
  assert.equal(modify(g, o, { quantity: 12 }), `order-state: Order ${o.clientOrderId} already has a modification in flight`);
  assert.match(g.why(buy(1, 99)), /^position-limit: ACME position would reach 16/, 'the venue may apply the 15 at any moment');
  g.risk.onOrderEvent({ type: 'order.update-rejected', ts: 0, clientOrderId: o.clientOrderId, reason: 'no' });
  assert.equal(g.why(buy(5, 99)), 'ok', 'refused: back to the 10 working');
  assert.equal(modify(g, o, { quantity: 12 }), 'ok');
  g.cancel(o);
  assert.equal(modify(g, o, { quantity: 12 }), `order-state: Order ${o.clientOrderId} is not working; there is nothing to modify`);
});

test('the books follow the venue: working lots take the new quantity once it is applied, the filled part stays', () => {
  const g = gate(limits({})).price(100);
  const book = g.risk.exposure.instruments.get('ACME')!;
  const line = g.risk.exposure.strategy('strat').lines[book.index];
  let o = g.work(buy(10, 99));
  g.fill(o, 4, 9900, 6);
  o = applied(g, o, { quantity: 7 });
  assert.deepEqual([book.lots, book.openBuyLots, line.openBuyLots, book.openOrders], [4, 3, 3, 1]);
  o = applied(g, o, { quantity: 20, limitPrice: 98 });
  assert.deepEqual([book.lots, book.openBuyLots, line.openBuyLots], [4, 16, 16]);
  g.fill(o, 16, 9800, 0);
  assert.deepEqual([book.lots, book.openBuyLots, line.openBuyLots, book.openOrders, g.risk.exposure.openOrders], [20, 0, 0, 0, 0]);
});
