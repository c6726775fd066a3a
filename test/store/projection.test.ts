import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, type Fill, type OrderEvent } from '../../src/model/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import { isOpenStatus, ordersAskedFor, project, projectionProblem, type JournalRecord, type OrderLookup } from '../../src/store/index.ts';

const acme = defineInstrument({ id: 'ACME', priceTick: '0.01' });
const order = buildOrder(acme, { side: 'sell', quantity: 10, limitPrice: 10 }, 'c-1', 's1', 0);
const lots = (n: number) => n as Fill['quantity'];

const record = (seq: number, e: OrderEvent | { type: string }, account = 'A'): JournalRecord => ({
  seq, ts: 1, stream: { account, strategy: 's1', instrument: 'ACME' }, type: e.type, payload: e,
});
const known = (status: string, filledQuantity = 0): OrderLookup => (id) => (id === 'c-1' ? { status, filledQuantity } : undefined);
const fill = (qty: number): Fill => ({
  clientOrderId: 'c-1', venueOrderId: 'V1', tradeId: `t${qty}`, strategyId: 's1', instrumentId: 'ACME', side: 'sell', quantity: lots(qty),
  price: 1000 as Fill['price'], fee: 12_345n, liquidity: 'maker', ts: 9, decisionPrice: undefined,
});

test('an intent becomes a SUBMITTED order row with the order\'s terms', () => {
  assert.deepEqual(project(record(1, { type: 'order.submitted', ts: 1, order }), known('never asked')), [{
    kind: 'order.insert',
    row: {
      clientOrderId: 'c-1', account: 'A', strategy: 's1', instrument: 'ACME', side: 'sell', type: 'limit', quantity: 10, filledQuantity: 0,
      status: 'SUBMITTED', venueOrderId: null, reason: null, updatedSeq: 1,
    },
  }]);
});

test('venue reports move the order through the OMS\'s transition table', () => {
  assert.deepEqual(project(record(2, { type: 'order.accepted', ts: 2, clientOrderId: 'c-1', venueOrderId: 'V1' }), known('SUBMITTED')), [
    { kind: 'order.update', clientOrderId: 'c-1', status: 'ACCEPTED', filledDelta: 0, seq: 2, venueOrderId: 'V1' },
  ]);
  assert.deepEqual(project(record(3, { type: 'order.canceled', ts: 3, clientOrderId: 'c-1', reason: 'by strategy' }), known('PARTIALLY_FILLED', 4)), [
    { kind: 'order.update', clientOrderId: 'c-1', status: 'CANCELED', filledDelta: 0, seq: 3, reason: 'by strategy' },
  ]);
  assert.deepEqual(project(record(4, { type: 'order.expired', ts: 4, clientOrderId: 'c-1' }), known('ACCEPTED')), [
    { kind: 'order.update', clientOrderId: 'c-1', status: 'EXPIRED', filledDelta: 0, seq: 4 },
  ]);
});

test('a fill updates the order, books the fill (fee as an exact decimal string) and moves the position (sells negative)', () => {
  assert.deepEqual(project(record(5, { type: 'order.filled', ts: 5, clientOrderId: 'c-1', fill: fill(4), leavesQuantity: lots(6) }), known('ACCEPTED')), [
    { kind: 'order.update', clientOrderId: 'c-1', status: 'PARTIALLY_FILLED', filledDelta: 4, seq: 5 },
    {
      kind: 'fill.insert',
      row: { seq: 5, tradeId: 't4', clientOrderId: 'c-1', account: 'A', strategy: 's1', instrument: 'ACME', side: 'sell', quantity: 4, price: 1000, fee: '12345', ts: 9 },
    },
    { kind: 'position.add', account: 'A', instrument: 'ACME', lotsDelta: -4, seq: 5 },
  ]);
});

test('a modification answered after a partial fill leaves the order PARTIALLY_FILLED, at its new quantity', () => {
  const updated = record(6, { type: 'order.updated', ts: 6, clientOrderId: 'c-1', order: { ...order, quantity: lots(8) } });
  assert.deepEqual(project(updated, known('PENDING_UPDATE', 3)), [{ kind: 'order.update', clientOrderId: 'c-1', status: 'PARTIALLY_FILLED', filledDelta: 0, seq: 6, quantity: 8 }]);
  assert.deepEqual(project(updated, known('PENDING_UPDATE', 0))[0], { kind: 'order.update', clientOrderId: 'c-1', status: 'ACCEPTED', filledDelta: 0, seq: 6, quantity: 8 });
  const rejected = record(7, { type: 'order.update-rejected', ts: 7, clientOrderId: 'c-1', reason: 'too late' });
  assert.equal((project(rejected, known('PENDING_UPDATE', 3))[0] as { status: string }).status, 'PARTIALLY_FILLED');
  assert.equal((project(rejected, known('PENDING_UPDATE', 0))[0] as { status: string }).status, 'ACCEPTED');
});

