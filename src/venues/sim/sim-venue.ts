import {
  formatPrice, notional, roundToTicks, lastPriceOf, lotsToQuantity, stopPriceOf,
  type Fill, type Instrument, type MarketEvent, type Money, type OrderRequest, type VenueReport,
} from '../../model/index.ts';
import type { Clock, EventQueue, MarketEventHandler, ScheduledHandler } from '../../kernel/index.ts';
import type { ApprovedOrder } from '../../risk/index.ts';
import type { VenueReportSink } from '../../execution/index.ts';
import type { Venue, VenueCapabilities } from '../venue.ts';
import { noFees, type FeeModel } from './fees.ts';
import { noSlippage, type SlippageModel } from './slippage.ts';
import { latencyModel, type LatencyModel } from './latency.ts';
import { matchBar, matchTick, stopReachedOnBar, stopReachedOnTick, type FillOpportunity, type LimitFillRule } from './matching.ts';
import { tradingDayKey } from './trading-day.ts';

export interface SimVenueOptions {
  readonly name?: string;
  readonly instruments: readonly Instrument[];
  readonly clock: Clock;
  readonly queue: EventQueue;
  readonly sink: VenueReportSink;
  readonly fees?: FeeModel;
  readonly slippage?: SlippageModel;
  readonly latency?: LatencyModel;
  /** Max share of an event's volume one instrument's orders may take (0 < r ≤ 1); undefined = no cap. */
  readonly participationRate?: number;
  readonly limitFill?: LimitFillRule;
}

interface WorkingOrder {
  /** Its terms in force: as it arrived, or as last replaced. */
  order: ApprovedOrder;
  readonly venueOrderId: string;
  /** Lots still to fill (quantity orders). */
  remaining: number;
  /** Cash still to spend (notional orders). */
  notionalLeft: Money | undefined;
  filledLots: number;
  /** Fully filled, or closed by the venue (canceled remainder). */
  closed: boolean;
  rested: boolean;
  triggered: boolean;
  dayKey: number | undefined;
  readonly decisionPrice: number | undefined;
}

interface Book {
  readonly inst: Instrument;
  working: WorkingOrder[];
  lastPrice: number;
}

const MAX_LOTS = BigInt(Number.MAX_SAFE_INTEGER);

type Arrival =
  | { kind: 'arrive'; order: ApprovedOrder; decisionPrice: number | undefined }
  | { kind: 'cancel'; clientOrderId: string }
  | { kind: 'replace'; order: ApprovedOrder };

/**
 * The in-process simulated venue. Orders arrive after the latency model's delay, rest in per-instrument
 * FIFO lists and fill against later market events under the rules in docs/fills.md. Deterministic: all
 * randomness comes from seeded models, all ordering from the kernel's queue.
 */
export class SimVenue implements Venue, MarketEventHandler, ScheduledHandler<Arrival> {
  readonly name: string;
  readonly capabilities: VenueCapabilities = {
    orderTypes: ['market', 'limit', 'stop', 'stop_limit'], timeInForce: ['GTC', 'DAY', 'IOC', 'FOK'], shorting: true, notionalOrders: true,
  };
  private readonly books = new Map<string, Book>();
  private readonly clock: Clock;
  private readonly queue: EventQueue;
  private readonly sink: VenueReportSink;
  private readonly fees: FeeModel;
  private readonly slippage: SlippageModel;
  private readonly latency: LatencyModel;
  private readonly participation: number | undefined;
  private readonly limitFill: LimitFillRule;
  private readonly canceledInFlight = new Set<string>();
  private orderSeq = 0;
  private tradeSeq = 0;

  constructor(o: SimVenueOptions) {
    this.name = o.name ?? 'sim';
    for (const inst of o.instruments) this.books.set(inst.id, { inst, working: [], lastPrice: NaN });
    this.clock = o.clock;
    this.queue = o.queue;
    this.sink = o.sink;
    this.fees = o.fees ?? noFees;
    this.slippage = o.slippage ?? noSlippage;
    this.latency = o.latency ?? latencyModel(0);
    this.participation = o.participationRate;
    this.limitFill = o.limitFill ?? 'through';
  }

