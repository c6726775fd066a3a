import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError, type OrderEvent } from '../../src/model/index.ts';
import { latencyModel } from '../../src/venues/index.ts';
import { nextStatus } from '../../src/execution/index.ts';
import { trade, simHarness } from '../helpers/sim-harness.ts';

/** Events of one order, as `type@ts` (with the check for gate refusals). */
function timeline(events: readonly OrderEvent[], id: string): string[] {
  return events.flatMap((e) => {
    const eid = e.type === 'order.submitted' ? e.order.clientOrderId : e.clientOrderId;
    if (eid !== id) return [];
    return [e.type === 'order.update-denied' ? `${e.type}(${e.check})@${e.ts}` : `${e.type}@${e.ts}`];
  });
}

/** A working buy limit: submitted at t=0, accepted at t=10 (10 ms latency), modified by the test at t=20. */
function working(spec: { quantity?: number; limitPrice?: number } = {}) {
  const h = simHarness({ latency: latencyModel(10), participationRate: 1 });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: spec.quantity ?? 10, limitPrice: spec.limitPrice ?? 99 }); });
  return { h, id: () => id, book: () => h.risk.exposure.instruments.get('TEST')! };
}

test('a replace reaches the venue after the latency; until then the old terms trade, after it the new ones', () => {
  const { h, id } = working();
  h.after(2, () => {
    assert.equal(h.status(id()), 'ACCEPTED');
    h.modify(id(), { limitPrice: 99.8 });
    assert.equal(h.status(id()), 'PENDING_UPDATE', 'pending as soon as the replace is handed to the venue');
    assert.deepEqual(h.venueCalls.at(-1), { kind: 'replace', ts: 20, order: { ...h.execution.orders.get(id())!.request, limitPrice: 9980 } });
  });
  h.after(3, () => { assert.equal(h.fills(id()).length, 0, 'at t=25 the order is still a 99 bid: 99.50 does not fill it'); });
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(25, 99.5), trade(40, 99.5), trade(50, 99.5)]);

  assert.deepEqual(timeline(h.events, id()), ['order.submitted@0', 'order.accepted@10', 'order.pending-update@20', 'order.updated@30', 'order.filled@40']);
  const o = h.execution.orders.get(id())!;
  assert.equal(o.status, 'FILLED');
  assert.equal(o.request.type === 'limit' && o.request.limitPrice, 9980, 'the OMS holds the new terms');
  assert.deepEqual(h.prices(id()), [99.5], 'a limit made marketable by the replace takes the market like a new arrival');
});

test('a fill at the old terms while the replace is in flight keeps the order PENDING_UPDATE; the replace then applies to the rest', () => {
  const { h, id, book } = working({ quantity: 10, limitPrice: 99.95 });
  h.after(2, () => { h.modify(id(), { quantity: 8 }); });
  h.after(3, () => {
    assert.equal(h.status(id()), 'PENDING_UPDATE', 'still waiting for the venue after a partial fill');
    assert.equal(book().openBuyLots, 7, 'the old terms: 10 − 3 filled');
  });
  h.after(4, () => {
    const o = h.execution.orders.get(id())!;
    assert.equal(o.status, 'PARTIALLY_FILLED');
    assert.equal(o.request.quantity, 8);
    assert.equal(o.filledLots, 3);
    assert.equal(book().lots, 3);
    assert.equal(book().openBuyLots, 5, 'working lots follow the new quantity; the 3 filled stay filled');
  });
  // 3 lots trade at 99.90 (through the resting 99.95 bid) while the replace travels; it lands at t=30.
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(25, 99.9, 3), trade(31, 100.5), trade(40, 99, 100), trade(50, 99)]);
  assert.deepEqual(timeline(h.events, id()), [
    'order.submitted@0', 'order.accepted@10', 'order.pending-update@20', 'order.filled@25', 'order.updated@30', 'order.filled@40',
  ]);
  assert.deepEqual(h.fills(id()).map((f) => f.quantity), [3, 5]);
  assert.equal(h.status(id()), 'FILLED');
  assert.equal(book().lots, 8);
  assert.equal(book().openBuyLots, 0);
});

test('a replace that finds the order filled is rejected as too late; the lots booked for the enlargement are released', () => {
  const { h, id, book } = working({ quantity: 10, limitPrice: 99.95 });
  h.after(2, () => {
    h.modify(id(), { quantity: 15 });
    assert.equal(book().openBuyLots, 15, 'while the venue may apply it, the books count the larger order');
  });
  h.after(3, () => {
    assert.equal(h.status(id()), 'FILLED', 'the fill at the old terms finished the order');
    assert.equal(book().openBuyLots, 0);
  });
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(25, 99.9, 100), trade(40, 100)]);
  assert.deepEqual(timeline(h.events, id()).slice(2), ['order.pending-update@20', 'order.filled@25', 'order.update-rejected@30']);
  const o = h.execution.orders.get(id())!;
  assert.equal(o.status, 'FILLED');
  assert.equal(o.request.quantity, 10);
  assert.match(o.modifyReason!, /^too late: the order is no longer working/);
  assert.equal(book().lots, 10);
  assert.equal(book().openBuyLots, 0);
  assert.equal(h.risk.exposure.openOrders, 0);
});

