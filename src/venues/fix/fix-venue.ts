import { parseMoney, type Bar, type OrderRequest, type OrderStatus, type VenueReport } from '../../model/index.ts';
import type { ApprovedOrder } from '../../risk/index.ts';
import type { VenueReportSink, VenueSnapshot } from '../../execution/index.ts';
import { TokenBucket, type Secret } from '../net/index.ts';
import type { Venue, VenueCapabilities, VenueSession } from '../venue.ts';
import type { FixConfig, FixSymbol } from './config.ts';
import { isFinal, ledger, onExecutionReport, requestOf, storedFill } from './executions.ts';
import { MarketReplay } from './market-replay.ts';
import { cancelRequest, newOrderSingle, replaceRequest, statusRequest } from './messages.ts';
import { FixSession } from './session.ts';
import type { SessionStore, StoredOrder } from './session-store.ts';
import type { FixMessage } from './wire.ts';
import { mayResend, onCancelReject, onRefusal, type ReplyContext } from './replies.ts';

export interface FixVenueOptions {
  readonly config: FixConfig;
  readonly symbols: readonly FixSymbol[];
  readonly store: SessionStore;
  readonly password?: Secret;
  readonly sink?: VenueReportSink;
  /** One line per event worth keeping (logon, gaps, resends, refusals). Never holds the password. */
  readonly log?: (line: string) => void;
  readonly random?: () => number;
}

const DOWN = 'the FIX session is not logged on: the order was not sent';

/**
 * A FIX 4.2/4.4 counterparty (a broker's or exchange's order-entry session) as a Keel venue. Orders go out as
 * NewOrderSingle with ClOrdID = Keel's client order id; ExecutionReports come back as Keel's reports. Every
 * order and execution is kept in the session store with the sequence numbers, so a restart resumes the session
 * where it stopped: what the counterparty sent meanwhile arrives by resend, and reconciliation asks the
 * counterparty (OrderStatusRequest) about every order not known to be finished.
 *
 * Nothing is ever sent twice as a new order: a NewOrderSingle is only repeated inside FIX's own resend (same
 * sequence number, PossDupFlag=Y), which a counterparty applies only if it never received the first.
 *
 * @example
 * const venue = await createFixVenue({ host: '127.0.0.1', port: 9878, senderCompId: 'KEEL', targetCompId: 'EXECUTOR', store: 'run/fix.json', symbols: ['ORCL'] });
 * venue.onReport((r) => console.log(r.type));
 */
export class FixVenue implements Venue, VenueSession {
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  readonly ended: Promise<void>;
  readonly session: FixSession;
  private readonly o: FixVenueOptions;
  private readonly c: FixConfig;
  private readonly store: SessionStore;
  private readonly replay: MarketReplay | undefined;
  private readonly reportHandlers: Array<(r: VenueReport) => void> = [];
  private readonly connectionHandlers: Array<(up: boolean, reason: string) => void> = [];
  private readonly disconnectHandlers: Array<(reason: string) => void> = [];
  private unheard: VenueReport[] = [];
  /** Orders awaiting an answer to their OrderStatusRequest (by ClOrdID). */
  private readonly statusWaiters = new Map<string, () => void>();
  /** Cancels asked for while the session was down: sent once it is back. */
  private readonly deferredCancels = new Set<string>();
  private statusUnsupported = false;
  private readonly replies: ReplyContext;
  /** Order-entry messages leave through the throttle, in the order they were asked for. */
  private readonly bucket: TokenBucket;
  private outbox: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private endSignal!: () => void;

