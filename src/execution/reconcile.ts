import { TERMINAL_STATUSES, type Fill, type Money, type OrderRequest, type OrderStatus, type VenueReport } from '../model/index.ts';
import type { ManagedOrder } from './order-manager.ts';

/** What a venue says it holds for the account (from its query API). */
export interface VenueSnapshot {
  readonly orders: ReadonlyArray<{ readonly clientOrderId: string; readonly status: OrderStatus; readonly venueOrderId?: string; readonly reason?: string }>;
  /**
   * Working orders with their terms, when the venue gives them: what the engine needs to adopt an external
   * order (its own orders it knows already).
   */
  readonly openOrders?: ReadonlyArray<OrderRequest & { readonly filledLots: number }>;
  /** Every fill of the account the venue still reports, oldest first. */
  readonly fills: readonly Fill[];
  /** Signed lots per instrument. */
  readonly positions: Readonly<Record<string, number>>;
  readonly cash: Money;
  /** Venue time of the snapshot. */
  readonly ts: number;
}

/** What the engine believes after replaying its journal. */
export interface EngineBook {
  /** Orders the engine holds in full (all since the last snapshot, and every open one). */
  readonly orders: Iterable<ManagedOrder>;
  /** True for any client order id the engine ever used, also finished orders known only by id after a restart from a snapshot. */
  readonly knows?: (clientOrderId: string) => boolean;
  /** Trade ids of every fill the engine has booked. */
  readonly tradeIds: ReadonlySet<string>;
}

export interface ReconciliationPlan {
  /** Reports to apply, in order, to bring the engine to the venue's state (journaled like live reports). */
  readonly reports: VenueReport[];
  /** Orders the journal had as sent that the venue never received: resolved as rejected, never resubmitted. */
  readonly neverReached: string[];
  /** Orders at the venue the journal does not know (placed elsewhere, or a lost journal tail). */
  readonly externalOrders: string[];
  /** Fills at the venue for orders the journal does not know. */
  readonly externalFills: string[];
  /** Working orders whose state cannot be settled from the snapshot (e.g. a replace in flight). */
  readonly unsettled: string[];
}

const NEVER_REACHED = 'never reached the venue: the engine stopped after journaling it and before sending; not resubmitted';

/**
 * Plan how the engine's journaled state meets the venue's: fills that happened while the engine was down,
 * orders that finished meanwhile, intents that never left. Pure: the caller applies the reports through the
 * execution engine (so they are journaled) and then compares positions and cash.
 */