  submit(order: ApprovedOrder): void {
    const book = this.books.get(order.instrumentId);
    const decision = book && !Number.isNaN(book.lastPrice) ? roundToTicks(book.inst, book.lastPrice, 'nearest') : undefined;
    this.queue.schedule<Arrival>(this.clock.now() + this.latency.next(), this, { kind: 'arrive', order, decisionPrice: decision });
  }

  cancel(clientOrderId: string): void {
    this.queue.schedule<Arrival>(this.clock.now() + this.latency.next(), this, { kind: 'cancel', clientOrderId });
  }

  /** Cancel/replace: travels with the same latency as any request; see `onReplaceArrived` for the rules. */
  replace(order: ApprovedOrder): void {
    this.queue.schedule<Arrival>(this.clock.now() + this.latency.next(), this, { kind: 'replace', order });
  }

  openOrders(): readonly OrderRequest[] {
    const out: OrderRequest[] = [];
    for (const b of this.books.values()) for (const w of b.working) out.push(w.order);
    return out;
  }

  onScheduled(a: Arrival): void {
    if (a.kind === 'cancel') return this.onCancelArrived(a.clientOrderId);
    if (a.kind === 'replace') return this.onReplaceArrived(a.order);
    const o = a.order;
    const book = this.books.get(o.instrumentId);
    const ts = this.clock.now();
    if (!book) return this.report({ type: 'order.rejected', ts, clientOrderId: o.clientOrderId, reason: `unknown instrument ${o.instrumentId}` });
    const venueOrderId = `${this.name}-${++this.orderSeq}`;
    this.report({ type: 'order.accepted', ts, clientOrderId: o.clientOrderId, venueOrderId });
    if (this.canceledInFlight.delete(o.clientOrderId)) {
      return this.report({ type: 'order.canceled', ts, clientOrderId: o.clientOrderId, reason: 'canceled before it reached the venue' });
    }
    book.working.push({
      order: o, venueOrderId, remaining: o.quantity, notionalLeft: o.type === 'market' ? o.notional : undefined,
      filledLots: 0, closed: false, rested: false, triggered: false, dayKey: undefined, decisionPrice: a.decisionPrice,
    });
  }

  private onCancelArrived(clientOrderId: string): void {
    for (const b of this.books.values()) {
      const i = b.working.findIndex((w) => w.order.clientOrderId === clientOrderId);
      if (i >= 0) {
        b.working.splice(i, 1);
        return this.report({ type: 'order.canceled', ts: this.clock.now(), clientOrderId, reason: 'canceled on request' });
      }
    }
    // Not working: either already finished (the cancel lost the race, nothing to do) or not arrived yet.
    this.canceledInFlight.add(clientOrderId);
  }

