import { EventName, type Contract, type Execution, type IBApi, type Order as IbOrder, type OrderState, type WhatToShow } from '@stoqey/ib';
import type { Bar, OrderRequest, VenueReport } from '../../model/index.ts';
import type { ApprovedOrder } from '../../risk/index.ts';
import type { VenueReportSink, VenueSnapshot } from '../../execution/index.ts';
import type { Venue, VenueCapabilities, VenueSession } from '../venue.ts';
import { backoffDelay, sharedRateBudget, sleepMs, type RateBudget, type TokenBucket } from '../net/index.ts';
import { ibSymbols, parseIbConfig, type IbConfig, type IbSymbol } from './config.ts';
import { openLink } from './connection.ts';
import { toIbOrder } from './mapping.ts';
import { IbOrderTracker, type TrackedOrder } from './order-tracker.ts';
import { PriorOrders, type PriorOrder } from './prior-orders.ts';
import { accountValues, catchUp, snapshot, type IbAccountValue, type QueryContext } from './queries.ts';

export interface IbVenueOptions {
  readonly sink?: VenueReportSink;
  /** Shared rate budget (default: the process-wide one): IB's pacing is per connection, whoever sends. */
  readonly budget?: RateBudget;
  /** One line per event worth keeping (connects, TWS errors, unknown outcomes). */
  readonly log?: (line: string) => void;
  readonly random?: () => number;
}

/** Error codes TWS sends about an order that are warnings, not refusals (the order goes on). */
const ORDER_WARNINGS = new Set([399, 404, 2109, 10167, 10349]);

/**
 * Interactive Brokers (TWS or IB Gateway, over its socket API through @stoqey/ib) as a Keel venue.
 * Orders carry Keel's client order id as `orderRef`, so a restarted adapter finds them at IB and never
 * places one twice; IB's order ids come from nextValidId and increase per client id. Every message the
 * adapter sends takes a token of the shared rate budget sized to IB's pacing (50 per second). A dropped
 * connection is reopened with backoff; then open orders and executions since are read again and what was
 * missed is reported, each execution once (by execId).
 *
 * @example
 * const venue = await IbVenue.connect({ port: 4002, clientId: 7, account: 'DU1234567', symbols: ['AAPL'] }, { log: console.log });
 * venue.onReport((r) => execution.onVenueReport(r));
 */
export class IbVenue implements Venue, VenueSession {
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  readonly symbols: readonly IbSymbol[];
  readonly config: IbConfig;
  readonly ended: Promise<void>;
  private readonly o: IbVenueOptions;
  private readonly tracker: IbOrderTracker;
  private readonly bucket: TokenBucket;
  private readonly abort = new AbortController();
  private api: IBApi | undefined;
  private up = false;
  private closed = false;
  private accounts: readonly string[] = [];
  private nextOrderId = 1;
  private reqSeq = 9_000;
  private venueTime = 0;
  private marketOn = false;
  private readonly bars = new Map<number, IbSymbol>();
  /** Orders and executions at IB from before this session, by orderRef (found when a restart resubmits them). */
  private readonly prior = new PriorOrders();
  private readonly reportHandlers: Array<(r: VenueReport) => void> = [];
  private readonly barHandlers: Array<(b: Bar) => void> = [];
  private readonly disconnectHandlers: Array<(reason: string) => void> = [];
  private readonly connectionHandlers: Array<(up: boolean, reason: string) => void> = [];
  private unheard: VenueReport[] = [];
  private releaser: NodeJS.Timeout | undefined;
  private endSession!: () => void;

  /** Validate the config (one KeelError line), connect, read what IB already holds; rejects if TWS cannot be reached. */
  static async connect(input: unknown, o: IbVenueOptions = {}): Promise<IbVenue> {
    const venue = new IbVenue(parseIbConfig(input), o);
    try {
      await venue.open();
    } catch (e) {
      await venue.close();
      throw e;
    }
    return venue;
  }

