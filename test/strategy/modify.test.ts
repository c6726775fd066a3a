import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError, defineInstrument, parseMoney, type Bar } from '../../src/model/index.ts';
import { buildResult, runBacktest, parseSizing } from '../../src/backtest/index.ts';
import { Strategy, type OrderView, type StrategyClass } from '../../src/strategy/index.ts';
import { NO_LIMITS } from '../../src/risk/index.ts';
import { bar } from '../helpers/sim-harness.ts';

const inst = defineInstrument({ id: 'TEST', priceTick: '0.01' });
const bars = (n: number) => Array.from({ length: n }, (_, i) => bar(i, 100, 101, 99, 100));
const run = (strategyClass: StrategyClass, n = 6) => runBacktest({
  strategyId: 's', strategyClass, params: {}, instrument: inst, events: bars(n),
  initialCash: parseMoney('100000', 'cash'), sizing: parseSizing('units:10'), risk: NO_LIMITS,
});

class Requoter extends Strategy<{}> {
  n = 0;
  orderId = '';
  seen: Array<Pick<OrderView, 'status' | 'quantity' | 'limitPrice' | 'modifyReason'>> = [];
  statusRightAfterModify = '';
  override onBar(_bar: Bar): void {
    this.n++;
    if (this.n === 1) this.orderId = this.buy(10, { limitPrice: 90 });
    if (this.n === 2) this.modify(this.orderId, { limitPrice: 90.005 });
    if (this.n === 3) {
      this.modify(this.orderId, { limitPrice: 91, quantity: 12 });
      this.statusRightAfterModify = this.openOrders()[0].status;
    }
  }
  override onOrderUpdate(o: OrderView): void {
    this.seen.push({ status: o.status, quantity: o.quantity, limitPrice: o.limitPrice, modifyReason: o.modifyReason });
  }
}

test('strategy API: modify goes through the gate (off-grid prices denied, not thrown) and the strategy sees every step', () => {
  const r = run(Requoter);
  const s = r.strategy as Requoter;
  assert.equal(s.statusRightAfterModify, 'PENDING_UPDATE');
  const offGrid = "Price 90.005 is not on TEST's tick grid of 0.01";
  assert.deepEqual(s.seen, [
    { status: 'SUBMITTED', quantity: 10, limitPrice: 90, modifyReason: undefined },
    { status: 'ACCEPTED', quantity: 10, limitPrice: 90, modifyReason: undefined },
    { status: 'ACCEPTED', quantity: 10, limitPrice: 90, modifyReason: offGrid },
    { status: 'PENDING_UPDATE', quantity: 10, limitPrice: 90, modifyReason: undefined },
    { status: 'ACCEPTED', quantity: 12, limitPrice: 91, modifyReason: undefined },
  ]);
  const o = r.execution.orders.get(s.orderId)!;
  assert.equal(o.request.quantity, 12);
  assert.equal(r.risk.exposure.instruments.get('TEST')!.openBuyLots, 12);
});

class Confused extends Strategy<{}> {
  override onBar(): void {
    this.modify('not-an-order', { quantity: 1 });
  }
}

test('strategy API: modifying an id the run never saw is a KeelError', () => {
  assert.throws(() => run(Confused), (e: unknown) => e instanceof KeelError && e.code === 'UNKNOWN_ORDER' && /clientOrderId = "not-an-order"/.test(e.message));
});

test('a denied modification is listed and counted with the run\'s denials', () => {
  const r = run(Requoter);
  const result = buildResult(r, { strategyName: 's', params: {}, dataSource: 't', dataLayout: 't', dataWarnings: 0, config: {} });
  assert.equal(result.risk.denialsTotal, 1);
  assert.deepEqual(result.risk.denialsByCheck, { 'instrument-rules': 1 });
  assert.equal(result.risk.denials[0].clientOrderId, (r.strategy as Requoter).orderId);
  assert.equal(result.metrics.denials, 1);
});