  /**
   * A replace that finds its order still working applies the new terms and sends the order to the back of
   * the FIFO: at a real venue a replaced order loses its queue priority (keeping it only for a size cut is
   * a venue-specific exception we do not model). It is then matched like a fresh arrival (a limit made
   * marketable takes the market as taker). A stop-limit whose stop moved must be triggered again. The new
   * quantity counts the fills so far and must exceed them. A replace that finds the order gone (filled,
   * canceled, expired) is refused as too late.
   */
  private onReplaceArrived(order: ApprovedOrder): void {
    const ts = this.clock.now();
    const id = order.clientOrderId;
    const book = this.books.get(order.instrumentId);
    const i = book ? book.working.findIndex((w) => w.order.clientOrderId === id) : -1;
    if (book === undefined || i < 0) {
      return this.report({ type: 'order.update-rejected', ts, clientOrderId: id, reason: 'too late: the order is no longer working (filled, canceled or expired)' });
    }
    const w = book.working[i];
    if (w.notionalLeft !== undefined) {
      return this.report({ type: 'order.update-rejected', ts, clientOrderId: id, reason: 'a cash-sized order cannot be replaced' });
    }
    if (order.quantity <= w.filledLots) {
      const inst = book.inst;
      return this.report({
        type: 'order.update-rejected', ts, clientOrderId: id,
        reason: `new quantity ${lotsToQuantity(inst, order.quantity)} is not above the ${lotsToQuantity(inst, w.filledLots)} already filled`,
      });
    }
    if (stopPriceOf(order) !== stopPriceOf(w.order)) w.triggered = false;
    w.order = order;
    w.remaining = order.quantity - w.filledLots;
    w.rested = false;
    book.working.splice(i, 1);
    book.working.push(w);
    this.report({ type: 'order.updated', ts, clientOrderId: id, order });
  }

  onMarketEvent(e: MarketEvent): void {
    const book = this.books.get(e.instrumentId);
    if (book === undefined) return;
    if (book.working.length > 0) this.match(book, e);
    if (this.slippage.observes) this.slippage.observe(e);
    book.lastPrice = lastPriceOf(e);
  }

  private match(book: Book, e: MarketEvent): void {
    const inst = book.inst;
    let open = 0, high = 0, low = 0, bid = 0, ask = 0;
    let capBuy = Infinity, capSell = Infinity;
    const rate = this.participation;
    if (e.type === 'bar') {
      open = roundToTicks(inst, e.open, 'nearest'); high = roundToTicks(inst, e.high, 'nearest'); low = roundToTicks(inst, e.low, 'nearest');
      if (rate !== undefined && e.volume > 0) capBuy = capSell = Math.floor((e.volume * rate) / inst.lotSizeNumber + 1e-9);
    } else if (e.type === 'quote') {
      bid = roundToTicks(inst, e.bid, 'nearest'); ask = roundToTicks(inst, e.ask, 'nearest');
      if (rate !== undefined && e.askSize > 0) capBuy = Math.floor((e.askSize * rate) / inst.lotSizeNumber + 1e-9);
      if (rate !== undefined && e.bidSize > 0) capSell = Math.floor((e.bidSize * rate) / inst.lotSizeNumber + 1e-9);
    } else {
      bid = ask = roundToTicks(inst, e.price, 'nearest');
      if (rate !== undefined && e.size > 0) capBuy = capSell = Math.floor((e.size * rate) / inst.lotSizeNumber + 1e-9);
    }
    const still: WorkingOrder[] = [];
    for (const w of book.working) {
      const o = w.order;
      if (o.timeInForce === 'DAY') {
        const key = tradingDayKey(e.ts, inst.timeZone);
        if (w.dayKey === undefined) w.dayKey = key;
        else if (key !== w.dayKey) { this.report({ type: 'order.expired', ts: e.ts, clientOrderId: o.clientOrderId }); continue; }
      }
      const opp = e.type === 'bar'
        ? matchBar(o, open, high, low, this.limitFill, w.triggered)
        : matchTick(o, bid, ask, w.rested, this.limitFill, w.triggered);
      if (!w.triggered) w.triggered = e.type === 'bar' ? stopReachedOnBar(o, high, low) : stopReachedOnTick(o, bid, ask);
      if (opp !== undefined) {
        const taken = this.tryFill(book, w, e, opp, o.side === 'buy' ? capBuy : capSell);
        if (o.side === 'buy') capBuy -= taken; else capSell -= taken;
      }
      if (w.closed) continue;
      if (o.timeInForce === 'IOC' || o.timeInForce === 'FOK') {
        this.report({ type: 'order.canceled', ts: e.ts, clientOrderId: o.clientOrderId, reason: `${o.timeInForce}: no immediate fill for the remaining quantity` });
        continue;
      }
      w.rested = true;
      still.push(w);
    }
    book.working = still;
  }

