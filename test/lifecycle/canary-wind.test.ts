import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, type Fill, type OrderRequest } from '../../src/model/index.ts';
import { SimClock } from '../../src/kernel/index.ts';
import { RiskEngine } from '../../src/risk/index.ts';
import { ExecutionEngine } from '../../src/execution/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import { Strategy } from '../../src/strategy/index.ts';
import { CanaryRunner } from '../../src/lifecycle/canary.ts';

/**
 * A rollback's flatten of the canary's position, against an account where the live version's exit is already
 * working: the flatten is capped at what is left after that exit, so it is never an order pre-trade risk must
 * deny (reduce-only counts working exits) and the operator is never told "flattened" for an order never sent.
 */

const inst = defineInstrument({ id: 'ACME', priceTick: '0.01' });
class Quiet extends Strategy {}

function account() {
  const clock = new SimClock(1_000);
  const sent: OrderRequest[] = [];
  const execution = new ExecutionEngine({ risk: new RiskEngine({ instruments: [inst], clock }), clock, instruments: new Map([[inst.id, inst]]) });
  execution.connectVenue({ name: 'v', submit(r) { sent.push(r); }, cancel() {}, replace() {} });
  const canary = new CanaryRunner({
    strategyId: 'sma-cross-canary', strategyClass: Quiet as never, params: {}, instrument: inst, clock, execution, log: { info() {}, warn() {}, error() {} } as never,
    cash: 10_000_000_000_000_000n as never, sizing: { kind: 'units', units: 25 } as never, lastOrderSeq: 0,
  });
  canary.onMarketEvent({ type: 'bar', instrumentId: 'ACME', ts: 1_000, open: 10, high: 10, low: 10, close: 10, volume: 1_000 });
  let trade = 0;
  const filled = (strategyId: string, side: 'buy' | 'sell', qty: number) => {
    const id = `${strategyId}-f${++trade}`;
    execution.submit(buildOrder(inst, { side, quantity: qty, type: 'market' }, id, strategyId, 1_000));
    execution.onVenueReport({ type: 'order.accepted', ts: 1_001, clientOrderId: id, venueOrderId: `v-${id}` });
    const fill: Fill = {
      clientOrderId: id, venueOrderId: `v-${id}`, tradeId: `t${trade}`, strategyId, instrumentId: 'ACME', side, quantity: qty as Fill['quantity'],
      price: 1000 as Fill['price'], fee: 0n, liquidity: 'taker', ts: 1_002, decisionPrice: undefined,
    };
    execution.onVenueReport({ type: 'order.filled', ts: 1_002, clientOrderId: id, fill, leavesQuantity: 0 as Fill['quantity'] });
  };
  const working = (strategyId: string, side: 'buy' | 'sell', qty: number) => {
    const id = `${strategyId}-w${++trade}`;
    execution.submit(buildOrder(inst, { side, quantity: qty, type: 'market' }, id, strategyId, 1_000));
    execution.onVenueReport({ type: 'order.accepted', ts: 1_001, clientOrderId: id, venueOrderId: `v-${id}` });
  };
  return { execution, canary, sent, filled, working };
}

test('the live version\'s exit working for the whole account: the rollback sends no flatten and nothing is denied', () => {
  const a = account();
  a.filled('sma-cross', 'buy', 100);
  a.filled('sma-cross-canary', 'buy', 25);
  assert.equal(a.canary.lots(), 25);
  a.working('sma-cross', 'sell', 125);
  const before = a.sent.length;
  const wound = a.canary.wind(true);
  assert.deepEqual(wound, { canceled: [], flattenOrder: undefined, refused: undefined });
  assert.equal(a.sent.length, before, 'no order sent');
  assert.ok(![...a.execution.orders.all()].some((o) => o.status === 'DENIED'), 'no order denied');
});

test('the live version\'s exit working for its own shares only: the canary\'s 25 are flattened by one reduce-only order that is sent', () => {
  const a = account();
  a.filled('sma-cross', 'buy', 100);
  a.filled('sma-cross-canary', 'buy', 25);
  a.working('sma-cross', 'sell', 100);
  const wound = a.canary.wind(true);
  assert.ok(wound.flattenOrder !== undefined && wound.refused === undefined, JSON.stringify(wound));
  const order = a.sent.at(-1)!;
  assert.equal(order.clientOrderId, wound.flattenOrder);
  assert.deepEqual([order.side, order.quantity, order.reduceOnly], ['sell', 25, true]);
});

test('part of the canary\'s shares already covered by a working exit: the flatten is for the rest', () => {
  const a = account();
  a.filled('sma-cross', 'buy', 100);
  a.filled('sma-cross-canary', 'buy', 25);
  a.working('sma-cross', 'sell', 110);
  const wound = a.canary.wind(true);
  assert.equal(a.sent.at(-1)!.clientOrderId, wound.flattenOrder);
  assert.equal(a.sent.at(-1)!.quantity, 15);
});
