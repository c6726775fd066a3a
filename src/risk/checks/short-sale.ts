import { fmtQty } from './format.ts';
import type { PreTradeCheck } from './review.ts';

/** Selling below zero (opening or adding to a short) only where the instrument allows short selling. */
export const shortSaleCheck: PreTradeCheck = {
  name: 'short-sale',
  check({ order, book, rules, lots }) {
    if (order.side !== 'sell' || rules.allowShort) return undefined;
    const after = book.lots - book.openSellLots - lots;
    if (after >= 0) return undefined;
    return `Selling ${fmtQty(book.instrument, lots)} would leave ${book.instrument.id} short ${fmtQty(book.instrument, -after)}; short selling is not allowed for it`;
  },
};
