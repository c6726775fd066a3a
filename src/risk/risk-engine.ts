import type { OrderRequest } from '../model/index.ts';
import { markApproved, type ApprovedOrder } from './approved-order.ts';

/** One pre-trade check: returns undefined to pass, or a denial reason a trader understands. */
export interface PreTradeCheck {
  readonly name: string;
  check(order: OrderRequest): string | undefined;
}

export type RiskDecision =
  | { readonly approved: true; readonly order: ApprovedOrder }
  | { readonly approved: false; readonly check: string; readonly reason: string };

/**
 * The pre-trade gate every order passes, in every mode. The foundation ships the instrument sanity checks;
 * the limit checks, breakers, trading states and kill switch plug in here (the risk issue).
 */
export class RiskEngine {
  private readonly checks: PreTradeCheck[];

  constructor(checks: readonly PreTradeCheck[] = [orderShapeCheck]) {
    this.checks = [...checks];
  }

  evaluate(order: OrderRequest): RiskDecision {
    for (let i = 0; i < this.checks.length; i++) {
      const reason = this.checks[i].check(order);
      if (reason !== undefined) return { approved: false, check: this.checks[i].name, reason };
    }
    return { approved: true, order: markApproved(order) };
  }
}

/** Structural rules no venue would accept: a positive whole-lot quantity, notional only on market buys. */
export const orderShapeCheck: PreTradeCheck = {
  name: 'order-shape',
  check(o) {
    if (o.type === 'market' && o.notional !== undefined) {
      if (o.side !== 'buy') return 'A notional (cash amount) order must be a buy';
      if (o.notional <= 0n) return 'A notional order needs a positive cash amount';
      if (o.reduceOnly) return 'A notional order cannot be reduce-only';
      return undefined;
    }
    if (!Number.isSafeInteger(o.quantity) || o.quantity <= 0) return `Quantity must be a positive whole number of lots, got ${o.quantity}`;
    if (o.type === 'stop_limit' && o.side === 'buy' && o.limitPrice < o.stopPrice) return 'Buy stop-limit has its limit below its stop, it could never fill at the trigger';
    if (o.type === 'stop_limit' && o.side === 'sell' && o.limitPrice > o.stopPrice) return 'Sell stop-limit has its limit above its stop, it could never fill at the trigger';
    return undefined;
  },
};
