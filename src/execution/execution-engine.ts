import { notional, type Instrument, type OrderEvent, type OrderRequest, type VenueReport } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { RiskEngine } from '../risk/index.ts';
import { OrderManager, type ManagedOrder } from './order-manager.ts';
import type { VenueGateway, VenueReportSink } from './venue-port.ts';

/** Receives every order event after the OMS applied it (portfolio, strategy host, recorders, later the journal). */
export interface ExecutionListener {
  onOrderEvent(event: OrderEvent, order: ManagedOrder): void;
}

/**
 * Strategy → risk gate → OMS → venue, and venue reports → OMS → listeners. Synchronous: a report is fully
 * applied (OMS, portfolio, strategy callbacks) before the call returns.
 */
export class ExecutionEngine implements VenueReportSink {
  readonly orders = new OrderManager();
  private readonly risk: RiskEngine;
  private readonly clock: Clock;
  private readonly instruments: ReadonlyMap<string, Instrument>;
  private venue: VenueGateway | undefined;
  private readonly listeners: ExecutionListener[] = [];

  constructor(opts: { risk: RiskEngine; clock: Clock; instruments: ReadonlyMap<string, Instrument> }) {
    this.risk = opts.risk;
    this.clock = opts.clock;
    this.instruments = opts.instruments;
  }

  connectVenue(venue: VenueGateway): void {
    this.venue = venue;
  }

  addListener(listener: ExecutionListener): void {
    this.listeners.push(listener);
  }

  /** Gate and route an order. Returns the managed order (DENIED when the gate refused it). */
  submit(request: OrderRequest): ManagedOrder {
    if (!this.venue) throw new Error('no venue connected');
    const order = this.orders.create(request);
    const decision = this.risk.evaluate(request);
    if (!decision.approved) {
      this.emit({ type: 'order.denied', ts: this.clock.now(), clientOrderId: request.clientOrderId, reason: `${decision.check}: ${decision.reason}` }, order);
      return order;
    }
    this.emit({ type: 'order.submitted', ts: this.clock.now(), order: request }, order);
    this.venue.submit(decision.order);
    return order;
  }

  /** Ask the venue to cancel; the outcome arrives as a report. Unknown or finished orders are ignored. */
  cancel(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    if (!order || order.status === 'INITIALIZED' || order.status === 'DENIED') return;
    this.venue?.cancel(clientOrderId);
  }

  onVenueReport(report: VenueReport): void {
    const order = this.orders.get(report.clientOrderId);
    if (!order) throw new Error(`venue report ${report.type} for unknown order ${report.clientOrderId}`);
    this.emit(report, order);
  }

  private emit(event: OrderEvent, order: ManagedOrder): void {
    let fillNotional;
    if (event.type === 'order.filled') {
      const inst = this.instruments.get(event.fill.instrumentId);
      if (!inst) throw new Error(`fill for unknown instrument ${event.fill.instrumentId}`);
      fillNotional = notional(inst, event.fill.price, event.fill.quantity);
    }
    this.orders.apply(event, fillNotional);
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i].onOrderEvent(event, order);
  }
}
