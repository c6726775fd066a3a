import type { PreTradeCheck } from './review.ts';

/** Structural rules no venue would accept: a positive whole-lot quantity, notional only on market buys. */
export const orderShapeCheck: PreTradeCheck = {
  name: 'order-shape',
  check({ order: o }) {
    if (o.type === 'market' && o.notional !== undefined) {
      if (o.side !== 'buy') return 'A notional (cash amount) order must be a buy';
      if (o.notional <= 0n) return 'A notional order needs a positive cash amount';
      if (o.reduceOnly) return 'A notional order cannot be reduce-only';
      return undefined;
    }
    if (!(o.quantity > 0)) return `Quantity must be positive, got ${o.quantity} lots`;
    if (o.type === 'stop_limit' && o.side === 'buy' && o.limitPrice < o.stopPrice) return 'Buy stop-limit has its limit below its stop, it could never fill at the trigger';
    if (o.type === 'stop_limit' && o.side === 'sell' && o.limitPrice > o.stopPrice) return 'Sell stop-limit has its limit above its stop, it could never fill at the trigger';
    return undefined;
  },
};
