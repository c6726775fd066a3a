import { fmtQty } from './format.ts';
import type { PreTradeCheck } from './review.ts';

/**
 * Selling below zero (opening or adding to a short) only where the instrument allows short selling. A sell
 * already working may always be made smaller or repriced.
 */
export const shortSaleCheck: PreTradeCheck = {
  name: 'short-sale',
  check({ order, book, rules, workingLots, grows }) {
    if (order.side !== 'sell' || rules.allowShort || !grows) return undefined;
    const after = book.lots - book.openSellLots - workingLots;
    if (after >= 0) return undefined;
    return `Selling ${fmtQty(book.instrument, workingLots)} would leave ${book.instrument.id} short ${fmtQty(book.instrument, -after)}; short selling is not allowed for it`;
  },
};