  constructor(o: FixVenueOptions) {
    this.o = o;
    this.c = o.config;
    this.store = o.store;
    this.name = o.config.name;
    this.capabilities = { orderTypes: [...o.config.orderTypes], timeInForce: [...o.config.timeInForce], shorting: true, notionalOrders: false };
    this.ended = new Promise((r) => { this.endSignal = r; });
    this.replies = { store: o.store, config: o.config, emit: (r) => this.emit(r), log: (l) => this.log(l), stamp: () => this.stamp() };
    this.bucket = new TokenBucket({ capacity: o.config.rateLimit.burst, refillPerSecond: o.config.rateLimit.perSecond });
    const md = o.config.marketData;
    this.replay = md ? new MarketReplay(md.csv, o.symbols[0].instrument.id, md.barsPerSecond, md.untilBar) : undefined;
    void this.replay?.ended.then(() => this.endSignal());
    // Orders a previous process stored but never handed to the session (seq 0: it stopped while they waited for
    // the throttle) never left: they are rejected here, never sent late.
    for (const s of o.store.orders()) {
      if (s.status !== 'SUBMITTED' || s.seq !== 0) continue;
      s.status = 'REJECTED';
      s.reason = 'never sent: the previous process stopped before the order left; not resubmitted';
      o.store.putOrder(s);
    }
    this.session = new FixSession({
      host: o.config.host, port: o.config.port, beginString: o.config.version === '4.4' ? 'FIX.4.4' : 'FIX.4.2',
      senderCompId: o.config.senderCompId, targetCompId: o.config.targetCompId, username: o.config.username, password: o.password,
      heartbeatSeconds: o.config.heartbeatSeconds, store: o.store, resetOnLogon: o.config.resetOnLogon,
      connectTimeoutMs: o.config.timeouts.connectMs, logonTimeoutMs: o.config.timeouts.logonMs,
      reconnect: { ...o.config.reconnect, random: o.random }, trace: o.config.trace,
      onApp: (m) => this.onApp(m),
      resendable: (type, body, orig) => mayResend(type, body, orig, this.replies),
      onState: (up, reason) => this.onState(up, reason),
      onGiveUp: (reason) => { this.log(reason); for (const h of this.disconnectHandlers) h(reason); },
      log: (l) => this.log(l),
    });
  }

  get symbols(): readonly FixSymbol[] {
    return this.o.symbols;
  }

  /** Log on; rejects with one line when the counterparty cannot be reached or refuses the logon. */
  async connect(): Promise<void> {
    await this.session.connect();
  }

  get connected(): boolean {
    return this.session.loggedOn;
  }

  onReport(handler: (r: VenueReport) => void): void {
    this.reportHandlers.push(handler);
    const waiting = this.unheard;
    this.unheard = [];
    this.emit(waiting);
  }

  onMarket(handler: (bar: Bar) => void): void { this.replay?.onBar(handler); }
  /** Every logon and loss of the session: wire it to `risk.onVenueConnection(name, up, reason)`. */
  onConnection(handler: (up: boolean, reason: string) => void): void { this.connectionHandlers.push(handler); }
  onDisconnect(handler: (reason: string) => void): void { this.disconnectHandlers.push(handler); }
  start(): void { this.replay?.start(); }

  submit(order: ApprovedOrder): void {
    const id = order.clientOrderId;
    const refuse = (reason: string) => this.later({ type: 'order.rejected', ts: this.stamp(), clientOrderId: id, reason });
    const known = this.store.order(id);
    if (known) {
      // Idempotent: this ClOrdID was sent in this session before (a restarted engine's retry). Never sent
      // again; the order's state as the counterparty last stated it is reported instead.
      this.log(`submit ${id}: already sent in this FIX session; not sent again`);
      if (known.status !== 'SUBMITTED' && known.status !== 'REJECTED') this.later({ type: 'order.accepted', ts: this.stamp(), clientOrderId: id, venueOrderId: known.venueOrderId ?? id });
      else if (known.status === 'REJECTED') refuse(`duplicate ClOrdID ${id}: already sent and rejected (${known.reason ?? 'no reason'})`);
      return;
    }
    if (this.closed || !this.session.loggedOn) return refuse(DOWN);
    if (!this.c.orderTypes.includes(order.type)) return refuse(`${order.type} orders are not supported by ${this.c.targetCompId} (fix.orderTypes: ${this.c.orderTypes.join(', ')})`);
    const symbol = this.symbolOf(order.instrumentId);
    if (!symbol) return refuse(`instrument ${order.instrumentId} is not among this FIX venue's symbols`);
    try {
      newOrderSingle(order, symbol, this.c.account, Date.now());
    } catch (e) {
      return refuse((e as Error).message);
    }
    // Write-ahead: the order is in the store before its bytes can leave (seq 0 until the throttle lets it go).
    const stored: StoredOrder = { request: toJson(order), fixId: id, fixIds: [id], status: 'SUBMITTED', cumQty: '0', seq: 0, n: 0 };
    this.store.putOrder(stored);
    this.store.flush();
    this.throttled(() => {
      if (this.closed || !this.session.loggedOn) {
        stored.status = 'REJECTED';
        stored.reason = DOWN;
        this.store.flush();
        return refuse(DOWN);
      }
      stored.seq = this.store.nextOut;
      this.session.send('D', newOrderSingle(order, symbol, this.c.account, Date.now()));
    });
  }

