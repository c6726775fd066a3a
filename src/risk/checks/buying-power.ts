import { moneyFromNumber, notional as valueOf } from '../../model/index.ts';
import type { RiskConfig } from '../config.ts';
import type { ExposureBook } from '../exposure-book.ts';
import { fmtMoney, fmtQty } from './format.ts';
import { accountChangeOf, type PreTradeCheck, type ReviewEnvironment } from './review.ts';

/**
 * Enough money for the order, fees included. Cash account: buys need free cash (cash minus what working
 * buys already committed) and sells cannot go below zero. Margin account: gross exposure after the order,
 * plus its fee, must stay within equity × leverage. Orders that only reduce a position always pass.
 */
export function buyingPowerCheck(config: RiskConfig, exposure: ExposureBook, env: Pick<ReviewEnvironment, 'account' | 'estimateFee'>): PreTradeCheck {
  const bp = config.account.buyingPower;
  return {
    name: 'buying-power',
    check(r) {
      const { order, book, notional, lots, reducing } = r;
      if (bp === undefined || reducing) return undefined;
      const inst = book.instrument;
      if (notional === undefined) return `No reference price to value the ${inst.id} order for the buying-power check`;
      const fee = env.estimateFee(inst.id, notional, lots);
      if (bp.mode === 'cash') {
        if (order.side === 'sell') {
          const after = book.lots - book.openSellLots - lots;
          return after < 0 ? `A cash account cannot sell more than it holds: selling ${fmtQty(inst, lots)} would leave ${inst.id} at ${fmtQty(inst, after)}` : undefined;
        }
        let committed = 0n;
        for (const b of exposure.instrumentList) {
          committed += b.openBuyNotional;
          if (b.openBuyLots > 0) committed += valueOf(b.instrument, b.refTicks, b.openBuyLots);
        }
        const free = env.account.cash() - committed;
        const need = notional + fee;
        return need > free ? `Order needs ${fmtMoney(inst, need)} (value ${fmtMoney(inst, notional)} + fee ${fmtMoney(inst, fee)}) but only ${fmtMoney(inst, free < 0n ? 0n : free)} cash is free` : undefined;
      }
      const c = accountChangeOf(r, exposure);
      if (c.grossAfter <= c.grossBefore) return undefined;
      const power = moneyFromNumber(Math.max(0, env.account.equity()) * bp.leverage, 'down');
      const need = c.grossAfter + fee;
      return need > power
        ? `Gross exposure would reach ${fmtMoney(inst, c.grossAfter)} plus fee ${fmtMoney(inst, fee)}, above the buying power of ${fmtMoney(inst, power)} (equity × ${bp.leverage})`
        : undefined;
    },
  };
}