  private constructor(c: IbConfig, o: IbVenueOptions) {
    this.config = c;
    this.o = o;
    this.name = c.name;
    this.symbols = ibSymbols(c);
    this.capabilities = { orderTypes: c.orderTypes, timeInForce: ['GTC', 'DAY', 'IOC', 'FOK'], shorting: true, notionalOrders: false };
    this.tracker = new IbOrderTracker(() => this.stamp());
    const { messagesPerSecond, burst } = c.pacing;
    // capacity + refill · 1 s ≤ the pacing limit: no second can carry more messages than IB allows.
    const capacity = Math.min(burst, messagesPerSecond);
    this.bucket = (o.budget ?? sharedRateBudget).bucket(c.budgetKey ?? `ib:${c.host}:${c.port}:${c.clientId}`, 'messages', {
      capacity, refillPerSecond: Math.max(1, messagesPerSecond - capacity),
    });
    this.ended = new Promise((resolve) => { this.endSession = resolve; });
  }

  /** The account orders go to: the configured one, else the login's first. */
  get account(): string | undefined {
    return this.config.account ?? this.accounts[0];
  }

  get connected(): boolean {
    return this.up;
  }

  onReport(handler: (r: VenueReport) => void): void {
    this.reportHandlers.push(handler);
    this.emit(this.unheard.splice(0));
  }
  onMarket(handler: (bar: Bar) => void): void { this.barHandlers.push(handler); }
  onDisconnect(handler: (reason: string) => void): void { this.disconnectHandlers.push(handler); }
  /** Every up/down of the TWS connection: wire it to `risk.onVenueConnection(name, up, reason)`. */
  onConnection(handler: (up: boolean, reason: string) => void): void { this.connectionHandlers.push(handler); }

  /** Subscribe real-time bars of the symbols (again after each reconnect). */
  start(): void {
    if (this.config.marketData === 'none' || this.marketOn) return;
    this.marketOn = true;
    this.subscribeBars();
  }

  submit(order: ApprovedOrder): void {
    const id = order.clientOrderId;
    const refuse = (reason: string) => this.later({ type: 'order.rejected', ts: this.stamp(), clientOrderId: id, reason });
    if (this.closed) return refuse('the IB venue is closed: the order was not sent');
    if (this.tracker.get(id)) return this.log(`submit of ${id} ignored: this session sent it already`);
    const s = this.symbols.find((x) => x.instrument.id === order.instrumentId);
    if (!s) return refuse(`${order.instrumentId} is not a symbol of the IB venue ${this.name}; nothing was sent`);
    if (!this.capabilities.orderTypes.includes(order.type)) {
      return refuse(`the IB venue ${this.name} takes ${this.capabilities.orderTypes.join(', ')} orders: a ${order.type.replace('_', '-')} order is refused, nothing was sent`);
    }
    let wire: { contract: Contract; order: IbOrder };
    try {
      wire = toIbOrder(order, s, this.account);
    } catch (e) {
      return refuse((e as Error).message);
    }
    const t = this.tracker.track(order, s);
    const known = this.prior.get(id);
    if (known !== undefined) return this.adopt(t, known);
    if (!this.up) {
      t.done = true;
      return refuse('not connected to TWS/IB Gateway: the order was not sent');
    }
    this.send(`placeOrder ${id}`, (api) => {
      if (t.cancelBeforeSend) {
        t.done = true;
        return this.emit([{ type: 'order.canceled', ts: this.stamp(), clientOrderId: id, reason: 'canceled before it was sent' }]);
      }
      const orderId = this.nextOrderId++;
      this.tracker.bind(t, orderId);
      api.placeOrder(orderId, wire.contract, wire.order);
    }, () => { t.done = true; this.emit([{ type: 'order.rejected', ts: this.stamp(), clientOrderId: id, reason: 'the connection to TWS dropped before the order was sent' }]); });
  }

