import { KeelError, type OrderRequest, type VenueReport } from '../../model/index.ts';
import {
  ALPACA_FINAL, fillFromActivity, fillFromTradeUpdate, leavesOf, parseLots, parseVenueTime, strategyOfClientOrderId, type SymbolMapping,
} from './mapping.ts';
import type { AlpacaFillActivity, AlpacaOrder, AlpacaTradeUpdate } from './wire.ts';

/**
 * The adapter's book of Keel orders at Alpaca, and the one place that turns what Alpaca says (stream events,
 * REST order states, FILL activities) into Keel reports. Whatever the source, a fact is reported once: an
 * order is accepted once, a fill (by execution id, and by the order's cumulative quantity) is booked once,
 * a final state once. That is what lets the adapter replay REST catch-up over the stream without duplicates.
 *
 * Replace at Alpaca makes a *new* order (new order id, and it needs a new client order id) and marks the old
 * one `replaced`. Keel keeps one client order id for the whole chain, so the replacement is sent as
 * `<keel id>~r<n>` and mapped back here (`keelIdOf`).
 */

export interface TrackedOrder {
  readonly keelId: string;
  /** Current terms; undefined for an order this process did not send (found after a restart). */
  request: OrderRequest | undefined;
  readonly mapping: SymbolMapping;
  readonly strategyId: string;
  /** Alpaca's id of the order currently carrying this Keel order. */
  venueOrderId: string | undefined;
  /** Alpaca client order id of that order. */
  alpacaClientId: string;
  replaceCount: number;
  pendingReplace: { readonly request: OrderRequest; readonly alpacaClientId: string } | undefined;
  filledLots: number;
  /** Highest cumulative filled lots seen per Alpaca order id. */
  readonly cumByVenueOrder: Map<string, number>;
  accepted: boolean;
  done: boolean;
}

const REPLACE_SUFFIX = /~r\d+$/;

/** Keel's client order id of an Alpaca client order id (a replacement's `X~r2` → `X`). */
export function keelIdOf(alpacaClientId: string): string {
  return alpacaClientId.replace(REPLACE_SUFFIX, '');
}

export class OrderTracker {
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly bySymbol = new Map<string, SymbolMapping>();
  private readonly byInstrument = new Map<string, SymbolMapping>();
  private readonly tradeIds = new Set<string>();
  private readonly now: () => number;

  constructor(symbols: readonly SymbolMapping[], now: () => number) {
    for (const m of symbols) {
      this.bySymbol.set(m.symbol, m);
      this.byInstrument.set(m.instrument.id, m);
    }
    this.now = now;
  }

  mappingFor(instrumentId: string): SymbolMapping {
    const m = this.byInstrument.get(instrumentId);
    if (!m) throw new KeelError('UNKNOWN_INSTRUMENT', 'is not configured for this Alpaca venue', { field: 'instrumentId', value: instrumentId, hint: 'add it to the venue\'s symbols' });
    return m;
  }

  mappingOfSymbol(symbol: string): SymbolMapping | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Start tracking an order about to be sent. */
  track(request: OrderRequest): TrackedOrder {
    const t: TrackedOrder = {
      keelId: request.clientOrderId, request, mapping: this.mappingFor(request.instrumentId), strategyId: request.strategyId,
      venueOrderId: undefined, alpacaClientId: request.clientOrderId, replaceCount: 0, pendingReplace: undefined,
      filledLots: 0, cumByVenueOrder: new Map(), accepted: false, done: false,
    };
    this.orders.set(t.keelId, t);
    return t;
  }

  get(keelId: string): TrackedOrder | undefined {
    return this.orders.get(keelId);
  }

  /** Orders neither finished nor refused. */
  working(): TrackedOrder[] {
    return [...this.orders.values()].filter((t) => !t.done);
  }

  /** Has this execution been booked already? */
  hasTrade(tradeId: string): boolean {
    return this.tradeIds.has(tradeId);
  }

  /**
   * The engine was told this order is UNKNOWN: whatever settles it must be reported again, even if it was
   * reported before (an `order.accepted` that came on the stream just before a timeout, say).
   */
  markUnknown(t: TrackedOrder): void {
    t.accepted = false;
  }

  /** Reserve the Alpaca client order id of the next replacement of `t`. */
  beginReplace(t: TrackedOrder, request: OrderRequest): string {
    const id = `${t.keelId}~r${++t.replaceCount}`;
    t.pendingReplace = { request, alpacaClientId: id };
    return id;
  }

