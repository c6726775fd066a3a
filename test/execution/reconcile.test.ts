import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, type Fill } from '../../src/model/index.ts';
import { SimClock } from '../../src/kernel/index.ts';
import { RiskEngine } from '../../src/risk/index.ts';
import { ExecutionEngine, planReconciliation, type VenueSnapshot } from '../../src/execution/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';

const inst = defineInstrument({ id: 'ACME', priceTick: '0.01' });

/** An engine whose journal held: a1 accepted and working, a2 journaled but never sent, a3 accepted and partly filled. */
function recovered() {
  const clock = new SimClock(0);
  const execution = new ExecutionEngine({ risk: new RiskEngine({ instruments: [inst], clock }), clock, instruments: new Map([[inst.id, inst]]) });
  execution.connectVenue({ name: 'v', submit() {}, cancel() {}, replace() {} });
  const order = (id: string, qty: number) => buildOrder(inst, { side: 'buy', quantity: qty, limitPrice: 10 }, id, 's', 0);
  for (const [id, qty] of [['a1', 10], ['a2', 10], ['a3', 10]] as const) execution.replay({ type: 'order.submitted', ts: 0, order: order(id, qty) });
  execution.replay({ type: 'order.accepted', ts: 1, clientOrderId: 'a1', venueOrderId: 'v1' });
  execution.replay({ type: 'order.accepted', ts: 1, clientOrderId: 'a3', venueOrderId: 'v3' });
  execution.replay({ type: 'order.filled', ts: 2, clientOrderId: 'a3', fill: fill('a3', 't1', 4), leavesQuantity: 6 as Fill['quantity'] });
  return execution;
}

function fill(id: string, tradeId: string, qty: number): Fill {
  return {
    clientOrderId: id, venueOrderId: `v-${id}`, tradeId, strategyId: 's', instrumentId: 'ACME', side: 'buy', quantity: qty as Fill['quantity'],
    price: 1000 as Fill['price'], fee: 0n, liquidity: 'maker', ts: 5, decisionPrice: undefined,
  };
}

test('reconciliation: fills while down are applied, finished orders close, never-sent intents are rejected, not resent', () => {
  const execution = recovered();
  const venue: VenueSnapshot = {
    ts: 9,
    orders: [
      { clientOrderId: 'a1', status: 'CANCELED', reason: 'DAY order expired at the close' },
      { clientOrderId: 'a3', status: 'FILLED' },
      { clientOrderId: 'x9', status: 'ACCEPTED' },
    ],
    fills: [fill('a3', 't1', 4), fill('a3', 't2', 6), fill('x9', 't3', 1)],
    positions: { ACME: 11 },
    cash: 0n,
  };
  const plan = planReconciliation({ orders: execution.orders.all(), tradeIds: new Set(['t1']) }, venue);
  assert.deepEqual(plan.reports.map((r) => `${r.type} ${r.clientOrderId}${r.type === 'order.filled' ? ` ${r.fill.quantity} leaves ${r.leavesQuantity}` : ''}`), [
    'order.filled a3 6 leaves 0',
    'order.canceled a1',
    'order.rejected a2',
  ]);
  assert.deepEqual(plan.neverReached, ['a2']);
  assert.deepEqual(plan.externalOrders, ['x9']);
  assert.deepEqual(plan.externalFills, ['t3']);
  for (const r of plan.reports) execution.onVenueReport(r);
  assert.equal(execution.orders.get('a1')!.status, 'CANCELED');
  assert.equal(execution.orders.get('a2')!.status, 'REJECTED');
  assert.equal(execution.orders.get('a3')!.status, 'FILLED');
  assert.equal(execution.risk.exposure.instruments.get('ACME')!.lots, 10);
});

test('reconciliation: an order the venue accepted while the engine was down becomes ACCEPTED before its fill', () => {
  const clock = new SimClock(0);
  const execution = new ExecutionEngine({ risk: new RiskEngine({ instruments: [inst], clock }), clock, instruments: new Map([[inst.id, inst]]) });
  execution.connectVenue({ name: 'v', submit() {}, cancel() {}, replace() {} });
  execution.replay({ type: 'order.submitted', ts: 0, order: buildOrder(inst, { side: 'buy', quantity: 5 }, 'b1', 's', 0) });
  const plan = planReconciliation({ orders: execution.orders.all(), tradeIds: new Set() }, {
    ts: 3, orders: [{ clientOrderId: 'b1', status: 'FILLED', venueOrderId: 'V-1' }], fills: [fill('b1', 'q1', 5)], positions: { ACME: 5 }, cash: 0n,
  });
  assert.deepEqual(plan.reports.map((r) => r.type), ['order.accepted', 'order.filled']);
  for (const r of plan.reports) execution.onVenueReport(r);
  assert.equal(execution.orders.get('b1')!.status, 'FILLED');
  assert.equal(plan.unsettled.length + plan.neverReached.length + plan.externalOrders.length, 0);
});
