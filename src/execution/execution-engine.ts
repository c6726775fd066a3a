import { notional, type Instrument, type OrderEvent, type OrderRequest, type VenueReport } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { GatePurpose, KillTarget, RiskEngine } from '../risk/index.ts';
import { OrderManager, type ManagedOrder } from './order-manager.ts';
import type { VenueGateway, VenueReportSink } from './venue-port.ts';

/** Receives every order event after the OMS applied it (portfolio, strategy host, recorders, later the journal). */
export interface ExecutionListener {
  onOrderEvent(event: OrderEvent, order: ManagedOrder): void;
}

/**
 * Strategy → risk gate → OMS → venue, and venue reports → OMS → risk → listeners. Synchronous: a report is
 * fully applied (OMS, risk books, portfolio, strategy callbacks) before the call returns. It is also the
 * kill switch's arm: it knows every working order and the venue each went to.
 */
export class ExecutionEngine implements VenueReportSink, KillTarget {
  readonly orders = new OrderManager();
  readonly risk: RiskEngine;
  private readonly clock: Clock;
  private readonly instruments: ReadonlyMap<string, Instrument>;
  /** Venue per instrument id; `undefined` key = the default venue. */
  private readonly routes = new Map<string | undefined, VenueGateway>();
  private readonly venueOf = new Map<string, VenueGateway>();
  private readonly listeners: ExecutionListener[] = [];
  private flattenSeq = 0;

  constructor(opts: { risk: RiskEngine; clock: Clock; instruments: ReadonlyMap<string, Instrument> }) {
    this.risk = opts.risk;
    this.clock = opts.clock;
    this.instruments = opts.instruments;
    this.risk.killSwitch.connect(this);
  }

  /** Route the given instruments (or, without a list, everything not routed otherwise) to a venue. */
  connectVenue(venue: VenueGateway, instrumentIds?: readonly string[]): void {
    if (instrumentIds === undefined) this.routes.set(undefined, venue);
    else for (const id of instrumentIds) this.routes.set(id, venue);
  }

  addListener(listener: ExecutionListener): void {
    this.listeners.push(listener);
  }

  /** Gate and route a strategy's order. Returns the managed order (DENIED when the gate refused it). */
  submit(request: OrderRequest): ManagedOrder {
    return this.send(request, 'strategy');
  }

  /** Ask the venue to cancel; the outcome arrives as a report. Unknown or finished orders are ignored. */
  cancel(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    if (!order || order.status === 'INITIALIZED' || order.status === 'DENIED') return;
    this.venueOf.get(clientOrderId)?.cancel(clientOrderId);
  }

  /** Kill switch: hand a cancel for every working order to its venue. */
  cancelAllOrders(_reason: string): string[] {
    const ids: string[] = [];
    for (const o of this.orders.openOrders()) {
      if (o.status === 'INITIALIZED') continue;
      ids.push(o.request.clientOrderId);
    }
    for (const id of ids) this.venueOf.get(id)?.cancel(id);
    return ids;
  }

  /** Kill switch: market orders closing every position, gated in flatten mode (instrument rules only). */
  flattenAllPositions(tag: string): { submitted: string[]; notFlattened: string[] } {
    const submitted: string[] = [];
    const notFlattened: string[] = [];
    for (const f of this.risk.flattenPlan()) {
      const request: OrderRequest = {
        type: 'market', clientOrderId: `kill-switch-${++this.flattenSeq}`, strategyId: f.strategyId, instrumentId: f.instrumentId,
        side: f.side, quantity: f.lots as OrderRequest['quantity'], timeInForce: 'GTC', reduceOnly: true, createdAt: this.clock.now(), tag, notional: undefined,
      };
      const order = this.send(request, 'flatten');
      if (order.status === 'DENIED') notFlattened.push(`${f.instrumentId} ${f.side} ${f.lots} lots: ${order.reason}`);
      else submitted.push(request.clientOrderId);
    }
    return { submitted, notFlattened };
  }

  onVenueReport(report: VenueReport): void {
    const order = this.orders.get(report.clientOrderId);
    if (!order) throw new Error(`venue report ${report.type} for unknown order ${report.clientOrderId}`);
    this.emit(report, order);
  }

  private send(request: OrderRequest, purpose: GatePurpose): ManagedOrder {
    const venue = this.routes.get(request.instrumentId) ?? this.routes.get(undefined);
    if (!venue) throw new Error(`no venue connected for ${request.instrumentId}`);
    const order = this.orders.create(request);
    const decision = this.risk.evaluate(request, purpose);
    if (!decision.approved) {
      this.emit({ type: 'order.denied', ts: this.clock.now(), clientOrderId: request.clientOrderId, check: decision.check, reason: decision.reason }, order);
      return order;
    }
    this.venueOf.set(request.clientOrderId, venue);
    this.emit({ type: 'order.submitted', ts: this.clock.now(), order: request }, order);
    venue.submit(decision.order);
    return order;
  }

  private emit(event: OrderEvent, order: ManagedOrder): void {
    let fillNotional;
    if (event.type === 'order.filled') {
      const inst = this.instruments.get(event.fill.instrumentId);
      if (!inst) throw new Error(`fill for unknown instrument ${event.fill.instrumentId}`);
      fillNotional = notional(inst, event.fill.price, event.fill.quantity);
    }
    this.orders.apply(event, fillNotional);
    this.risk.onOrderEvent(event);
    if (event.type !== 'order.submitted' && event.type !== 'order.denied' && !this.orders.isOpen(order)) {
      this.venueOf.delete(order.request.clientOrderId);
    }
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i].onOrderEvent(event, order);
  }
}
