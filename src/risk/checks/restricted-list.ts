import type { RiskConfig } from '../config.ts';
import type { PreTradeCheck } from './review.ts';

/**
 * Instruments on the account's or the strategy's restricted list may be reduced, never added to; an order
 * already working there may still be made smaller or repriced.
 */
export function restrictedListCheck(config: RiskConfig): PreTradeCheck {
  const account = new Set(config.account.restricted ?? []);
  const byStrategy = new Map(Object.entries(config.strategies).map(([id, l]) => [id, new Set(l.restricted ?? [])]));
  return {
    name: 'restricted-list',
    check({ order, reducing, grows }) {
      if (reducing || !grows) return undefined;
      if (account.has(order.instrumentId)) return `${order.instrumentId} is on the account's restricted list`;
      if (byStrategy.get(order.strategyId)?.has(order.instrumentId)) return `${order.instrumentId} is on strategy ${order.strategyId}'s restricted list`;
      return undefined;
    },
  };
}
