import type { OrderRequest } from '../../model/index.ts';
import type { RiskConfig } from '../config.ts';
import type { StrategyLine } from '../exposure-book.ts';
import type { OrderUnderReview, PreTradeCheck } from './review.ts';

/** What makes two orders "the same": side, type, size and prices (per strategy and instrument). */
interface Sent {
  readonly ts: number;
  readonly side: string;
  readonly type: string;
  readonly quantity: number;
  readonly notional: bigint | undefined;
  readonly price1: number;
  readonly price2: number;
}

function sentOf(o: OrderRequest, ts: number): Sent {
  const p1 = o.type === 'limit' ? o.limitPrice : o.type === 'stop' || o.type === 'stop_limit' ? o.stopPrice : 0;
  const p2 = o.type === 'stop_limit' ? o.limitPrice : 0;
  return { ts, side: o.side, type: o.type, quantity: o.quantity, notional: o.type === 'market' ? o.notional : undefined, price1: p1, price2: p2 };
}

function same(a: Sent, o: OrderRequest): boolean {
  if (a.side !== o.side || a.type !== o.type || a.quantity !== o.quantity) return false;
  switch (o.type) {
    case 'market': return a.notional === o.notional;
    case 'limit': return a.price1 === o.limitPrice;
    case 'stop': return a.price1 === o.stopPrice;
    case 'stop_limit': return a.price1 === o.stopPrice && a.price2 === o.limitPrice;
  }
}

/**
 * The same order (strategy, instrument, side, type, quantity, price) sent again within the window is
 * almost always a bug replaying a signal; refuse the copy. Only approved orders start a window. Each
 * strategy-instrument keeps its recent orders in time order, so old ones drop off the front.
 */
export function duplicateOrderCheck(config: RiskConfig): PreTradeCheck {
  const recent = new Map<StrategyLine, Sent[]>();
  const windowOf = (strategyId: string) => config.strategies[strategyId]?.duplicateWindowMs ?? config.account.duplicateWindowMs;
  const listOf = (r: OrderUnderReview): Sent[] => {
    const line = r.strategy.lines[r.book.index];
    let list = recent.get(line);
    if (list === undefined) recent.set(line, (list = []));
    return list;
  };
  return {
    name: 'duplicate-order',
    check(r) {
      const window = windowOf(r.order.strategyId);
      if (window === undefined || window <= 0) return undefined;
      const list = listOf(r);
      let expired = 0;
      while (expired < list.length && r.now - list[expired].ts >= window) expired++;
      if (expired > 0) list.splice(0, expired);
      for (let i = list.length - 1; i >= 0; i--) {
        if (same(list[i], r.order)) {
          return `Same ${r.order.side} order on ${r.order.instrumentId} (same quantity and price) was sent ${r.now - list[i].ts} ms ago; duplicates within ${window} ms are refused`;
        }
      }
      return undefined;
    },
    approved(r) {
      const window = windowOf(r.order.strategyId);
      if (window === undefined || window <= 0) return;
      listOf(r).push(sentOf(r.order, r.now));
    },
  };
}
