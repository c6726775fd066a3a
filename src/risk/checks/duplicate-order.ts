import type { RiskConfig } from '../config.ts';
import type { OrderUnderReview, PreTradeCheck } from './review.ts';

function keyOf({ order: o }: OrderUnderReview): string {
  const price = o.type === 'limit' ? o.limitPrice : o.type === 'stop' ? o.stopPrice : o.type === 'stop_limit' ? `${o.stopPrice}/${o.limitPrice}` : 'mkt';
  const size = o.type === 'market' && o.notional !== undefined ? `$${o.notional}` : String(o.quantity);
  return `${o.strategyId}\u0000${o.instrumentId}\u0000${o.side}\u0000${o.type}\u0000${size}\u0000${price}`;
}

/**
 * The same order (strategy, instrument, side, type, quantity, price) sent again within the window is
 * almost always a bug replaying a signal; refuse the copy. Only approved orders start a window.
 */
export function duplicateOrderCheck(config: RiskConfig): PreTradeCheck {
  const lastSent = new Map<string, number>();
  const windowOf = (strategyId: string) => config.strategies[strategyId]?.duplicateWindowMs ?? config.account.duplicateWindowMs;
  let longest = config.account.duplicateWindowMs ?? 0;
  for (const s of Object.values(config.strategies)) longest = Math.max(longest, s.duplicateWindowMs ?? 0);
  return {
    name: 'duplicate-order',
    check(r) {
      const window = windowOf(r.order.strategyId);
      if (window === undefined || window <= 0) return undefined;
      const at = lastSent.get(keyOf(r));
      if (at !== undefined && r.now - at < window) {
        return `Same ${r.order.side} order on ${r.order.instrumentId} (same quantity and price) was sent ${r.now - at} ms ago; duplicates within ${window} ms are refused`;
      }
      return undefined;
    },
    approved(r) {
      if (!(windowOf(r.order.strategyId)! > 0)) return;
      // Keep memory bounded: drop windows that can no longer match.
      if (lastSent.size >= 4096) for (const [k, t] of lastSent) if (r.now - t >= longest) lastSent.delete(k);
      lastSent.set(keyOf(r), r.now);
    },
  };
}
