import type { RiskConfig } from '../config.ts';
import { ScopedCounters } from './message-throttle.ts';
import type { PreTradeCheck } from './review.ts';

/** The modification throttle: a check for replaces, plus a way to count cancels without checking them. */
export interface ModificationThrottle extends PreTradeCheck {
  /** Count a cancel request against the same limit; never refuses (see `modificationThrottleCheck`). */
  recordCancel(strategyId: string, now: number): void;
}

/**
 * Max cancel and replace requests per sliding second (`maxModificationsPerSecond`), per account and per
 * strategy. A strategy re-pricing in a loop floods the venue with replaces and gets the account's session
 * throttled or cut, so replaces past the limit are refused (only approved ones count). Cancels fill the same
 * window but are never refused: a cancel takes risk off the market, and refusing it would keep a runaway
 * strategy's orders working longer.
 */
export function modificationThrottleCheck(config: RiskConfig): ModificationThrottle {
  const counters = new ScopedCounters(config, 'maxModificationsPerSecond');
  const account = counters.account;
  return {
    name: 'modification-throttle',
    check({ order, now }) {
      if (account !== undefined && !account.allows(now)) {
        return `The account already sent ${account.max} cancel/replace requests in the last second (limit ${account.max}/s)`;
      }
      const s = counters.strategy(order.strategyId);
      if (s !== undefined && !s.allows(now)) {
        return `Strategy ${order.strategyId} already sent ${s.max} cancel/replace requests in the last second (limit ${s.max}/s)`;
      }
      return undefined;
    },
    approved({ order, now }) {
      counters.record(order.strategyId, now);
    },
    recordCancel(strategyId, now) {
      counters.record(strategyId, now);
    },
  };
}
