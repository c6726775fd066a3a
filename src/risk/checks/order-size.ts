import type { Money } from '../../model/index.ts';
import type { RiskConfig } from '../config.ts';
import { fmtMoney, fmtQty } from './format.ts';
import type { PreTradeCheck } from './review.ts';

/** Max quantity per order (per instrument) and max value per order (per instrument, strategy and account). */
export function orderSizeCheck(config: RiskConfig): PreTradeCheck {
  return {
    name: 'order-size',
    check({ order, book, rules, strategyLimits, notional, lots, reducing }) {
      const inst = book.instrument;
      if (rules.maxOrderLots !== undefined && lots > rules.maxOrderLots) {
        return `Order quantity ${fmtQty(inst, lots)} is above the ${inst.id} limit of ${fmtQty(inst, rules.maxOrderLots)} per order`;
      }
      const caps: Array<[Money | undefined, string]> = [
        [rules.maxOrderNotional, `the ${inst.id} limit`],
        [strategyLimits.maxOrderNotional, `strategy ${order.strategyId}'s limit`],
        [config.account.maxOrderNotional, "the account's limit"],
      ];
      for (const [cap, whose] of caps) {
        if (cap === undefined) continue;
        if (notional === undefined) {
          if (reducing) continue;
          return `No reference price to value the ${inst.id} order against ${whose} of ${fmtMoney(inst, cap)} per order`;
        }
        if (notional > cap) return `Order value ${fmtMoney(inst, notional)} is above ${whose} of ${fmtMoney(inst, cap)} per order`;
      }
      return undefined;
    },
  };
}