  cancel(clientOrderId: string): void {
    const t = this.tracker.get(clientOrderId);
    if (!t || t.done) return this.log(`cancel of ${clientOrderId} ignored: not working at IB`);
    if (t.orderId === undefined) {
      t.cancelBeforeSend = true;
      return;
    }
    const orderId = t.orderId;
    this.send(`cancelOrder ${clientOrderId}`, (api) => api.cancelOrder(orderId), () => this.log(`cancel of ${clientOrderId} not sent: disconnected; reconciliation settles it`));
  }

  replace(next: ApprovedOrder): void {
    const id = next.clientOrderId;
    const t = this.tracker.get(id);
    const refuse = (reason: string) => this.later({ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: id, reason });
    if (this.closed || !this.up) return refuse('not connected to TWS/IB Gateway: the modification was not sent');
    if (!t || t.done || !t.accepted || t.orderId === undefined) return refuse('the order is not working at IB');
    if (t.pendingReplace !== undefined) return refuse('a modification of this order is still waiting for IB');
    if (next.quantity <= t.filledLots) return refuse(`the new quantity must exceed the ${t.filledLots} lots already filled`);
    let wire: { contract: Contract; order: IbOrder };
    try {
      wire = toIbOrder(next, t.symbol, this.account);
    } catch (e) {
      return refuse((e as Error).message);
    }
    t.pendingReplace = next;
    const orderId = t.orderId;
    // IB modifies an order when it is placed again under its order id.
    this.send(`modify ${id}`, (api) => api.placeOrder(orderId, wire.contract, wire.order), () => {
      t.pendingReplace = undefined;
      this.emit([{ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: id, reason: 'the connection to TWS dropped before the modification was sent' }]);
    });
  }

  openOrders(): readonly OrderRequest[] {
    return this.tracker.working().filter((t) => t.orderId !== undefined).map((t) => t.request);
  }

  /** Open orders, executions since `since` (default: now minus `lookbackMs`), positions and cash at IB. */
  async query(since?: number): Promise<VenueSnapshot> {
    return snapshot(this.queryContext(), since ?? this.stamp() - this.config.lookbackMs, this.stamp());
  }

  /** Every account value TWS reports for the account (NetLiquidation, TotalCashValue, BuyingPower, …). */
  accountValues(): Promise<IbAccountValue[]> {
    return accountValues(this.queryContext());
  }

  /** The account id IB reports for this login (keel live's confirmation). */
  async accountId(): Promise<string | undefined> {
    return this.account;
  }

  /** Disconnect; orders at IB stay as they are. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.up = false;
    this.abort.abort(new Error('venue closed'));
    if (this.releaser) clearInterval(this.releaser);
    this.api?.removeAllListeners();
    this.api?.disconnect();
    this.endSession();
  }

  /** Connect once, wire the events, read IB's open orders and executions. */
  private async open(): Promise<void> {
    const link = await openLink(this.config, (l) => this.log(l));
    if (this.closed) {
      link.api.disconnect();
      return;
    }
    this.api = link.api;
    this.accounts = link.accounts;
    this.nextOrderId = Math.max(this.nextOrderId, link.nextOrderId);
    this.wire(link.api);
    this.up = true;
    this.log(`ib connected to ${this.config.host}:${this.config.port} as client ${this.config.clientId} (server version ${link.serverVersion}, account ${this.account ?? '?'})`);
    link.api.reqCurrentTime();
    this.releaser ??= setInterval(() => this.emit(this.tracker.release(this.config.timeouts.commissionMs)), 100);
    this.releaser.unref();
    await this.catchUp();
    if (this.marketOn) this.subscribeBars();
    for (const h of this.connectionHandlers) h(true, `connected to TWS ${this.config.host}:${this.config.port}`);
  }

