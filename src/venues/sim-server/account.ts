import {
  TERMINAL_STATUSES, notional, type Instrument, type Money, type OrderRequest, type OrderStatus, type VenueReport,
} from '../../model/index.ts';
import type { VenueReportSink } from '../../execution/index.ts';
import type { VenueFill, VenueOpenOrder, VenueOrderRecord } from './protocol.ts';

interface OrderRecord {
  order: OrderRequest;
  status: OrderStatus;
  venueOrderId: string | undefined;
  reason: string | undefined;
  filledLots: number;
}

/**
 * The venue's books for one account: cash, positions, every fill numbered in the order it happened, and
 * every order ever received by client order id. It is the venue's truth that a restarted engine
 * reconciles against, so it is kept from the venue's own reports, independently of any client, and it
 * never forgets an order (a client order id, once used, stays used).
 */
export class SimAccount implements VenueReportSink {
  readonly name: string;
  private cashExact: Money;
  private readonly lots = new Map<string, number>();
  private readonly fillLog: VenueFill[] = [];
  private readonly orders = new Map<string, OrderRecord>();
  private readonly instruments: ReadonlyMap<string, Instrument>;
  /** Where reports go after they are booked: the connected client, if any. */
  private forward: ((report: VenueReport) => void) | undefined;
  duplicateSubmits = 0;

  constructor(name: string, initialCash: Money, instruments: ReadonlyMap<string, Instrument>) {
    this.name = name;
    this.cashExact = initialCash;
    this.instruments = instruments;
  }

  get cash(): Money {
    return this.cashExact;
  }

  /** Route booked reports to a client (or nowhere while no client is connected). */
  forwardTo(fn: ((report: VenueReport) => void) | undefined): void {
    this.forward = fn;
  }

  /** True when the id was used before by this account: the submit must be refused, not matched again. */
  has(clientOrderId: string): boolean {
    return this.orders.has(clientOrderId);
  }

  /** A submit the venue took in; it is `SUBMITTED` until it reaches the matching engine (after the latency). */
  received(order: OrderRequest): void {
    this.orders.set(order.clientOrderId, { order, status: 'SUBMITTED', venueOrderId: undefined, reason: undefined, filledLots: 0 });
  }

  onVenueReport(r: VenueReport): void {
    const rec = this.orders.get(r.clientOrderId);
    if (rec !== undefined) this.book(rec, r);
    this.forward?.(r);
  }

  /** Send a report the matching engine did not produce (a refused duplicate) to the client only. */
  tell(r: VenueReport): void {
    this.forward?.(r);
  }

  private book(rec: OrderRecord, r: VenueReport): void {
    switch (r.type) {
      case 'order.accepted': rec.status = 'ACCEPTED'; rec.venueOrderId = r.venueOrderId; return;
      case 'order.rejected': rec.status = 'REJECTED'; rec.reason = r.reason; return;
      case 'order.canceled': rec.status = 'CANCELED'; rec.reason = r.reason; return;
      case 'order.expired': rec.status = 'EXPIRED'; return;
      case 'order.unknown': return; // a venue never originates it about its own books
      case 'order.updated': rec.order = r.order; return;
      case 'order.update-rejected': return;
      case 'order.filled': {
        const f = r.fill;
        const inst = this.instruments.get(f.instrumentId);
        if (inst === undefined) throw new Error(`fill for unknown instrument ${f.instrumentId}`);
        const value = notional(inst, f.price, f.quantity);
        this.cashExact += f.side === 'buy' ? -value - f.fee : value - f.fee;
        this.lots.set(f.instrumentId, (this.lots.get(f.instrumentId) ?? 0) + (f.side === 'buy' ? f.quantity : -f.quantity));
        this.fillLog.push({ ...f, venueSeq: this.fillLog.length + 1 });
        rec.filledLots += f.quantity;
        rec.status = r.leavesQuantity > 0 ? 'PARTIALLY_FILLED' : 'FILLED';
        return;
      }
    }
  }

  positions(): Record<string, number> {
    return Object.fromEntries(this.lots);
  }

  fills(after = 0): VenueFill[] {
    // venueSeq k sits at index k − 1: slice instead of scanning.
    return this.fillLog.slice(Math.max(0, after));
  }

  get fillCount(): number {
    return this.fillLog.length;
  }

  openOrders(): VenueOpenOrder[] {
    const out: VenueOpenOrder[] = [];
    for (const rec of this.orders.values()) if (!TERMINAL_STATUSES.has(rec.status)) out.push({ ...rec.order, filledLots: rec.filledLots });
    return out;
  }

  orderRecords(): VenueOrderRecord[] {
    const out: VenueOrderRecord[] = [];
    for (const [id, rec] of this.orders) {
      out.push({
        clientOrderId: id, status: rec.status, filledLots: rec.filledLots,
        ...(rec.venueOrderId !== undefined ? { venueOrderId: rec.venueOrderId } : {}),
        ...(rec.reason !== undefined ? { reason: rec.reason } : {}),
      });
    }
    return out;
  }

  get orderCount(): number {
    return this.orders.size;
  }
}