  /**
   * Run `send` once the order-entry throttle has a token, after every earlier order-entry message: at once when
   * nothing waits and a token is there (the bytes leave before submit returns), else in turn.
   */
  private throttled(send: () => void): void {
    if (this.queued === 0 && this.bucket.tryTake()) return send();
    this.queued++;
    this.outbox = this.outbox.then(() => this.bucket.take()).then(send)
      .catch((e: unknown) => this.log(`order entry: ${(e as Error).message}`))
      .finally(() => { this.queued--; });
  }

  cancel(clientOrderId: string): void {
    const o = this.store.order(clientOrderId);
    if (this.closed || !o || isFinal(o.status)) return;
    if (!this.c.cancels) return this.log(`cancel ${clientOrderId}: ${this.c.targetCompId} takes no OrderCancelRequest (fix.cancels: false); the order stays as it is`);
    if (!this.session.loggedOn) {
      this.deferredCancels.add(clientOrderId);
      return this.log(`cancel ${clientOrderId}: the FIX session is down; sent once it is logged on again`);
    }
    const symbol = this.symbolOf(String(o.request.instrumentId))!;
    this.throttled(() => {
      if (isFinal(o.status) || !this.session.loggedOn) return;
      const fixId = `${clientOrderId}~c${++o.n}`;
      o.pendingCancel = { fixId, seq: this.store.nextOut };
      this.store.putOrder(o);
      this.session.send('F', cancelRequest(requestOf(o), symbol, o.fixId, fixId, this.c.account, Date.now()));
    });
  }

  replace(next: ApprovedOrder): void {
    const id = next.clientOrderId;
    const o = this.store.order(id);
    const refuse = (reason: string) => this.later({ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: id, reason });
    if (!o || isFinal(o.status)) return refuse('the order is not working at the FIX venue');
    if (!this.c.replaces) return refuse(`${this.c.targetCompId} takes no OrderCancelReplaceRequest (fix.replaces: false)`);
    if (this.closed || !this.session.loggedOn) return refuse('the FIX session is not logged on: the replacement was not sent');
    if (o.pendingReplace) return refuse('a replacement is already in flight');
    const symbol = this.symbolOf(next.instrumentId)!;
    const fixId = `${id}~r${++o.n}`;
    let fields;
    try {
      fields = replaceRequest(next, symbol, o.fixId, fixId, this.c.account, Date.now());
    } catch (e) {
      return refuse((e as Error).message);
    }
    o.pendingReplace = { fixId, request: toJson(next), seq: -1 };
    this.store.putOrder(o);
    this.throttled(() => {
      const p = o.pendingReplace;
      if (!p || p.fixId !== fixId) return;
      if (isFinal(o.status) || !this.session.loggedOn) {
        o.pendingReplace = undefined;
        return this.emit([{ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: id, reason: isFinal(o.status) ? 'the order finished before the replacement was sent' : 'the FIX session is not logged on: the replacement was not sent' }]);
      }
      p.seq = this.store.nextOut;
      this.session.send('G', fields);
    });
  }

  openOrders(): readonly OrderRequest[] {
    return this.store.orders().filter((o) => !isFinal(o.status)).map(requestOf);
  }

