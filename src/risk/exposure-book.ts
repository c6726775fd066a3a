import { lastPriceOf, type Instrument, type MarketEvent, type OrderEvent, type OrderRequest, type OrderSide } from '../model/index.ts';

/**
 * What the gate knows about one instrument: the account's position, the lots working on each side, the
 * reference price and when data last arrived. Kept incrementally from order events and market data, so a
 * pre-trade check reads fields instead of walking the order book.
 */
export interface InstrumentBook {
  readonly instrument: Instrument;
  /** Position of this book in `ExposureBook.instrumentList` (and in each strategy's `lines`). */
  readonly index: number;
  /** Account-wide signed position, in lots. */
  lots: number;
  /** Lots of working buy / sell orders not yet filled. */
  openBuyLots: number;
  openSellLots: number;
  /** Cash still committed by working notional (cash-sized) buy orders. */
  openBuyNotional: bigint;
  openOrders: number;
  /** Orders whose outcome is unknown (timeout, disconnect); they block new risk here. */
  unknownOrders: number;
  /** Last trade, quote mid or bar close (float; converted to ticks when a check needs it). */
  refPrice: number;
  /** The reference price in whole ticks, 0 before the first market event (what exposure is valued at). */
  refTicks: number;
  /** Time of the last market event, NaN before the first. */
  refTs: number;
}

/** A strategy's position and working lots in one instrument, valued at that instrument's reference. */
export interface StrategyLine {
  readonly instrument: Instrument;
  readonly book: InstrumentBook;
  lots: number;
  openBuyLots: number;
  openSellLots: number;
  readonly refTicks: number;
}

/** A strategy's own positions and working orders, for the per-strategy limits and for flattening. */
export interface StrategyBook {
  readonly strategyId: string;
  /** One line per instrument, in `ExposureBook.instrumentList` order. */
  readonly lines: readonly StrategyLine[];
  openOrders: number;
}

/** One working order as the gate tracks it. */
interface WorkingOrder {
  /** Its terms in force: as sent, or as last replaced at the venue. */
  request: OrderRequest;
  /** Lots still to fill at those terms. */
  leavesLots: number;
  /**
   * Extra lots booked while a replace that enlarges the order is in flight: the venue may apply it at any
   * moment, so the books count the larger of the old and new terms until it answers.
   */
  reservedLots: number;
  /** A replace was sent and the venue has not answered yet. */
  pending: boolean;
  unknown: boolean;
}

/** Positions and working orders as an engine snapshot keeps them; the totals are rebuilt from these on restore. */
export interface ExposureState {
  readonly positions: ReadonlyArray<{ readonly instrumentId: string; readonly lots: number }>;
  readonly strategyPositions: ReadonlyArray<{ readonly strategyId: string; readonly instrumentId: string; readonly lots: number }>;
  readonly working: ReadonlyArray<Readonly<WorkingOrder>>;
}

/** A working order as the gate reads it (to check a replacement against the order it replaces). */
export interface WorkingOrderView {
  readonly request: OrderRequest;
  readonly leavesLots: number;
  readonly pending: boolean;
}

/**
 * Positions and working orders per instrument and per strategy, folded from the OMS's order events. It is
 * the risk layer's own view (the portfolio keeps the money ledger); both are driven by the same events.
 */
export class ExposureBook {
  readonly instruments = new Map<string, InstrumentBook>();
  /** Same books as an array, for the loops that sum exposure. */
  readonly instrumentList: InstrumentBook[] = [];
  readonly strategies = new Map<string, StrategyBook>();
  /** Books per asset class, for the asset-class exposure caps. */
  readonly byAssetClass = new Map<string, InstrumentBook[]>();
  private readonly working = new Map<string, WorkingOrder>();
  private lastBook: InstrumentBook | undefined;
  openOrders = 0;
  unknownOrders = 0;
  /** Instruments with a non-zero position (equity can only move with the market while this is > 0). */
  openPositions = 0;

  constructor(instruments: readonly Instrument[]) {
    for (const instrument of instruments) {
      const book: InstrumentBook = {
        instrument, index: this.instrumentList.length, lots: 0, openBuyLots: 0, openSellLots: 0, openBuyNotional: 0n, openOrders: 0,
        unknownOrders: 0, refPrice: NaN, refTicks: 0, refTs: NaN,
      };
      this.instruments.set(instrument.id, book);
      this.instrumentList.push(book);
      const cls = this.byAssetClass.get(instrument.assetClass) ?? [];
      cls.push(book);
      this.byAssetClass.set(instrument.assetClass, cls);
    }
  }