  /** Fill as much of `w` as the opportunity and the event's capacity allow; returns the lots taken. */
  private tryFill(book: Book, w: WorkingOrder, e: MarketEvent, opp: FillOpportunity, capacity: number): number {
    const inst = book.inst;
    const o = w.order;
    const buy = o.side === 'buy';
    let price = opp.price;
    if (opp.slips) {
      const qtyEstimate = w.notionalLeft !== undefined ? Number(w.notionalLeft) / 1e12 / (price * inst.tickSize) : w.remaining * inst.lotSizeNumber;
      const f = this.slippage.fraction(e, o.side, qtyEstimate);
      if (f > 0) {
        const p = price * inst.tickSize;
        price = buy ? roundToTicks(inst, p * (1 + f), 'up') : Math.max(1, roundToTicks(inst, p * (1 - f), 'down'));
      }
      if (opp.cap !== undefined) price = buy ? Math.min(price, opp.cap) : Math.max(price, opp.cap);
    }
    const want = w.notionalLeft !== undefined ? this.affordableLots(inst, w.notionalLeft, price, opp) : w.remaining;
    if (w.notionalLeft !== undefined && want === 0) {
      // The cash left cannot buy a single lot at this price: close the order rather than let it hang.
      w.closed = true;
      this.report({ type: 'order.canceled', ts: e.ts, clientOrderId: o.clientOrderId, reason: `notional ${Number(w.notionalLeft) / 1e12} left buys less than one lot at ${formatPrice(inst, price)}` });
      return 0;
    }
    const lots = Math.min(want, capacity);
    if (o.timeInForce === 'FOK' && lots < want) return 0;
    if (lots <= 0) return 0;
    const value = notional(inst, price, lots);
    const fee = this.fees.fee(inst, lots, value, opp.liquidity);
    if (w.notionalLeft !== undefined) {
      w.notionalLeft -= value + fee;
      const more = lots < want ? this.affordableLots(inst, w.notionalLeft, price, opp) : 0;
      w.remaining = more;
      if (more === 0) w.notionalLeft = 0n;
    } else {
      w.remaining -= lots;
    }
    w.filledLots += lots;
    if (w.remaining === 0) w.closed = true;
    const fill: Fill = {
      clientOrderId: o.clientOrderId, venueOrderId: w.venueOrderId, tradeId: `${this.name}-t${++this.tradeSeq}`,
      strategyId: o.strategyId, instrumentId: o.instrumentId, side: o.side, quantity: lots as Fill['quantity'],
      price: price as Fill['price'], fee, liquidity: opp.liquidity, ts: e.ts, decisionPrice: w.decisionPrice as Fill['decisionPrice'],
    };
    this.report({ type: 'order.filled', ts: e.ts, clientOrderId: o.clientOrderId, fill, leavesQuantity: w.remaining as Fill['quantity'] });
    return lots;
  }

  /**
   * Largest whole number of lots whose notional plus fee fits in `cash` (binary search in bigint: fees can be
   * non-linear). Capped at 2^53 − 1 lots, the most a position can hold exactly.
   */
  private affordableLots(inst: Instrument, cash: Money, price: number, opp: FillOpportunity): number {
    const perLot = BigInt(price) * inst.notionalUnit;
    if (perLot <= 0n || cash <= 0n) return 0;
    let lo = 0n;
    let hi = cash / perLot;
    if (hi > MAX_LOTS) hi = MAX_LOTS;
    while (lo < hi) {
      const mid = (lo + hi + 1n) / 2n;
      const value = perLot * mid;
      if (value + this.fees.fee(inst, Number(mid), value, opp.liquidity) <= cash) lo = mid;
      else hi = mid - 1n;
    }
    return Number(lo);
  }

  private report(r: VenueReport): void {
    this.sink.onVenueReport(r);
  }
}
