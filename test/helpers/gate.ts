import { defineInstrument, type Fill, type Instrument, type Money, type OrderRequest } from '../../src/model/index.ts';
import { SimClock } from '../../src/kernel/index.ts';
import { RiskEngine, type RiskConfig, type RiskDecision } from '../../src/risk/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import type { OrderSpec } from '../../src/strategy/index.ts';

import { money as usd } from './risk-config.ts';

/**
 * The risk engine alone, with a hand-driven clock, account and books: `price` sets the reference, `hold`
 * books a position through real order events, `order` builds an order the way a strategy's spec would be.
 */
export function gate(config: RiskConfig, o: { instruments?: Instrument[]; cash?: string; equity?: number; fee?: (value: Money) => Money } = {}) {
  const instruments = o.instruments ?? [defineInstrument({ id: 'ACME', priceTick: '0.01' })];
  const clock = new SimClock(0);
  const account = { cash: usd(o.cash ?? '1000000'), equity: o.equity ?? 1_000_000 };
  const risk = new RiskEngine({
    instruments, clock, config,
    account: { cash: () => account.cash, equity: () => account.equity },
    estimateFee: o.fee ? (_id, value) => o.fee!(value) : undefined,
  });
  const byId = new Map(instruments.map((i) => [i.id, i]));
  let seq = 0;
  const h = {
    risk, clock, account, instruments,
    /** Move the clock. */
    at(ms: number) { clock.advanceTo(ms); return h; },
    /** A trade print: the reference price of the instrument. */
    price(p: number, id = instruments[0].id) {
      risk.onMarketEvent({ type: 'trade', instrumentId: id, ts: clock.now(), price: p, size: 0 });
      return h;
    },
    order(spec: OrderSpec & { strategy?: string }): OrderRequest {
      const inst = byId.get(spec.instrumentId ?? instruments[0].id)!;
      return buildOrder(inst, spec, `t${++seq}`, spec.strategy ?? 'strat', clock.now());
    },
    check(spec: OrderSpec & { strategy?: string }): RiskDecision {
      return risk.evaluate(h.order(spec));
    },
    /** Denial reason, or 'ok'. */
    why(spec: OrderSpec & { strategy?: string }): string {
      const d = h.check(spec);
      return d.approved ? 'ok' : `${d.check}: ${d.reason}`;
    },
    /** Evaluate and, if approved, put it on the books as working. */
    work(spec: OrderSpec & { strategy?: string }): OrderRequest {
      const order = h.order(spec);
      const d = risk.evaluate(order);
      if (!d.approved) throw new Error(`expected approval, got ${d.check}: ${d.reason}`);
      risk.onOrderEvent({ type: 'order.submitted', ts: clock.now(), order });
      risk.onOrderEvent({ type: 'order.accepted', ts: clock.now(), clientOrderId: order.clientOrderId, venueOrderId: `v-${order.clientOrderId}` });
      return order;
    },
    fill(order: OrderRequest, lots: number, priceTicks: number, leaves = 0) {
      const fill: Fill = {
        clientOrderId: order.clientOrderId, venueOrderId: `v-${order.clientOrderId}`, tradeId: `x${++seq}`, strategyId: order.strategyId,
        instrumentId: order.instrumentId, side: order.side, quantity: lots as Fill['quantity'], price: priceTicks as Fill['price'], fee: 0n,
        liquidity: 'taker', ts: clock.now(), decisionPrice: undefined,
      };
      risk.onOrderEvent({ type: 'order.filled', ts: clock.now(), clientOrderId: order.clientOrderId, fill, leavesQuantity: leaves as Fill['quantity'] });
    },
    cancel(order: OrderRequest) {
      risk.onOrderEvent({ type: 'order.canceled', ts: clock.now(), clientOrderId: order.clientOrderId, reason: 'test' });
    },
    /** Book a position of `qty` (signed) at `price` through a filled market order, bypassing no books. */
    hold(qty: number, price: number, strategy = 'strat', id = instruments[0].id) {
      const inst = byId.get(id)!;
      const order = buildOrder(inst, { side: qty > 0 ? 'buy' : 'sell', quantity: Math.abs(qty), instrumentId: id }, `h${++seq}`, strategy, clock.now());
      risk.onOrderEvent({ type: 'order.submitted', ts: clock.now(), order });
      h.fill(order, order.quantity, Math.round(price / inst.tickSize));
      return h;
    },
  };
  return h;
}
