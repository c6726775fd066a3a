import { KeelError, notional, withChanges, type Instrument, type OrderChanges, type OrderEvent, type OrderRequest, type VenueReport } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { GatePurpose, KillTarget, RiskEngine } from '../risk/index.ts';
import { OrderManager, type ManagedOrder } from './order-manager.ts';
import type { VenueGateway, VenueReportSink } from './venue-port.ts';
import { NO_WRITE_AHEAD, type WriteAheadLog } from './write-ahead.ts';

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
  private readonly wal: WriteAheadLog;

  constructor(opts: { risk: RiskEngine; clock: Clock; instruments: ReadonlyMap<string, Instrument>; writeAhead?: WriteAheadLog }) {
    this.risk = opts.risk;
    this.clock = opts.clock;
    this.instruments = opts.instruments;
    this.wal = opts.writeAhead ?? NO_WRITE_AHEAD;
    this.risk.killSwitch.connect(this);
  }

  /** After a restart: continue the kill switch's order numbering where the journal left it (ids stay unique). */
  resumeFlattenNumbering(lastSeq: number): void {
    this.flattenSeq = Math.max(this.flattenSeq, lastSeq);
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

  /**
   * Ask the venue to cancel; the outcome arrives as a report. Unknown or finished orders are ignored. A cancel
   * that goes out counts toward the modification throttle but is never refused (see RiskEngine.onCancelRequest).
   */
  cancel(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    if (!order || order.status === 'INITIALIZED' || order.status === 'DENIED') return;
    const venue = this.venueOf.get(clientOrderId);
    if (venue === undefined) return;
    this.risk.onCancelRequest(order.request);
    this.sendCancel(clientOrderId, 'strategy');
  }

  /**
   * Change a working order's quantity and/or prices (cancel/replace); type, side and instrument stay. The new
   * terms pass the risk gate like an order. Approved: the order goes PENDING_UPDATE and the venue answers with
   * `order.updated` (new terms in force) or `order.update-rejected` (old terms stand). Refused before anything
   * is sent (the order is not working, the changes do not fit its type, the gate said no): an
   * `order.update-denied` that leaves the order as it was. Throws only for an id the OMS never saw.
   *
   * @example execution.modify('sma-cross-7', { limitPrice: 10_050 as PriceTicks, quantity: 20 as Lots })
   */
  modify(clientOrderId: string, changes: OrderChanges): ManagedOrder {
    const order = this.orders.get(clientOrderId);
    if (!order) throw new KeelError('UNKNOWN_ORDER', 'is not an order of this run', { field: 'clientOrderId', value: clientOrderId });
    const notWorking = whyNotModifiable(order);
    if (notWorking !== undefined) return this.denyUpdate(order, 'order-state', notWorking);
    const replacement = withChanges(order.request, changes);
    if (!replacement.ok) return this.denyUpdate(order, 'order-shape', replacement.reason);
    const decision = this.risk.evaluateModification(order.request, replacement.order);
    if (!decision.approved) return this.denyUpdate(order, decision.check, decision.reason);
    const venue = this.venueOf.get(clientOrderId);
    if (!venue) throw new Error(`no venue holds working order ${clientOrderId}`);
    const pending = { type: 'order.pending-update', ts: this.clock.now(), clientOrderId, order: decision.order } as const;
    this.emit(pending, order);
    const approved = decision.order;
    this.wal.beforeSend({ kind: 'replace', event: pending }, () => venue.replace(approved));
    return order;
  }

  /**
   * Kill switch: hand a cancel for every working order to its venue, PENDING_UPDATE ones included (whichever
   * of the replace and the cancel the venue sees last, the order ends canceled). These cancels are the risk
   * layer's own, not the strategy's messages, so they do not count toward the modification throttle.
   */
  cancelAllOrders(_reason: string): string[] {
    const ids: string[] = [];
    for (const o of this.orders.openOrders()) {
      if (o.status === 'INITIALIZED') continue;
      ids.push(o.request.clientOrderId);
    }
    for (const id of ids) this.sendCancel(id, 'kill switch');
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

  /**
   * Rebuild state from a journaled order event after a restart: the OMS, the risk books and the listeners
   * see it exactly as they did live; nothing is sent and nothing is journaled again. Intents are routed to
   * the venue their instrument goes to, so a recovered working order can be canceled.
   */
  replay(event: OrderEvent): void {
    if (event.type === 'order.submitted' || event.type === 'order.denied') {
      const request = event.type === 'order.submitted' ? event.order : undefined;
      if (request === undefined) return; // a denial never created anything a restart needs
      const order = this.orders.create(request);
      const venue = this.routes.get(request.instrumentId) ?? this.routes.get(undefined);
      if (venue) this.venueOf.set(request.clientOrderId, venue);
      this.emit(event, order, false);
      return;
    }
    const order = this.orders.get(event.clientOrderId);
    if (!order) throw new Error(`journal replay: ${event.type} for unknown order ${event.clientOrderId}`);
    this.emit(event, order, false);
  }

  /**
   * Rebuild the OMS from an engine snapshot after a restart (instead of replaying every event before it):
   * open orders in full, routed to their instrument's venue so they can be canceled, and the ids of finished
   * ones. The risk books are restored from the same snapshot by the caller.
   */
  restoreOrders(open: readonly ManagedOrder[], finishedIds: Iterable<string>): void {
    this.orders.restore(open, finishedIds);
    for (const o of this.orders.openOrders()) {
      const venue = this.routes.get(o.request.instrumentId) ?? this.routes.get(undefined);
      if (venue) this.venueOf.set(o.request.clientOrderId, venue);
    }
  }

  onVenueReport(report: VenueReport): void {
    const order = this.orders.get(report.clientOrderId);
    if (!order) throw new Error(`venue report ${report.type} for unknown order ${report.clientOrderId}`);
    // The OMS decides which strategy an order belongs to: venues do not know strategies (Alpaca, ccxt), and
    // an adopted external order belongs to `external` whatever the venue's record says.
    if (report.type === 'order.filled' && report.fill.strategyId !== order.request.strategyId) {
      this.emit({ ...report, fill: { ...report.fill, strategyId: order.request.strategyId } }, order);
      return;
    }
    this.emit(report, order);
  }

  /**
   * Take over an order placed outside this engine (by hand at the broker, another tool, a lost journal tail)
   * that reconciliation found at the venue, when configured to adopt rather than flag it. It is journaled
   * as submitted, under the `external` strategy, and counted by the risk books like any working order; the
   * venue's reports then bring it up to date. Nothing is sent: the order already exists.
   */
  adopt(request: OrderRequest): ManagedOrder {
    const order = this.orders.create(request);
    const venue = this.routes.get(request.instrumentId) ?? this.routes.get(undefined);
    if (venue) this.venueOf.set(request.clientOrderId, venue);
    const submitted = { type: 'order.submitted', ts: this.clock.now(), order: request } as const;
    this.emit(submitted, order);
    this.wal.record(submitted);
    return order;
  }

  /** Journal the cancel request, then hand it to the order's venue. */
  private sendCancel(clientOrderId: string, reason: string): void {
    const venue = this.venueOf.get(clientOrderId);
    if (venue === undefined) return;
    this.wal.beforeSend({ kind: 'cancel', ts: this.clock.now(), clientOrderId, reason }, () => venue.cancel(clientOrderId));
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
    const submitted = { type: 'order.submitted', ts: this.clock.now(), order: request } as const;
    this.emit(submitted, order);
    const approved = decision.order;
    this.wal.beforeSend({ kind: 'submit', event: submitted }, () => venue.submit(approved));
    return order;
  }

  private denyUpdate(order: ManagedOrder, check: string, reason: string): ManagedOrder {
    this.emit({ type: 'order.update-denied', ts: this.clock.now(), clientOrderId: order.request.clientOrderId, check, reason }, order);
    return order;
  }

  private emit(event: OrderEvent, order: ManagedOrder, journal = true): void {
    let fillNotional;
    if (event.type === 'order.filled') {
      const inst = this.instruments.get(event.fill.instrumentId);
      if (!inst) throw new Error(`fill for unknown instrument ${event.fill.instrumentId}`);
      fillNotional = notional(inst, event.fill.price, event.fill.quantity);
    }
    this.orders.apply(event, fillNotional);
    // Intents are journaled by beforeSend, ahead of their request; everything else as it happens.
    if (journal && event.type !== 'order.submitted' && event.type !== 'order.pending-update') this.wal.record(event);
    this.risk.onOrderEvent(event);
    if (event.type !== 'order.submitted' && event.type !== 'order.denied' && !this.orders.isOpen(order)) {
      this.venueOf.delete(order.request.clientOrderId);
    }
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i].onOrderEvent(event, order);
  }
}

/** Why the OMS will not send a replace for this order, or undefined when it is working at the venue. */
function whyNotModifiable(o: ManagedOrder): string | undefined {
  const id = o.request.clientOrderId;
  switch (o.status) {
    case 'ACCEPTED': case 'PARTIALLY_FILLED': return undefined;
    case 'SUBMITTED': return `Order ${id} is not yet accepted by the venue; it can be modified once it is working`;
    case 'PENDING_UPDATE': return `Order ${id} already has a modification in flight; wait for the venue's answer`;
    case 'PENDING_CANCEL': return `Order ${id} is being canceled`;
    case 'UNKNOWN': return `Order ${id} has an unknown outcome; it cannot be modified until it is reconciled`;
    default: return `Order ${id} is ${o.status}; there is nothing left to modify`;
  }
}