test('a replaced order goes to the back of the queue: an order behind it now fills first', () => {
  const h = simHarness({ latency: latencyModel(10), participationRate: 1 });
  let a = '', b = '';
  h.after(0, () => {
    a = h.submit({ side: 'buy', quantity: 10, limitPrice: 99.95 });
    b = h.submit({ side: 'buy', quantity: 10, limitPrice: 99.95 });
  });
  h.after(2, () => { h.modify(a, { quantity: 9 }); });
  // 5 lots trade through both bids after the replace landed: the whole capacity goes to the first in line.
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(35, 100), trade(40, 99.9, 5), trade(50, 100)]);
  assert.deepEqual(h.fills(a), []);
  assert.deepEqual(h.fills(b).map((f) => f.quantity), [5]);
  assert.deepEqual(h.venue.openOrders().map((o) => `${o.clientOrderId}:${o.quantity}`), [`${b}:10`, `${a}:9`]);
});

test('a cancel that reaches the venue before the replace wins: the replace is rejected and the order stays CANCELED', () => {
  const { h, id, book } = working();
  h.after(2, () => {
    h.execution.cancel(id());
    assert.equal(h.status(id()), 'ACCEPTED');
    h.modify(id(), { limitPrice: 99.5 });
  });
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(40, 100)]);
  assert.deepEqual(timeline(h.events, id()).slice(2), ['order.pending-update@20', 'order.canceled@30', 'order.update-rejected@30']);
  assert.equal(h.status(id()), 'CANCELED');
  assert.equal(book().openBuyLots, 0);
});

test('a new quantity not above the filled quantity: refused by the venue when fills arrived meanwhile, by the gate when already known', () => {
  const { h, id, book } = working({ quantity: 10, limitPrice: 99.95 });
  h.after(2, () => { h.modify(id(), { quantity: 4 }); });
  h.after(4, () => {
    const o = h.execution.orders.get(id())!;
    assert.equal(o.status, 'PARTIALLY_FILLED', 'back from PENDING_UPDATE with its fills');
    assert.equal(o.modifyReason, 'new quantity 4 is not above the 5 already filled');
    assert.equal(o.request.quantity, 10, 'the old terms stand');
    assert.equal(book().openBuyLots, 5);
    h.modify(id(), { quantity: 5 });
    assert.equal(o.status, 'PARTIALLY_FILLED');
    assert.equal(o.modifyReason, 'New quantity 5 is not above the 5 already filled; cancel the order instead');
  });
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(25, 99.9, 5), trade(31, 100.5), trade(50, 100.5)]);
  assert.deepEqual(timeline(h.events, id()).slice(2), [
    'order.pending-update@20', 'order.filled@25', 'order.update-rejected@30', 'order.update-denied(order-shape)@31',
  ]);
  assert.equal(h.venueCalls.filter((c) => c.kind === 'replace').length, 1, 'the denied one never reached the venue');
});

test('the OMS refuses modifications the venue could not take, without touching the order', () => {
  const h = simHarness({ latency: latencyModel(10) });
  let limit = '', stop = '';
  h.after(0, () => {
    limit = h.submit({ side: 'buy', quantity: 10, limitPrice: 99 });
    h.modify(limit, { limitPrice: 98 });
    assert.equal(h.status(limit), 'SUBMITTED');
    stop = h.submit({ side: 'sell', quantity: 10, stopPrice: 90 });
  });
  h.after(2, () => {
    h.modify(limit, { limitPrice: 98 });
    h.modify(limit, { limitPrice: 97 });
    h.modify(stop, { limitPrice: 89 });
    h.modify(stop, { stopPrice: 90 });
    h.modify(stop, { quantity: 10 });
  });
  h.after(3, () => { h.execution.cancel(stop); });
  h.after(4, () => { h.modify(stop, { stopPrice: 91 }); });
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(25, 100), trade(40, 100), trade(50, 100)]);

  const denials = h.events.flatMap((e) => (e.type === 'order.update-denied' ? [`${e.clientOrderId} ${e.check}: ${e.reason}`] : []));
  assert.deepEqual(denials, [
    `${limit} order-state: Order ${limit} is not yet accepted by the venue; it can be modified once it is working`,
    `${limit} order-state: Order ${limit} already has a modification in flight; wait for the venue's answer`,
    `${stop} order-shape: A stop order has no limit price; cancel it and submit a stop-limit order instead`,
    `${stop} order-shape: The modification changes nothing: the stop order already has these terms`,
    `${stop} order-shape: The modification changes nothing: the stop order already has these terms`,
    `${stop} order-state: Order ${stop} is CANCELED; there is nothing left to modify`,
  ]);
  assert.equal(h.venueCalls.filter((c) => c.kind === 'replace').length, 1);
  assert.equal(h.status(stop), 'CANCELED');
  assert.throws(() => h.execution.modify('nope', { limitPrice: 1 as never }), (e: unknown) => e instanceof KeelError && e.code === 'UNKNOWN_ORDER');
});

