import type { Bar } from '../../model/index.ts';
import { dec, roundTo, type BookOrder } from './book.ts';

/**
 * Where a working order trades on a bar (paper runs, `matching: 'auto'`), or undefined: a market order at
 * the open; a limit when the bar trades through it, at the better of the open and the limit; a stop when
 * the bar reaches it, at the worse of the open and the stop; a stop-limit once triggered, as a limit.
 * Prices land on the contract's tick grid.
 *
 * @example matchOnBar(marketBuy, { open: 10.004, … }, '0.01') // "10"
 */
export function matchOnBar(o: BookOrder, bar: Bar, tick: string): string | undefined {
  const buy = o.action === 'BUY';
  const open = roundTo(bar.open, tick);
  const high = dec(roundTo(bar.high, tick));
  const low = dec(roundTo(bar.low, tick));
  const better = (a: string, b: string) => ((buy ? dec(a) < dec(b) : dec(a) > dec(b)) ? a : b);
  const worse = (a: string, b: string) => (better(a, b) === a ? b : a);
  const limitTrades = (lmt: string) => (buy ? low <= dec(lmt) : high >= dec(lmt));
  const stopReached = (stp: string) => (buy ? high >= dec(stp) : low <= dec(stp));
  switch (o.orderType) {
    case 'MKT': return open;
    case 'LMT': return o.lmtPrice !== undefined && limitTrades(o.lmtPrice) ? better(open, o.lmtPrice) : undefined;
    case 'STP': return o.auxPrice !== undefined && stopReached(o.auxPrice) ? worse(open, o.auxPrice) : undefined;
    case 'STP LMT':
      return o.auxPrice !== undefined && o.lmtPrice !== undefined && stopReached(o.auxPrice) && limitTrades(o.lmtPrice) ? better(open, o.lmtPrice) : undefined;
    default: return undefined;
  }
}