  /** The order this Alpaca order belongs to; adopted (request unknown) when it is new to this process. */
  resolve(o: Pick<AlpacaOrder, 'client_order_id' | 'symbol' | 'id'>): TrackedOrder | undefined {
    const keelId = keelIdOf(o.client_order_id);
    const found = this.orders.get(keelId);
    if (found) return found;
    const mapping = this.bySymbol.get(o.symbol);
    if (!mapping) return undefined;
    const t: TrackedOrder = {
      keelId, request: undefined, mapping, strategyId: strategyOfClientOrderId(keelId), venueOrderId: o.id,
      alpacaClientId: o.client_order_id, replaceCount: Number(/~r(\d+)$/.exec(o.client_order_id)?.[1] ?? 0), pendingReplace: undefined,
      filledLots: 0, cumByVenueOrder: new Map(), accepted: true, done: false,
    };
    this.orders.set(keelId, t);
    return t;
  }

  /** Reports for one trade_updates event, in order; [] for events Keel has no report for, or already seen. */
  onTradeUpdate(u: AlpacaTradeUpdate): VenueReport[] {
    const t = this.resolve(u.order);
    if (!t) return [];
    const ts = u.timestamp ? parseVenueTime(u.timestamp) : this.now();
    const out: VenueReport[] = [];
    const role = this.roleOf(t, u.order);
    switch (u.event) {
      case 'fill':
      case 'partial_fill': {
        if (role === 'replacement') this.applyReplace(t, u.order.id, ts, out);
        if (this.isDuplicateFill(t, u.order, u.execution_id)) return out;
        const fill = fillFromTradeUpdate(u, { clientOrderId: t.keelId, strategyId: t.strategyId, instrument: t.mapping.instrument });
        this.book(t, u.order, fill.tradeId, fill.quantity, ts, out);
        out.push({ type: 'order.filled', ts: fill.ts, clientOrderId: t.keelId, fill, leavesQuantity: this.leaves(t, u.order, u.event === 'fill') as never });
        if (u.event === 'fill' || u.order.status === 'filled') t.done = true;
        return out;
      }
      case 'replaced':
        if (t.pendingReplace && u.order.replaced_by) this.applyReplace(t, u.order.replaced_by, ts, out);
        return out;
      case 'order_replace_rejected':
        if (t.pendingReplace) {
          t.pendingReplace = undefined;
          out.push({ type: 'order.update-rejected', ts, clientOrderId: t.keelId, reason: 'Alpaca refused the replacement (order_replace_rejected)' });
        }
        return out;
      default:
        return this.onStatus(t, u.order, u.event, ts, out);
    }
  }

  /** Reports that bring the engine to this order's REST state (fills excluded: they come from activities). */
  onOrderState(o: AlpacaOrder): VenueReport[] {
    const t = this.resolve(o);
    if (!t) return [];
    const ts = o.updated_at ? parseVenueTime(o.updated_at, 'order.updated_at') : this.now();
    const out: VenueReport[] = [];
    if (o.status === 'replaced') {
      if (t.pendingReplace && o.replaced_by && this.roleOf(t, o) !== 'replacement') this.applyReplace(t, o.replaced_by, ts, out);
      return out;
    }
    // A (partly) filled order stays open here; its fills, and with the last one its end, come from activities.
    if (o.status === 'filled' || o.status === 'partially_filled') {
      if (this.roleOf(t, o) === 'replacement') this.applyReplace(t, o.id, ts, out);
      else this.accept(t, o.id, ts, out);
      return out;
    }
    return this.onStatus(t, o, o.status, ts, out);
  }

  /** Reports for one FILL activity (REST catch-up); `order` is the Alpaca order it belongs to. */
  onFillActivity(a: AlpacaFillActivity, order: AlpacaOrder): VenueReport[] {
    const t = this.resolve(order);
    if (!t) return [];
    const out: VenueReport[] = [];
    const fill = fillFromActivity(a, { clientOrderId: t.keelId, strategyId: t.strategyId, instrument: t.mapping.instrument });
    if (this.roleOf(t, order) === 'replacement') this.applyReplace(t, order.id, fill.ts, out);
    // The activity's own cumulative quantity, not the order's current one (later fills may exist).
    const cum = parseLots(t.mapping.instrument, a.cum_qty, 'activity.cum_qty');
    if (this.tradeIds.has(fill.tradeId) || cum <= (t.cumByVenueOrder.get(order.id) ?? 0)) return out;
    this.book(t, { ...order, filled_qty: a.cum_qty }, fill.tradeId, fill.quantity, fill.ts, out);
    // Alpaca marks the execution that completed the order `fill`, every other one `partial_fill`.
    const final = a.type === 'fill';
    const leaves = this.leaves(t, { ...order, status: final ? 'filled' : 'partially_filled', filled_qty: a.cum_qty }, final);
    out.push({ type: 'order.filled', ts: fill.ts, clientOrderId: t.keelId, fill, leavesQuantity: leaves as never });
    if (final) t.done = true;
    return out;
  }

  /** Filled lots the venue shows for this order that no booked fill explains yet. */
  missingFills(o: AlpacaOrder): boolean {
    const t = this.resolve(o);
    if (!t) return false;
    return parseLots(t.mapping.instrument, o.filled_qty, 'order.filled_qty') > (t.cumByVenueOrder.get(o.id) ?? 0);
  }