test('a report the OMS would refuse keeps the status; a fill is still booked, even for an order the read model lacks', () => {
  const late = record(8, { type: 'order.filled', ts: 8, clientOrderId: 'c-1', fill: fill(2), leavesQuantity: lots(0) });
  const ops = project(late, known('CANCELED', 4));
  assert.deepEqual(ops[0], { kind: 'order.update', clientOrderId: 'c-1', status: 'CANCELED', filledDelta: 2, seq: 8 });
  assert.deepEqual(ops.slice(1).map((o) => o.kind), ['fill.insert', 'position.add']);
  assert.deepEqual(project(late, () => undefined).map((o) => o.kind), ['fill.insert', 'position.add']);
  assert.deepEqual(project(record(9, { type: 'order.accepted', ts: 9, clientOrderId: 'c-1', venueOrderId: 'V' }), () => undefined), []);
});

test('denials, cancel requests, risk and lifecycle events project to nothing', () => {
  const never: OrderLookup = () => assert.fail('no lookup needed');
  assert.deepEqual(project(record(1, { type: 'order.denied', ts: 1, clientOrderId: 'c-9', check: 'order-size', reason: 'too big' }), never), []);
  assert.deepEqual(project(record(2, { type: 'order.cancel-requested' }), never), []);
  assert.deepEqual(project(record(3, { type: 'risk.state-changed' }), never), []);
  assert.deepEqual(project(record(4, { type: 'engine.started' }), never), []);
});

test('an account.balance event replaces the account\'s balance in that currency, exactly', () => {
  const r: JournalRecord = { seq: 10, ts: 1, stream: { account: 'A' }, type: 'account.balance', payload: { currency: 'USD', cash: 123_456_789_012_345_678_901n, equity: -1n, realizedPnl: 0n } };
  assert.deepEqual(project(r, () => undefined), [
    { kind: 'balance.upsert', row: { account: 'A', currency: 'USD', cash: '123456789012345678901', equity: '-1', realizedPnl: '0', updatedSeq: 10 } },
  ]);
});

test('ordersAskedFor names the orders a batch\'s reports refer to, once each', () => {
  assert.deepEqual(ordersAskedFor([
    record(1, { type: 'order.submitted', ts: 1, order }),
    record(2, { type: 'order.accepted', ts: 2, clientOrderId: 'c-1', venueOrderId: 'V1' }),
    record(3, { type: 'order.denied', ts: 3, clientOrderId: 'c-2', check: 'x', reason: 'y' }),
    record(4, { type: 'order.canceled', ts: 4, clientOrderId: 'c-3', reason: 'z' }),
    record(5, { type: 'order.filled', ts: 5, clientOrderId: 'c-1', fill: fill(1), leavesQuantity: lots(9) }),
    record(6, { type: 'risk.state-changed' }),
  ]), ['c-1', 'c-3']);
});

test('open statuses are the non-terminal ones', () => {
  assert.deepEqual(['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'PENDING_UPDATE', 'PENDING_CANCEL', 'UNKNOWN'].map(isOpenStatus), [true, true, true, true, true, true]);
  assert.deepEqual(['DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED'].map(isOpenStatus), [false, false, false, false, false]);
});

test('projectionProblem says what an order event or balance lacks; other event types are always fine', () => {
  assert.equal(projectionProblem('order.submitted', { type: 'order.submitted', ts: 1, order }), undefined);
  assert.equal(projectionProblem('order.filled', { type: 'order.filled', ts: 1, clientOrderId: 'c-1', fill: fill(2), leavesQuantity: 0 }), undefined);
  assert.equal(projectionProblem('account.balance', { currency: 'USD', cash: 1n, equity: 1n, realizedPnl: 0n }), undefined);
  assert.equal(projectionProblem('risk.state-changed', null), undefined);
  assert.equal(projectionProblem('order.cancel-requested', 42), undefined);
  assert.equal(projectionProblem('order.submitted', { order: { ...order, side: 'long' } }), 'payload.order.side must be buy or sell');
  assert.equal(projectionProblem('order.accepted', { clientOrderId: 'c-1' }), 'payload.venueOrderId must be a string');
  assert.equal(projectionProblem('order.canceled', { reason: 'x' }), 'payload.clientOrderId must be a non-empty string');
  assert.equal(projectionProblem('order.filled', { clientOrderId: 'c-1', fill: { ...fill(1), fee: 0.5 }, leavesQuantity: 0 }), 'payload.fill.fee must be Money (a bigint)');
  assert.equal(projectionProblem('order.filled', { clientOrderId: 'c-1', fill: fill(1) }), 'payload.leavesQuantity must be whole lots');
  assert.equal(projectionProblem('account.balance', { currency: 'USD', cash: 1, equity: 1n, realizedPnl: 0n }), 'payload.cash must be Money (a bigint)');
});