  strategy(strategyId: string): StrategyBook {
    let s = this.strategies.get(strategyId);
    if (s === undefined) {
      const lines = this.instrumentList.map((book): StrategyLine => ({
        instrument: book.instrument, book, lots: 0, openBuyLots: 0, openSellLots: 0, get refTicks() { return book.refTicks; },
      }));
      s = { strategyId, lines, openOrders: 0 };
      this.strategies.set(strategyId, s);
    }
    return s;
  }

  onMarketEvent(e: MarketEvent): void {
    // Runs for every market event: most streams repeat one instrument, so skip the map lookup then.
    let book = this.lastBook;
    if (book === undefined || book.instrument.id !== e.instrumentId) {
      book = this.instruments.get(e.instrumentId);
      if (book === undefined) return;
      this.lastBook = book;
    }
    const price = lastPriceOf(e);
    book.refPrice = price;
    book.refTicks = Math.round(price / book.instrument.tickSize);
    book.refTs = e.ts;
  }

  onOrderEvent(event: OrderEvent): void {
    if (event.type === 'order.submitted') return this.open(event.order);
    if (event.type === 'order.denied') return;
    const w = this.working.get(event.clientOrderId);
    if (w === undefined) return;
    switch (event.type) {
      case 'order.accepted': this.settleUnknown(w); return;
      case 'order.unknown':
        if (!w.unknown) {
          w.unknown = true;
          this.unknownOrders++;
          this.instruments.get(w.request.instrumentId)!.unknownOrders++;
        }
        return;
      case 'order.filled': {
        this.settleUnknown(w);
        const f = event.fill;
        const signed = f.side === 'buy' ? f.quantity : -f.quantity;
        const book = this.instruments.get(f.instrumentId)!;
        const wasFlat = book.lots === 0;
        book.lots += signed;
        if (wasFlat !== (book.lots === 0)) this.openPositions += wasFlat ? 1 : -1;
        this.strategy(f.strategyId).lines[book.index].lots += signed;
        const r = w.request;
        if (r.type === 'market' && r.notional !== undefined) {
          // A cash-sized order has no lot count until it fills; its committed cash is released at once
          // below when the venue reports it done.
        } else {
          this.shrink(w, Math.min(f.quantity, w.leavesLots));
        }
        if (event.leavesQuantity === 0) this.close(w);
        return;
      }
      case 'order.canceled': case 'order.rejected': case 'order.expired':
        this.close(w);
        return;
      case 'order.pending-update': {
        w.pending = true;
        const more = event.order.quantity - w.request.quantity;
        if (more > 0) {
          w.reservedLots = more;
          this.side(this.instruments.get(w.request.instrumentId)!, this.strategy(w.request.strategyId), w.request.side, more);
        }
        return;
      }
      case 'order.updated': {
        this.settleUnknown(w);
        this.release(w);
        // The new quantity counts what already filled; only the rest works. A venue that applied a replace
        // at or below the filled quantity should have closed the order; count nothing rather than negative lots.
        const filled = w.request.quantity - w.leavesLots;
        const leaves = Math.max(0, event.order.quantity - filled);
        this.side(this.instruments.get(w.request.instrumentId)!, this.strategy(w.request.strategyId), w.request.side, leaves - w.leavesLots);
        w.leavesLots = leaves;
        w.request = event.order;
        return;
      }
      case 'order.update-rejected':
        this.release(w);
        return;
      case 'order.update-denied':
        return;
    }
  }

  /** The gate's view of one working order; undefined when it is not working (finished, or never sent). */
  workingOrder(clientOrderId: string): WorkingOrderView | undefined {
    return this.working.get(clientOrderId);
  }

  /**
   * Run `fn` with one working order's lots taken out of the working totals, then put them back: a replacement
   * is checked as if it were the order, so the order it replaces must not be counted next to it.
   */
  withoutWorkingOrder<T>(clientOrderId: string, fn: () => T): T {
    const w = this.working.get(clientOrderId);
    if (w === undefined) return fn();
    const r = w.request;
    const book = this.instruments.get(r.instrumentId)!;
    const s = this.strategy(r.strategyId);
    const lots = w.leavesLots + w.reservedLots;
    this.side(book, s, r.side, -lots);
    try {
      return fn();
    } finally {
      this.side(book, s, r.side, lots);
    }
  }

  /** Signed position of one strategy in one instrument. */
  strategyLots(strategyId: string, instrumentId: string): number {
    const book = this.instruments.get(instrumentId);
    return book === undefined ? 0 : (this.strategies.get(strategyId)?.lines[book.index].lots ?? 0);
  }

