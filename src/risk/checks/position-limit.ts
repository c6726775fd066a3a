import { notional } from '../../model/index.ts';
import { fmtMoney, fmtQty } from './format.ts';
import type { PreTradeCheck } from './review.ts';

/**
 * Max position per instrument, in quantity and in value, counting the working orders on the order's side
 * (if they all fill, the position must still be inside the limit). An order that brings the position
 * toward zero is never refused here, even when the position is already over a (lowered) limit; nor is a
 * modification that leaves less working than the order it replaces.
 */
export const positionLimitCheck: PreTradeCheck = {
  name: 'position-limit',
  check({ order, book, rules, workingLots, replaces, priceTicks }) {
    if (rules.maxPositionLots === undefined && rules.maxPositionNotional === undefined) return undefined;
    const inst = book.instrument;
    const sign = order.side === 'buy' ? 1 : -1;
    const others = order.side === 'buy' ? book.lots + book.openBuyLots : book.lots - book.openSellLots;
    // A replaced order's lots are out of the books while its replacement is checked: "before" puts them back.
    const before = others + sign * (replaces?.leavesLots ?? 0);
    const after = others + sign * workingLots;
    if (Math.abs(after) <= Math.abs(before)) return undefined;
    if (rules.maxPositionLots !== undefined && Math.abs(after) > rules.maxPositionLots) {
      return `${inst.id} position would reach ${fmtQty(inst, after)} (now ${fmtQty(inst, book.lots)}, working ${fmtQty(inst, before - book.lots)}), above the limit of ${fmtQty(inst, rules.maxPositionLots)}`;
    }
    if (rules.maxPositionNotional !== undefined) {
      const ticks = book.refTicks || priceTicks;
      if (!(ticks > 0)) return `No reference price to value the ${inst.id} position against its limit of ${fmtMoney(inst, rules.maxPositionNotional)}`;
      const value = notional(inst, Math.round(ticks), Math.abs(after));
      if (value > rules.maxPositionNotional) return `${inst.id} position would be worth ${fmtMoney(inst, value)}, above the limit of ${fmtMoney(inst, rules.maxPositionNotional)}`;
    }
    return undefined;
  },
};
