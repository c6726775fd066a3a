import type { MarketEventSeries } from '../kernel/index.ts';
import type { Bar, MarketEvent, Quote, TradeTick } from '../model/index.ts';
import type { DataKind } from './layouts.ts';

/**
 * A series of market events as columns of doubles: what the loader parses into, what validation reads and
 * what the columnar cache stores. A million bars are six Float64Arrays instead of a million objects, so
 * parsing allocates almost nothing and checks run over flat memory; `toEvents` builds the objects once.
 */

/** The value columns of each kind, in storage order (`ts` is separate). */
export const VALUE_FIELDS = {
  bars: ['open', 'high', 'low', 'close', 'volume'],
  trades: ['price', 'size'],
  quotes: ['bid', 'ask', 'bidSize', 'askSize'],
} as const satisfies Record<DataKind, readonly string[]>;

export interface SeriesColumns {
  readonly kind: DataKind;
  readonly length: number;
  /** Epoch ms UTC of each event. */
  readonly ts: Float64Array;
  /** One column per `VALUE_FIELDS[kind]` entry, each `length` long. */
  readonly values: readonly Float64Array[];
}

/**
 * Columns of in-memory events (for `validateBars` and friends).
 *
 * @example
 * columnsOfEvents('bars', bars).values[3]; // the closes
 */
export function columnsOfEvents(kind: DataKind, events: readonly MarketEvent[]): SeriesColumns {
  const n = events.length;
  const ts = new Float64Array(n);
  const values = VALUE_FIELDS[kind].map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const e = events[i] as unknown as Record<string, number>;
    ts[i] = e.ts;
    for (let k = 0; k < values.length; k++) values[k][i] = e[VALUE_FIELDS[kind][k]];
  }
  return { kind, length: n, ts, values };
}

/**
 * The rows at `keep` (ascending indexes), or the columns themselves when `keep` is undefined (all kept).
 *
 * @example
 * selectRows(cols, Int32Array.of(0, 2)).length; // 2
 */
export function selectRows(cols: SeriesColumns, keep: Int32Array | undefined): SeriesColumns {
  if (keep === undefined) return cols;
  const pick = (src: Float64Array): Float64Array => {
    const out = new Float64Array(keep.length);
    for (let i = 0; i < keep.length; i++) out[i] = src[keep[i]];
    return out;
  };
  return { kind: cols.kind, length: keep.length, ts: pick(cols.ts), values: cols.values.map(pick) };
}

/** Bars from bar columns. @example barsOf(cols, 'ORCL')[0].close */
export function barsOf(cols: SeriesColumns, instrumentId: string): Bar[] {
  const { ts, values: [open, high, low, close, volume] } = cols;
  const out = new Array<Bar>(cols.length);
  for (let i = 0; i < cols.length; i++) {
    out[i] = { type: 'bar', instrumentId, ts: ts[i], open: open[i], high: high[i], low: low[i], close: close[i], volume: volume[i] };
  }
  return out;
}

/** Trade ticks from trade columns. @example tradesOf(cols, 'ES')[0].price */
export function tradesOf(cols: SeriesColumns, instrumentId: string): TradeTick[] {
  const { ts, values: [price, size] } = cols;
  const out = new Array<TradeTick>(cols.length);
  for (let i = 0; i < cols.length; i++) out[i] = { type: 'trade', instrumentId, ts: ts[i], price: price[i], size: size[i] };
  return out;
}

/** Quotes from quote columns. @example quotesOf(cols, 'EURUSD')[0].bid */
export function quotesOf(cols: SeriesColumns, instrumentId: string): Quote[] {
  const { ts, values: [bid, ask, bidSize, askSize] } = cols;
  const out = new Array<Quote>(cols.length);
  for (let i = 0; i < cols.length; i++) {
    out[i] = { type: 'quote', instrumentId, ts: ts[i], bid: bid[i], ask: ask[i], bidSize: bidSize[i], askSize: askSize[i] };
  }
  return out;
}

/**
 * Events made from columns on demand (the kernel's `MarketEventSeries`): a backtest over loaded columns
 * never holds more than the event in hand, and `toArray()` builds them all for callers that want an array.
 *
 * @example
 * const events = eventSeries(cols, 'ORCL');
 * events.at(0); // { type: 'bar', instrumentId: 'ORCL', ts: ..., open: ..., ... }
 */
export function eventSeries(cols: SeriesColumns, instrumentId: string): MarketEventSeries & { readonly columns: SeriesColumns } {
  switch (cols.kind) {
    case 'bars': return new BarSeries(cols, instrumentId);
    case 'trades': return new TradeSeries(cols, instrumentId);
    case 'quotes': return new QuoteSeries(cols, instrumentId);
  }
}

class BarSeries implements MarketEventSeries {
  readonly columns: SeriesColumns;
  readonly length: number;
  readonly #id: string;
  readonly #ts: Float64Array;
  readonly #open: Float64Array;
  readonly #high: Float64Array;
  readonly #low: Float64Array;
  readonly #close: Float64Array;
  readonly #volume: Float64Array;

  constructor(cols: SeriesColumns, instrumentId: string) {
    this.columns = cols;
    this.length = cols.length;
    this.#id = instrumentId;
    this.#ts = cols.ts;
    [this.#open, this.#high, this.#low, this.#close, this.#volume] = cols.values;
  }

  at(i: number): Bar {
    return {
      type: 'bar', instrumentId: this.#id, ts: this.#ts[i], open: this.#open[i], high: this.#high[i], low: this.#low[i], close: this.#close[i],
      volume: this.#volume[i],
    };
  }

  tsAt(i: number): number {
    return this.#ts[i];
  }
}

class TradeSeries implements MarketEventSeries {
  readonly columns: SeriesColumns;
  readonly length: number;
  readonly #id: string;

  constructor(cols: SeriesColumns, instrumentId: string) {
    this.columns = cols;
    this.length = cols.length;
    this.#id = instrumentId;
  }

  at(i: number): TradeTick {
    const { ts, values: [price, size] } = this.columns;
    return { type: 'trade', instrumentId: this.#id, ts: ts[i], price: price[i], size: size[i] };
  }

  tsAt(i: number): number {
    return this.columns.ts[i];
  }
}

class QuoteSeries implements MarketEventSeries {
  readonly columns: SeriesColumns;
  readonly length: number;
  readonly #id: string;

  constructor(cols: SeriesColumns, instrumentId: string) {
    this.columns = cols;
    this.length = cols.length;
    this.#id = instrumentId;
  }

  at(i: number): Quote {
    const { ts, values: [bid, ask, bidSize, askSize] } = this.columns;
    return { type: 'quote', instrumentId: this.#id, ts: ts[i], bid: bid[i], ask: ask[i], bidSize: bidSize[i], askSize: askSize[i] };
  }

  tsAt(i: number): number {
    return this.columns.ts[i];
  }
}