test('a cash-sized order cannot be modified', () => {
  const h = simHarness({ latency: latencyModel(10) });
  let cash = '';
  // A cash-sized market order fills on the first event after it arrives: modify it the moment it is accepted.
  h.execution.addListener({ onOrderEvent: (e) => { if (e.type === 'order.accepted' && e.clientOrderId === cash) h.modify(cash, { quantity: 5 }); } });
  h.after(0, () => { cash = h.submit({ side: 'buy', notional: 1000 }); });
  h.run([trade(0, 100), trade(15, 100), trade(30, 100)]);
  assert.deepEqual(timeline(h.events, cash), ['order.submitted@0', 'order.accepted@10', 'order.update-denied(order-shape)@10', 'order.filled@15']);
  const o = h.execution.orders.get(cash)!;
  assert.equal(o.modifyReason, 'A cash-sized (notional) order cannot be modified; cancel it and submit a new one');
});

test('the kill switch cancels an order whose replace is in flight', () => {
  const { h, id, book } = working();
  let canceled: readonly string[] = [];
  h.after(2, () => {
    h.modify(id(), { quantity: 20 });
    assert.equal(h.status(id()), 'PENDING_UPDATE');
    canceled = h.risk.activateKillSwitch({ by: 'operator test', reason: 'runaway' }).canceled;
  });
  h.run([trade(0, 100), trade(5, 100), trade(20, 100), trade(40, 100)]);
  assert.deepEqual(canceled, [id()]);
  assert.deepEqual(timeline(h.events, id()).slice(2), ['order.pending-update@20', 'order.updated@30', 'order.canceled@30']);
  assert.equal(h.status(id()), 'CANCELED');
  assert.equal(book().openBuyLots, 0);
  assert.equal(h.risk.exposure.openOrders, 0);
  assert.equal(h.risk.tradingState, 'HALTED');
});

test('transition table: the new events are legal only where a venue can send them', () => {
  const updated = { type: 'order.updated', ts: 0, clientOrderId: 'x', order: {} } as OrderEvent;
  const rejected = { type: 'order.update-rejected', ts: 0, clientOrderId: 'x', reason: 'r' } as OrderEvent;
  const pending = { type: 'order.pending-update', ts: 0, clientOrderId: 'x', order: {} } as OrderEvent;
  const denied = { type: 'order.update-denied', ts: 0, clientOrderId: 'x', check: 'c', reason: 'r' } as OrderEvent;
  const fill = (leaves: number) => ({ type: 'order.filled', ts: 0, clientOrderId: 'x', fill: {}, leavesQuantity: leaves }) as OrderEvent;
  assert.equal(nextStatus('ACCEPTED', pending), 'PENDING_UPDATE');
  assert.equal(nextStatus('PARTIALLY_FILLED', pending), 'PENDING_UPDATE');
  assert.equal(nextStatus('PENDING_UPDATE', updated, 0), 'ACCEPTED');
  assert.equal(nextStatus('PENDING_UPDATE', updated, 3), 'PARTIALLY_FILLED');
  assert.equal(nextStatus('PENDING_UPDATE', rejected, 3), 'PARTIALLY_FILLED');
  assert.equal(nextStatus('PENDING_UPDATE', fill(2)), 'PENDING_UPDATE');
  assert.equal(nextStatus('PENDING_UPDATE', fill(0)), 'FILLED');
  assert.equal(nextStatus('FILLED', rejected), 'FILLED');
  assert.equal(nextStatus('CANCELED', rejected), 'CANCELED');
  assert.equal(nextStatus('CANCELED', denied), 'CANCELED');
  assert.equal(nextStatus('PENDING_UPDATE', { type: 'order.expired', ts: 0, clientOrderId: 'x' }), 'EXPIRED');
  for (const [from, e] of [['SUBMITTED', pending], ['PENDING_UPDATE', pending], ['ACCEPTED', updated], ['FILLED', updated], ['ACCEPTED', rejected], ['INITIALIZED', denied]] as const) {
    assert.throws(() => nextStatus(from, e), /illegal order transition/, `${e.type} from ${from}`);
  }
});
