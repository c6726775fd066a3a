import type { OrderEvent, OrderStatus } from '../../model/index.ts';

/** The statuses of an order that can still trade; each gets a series in `keel_orders_open`, zero included. */
export const OPEN_STATUSES = ['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'PENDING_UPDATE', 'PENDING_CANCEL', 'UNKNOWN'] as const satisfies readonly OrderStatus[];
export type OpenStatus = typeof OPEN_STATUSES[number];

/** How an order ended; each gets a series in `keel_orders_completed_total`. */
export const FINAL_STATUSES = ['FILLED', 'CANCELED', 'REJECTED', 'DENIED', 'EXPIRED'] as const satisfies readonly OrderStatus[];
export type FinalStatus = typeof FINAL_STATUSES[number];

const SUBMITTED = 0, ACCEPTED = 1, PARTIALLY_FILLED = 2, PENDING_UPDATE = 3, UNKNOWN = 5;
const FILLED = 0, CANCELED = 1, REJECTED = 2, DENIED = 3, EXPIRED = 4;

/**
 * Counts working orders per status and finished orders per outcome, from the order events alone.
 *
 * The metrics must not reach into the OMS (ops sits below execution's assembly, and a scrape must never
 * stall the engine), so this keeps the one fact it needs per open order: its status index and whether it
 * has filled, packed in one number (`status * 2 + filled`). An order's entry goes when it finishes.
 * Transitions follow execution/order-state.ts; an event for an order this tally never saw (a restart
 * replayed only part of the history) counts from that event on rather than throwing, because metrics must
 * never take the engine down.
 *
 * @example
 * const t = new OpenOrderTally();
 * t.apply({ type: 'order.submitted', ts, order });
 * t.open[0]; // 1 SUBMITTED
 */
export class OpenOrderTally {
  /** Working orders per OPEN_STATUSES index. */
  readonly open = new Float64Array(OPEN_STATUSES.length);
  /** Finished orders per FINAL_STATUSES index. */
  readonly completed = new Float64Array(FINAL_STATUSES.length);
  submitted = 0;
  private readonly orders = new Map<string, number>();

  apply(e: OrderEvent): void {
    switch (e.type) {
      case 'order.submitted': return this.move(e.order.clientOrderId, SUBMITTED, false);
      case 'order.denied': this.completed[DENIED]++; return;
      case 'order.accepted': return this.move(e.clientOrderId, ACCEPTED, undefined);
      case 'order.rejected': return this.finish(e.clientOrderId, REJECTED);
      case 'order.filled': {
        if (e.leavesQuantity <= 0) return this.finish(e.clientOrderId, FILLED);
        // A partial fill while a replace is in flight leaves the order PENDING_UPDATE (see nextStatus).
        const was = this.orders.get(e.clientOrderId);
        const pending = was !== undefined && was >> 1 === PENDING_UPDATE;
        return this.move(e.clientOrderId, pending ? PENDING_UPDATE : PARTIALLY_FILLED, true);
      }
      case 'order.canceled': return this.finish(e.clientOrderId, CANCELED);
      case 'order.expired': return this.finish(e.clientOrderId, EXPIRED);
      case 'order.unknown': return this.move(e.clientOrderId, UNKNOWN, undefined);
      case 'order.pending-update': return this.move(e.clientOrderId, PENDING_UPDATE, undefined);
      case 'order.updated': return this.backToWorking(e.clientOrderId);
      case 'order.update-rejected': {
        const was = this.orders.get(e.clientOrderId);
        if (was !== undefined && was >> 1 === PENDING_UPDATE) this.backToWorking(e.clientOrderId);
        return;
      }
      case 'order.update-denied': return;
    }
  }

  /** Orders that filled completely / orders handed to a venue, since start (0 before the first order). */
  fillRatio(): number {
    return this.submitted === 0 ? 0 : this.completed[FILLED] / this.submitted;
  }

  private backToWorking(id: string): void {
    const was = this.orders.get(id);
    const filled = was !== undefined && (was & 1) === 1;
    this.move(id, filled ? PARTIALLY_FILLED : ACCEPTED, undefined);
  }

  /** `filled` undefined keeps what the order had. */
  private move(id: string, status: number, filled: boolean | undefined): void {
    const was = this.orders.get(id);
    if (was !== undefined) this.open[was >> 1]--;
    else if (status === SUBMITTED) this.submitted++;
    const hasFilled = filled ?? (was !== undefined && (was & 1) === 1);
    this.orders.set(id, status * 2 + (hasFilled ? 1 : 0));
    this.open[status]++;
  }

  private finish(id: string, outcome: number): void {
    const was = this.orders.get(id);
    if (was !== undefined) {
      this.open[was >> 1]--;
      this.orders.delete(id);
    }
    this.completed[outcome]++;
  }
}