export function planReconciliation(engine: EngineBook, venue: VenueSnapshot): ReconciliationPlan {
  const reports: VenueReport[] = [];
  const neverReached: string[] = [];
  const externalOrders: string[] = [];
  const externalFills: string[] = [];
  const unsettled: string[] = [];
  const mine = new Map<string, ManagedOrder>();
  for (const o of engine.orders) mine.set(o.request.clientOrderId, o);
  const atVenue = new Map(venue.orders.map((o) => [o.clientOrderId, o]));
  // Lots each order will have filled once the missing fills are in, to state the leaves quantity right.
  const filled = new Map<string, number>();
  const accepted = new Set<string>();
  const accept = (o: ManagedOrder) => {
    const id = o.request.clientOrderId;
    if (o.status !== 'SUBMITTED' && o.status !== 'UNKNOWN') return;
    if (accepted.has(id)) return;
    accepted.add(id);
    reports.push({ type: 'order.accepted', ts: venue.ts, clientOrderId: id, venueOrderId: atVenue.get(id)?.venueOrderId ?? id });
  };

  for (const f of venue.fills) {
    if (engine.tradeIds.has(f.tradeId)) continue;
    const o = mine.get(f.clientOrderId);
    if (!o) {
      externalFills.push(f.tradeId);
      continue;
    }
    accept(o);
    const done = (filled.get(f.clientOrderId) ?? o.filledLots) + f.quantity;
    filled.set(f.clientOrderId, done);
    reports.push({ type: 'order.filled', ts: f.ts, clientOrderId: f.clientOrderId, fill: f, leavesQuantity: Math.max(0, o.request.quantity - done) as Fill['quantity'] });
  }

  for (const o of mine.values()) {
    if (TERMINAL_STATUSES.has(o.status) || o.status === 'INITIALIZED') continue;
    const id = o.request.clientOrderId;
    const v = atVenue.get(id);
    const fullyFilled = (filled.get(id) ?? o.filledLots) >= o.request.quantity && o.request.quantity > 0;
    if (fullyFilled) continue; // the last fill above closed it
    if (!v) {
      if (o.status === 'SUBMITTED' || o.status === 'UNKNOWN') {
        neverReached.push(id);
        reports.push({ type: 'order.rejected', ts: venue.ts, clientOrderId: id, reason: NEVER_REACHED });
      } else {
        unsettled.push(id); // the venue forgot an order it had accepted: nobody can say what happened
      }
      continue;
    }
    if (o.status === 'PENDING_UPDATE' || o.status === 'PENDING_CANCEL') {
      if (v.status === 'CANCELED' || v.status === 'EXPIRED' || v.status === 'REJECTED' || v.status === 'FILLED') unsettledOrFinal(o, v);
      else unsettled.push(id);
      continue;
    }
    unsettledOrFinal(o, v);
  }

  function unsettledOrFinal(o: ManagedOrder, v: VenueSnapshot['orders'][number]): void {
    const id = o.request.clientOrderId;
    switch (v.status) {
      case 'CANCELED': accept(o); reports.push({ type: 'order.canceled', ts: venue.ts, clientOrderId: id, reason: v.reason ?? 'canceled while the engine was down' }); break;
      case 'EXPIRED': accept(o); reports.push({ type: 'order.expired', ts: venue.ts, clientOrderId: id }); break;
      case 'REJECTED': reports.push({ type: 'order.rejected', ts: venue.ts, clientOrderId: id, reason: v.reason ?? 'rejected by the venue' }); break;
      case 'FILLED': unsettled.push(id); break; // filled at the venue but its fills are missing from the snapshot
      case 'SUBMITTED': case 'UNKNOWN': break; // received, not yet working: its own report will follow
      default: accept(o); break; // still working
    }
  }

  const known = engine.knows ?? ((id: string) => mine.has(id));
  for (const v of venue.orders) if (!known(v.clientOrderId)) externalOrders.push(v.clientOrderId);
  return { reports, neverReached, externalOrders, externalFills, unsettled };
}

/** The strategy id adopted external orders are booked under (risk limits and flattening treat it like any strategy). */
export const EXTERNAL_STRATEGY = 'external';

/**
 * The orders to adopt from a venue snapshot: every order or fill at the venue the engine does not know,
 * as an order request under the `external` strategy. An open order keeps its terms; an order known only
 * from its fills becomes a market order for the quantity filled (it is finished or its terms are unknown;
 * its fills, applied by reconciliation, are what matter).
 */
export function externalOrdersToAdopt(knows: (clientOrderId: string) => boolean, venue: VenueSnapshot): OrderRequest[] {
  const out = new Map<string, OrderRequest>();
  for (const o of venue.openOrders ?? []) {
    if (knows(o.clientOrderId) || out.has(o.clientOrderId)) continue;
    const { filledLots: _filled, ...terms } = o;
    out.set(o.clientOrderId, { ...terms, strategyId: EXTERNAL_STRATEGY, tag: 'adopted' } as OrderRequest);
  }
  const filled = new Map<string, { fill: Fill; lots: number }>();
  for (const f of venue.fills) {
    if (knows(f.clientOrderId) || out.has(f.clientOrderId)) continue;
    const seen = filled.get(f.clientOrderId);
    filled.set(f.clientOrderId, { fill: seen?.fill ?? f, lots: (seen?.lots ?? 0) + f.quantity });
  }
  for (const [id, { fill, lots }] of filled) {
    out.set(id, {
      type: 'market', clientOrderId: id, strategyId: EXTERNAL_STRATEGY, instrumentId: fill.instrumentId, side: fill.side,
      quantity: lots as OrderRequest['quantity'], timeInForce: 'GTC', reduceOnly: false, createdAt: fill.ts, tag: 'adopted', notional: undefined,
    });
  }
  return [...out.values()];
}
