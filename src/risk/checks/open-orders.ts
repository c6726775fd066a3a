import type { RiskConfig } from '../config.ts';
import type { ExposureBook } from '../exposure-book.ts';
import type { PreTradeCheck } from './review.ts';

/** Max working orders per instrument, per strategy and in total. */
export function openOrdersCheck(config: RiskConfig, exposure: ExposureBook): PreTradeCheck {
  return {
    name: 'open-orders',
    check({ order, book, rules, strategy, strategyLimits }) {
      if (rules.maxOpenOrders !== undefined && book.openOrders >= rules.maxOpenOrders) {
        return `${book.openOrders} orders already working on ${order.instrumentId}; the limit is ${rules.maxOpenOrders}`;
      }
      if (strategyLimits.maxOpenOrders !== undefined && strategy.openOrders >= strategyLimits.maxOpenOrders) {
        return `Strategy ${order.strategyId} already has ${strategy.openOrders} working orders; its limit is ${strategyLimits.maxOpenOrders}`;
      }
      const max = config.account.maxOpenOrders;
      if (max !== undefined && exposure.openOrders >= max) return `The account already has ${exposure.openOrders} working orders; the limit is ${max}`;
      return undefined;
    },
  };
}