  /**
   * The account as this session knows it: every order it sent (state as the counterparty last said, after
   * asking it about each unfinished one), executions since `since`, and the positions and cash they add up to.
   */
  async query(since?: number): Promise<VenueSnapshot> {
    await this.session.caughtUp();
    await this.askStatus();
    const start = parseMoney(this.c.cash ?? this.store.cash, 'fix.cash');
    const { positions, cash } = ledger(this.store, this.o.symbols, start);
    const fills = this.store.fills().filter((f) => since === undefined || f.ts >= since).flatMap((f) => {
      const o = this.store.order(f.clientOrderId);
      const s = o && this.symbolOf(String(o.request.instrumentId));
      return o && s ? [storedFill(f, requestOf(o), s)] : [];
    });
    const orders = this.store.orders().map((o) => ({ clientOrderId: String(o.request.clientOrderId), status: o.status as OrderStatus, venueOrderId: o.venueOrderId, reason: o.reason }));
    return { orders, fills, positions, cash, ts: this.stamp() };
  }

  /** Log out and stop the market replay; resolves `ended`. Orders at the counterparty stay as they are. */
  async close(): Promise<void> {
    this.closed = true;
    this.replay?.stop();
    await this.outbox;
    for (const w of this.statusWaiters.values()) w();
    await this.session.close();
    this.store.flush();
    this.endSignal();
  }

  /** OrderStatusRequest for every unfinished order; waits for the answers (at most `timeouts.statusMs`). */
  private async askStatus(): Promise<void> {
    if (!this.c.statusRequests || this.statusUnsupported || !this.session.loggedOn) return;
    const open = this.store.orders().filter((o) => !isFinal(o.status));
    if (open.length === 0) return;
    const answers = open.map((o) => new Promise<void>((resolve) => {
      this.statusWaiters.set(o.fixId, resolve);
      const s = this.symbolOf(String(o.request.instrumentId));
      if (!s || this.session.send('H', statusRequest(requestOf(o), s, o.fixId)) === undefined) resolve();
    }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => { timer = setTimeout(() => { this.log(`OrderStatusRequest: ${this.statusWaiters.size} order(s) unanswered after ${this.c.timeouts.statusMs} ms`); r(); }, this.c.timeouts.statusMs); });
    await Promise.race([Promise.all(answers), timeout]);
    clearTimeout(timer);
    this.statusWaiters.clear();
  }

  private onApp(m: FixMessage): void {
    switch (m.msgType) {
      case '8': {
        const reports = onExecutionReport(m, { store: this.store, symbolOf: (i) => this.symbolOf(i), log: (l) => this.log(l), stamp: (t) => this.stamp(t) });
        const o = this.store.orderByFixId(m.get(11) ?? '');
        if (o) this.answered(o);
        this.emit(reports);
        return;
      }
      case '9': return onCancelReject(m, this.replies);
      case '3': case 'j':
        if (onRefusal(m, this.replies, this.statusWaiters.size > 0) === 'status-unsupported') {
          this.statusUnsupported = true;
          for (const w of this.statusWaiters.values()) w();
          this.statusWaiters.clear();
        }
        return;
      default: this.log(`application message ${m.msgType} ignored`);
    }
  }

  private answered(o: StoredOrder): void {
    for (const id of [o.fixId, ...o.fixIds]) {
      const w = this.statusWaiters.get(id);
      if (w) { this.statusWaiters.delete(id); w(); }
    }
  }

  private onState(up: boolean, reason: string): void {
    this.log(reason);
    for (const h of this.connectionHandlers) h(up, reason);
    if (!up) return;
    for (const id of [...this.deferredCancels]) { this.deferredCancels.delete(id); this.cancel(id); }
    // After a reconnect, ask about unfinished orders: an ExecutionReport the counterparty never numbered is lost.
    void this.askStatus().catch((e: unknown) => this.log(`status after reconnect: ${(e as Error).message}`));
  }

  private symbolOf(instrumentId: string): FixSymbol | undefined {
    return this.o.symbols.find((s) => s.instrument.id === instrumentId);
  }

  /** Report time: the replayed market's clock when one runs (so the engine stays on one time line), else the venue's. */
  private stamp(venueTime?: number): number {
    if (this.replay && this.replay.lastTs > 0) return this.replay.lastTs;
    return venueTime ?? Date.now();
  }

  private emit(reports: readonly VenueReport[]): void {
    for (const r of reports) {
      if (this.o.sink === undefined && this.reportHandlers.length === 0) { this.unheard.push(r); continue; }
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

function toJson(o: OrderRequest): Record<string, unknown> {
  return JSON.parse(JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
}
