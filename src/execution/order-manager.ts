import { TERMINAL_STATUSES, type Money, type OrderEvent, type OrderRequest, type OrderStatus } from '../model/index.ts';
import { nextStatus } from './order-state.ts';

/** The OMS's record of one order. Mutated only by `OrderManager.apply`. */
export interface ManagedOrder {
  /** The order's current terms: what the strategy sent, or the last replacement the venue applied. */
  request: OrderRequest;
  status: OrderStatus;
  /** Lots filled so far. */
  filledLots: number;
  /** Exact notional filled so far (for the average fill price). */
  filledNotional: Money;
  venueOrderId: string | undefined;
  /** Why the order was denied, rejected or canceled. */
  reason: string | undefined;
  /** The replacement in flight while PENDING_UPDATE (the venue has not answered yet). */
  pendingUpdate: OrderRequest | undefined;
  /** Why the last modification was refused, by the risk gate or by the venue; cleared by the next one sent. */
  modifyReason: string | undefined;
}

/**
 * Order book of the engine's own orders: every state change goes through the transition table, and the set
 * of open orders is kept incrementally so "do I have an order working?" costs nothing on the hot path.
 */
export class OrderManager {
  private readonly orders = new Map<string, ManagedOrder>();
  private readonly open = new Map<string, ManagedOrder>();
  /**
   * Ids of orders that finished before the snapshot this engine restarted from: their details stay in the
   * journal, but an id once used is never used again, and a late report for one is recognised.
   */
  private readonly retired = new Set<string>();

  create(request: OrderRequest): ManagedOrder {
    if (this.orders.has(request.clientOrderId) || this.retired.has(request.clientOrderId)) throw new Error(`duplicate client order id ${request.clientOrderId}`);
    const order: ManagedOrder = {
      request, status: 'INITIALIZED', filledLots: 0, filledNotional: 0n, venueOrderId: undefined, reason: undefined, pendingUpdate: undefined, modifyReason: undefined,
    };
    this.orders.set(request.clientOrderId, order);
    return order;
  }

  /**
   * Put a snapshot back into a fresh OMS (a restart): the orders still open, in full, and the ids of the
   * finished ones.
   */
  restore(open: readonly ManagedOrder[], finishedIds: Iterable<string>): void {
    for (const id of finishedIds) this.retired.add(id);
    for (const o of open) {
      const order: ManagedOrder = {
        request: o.request, status: o.status, filledLots: o.filledLots, filledNotional: o.filledNotional, venueOrderId: o.venueOrderId,
        reason: o.reason, pendingUpdate: o.pendingUpdate, modifyReason: o.modifyReason,
      };
      this.orders.set(order.request.clientOrderId, order);
      if (TERMINAL_STATUSES.has(order.status)) this.retired.add(order.request.clientOrderId);
      else this.open.set(order.request.clientOrderId, order);
    }
  }

  /**
   * Ids of every finished order that reached the journal as submitted, for a snapshot (those restored from
   * one, and those finished since). Denied orders never left the engine, as in a replay of the journal.
   */
  *finishedIds(): IterableIterator<string> {
    yield* this.retired;
    for (const [id, o] of this.orders) if (!this.open.has(id) && !this.retired.has(id) && o.status !== 'INITIALIZED' && o.status !== 'DENIED') yield id;
  }

  /** True when the engine has ever used this client order id (in this run or before the snapshot it restarted from). */
  knows(clientOrderId: string): boolean {
    return this.orders.has(clientOrderId) || this.retired.has(clientOrderId);
  }

  /** A finished order known only by its id (restored from a snapshot). */
  isRetired(clientOrderId: string): boolean {
    return this.retired.has(clientOrderId) && !this.orders.has(clientOrderId);
  }

  get(clientOrderId: string): ManagedOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  /** Apply an event to its order; returns the order. Throws on unknown orders and illegal transitions. */
  apply(event: OrderEvent, filledNotional?: Money): ManagedOrder {
    const id = event.type === 'order.submitted' ? event.order.clientOrderId : event.clientOrderId;
    const order = this.orders.get(id);
    if (!order) throw new Error(`${event.type} for unknown order ${id}`);
    order.status = nextStatus(order.status, event, order.filledLots);
    switch (event.type) {
      case 'order.accepted': order.venueOrderId = event.venueOrderId; break;
      case 'order.filled':
        order.filledLots += event.fill.quantity;
        if (filledNotional !== undefined) order.filledNotional += filledNotional;
        break;
      case 'order.denied': case 'order.rejected': case 'order.canceled': case 'order.unknown': order.reason = event.reason; break;
      case 'order.pending-update':
        order.pendingUpdate = event.order;
        order.modifyReason = undefined;
        break;
      case 'order.updated':
        assertSameOrder(order.request, event.order);
        order.request = event.order;
        order.pendingUpdate = undefined;
        break;
      case 'order.update-rejected':
        order.pendingUpdate = undefined;
        order.modifyReason = event.reason;
        break;
      case 'order.update-denied': order.modifyReason = event.reason; break;
      default: break;
    }
    if (TERMINAL_STATUSES.has(order.status)) this.open.delete(id);
    else this.open.set(id, order);
    return order;
  }

  /** Orders not yet in a terminal state, in submission order. */
  openOrders(): IterableIterator<ManagedOrder> {
    return this.open.values();
  }

  isOpen(order: ManagedOrder): boolean {
    return this.open.has(order.request.clientOrderId);
  }

  get openCount(): number {
    return this.open.size;
  }

  all(): IterableIterator<ManagedOrder> {
    return this.orders.values();
  }
}

/** A replace changes quantity and prices only; a venue reporting anything else would corrupt the books. */
function assertSameOrder(current: OrderRequest, next: OrderRequest): void {
  if (next.clientOrderId !== current.clientOrderId || next.type !== current.type || next.side !== current.side
    || next.instrumentId !== current.instrumentId || next.strategyId !== current.strategyId) {
    throw new Error(`order.updated for ${current.clientOrderId} changes more than its quantity and prices`);
  }
}