  private wire(api: IBApi): void {
    api.on(EventName.nextValidId, (id: number) => { this.nextOrderId = Math.max(this.nextOrderId, id); });
    api.on(EventName.currentTime, (s: number) => this.sawTime(s * 1000));
    api.on(EventName.openOrder, (orderId: number, _c: Contract, order: IbOrder, state: OrderState) => this.onOrder(orderId, order.clientId, order, state.status ?? '', order.permId));
    api.on(EventName.orderStatus, (orderId: number, status: string, _f: number, _r: number, _a: number, permId?: number, _p?: number, _l?: number, clientId?: number) => this.onOrder(orderId, clientId, undefined, status, permId));
    api.on(EventName.execDetails, (reqId: number, _c: Contract, e: Execution) => { if (reqId === -1) this.onExecution(e); });
    api.on(EventName.commissionReport, (r: { execId?: string; commission?: number }) => { if (r.execId) this.emit(this.tracker.onCommission(r.execId, r.commission)); });
    api.on(EventName.realtimeBar, (reqId: number, time: number, open: number, high: number, low: number, close: number, volume?: number) => {
      const s = this.bars.get(reqId);
      if (!s) return;
      this.sawTime(time * 1000);
      const bar: Bar = { type: 'bar', instrumentId: s.instrument.id, ts: time * 1000, open, high, low, close, volume: volume ?? 0 };
      for (const h of this.barHandlers) h(bar);
    });
    api.on(EventName.error, (e: Error, code: number, reqId: number) => this.onError(e?.message ?? String(e), code, reqId));
    // Notices for the whole connection (id -1: 2104 farm OK, 1100 lost, 1101/1102 restored, 100 pacing) come as `info`.
    api.on(EventName.info, (message: string, code: number) => this.onError(message, code, -1));
    api.on(EventName.disconnected, () => this.dropped(api));
  }

  private onOrder(orderId: number, clientId: number | undefined, order: IbOrder | undefined, status: string, permId: number | undefined): void {
    // Order ids are per client id: another client's order 5 is not ours.
    const mine = clientId === undefined || clientId === this.config.clientId;
    const t = (mine ? this.tracker.byId(orderId) : undefined) ?? (order?.orderRef ? this.tracker.get(order.orderRef) : undefined);
    if (t === undefined) {
      if (order?.orderRef) this.prior.remember(order.orderRef, { orderId, permId, clientId: order.clientId });
      return;
    }
    if (t.orderId === undefined && mine) this.tracker.bind(t, orderId, permId);
    this.emit(this.tracker.onStatus(t, status, permId, order ? { order } : undefined));
  }

  private onExecution(e: Execution): void {
    const mine = e.clientId === undefined || e.clientId === this.config.clientId;
    const t = (mine && e.orderId !== undefined ? this.tracker.byId(e.orderId) : undefined) ?? (e.orderRef ? this.tracker.get(e.orderRef) : undefined);
    if (t === undefined) {
      if (e.orderRef) this.prior.remember(e.orderRef, { orderId: e.orderId ?? 0, permId: e.permId, clientId: e.clientId }).executions.push(e);
      return;
    }
    this.emit(this.tracker.onExecution(t, e));
  }

  private onError(message: string, code: number, reqId: number): void {
    const t = reqId > 0 ? this.tracker.byId(reqId) : undefined;
    const line = `IB ${code}: ${message}`;
    if (t === undefined || ORDER_WARNINGS.has(code) || (code >= 2100 && code < 2200)) {
      if (code === 100) this.bucket.pauseFor(1000); // TWS says we exceeded its pacing: stop for a second
      if (code === 1101 || code === 1102) void this.catchUp().catch((err) => this.log(`catch-up after ${code} failed: ${(err as Error).message}`));
      return this.log(reqId > 0 ? `${line} (order ${reqId})` : line);
    }
    t.lastError = line;
    if (code === 202) return; // the Cancelled status that follows reports it
    if (t.pendingReplace !== undefined && t.accepted) {
      t.pendingReplace = undefined;
      return this.emit([{ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: t.keelId, reason: line }]);
    }
    if (!t.accepted && !t.done) {
      t.done = true;
      t.final = 'REJECTED';
      return this.emit([{ type: 'order.rejected', ts: this.stamp(), clientOrderId: t.keelId, reason: line }]);
    }
    this.log(`${t.keelId}: ${line}`);
  }

