import { isInSession } from '../local-time.ts';
import type { PreTradeCheck } from './review.ts';

/** No orders outside the configured trading hours (cancels are not orders and always pass). */
export const tradingSessionCheck: PreTradeCheck = {
  name: 'trading-session',
  check({ rules, now, book }) {
    const s = rules.sessions;
    if (s === undefined || isInSession(now, s)) return undefined;
    const hours = s.source.windows.map((w) => `${w.days.join(',')} ${w.start}-${w.end}`).join('; ');
    return `${book.instrument.id} is outside its trading hours (${hours} ${s.zone})`;
  },
};
