import { moneyFromNumber, notional as valueOf } from '../../model/index.ts';
import type { RiskConfig } from '../config.ts';
import type { ExposureBook } from '../exposure-book.ts';
import { fmtMoney, fmtQty } from './format.ts';
import { accountChangeOf, type PreTradeCheck, type ReviewEnvironment } from './review.ts';

/**
 * Enough money for the order, fees included. Cash account: buys need free cash (cash minus what working
 * buys already committed) and sells cannot go below zero. Margin account: gross exposure after the order,
 * plus its fee, must stay within equity × leverage. Orders that only reduce a position always pass, and so
 * do modifications that need no more than the order they replace (valued at its own price).
 */
export function buyingPowerCheck(config: RiskConfig, exposure: ExposureBook, env: Pick<ReviewEnvironment, 'account' | 'estimateFee'>): PreTradeCheck {
  const bp = config.account.buyingPower;
  return {
    name: 'buying-power',
    check(r) {
      const { order, book, notional, workingLots, replaces, reducing } = r;
      if (bp === undefined || reducing) return undefined;
      const inst = book.instrument;
      if (notional === undefined) return `No reference price to value the ${inst.id} order for the buying-power check`;
      // A modification needs money only for what it would still have working (its fills are paid for).
      const value = replaces === undefined ? notional : valueOf(inst, r.priceTicks, workingLots);
      const fee = env.estimateFee(inst.id, value, workingLots);
      if (bp.mode === 'cash') {
        if (order.side === 'sell') {
          if (!r.grows) return undefined;
          const after = book.lots - book.openSellLots - workingLots;
          return after < 0 ? `A cash account cannot sell more than it holds: selling ${fmtQty(inst, workingLots)} would leave ${inst.id} at ${fmtQty(inst, after)}` : undefined;
        }
        const need = value + fee;
        if (replaces !== undefined && Number.isSafeInteger(replaces.priceTicks)) {
          const before = valueOf(inst, replaces.priceTicks, replaces.leavesLots);
          if (need <= before + env.estimateFee(inst.id, before, replaces.leavesLots)) return undefined;
        }
        let committed = 0n;
        for (const b of exposure.instrumentList) {
          committed += b.openBuyNotional;
          if (b.openBuyLots > 0) committed += valueOf(b.instrument, b.refTicks, b.openBuyLots);
        }
        const free = env.account.cash() - committed;
        return need > free ? `Order needs ${fmtMoney(inst, need)} (value ${fmtMoney(inst, value)} + fee ${fmtMoney(inst, fee)}) but only ${fmtMoney(inst, free < 0n ? 0n : free)} cash is free` : undefined;
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
