import type { VenueReport } from '../model/index.ts';
import { nextStatus, type OrderManager } from '../execution/index.ts';

/**
 * After a restart the same report can reach the engine twice: once in the reconciliation snapshot and again
 * on the live stream (or a venue resends after a reconnect). Apply each fill once (by trade id) and drop a
 * status report the order has already moved past; anything else is new and goes through.
 */
export class ReportFilter {
  private readonly trades = new Set<string>();
  private readonly orders: OrderManager;

  constructor(orders: OrderManager) {
    this.orders = orders;
  }

  /** Trade ids of every fill the engine has booked (journal replay, reconciliation, live). */
  get tradeIds(): ReadonlySet<string> {
    return this.trades;
  }

  /** Remember fills booked from the journal or the snapshot. */
  booked(tradeId: string): void {
    this.trades.add(tradeId);
  }

  /** True when the report should be applied. */
  admit(report: VenueReport): boolean {
    if (report.type === 'order.filled') {
      if (this.trades.has(report.fill.tradeId)) return false;
      this.trades.add(report.fill.tradeId);
      return true;
    }
    if (this.orders.isRetired(report.clientOrderId)) return false; // finished before the snapshot: old news
    const order = this.orders.get(report.clientOrderId);
    if (order === undefined) return true; // the engine will say loudly that it does not know the order
    try {
      nextStatus(order.status, report);
      return true;
    } catch {
      return false; // e.g. "accepted" for an order reconciliation already settled
    }
  }
}
