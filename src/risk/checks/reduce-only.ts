import { fmtQty } from './format.ts';
import type { PreTradeCheck } from './review.ts';

/** A reduce-only order may close a position (net of exits already working), never add to or flip it. */
export const reduceOnlyCheck: PreTradeCheck = {
  name: 'reduce-only',
  check({ order, book, reducing }) {
    if (!order.reduceOnly || reducing) return undefined;
    const working = order.side === 'buy' ? book.openBuyLots : book.openSellLots;
    return `Reduce-only ${order.side} of ${fmtQty(book.instrument, order.quantity)} would increase the ${book.instrument.id} position of ${fmtQty(book.instrument, book.lots)}`
      + (working > 0 ? ` (${fmtQty(book.instrument, working)} already working on that side)` : '');
  },
};