  private onStatus(t: TrackedOrder, o: AlpacaOrder, status: string, ts: number, out: VenueReport[]): VenueReport[] {
    const role = this.roleOf(t, o);
    if (role === 'older') return out; // a link of the chain already replaced: its news are history
    if (role === 'replacement') {
      if (status === 'rejected' || status === 'canceled' || status === 'expired') {
        t.pendingReplace = undefined;
        out.push({ type: 'order.update-rejected', ts, clientOrderId: t.keelId, reason: `Alpaca ${status} the replacement order` });
        return out;
      }
      // Not yet at the execution venue: the old order may still fill, and then the replacement is rejected.
      if (status === 'pending_new') return out;
      this.applyReplace(t, o.id, ts, out);
    }
    if (t.done) return out;
    switch (status) {
      case 'rejected':
        t.done = true;
        out.push({ type: 'order.rejected', ts, clientOrderId: t.keelId, reason: 'rejected by Alpaca' });
        return out;
      case 'canceled':
        this.accept(t, o.id, ts, out);
        t.done = true;
        out.push({ type: 'order.canceled', ts, clientOrderId: t.keelId, reason: 'canceled at Alpaca' });
        return out;
      case 'expired':
        this.accept(t, o.id, ts, out);
        t.done = true;
        out.push({ type: 'order.expired', ts, clientOrderId: t.keelId });
        return out;
      case 'new': case 'accepted': case 'pending_new': case 'accepted_for_bidding': case 'held':
        this.accept(t, o.id, ts, out);
        return out;
      default:
        return out; // pending_cancel, pending_replace, done_for_day, stopped, calculated, suspended, order_cancel_rejected
    }
  }

  private roleOf(t: TrackedOrder, o: Pick<AlpacaOrder, 'client_order_id'>): 'current' | 'replacement' | 'older' {
    if (t.pendingReplace?.alpacaClientId === o.client_order_id) return 'replacement';
    if (o.client_order_id === t.alpacaClientId) return 'current';
    // An adopted order meets a later link of its chain, sent before this process started: follow it.
    const n = Number(/~r(\d+)$/.exec(o.client_order_id)?.[1] ?? 0);
    if (t.request === undefined && n > Number(/~r(\d+)$/.exec(t.alpacaClientId)?.[1] ?? 0)) {
      t.alpacaClientId = o.client_order_id;
      return 'current';
    }
    return 'older';
  }

  private accept(t: TrackedOrder, venueOrderId: string, ts: number, out: VenueReport[]): void {
    if (t.venueOrderId === undefined) t.venueOrderId = venueOrderId;
    if (t.accepted) return;
    t.accepted = true;
    out.push({ type: 'order.accepted', ts, clientOrderId: t.keelId, venueOrderId });
  }

  private applyReplace(t: TrackedOrder, newVenueOrderId: string, ts: number, out: VenueReport[]): void {
    const p = t.pendingReplace;
    if (!p) return;
    this.accept(t, t.venueOrderId ?? newVenueOrderId, ts, out);
    t.pendingReplace = undefined;
    t.alpacaClientId = p.alpacaClientId;
    t.venueOrderId = newVenueOrderId;
    t.request = p.request;
    out.push({ type: 'order.updated', ts, clientOrderId: t.keelId, order: p.request });
  }

  private isDuplicateFill(t: TrackedOrder, o: AlpacaOrder, executionId: string | undefined): boolean {
    if (executionId !== undefined && this.tradeIds.has(String(executionId))) return true;
    // The same execution seen before under another id (REST and stream): the order's filled total did not grow.
    const cum = parseLots(t.mapping.instrument, o.filled_qty, 'order.filled_qty');
    return cum > 0 && cum <= (t.cumByVenueOrder.get(o.id) ?? 0);
  }

  private book(t: TrackedOrder, o: AlpacaOrder, tradeId: string, lots: number, ts: number, out: VenueReport[]): void {
    this.accept(t, o.id, ts, out);
    this.tradeIds.add(tradeId);
    t.cumByVenueOrder.set(o.id, Math.max(t.cumByVenueOrder.get(o.id) ?? 0, parseLots(t.mapping.instrument, o.filled_qty, 'order.filled_qty')));
    t.filledLots += lots;
  }

  /** Lots left after a fill, in Keel's terms (the whole chain's quantity minus everything filled). */
  private leaves(t: TrackedOrder, o: AlpacaOrder, final: boolean): number {
    if (final || o.status === 'filled') return 0;
    if (t.request !== undefined && t.request.quantity > 0) return Math.max(0, t.request.quantity - t.filledLots);
    if (o.qty !== null && o.qty !== undefined) return leavesOf(o, t.mapping.instrument);
    // A notional order partly filled: its rest is unknown but not zero (zero would tell the engine it is done).
    return ALPACA_FINAL.has(o.status) ? 0 : 1;
  }
}
