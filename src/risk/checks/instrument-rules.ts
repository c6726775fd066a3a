import { fmtMoney, fmtPrice, fmtQty } from './format.ts';
import type { PreTradeCheck } from './review.ts';

/**
 * The venue's own order rules: price on the tick grid, quantity in whole lots, minimum and maximum order
 * quantity, minimum order value. These also apply to the kill switch's flatten orders: a venue would
 * reject them anyway.
 */
export const instrumentRulesCheck: PreTradeCheck = {
  name: 'instrument-rules',
  check({ order: o, book, rules, notional, lots }) {
    const inst = book.instrument;
    if (o.type !== 'market') {
      const prices = o.type === 'limit' ? [o.limitPrice] : o.type === 'stop' ? [o.stopPrice] : [o.stopPrice, o.limitPrice];
      for (const p of prices) {
        if (!(p > 0)) return `Price ${fmtPrice(inst, p)} must be positive`;
        if (!Number.isSafeInteger(p)) return `Price ${fmtPrice(inst, p)} is not on ${inst.id}'s tick grid of ${inst.priceTick}`;
      }
    }
    const cashSized = o.type === 'market' && o.notional !== undefined;
    if (!cashSized && !Number.isSafeInteger(o.quantity)) return `Quantity ${fmtQty(inst, o.quantity)} is not a whole number of ${inst.id}'s lot size ${inst.lotSize}`;
    if (!cashSized && rules.minLots !== undefined && o.quantity < rules.minLots) return `Quantity ${fmtQty(inst, o.quantity)} is below ${inst.id}'s minimum order quantity ${fmtQty(inst, rules.minLots)}`;
    if (!cashSized && rules.maxLots !== undefined && o.quantity > rules.maxLots) return `Quantity ${fmtQty(inst, o.quantity)} is above ${inst.id}'s maximum order quantity ${fmtQty(inst, rules.maxLots)}`;
    if (rules.minNotional !== undefined) {
      if (notional === undefined) return `No reference price to check ${inst.id}'s minimum order value of ${fmtMoney(inst, rules.minNotional)}`;
      if (notional < rules.minNotional) return `Order value ${fmtMoney(inst, notional)} is below ${inst.id}'s minimum of ${fmtMoney(inst, rules.minNotional)}`;
    }
    if (cashSized && rules.minLots !== undefined && lots < rules.minLots) return `Cash amount buys about ${fmtQty(inst, lots)}, below ${inst.id}'s minimum order quantity ${fmtQty(inst, rules.minLots)}`;
    return undefined;
  },
};
