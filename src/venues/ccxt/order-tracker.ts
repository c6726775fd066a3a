import type { Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import type { Lots, OrderRequest, VenueReport } from '../../model/index.ts';
import { amountToLots, type MarketBinding } from './market-grid.ts';
import { keelStatusOf, toFill } from './order-mapping.ts';

/** What the adapter knows of one Keel order at the exchange. */
export interface TrackedOrder {
  /** The terms now working (a replace changes them). */
  order: OrderRequest;
  readonly binding: MarketBinding;
  /** Exchange client order id of the current leg. */
  exchangeClientId: string;
  /** Replacements so far (exchanges that replace by a new order get a new id per leg). */
  revision: number;
  /** Exchange order id of the current leg; undefined until the exchange said it. */
  venueOrderId: string | undefined;
  /** Lots the exchange says filled, per leg (venue order id): fills of a replaced leg still count. */
  readonly legFilled: Map<string, number>;
  /** Lots booked through `order.filled` reports. */
  bookedLots: number;
  accepted: boolean;
  /** No more reports will come (filled, canceled, expired, rejected). */
  done: boolean;
  /** The exchange ended the order (canceled/expired); reported once its fills are all booked. */
  endedAs: 'CANCELED' | 'EXPIRED' | undefined;
  /** A create whose outcome is being looked up. */
  unknown: boolean;
}

/**
 * Turns what the exchange says (order snapshots from createOrder / watchOrders / fetchOrder, and trades)
 * into Keel venue reports, each exactly once and in a valid order: accepted before any fill, every fill
 * (deduplicated by trade id) before the cancel or expiry that ended the order. Order snapshots are
 * absolute, so seeing the same one twice changes nothing; this is what makes WebSocket and polling
 * interchangeable.
 */
export class OrderTracker {
  private readonly byKeelId = new Map<string, TrackedOrder>();
  private readonly byExchangeClientId = new Map<string, TrackedOrder>();
  private readonly byVenueId = new Map<string, TrackedOrder>();
  private readonly bookedTrades = new Set<string>();
  /** Trades that arrived before their order's id was known (a WebSocket can beat the createOrder answer). */
  private readonly early = new Map<string, CcxtTrade[]>();
  private readonly emit: (r: VenueReport) => void;
  private readonly now: () => number;

  constructor(emit: (r: VenueReport) => void, now: () => number) {
    this.emit = emit;
    this.now = now;
  }

  track(order: OrderRequest, binding: MarketBinding, exchangeClientId: string): TrackedOrder {
    const t: TrackedOrder = {
      order, binding, exchangeClientId, revision: 0, venueOrderId: undefined, legFilled: new Map(), bookedLots: 0,
      accepted: false, done: false, endedAs: undefined, unknown: false,
    };
    this.byKeelId.set(order.clientOrderId, t);
    this.byExchangeClientId.set(exchangeClientId, t);
    return t;
  }

  get(keelId: string): TrackedOrder | undefined {
    return this.byKeelId.get(keelId);
  }

  /** The Keel client order id for an exchange order (by venue id, then by its client order id). */
  keelIdOf(venueOrderId: string | undefined, exchangeClientId: string | undefined): string | undefined {
    return this.find(venueOrderId, exchangeClientId)?.order.clientOrderId;
  }

  /** Orders not yet finished. */
  working(): TrackedOrder[] {
    return [...this.byKeelId.values()].filter((t) => !t.done);
  }

  /** The exchange answered our create with this order: its id is ours even when the answer omits the client id. */
  created(t: TrackedOrder, o: CcxtOrder): boolean {
    if (t.venueOrderId === undefined && o.id) this.bind(t, o.id);
    return this.onOrder(o);
  }

  /** A new leg (replacement) for an order: its exchange client id, before the request is sent. */
  newLeg(t: TrackedOrder, exchangeClientId: string): void {
    t.revision++;
    t.exchangeClientId = exchangeClientId;
    this.byExchangeClientId.set(exchangeClientId, t);
  }

  /** The exchange confirmed the replacement: `order` works now as `venueOrderId`. */
  replaced(t: TrackedOrder, order: OrderRequest, venueOrderId: string | undefined): void {
    t.order = order;
    if (venueOrderId !== undefined) this.bind(t, venueOrderId);
    this.emit({ type: 'order.updated', ts: this.now(), clientOrderId: order.clientOrderId, order });
  }

  /** The exchange refused or never received the order. */
  reject(t: TrackedOrder, reason: string): void {
    if (t.done) return;
    t.done = true;
    this.emit({ type: 'order.rejected', ts: this.now(), clientOrderId: t.order.clientOrderId, reason });
  }

  /**
   * An order snapshot from the exchange. Returns true when it shows fills not yet booked (the caller then
   * fetches trades: snapshots carry the filled amount, not the executions).
   */
  onOrder(o: CcxtOrder): boolean {
    const t = this.find(o.id, o.clientOrderId);
    if (t === undefined || t.done) return false;
    if (t.venueOrderId === undefined && o.id) this.bind(t, o.id);
    const leg = o.id || t.venueOrderId || '';
    if (o.filled !== undefined && o.filled !== null) t.legFilled.set(leg, amountToLots(t.binding, o.filled, `${t.binding.symbol} order ${o.id} filled`));
    // A superseded leg (replaced by a new order) ends as "canceled": its fills count, its status does not.
    if (leg !== t.venueOrderId) return this.missingFills(t);
    const status = keelStatusOf(o);
    t.unknown = false;
    if (status === 'REJECTED') {
      this.reject(t, rejectionReason(o));
      return false;
    }
    this.accept(t);
    if (status === 'CANCELED' || status === 'EXPIRED') t.endedAs = status;
    this.settle(t);
    return this.missingFills(t);
  }

  /** A trade of ours (from fetchMyTrades or watchMyTrades). Booked once per trade id. */
  onTrade(trade: CcxtTrade): void {
    if (trade.id === undefined || this.bookedTrades.has(trade.id)) return;
    const t = trade.order === undefined ? undefined : this.byVenueId.get(trade.order);
    if (t === undefined) {
      if (trade.order !== undefined && this.hasUnboundOrders()) {
        const list = this.early.get(trade.order) ?? [];
        if (!list.some((x) => x.id === trade.id)) list.push(trade);
        this.early.set(trade.order, list);
      }
      return; // not ours (placed elsewhere): query() reports it for reconciliation
    }
    if (t.done && t.bookedLots >= t.order.quantity) return;
    const fill = toFill(t.binding, trade, { clientOrderId: t.order.clientOrderId, strategyId: t.order.strategyId });
    this.bookedTrades.add(trade.id);
    this.accept(t);
    t.bookedLots += fill.quantity;
    const leaves = Math.max(0, t.order.quantity - t.bookedLots) as Lots;
    if (leaves === 0) t.done = true;
    this.emit({ type: 'order.filled', ts: fill.ts, clientOrderId: t.order.clientOrderId, fill, leavesQuantity: leaves });
    this.settle(t);
  }

  /** Whether a trade id was booked already (by the stream or a poll). */
  booked(tradeId: string): boolean {
    return this.bookedTrades.has(tradeId);
  }

  private find(venueOrderId: string | undefined, exchangeClientId: string | undefined): TrackedOrder | undefined {
    return (venueOrderId ? this.byVenueId.get(venueOrderId) : undefined) ?? (exchangeClientId ? this.byExchangeClientId.get(exchangeClientId) : undefined);
  }

  private bind(t: TrackedOrder, venueOrderId: string): void {
    t.venueOrderId = venueOrderId;
    this.byVenueId.set(venueOrderId, t);
    const waiting = this.early.get(venueOrderId);
    if (waiting === undefined) return;
    this.early.delete(venueOrderId);
    for (const trade of waiting) this.onTrade(trade);
  }

  private accept(t: TrackedOrder): void {
    if (t.accepted) return;
    t.accepted = true;
    this.emit({ type: 'order.accepted', ts: this.now(), clientOrderId: t.order.clientOrderId, venueOrderId: t.venueOrderId ?? '' });
  }

  /** Report the end of the order once every lot the exchange filled is booked. */
  private settle(t: TrackedOrder): void {
    if (t.done || t.endedAs === undefined || this.missingFills(t)) return;
    t.done = true;
    const base = { ts: this.now(), clientOrderId: t.order.clientOrderId };
    this.emit(t.endedAs === 'CANCELED' ? { ...base, type: 'order.canceled', reason: 'canceled at the exchange' } : { ...base, type: 'order.expired' });
  }

  private missingFills(t: TrackedOrder): boolean {
    let filled = 0;
    for (const lots of t.legFilled.values()) filled += lots;
    return filled > t.bookedLots;
  }

  private hasUnboundOrders(): boolean {
    for (const t of this.byKeelId.values()) if (!t.done && t.venueOrderId === undefined) return true;
    return false;
  }
}

function rejectionReason(o: CcxtOrder): string {
  const info = o.info as Record<string, unknown> | undefined;
  const why = info?.['reject_reason'] ?? info?.['reason'] ?? info?.['message'];
  return typeof why === 'string' && why !== '' ? `rejected by the exchange: ${why}` : 'rejected by the exchange';
}
