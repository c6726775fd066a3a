/**
 * Market data. Prices here are floats: they are observations from a feed or a file, used by indicators and
 * by the simulated venue, which converts them to ticks exactly (`toPriceTicks`) before anything is booked.
 * Timestamps are epoch milliseconds, UTC.
 */

/** An OHLCV bar; `ts` is the bar's open time. */
export interface Bar {
  readonly type: 'bar';
  readonly instrumentId: string;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Traded volume in units of the instrument (shares, coins); 0 when the source has none. */
  readonly volume: number;
}

/** Top of book. */
export interface Quote {
  readonly type: 'quote';
  readonly instrumentId: string;
  readonly ts: number;
  readonly bid: number;
  readonly ask: number;
  /** Size at the bid and ask; 0 when unknown (then no size cap applies). */
  readonly bidSize: number;
  readonly askSize: number;
}

/** One trade printed on the tape. */
export interface TradeTick {
  readonly type: 'trade';
  readonly instrumentId: string;
  readonly ts: number;
  readonly price: number;
  readonly size: number;
}

export type MarketEvent = Bar | Quote | TradeTick;

/** The last traded or mid price a market event implies (bars: close). */
export function lastPriceOf(e: MarketEvent): number {
  switch (e.type) {
    case 'bar': return e.close;
    case 'trade': return e.price;
    case 'quote': return (e.bid + e.ask) / 2;
  }
}