  /** Positions and working orders, for an engine snapshot. */
  state(): ExposureState {
    const positions = this.instrumentList.filter((b) => b.lots !== 0).map((b) => ({ instrumentId: b.instrument.id, lots: b.lots }));
    const strategyPositions = [];
    for (const s of this.strategies.values()) {
      for (const line of s.lines) if (line.lots !== 0) strategyPositions.push({ strategyId: s.strategyId, instrumentId: line.instrument.id, lots: line.lots });
    }
    return { positions, strategyPositions, working: [...this.working.values()].map((w) => ({ ...w })) };
  }

  /**
   * Put a snapshot back into a fresh book (a restart). The per-instrument and per-strategy totals are summed
   * again from the working orders, the same way live events build them, so they cannot disagree.
   */
  restore(state: ExposureState): void {
    for (const p of state.positions) {
      const book = this.bookOf(p.instrumentId);
      if (book.lots === 0 && p.lots !== 0) this.openPositions++;
      book.lots = p.lots;
    }
    for (const p of state.strategyPositions) this.strategy(p.strategyId).lines[this.bookOf(p.instrumentId).index].lots = p.lots;
    for (const saved of state.working) {
      const r = saved.request;
      this.bookOf(r.instrumentId);
      this.open(r);
      const w = this.working.get(r.clientOrderId)!;
      if (!(r.type === 'market' && r.notional !== undefined)) this.shrink(w, r.quantity - saved.leavesLots);
      w.leavesLots = saved.leavesLots;
      if (saved.reservedLots > 0) {
        w.reservedLots = saved.reservedLots;
        this.side(this.instruments.get(r.instrumentId)!, this.strategy(r.strategyId), r.side, saved.reservedLots);
      }
      w.pending = saved.pending;
      if (saved.unknown) this.onOrderEvent({ type: 'order.unknown', ts: 0, clientOrderId: r.clientOrderId, reason: 'restored' });
    }
  }

  private bookOf(instrumentId: string): InstrumentBook {
    const book = this.instruments.get(instrumentId);
    if (book === undefined) throw new Error(`snapshot names instrument ${instrumentId}, which this engine does not trade`);
    return book;
  }

  private open(r: OrderRequest): void {
    const w: WorkingOrder = { request: r, leavesLots: r.quantity, reservedLots: 0, pending: false, unknown: false };
    this.working.set(r.clientOrderId, w);
    const book = this.instruments.get(r.instrumentId)!;
    const s = this.strategy(r.strategyId);
    book.openOrders++;
    s.openOrders++;
    this.openOrders++;
    if (r.type === 'market' && r.notional !== undefined) book.openBuyNotional += r.notional;
    else this.side(book, s, r.side, r.quantity);
  }

  private shrink(w: WorkingOrder, lots: number): void {
    if (lots <= 0) return;
    const r = w.request;
    w.leavesLots -= lots;
    this.side(this.instruments.get(r.instrumentId)!, this.strategy(r.strategyId), r.side, -lots);
  }

  /** The venue answered a replace (or the order finished): drop the lots booked for the enlargement. */
  private release(w: WorkingOrder): void {
    w.pending = false;
    if (w.reservedLots === 0) return;
    const r = w.request;
    this.side(this.instruments.get(r.instrumentId)!, this.strategy(r.strategyId), r.side, -w.reservedLots);
    w.reservedLots = 0;
  }

  private close(w: WorkingOrder): void {
    const r = w.request;
    this.settleUnknown(w);
    this.release(w);
    this.shrink(w, w.leavesLots);
    const book = this.instruments.get(r.instrumentId)!;
    if (r.type === 'market' && r.notional !== undefined) book.openBuyNotional -= r.notional;
    book.openOrders--;
    this.strategy(r.strategyId).openOrders--;
    this.openOrders--;
    this.working.delete(r.clientOrderId);
  }

  private settleUnknown(w: WorkingOrder): void {
    if (!w.unknown) return;
    w.unknown = false;
    this.unknownOrders--;
    this.instruments.get(w.request.instrumentId)!.unknownOrders--;
  }

  private side(book: InstrumentBook, s: StrategyBook, side: OrderSide, lots: number): void {
    const line = s.lines[book.index];
    if (side === 'buy') {
      book.openBuyLots += lots;
      line.openBuyLots += lots;
    } else {
      book.openSellLots += lots;
      line.openSellLots += lots;
    }
  }
}