  /** A resubmission of an order IB already holds (a restarted engine): report it, never place it again. */
  private adopt(t: TrackedOrder, known: PriorOrder): void {
    if (known.clientId === undefined || known.clientId === this.config.clientId) this.tracker.bind(t, known.orderId, known.permId);
    else t.permId = known.permId;
    this.log(`submit of ${t.keelId}: IB already holds it (order ${known.orderId}, permId ${known.permId ?? '?'}); not placed again`);
    queueMicrotask(() => {
      this.emit(this.tracker.onStatus(t, 'Submitted', known.permId));
      for (const e of known.executions) this.emit(this.tracker.onExecution(t, e));
    });
  }

  private catchUp(): Promise<void> {
    return catchUp(this.queryContext(), {
      lookbackMs: this.config.lookbackMs, now: () => this.stamp(), onExecution: (e) => this.onExecution(e), emit: (r) => this.emit(r),
    });
  }

  private queryContext(): QueryContext {
    const api = this.api;
    if (api === undefined || !this.up) throw new Error('not connected to TWS/IB Gateway');
    return {
      api, take: () => this.bucket.take(1, this.abort.signal), nextReqId: () => ++this.reqSeq, requestMs: this.config.timeouts.requestMs,
      clientId: this.config.clientId, account: this.account, symbols: this.symbols, tracker: this.tracker,
    };
  }

  private subscribeBars(): void {
    for (const s of this.symbols) {
      const reqId = ++this.reqSeq;
      this.bars.set(reqId, s);
      this.send(`reqRealTimeBars ${s.instrument.id}`, (api) => api.reqRealTimeBars(reqId, { ...s.contract } as Contract, 5, 'TRADES' as WhatToShow, false), () => {});
    }
  }

  /** Send after a token of the rate budget; `lost` runs instead when the connection is down by then. */
  private send(what: string, fn: (api: IBApi) => void, lost: () => void): void {
    this.bucket.take(1, this.abort.signal).then(() => {
      if (!this.up || this.api === undefined) return lost();
      fn(this.api);
    }, (e: unknown) => { if (!this.closed) this.log(`${what}: ${(e as Error)?.message ?? e}`); });
  }

  private async dropped(api: IBApi): Promise<void> {
    if (this.closed || api !== this.api) return;
    this.up = false;
    api.removeAllListeners();
    const reason = `lost the connection to TWS ${this.config.host}:${this.config.port}`;
    this.log(reason);
    for (const h of this.connectionHandlers) h(false, reason);
    const r = this.config.reconnect;
    for (let attempt = 0; !this.closed; attempt++) {
      if (r.maxAttempts !== undefined && attempt >= r.maxAttempts) {
        for (const h of this.disconnectHandlers) h(`${reason}; gave up after ${attempt} attempts`);
        return;
      }
      await sleepMs(backoffDelay(attempt, { baseMs: r.baseMs, maxMs: r.maxMs, random: this.o.random }), this.abort.signal).catch(() => {});
      if (this.closed) return;
      try {
        await this.open();
        return;
      } catch (e) {
        this.log(`reconnect ${attempt + 1} failed: ${(e as Error).message}`);
      }
    }
  }

  private sawTime(ms: number): void {
    if (ms > this.venueTime) this.venueTime = ms;
  }

  /** The venue's clock: what TWS last stated (its time, a bar, an execution), else the wall clock. */
  private stamp(): number {
    return this.venueTime > 0 ? this.venueTime : Date.now();
  }

  private emit(reports: readonly VenueReport[]): void {
    for (const r of reports) {
      if (r.type === 'order.filled') this.sawTime(r.fill.ts);
      if (this.o.sink === undefined && this.reportHandlers.length === 0) {
        this.unheard.push(r);
        continue;
      }
      this.o.sink?.onVenueReport(r);
      for (const h of this.reportHandlers) h(r);
    }
  }

  private later(r: VenueReport): void {
    queueMicrotask(() => this.emit([r]));
  }

  private log(line: string): void {
    this.o.log?.(line);
  }
}


