import type { PreTradeCheck } from './review.ts';

/**
 * DESIGN.md: orders whose outcome is unknown block new risk on their instrument until reconciled (making a
 * working order smaller or repricing it is not new risk).
 */
export const unknownOutcomeCheck: PreTradeCheck = {
  name: 'unknown-orders',
  check({ book, reducing, grows }) {
    if (book.unknownOrders === 0 || reducing || !grows) return undefined;
    return `${book.unknownOrders} ${book.instrument.id} order(s) have an unknown outcome; no new risk until they are reconciled`;
  },
};
