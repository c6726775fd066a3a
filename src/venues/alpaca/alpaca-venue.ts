import { createHash } from 'node:crypto';
import { KeelError, type Bar, type OrderRequest, type Quote, type TradeTick, type VenueReport } from '../../model/index.ts';
import type { ApprovedOrder } from '../../risk/index.ts';
import type { VenueReportSink, VenueSnapshot } from '../../execution/index.ts';
import type { Clock } from '../../kernel/index.ts';
import type { Venue, VenueCapabilities } from '../venue.ts';
import { ClockSkew, HttpError, RateBudget, backoffDelay, sharedRateBudget, sleepMs, venueDispatcher, type Credentials } from '../net/index.ts';
import type { Dispatcher } from 'undici';
import { endpointsOf, type AlpacaConfig } from './config.ts';
import { toAlpacaOrder, toAlpacaReplace, parseVenueTime, type SymbolMapping } from './mapping.ts';
import { OrderTracker, type TrackedOrder } from './order-tracker.ts';
import { AlpacaRest, isDuplicateClientOrderId } from './rest-client.ts';
import { AlpacaTradeStream } from './trade-stream.ts';
import { AlpacaMarketData } from './market-data.ts';
import { restTlsError, streamTlsError } from './tls-error.ts';
import { catchUpReports, fillsOfOrder, snapshotOf } from './venue-queries.ts';
import type { AlpacaOrder, AlpacaOrderBody } from './wire.ts';

/** What Alpaca supports, and its published rate limit. */
export interface AlpacaCapabilities extends VenueCapabilities {
  readonly fractional: boolean;
  readonly rateLimit: { readonly requestsPerMinute: number };
}

export interface AlpacaVenueOptions {
  readonly config: AlpacaConfig;
  readonly credentials: Credentials;
  readonly symbols: readonly SymbolMapping[];
  readonly sink?: VenueReportSink;
  readonly clock?: Clock;
  /** Shared rate budget (default: the process-wide one). */
  readonly budget?: RateBudget;
  /** One line per event worth keeping (requests, reconnects, unknown outcomes). Never holds a secret. */
  readonly log?: (line: string) => void;
  readonly random?: () => number;
  /** A CA (PEM) to trust for this venue besides the public roots (`tls.ca`, read by createAlpacaVenue). */
  readonly caPem?: string;
}

const NOT_CONNECTED = 'the Alpaca venue is closed: the request was not sent';

/**
 * Alpaca (stocks and crypto, paper and live) as a Keel venue. `submit`, `cancel` and `replace` are synchronous
 * for the engine: they queue the HTTP request and return; the answer arrives as reports (from the REST answer,
 * the trade_updates stream, or a REST catch-up), each reported once. Requests for one order run in order.
 *
 * When a request's outcome is lost (timeout, connection lost, 5xx) the adapter never guesses: it reports
 * `order.unknown` and then asks Alpaca for the order by its client order id, reporting what it finds. A
 * submission is resent only after Alpaca has said, repeatedly, that it has no such order, and with the same
 * client order id, which Alpaca refuses twice: a second order cannot come of it.
 *
 * @example
 * const venue = await createAlpacaVenue({ paper: true, symbols: ['AAPL'] }, { sink: execution });
 * venue.onConnection((up, why) => risk.onVenueConnection(venue.name, up, why));
 */
export class AlpacaVenue implements Venue {
  readonly name: string;
  readonly capabilities: AlpacaCapabilities;
  readonly rest: AlpacaRest;
  readonly skew = new ClockSkew();
  readonly ended: Promise<void>;
  private readonly o: AlpacaVenueOptions;
  private readonly c: AlpacaConfig;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly tracker: OrderTracker;
  private readonly stream: AlpacaTradeStream;
  private readonly market: AlpacaMarketData[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly reportHandlers: Array<(r: VenueReport) => void> = [];
  private readonly barHandlers: Array<(b: Bar) => void> = [];
  private readonly quoteHandlers: Array<(q: Quote) => void> = [];
  private readonly tradeHandlers: Array<(t: TradeTick) => void> = [];
  private readonly connectionHandlers: Array<(up: boolean, reason: string) => void> = [];
  private readonly disconnectHandlers: Array<(reason: string) => void> = [];
  private unheard: VenueReport[] = [];
  private closed = false;
  private startedAt: number;
  /**
   * The latest time the venue itself has stated (its clock at connect, then every report's timestamp).
   * Catch-ups and queries look back from it in the venue's own clock: a venue replaying a past market
   * (keel venue --api alpaca) stamps everything in replay time, and the wall clock would miss it all.
   */
  private venueTime = 0;
  private endSignal!: () => void;
  private readonly abort = new AbortController();

  constructor(o: AlpacaVenueOptions) {
    this.o = o;
    this.c = o.config;
    this.name = o.config.name;
    this.startedAt = this.now();
    this.ended = new Promise((resolve) => { this.endSignal = resolve; });
    const crypto = o.symbols.some((m) => m.instrument.assetClass === 'crypto');
    this.capabilities = {
      orderTypes: ['market', 'limit', 'stop', 'stop_limit'],
      timeInForce: crypto ? ['GTC', 'DAY', 'IOC', 'FOK'] : ['GTC', 'DAY', 'IOC', 'FOK'],
      shorting: !o.symbols.every((m) => m.instrument.assetClass === 'crypto'), // crypto cannot be sold short at Alpaca
      notionalOrders: true,
      fractional: true,
      rateLimit: { requestsPerMinute: o.config.rateLimit.perMinute },
    };
    this.tracker = new OrderTracker(o.symbols, () => this.stamp());
    const ends = endpointsOf(o.config);
    const { perMinute, burst, queryShare } = o.config.rateLimit;
    const budget = o.budget ?? sharedRateBudget;
    // The limit is per account: name the budget after the key id (hashed: the id names the account in logs).
    const account = o.config.account ?? `alpaca:${createHash('sha256').update(o.credentials.keyId).digest('hex').slice(0, 8)}`;
    // capacity + refill·60 s ≤ perMinute: no 60-second window can hold more than Alpaca allows.
    const all = budget.bucket(account, 'all', { capacity: burst, refillPerSecond: Math.max(1, perMinute - burst) / 60 });
    const queries = budget.bucket(account, 'queries', { capacity: burst, refillPerSecond: Math.max(1, perMinute * queryShare - burst) / 60 });
    const random = o.random;
    this.dispatcher = o.caPem === undefined ? undefined : venueDispatcher(o.caPem);
    const tls = o.caPem === undefined ? undefined : { dispatcher: this.dispatcher!, caPem: o.caPem };
    this.rest = new AlpacaRest({
      dispatcher: this.dispatcher,
      tradingUrl: ends.tradingUrl, dataUrl: ends.dataUrl,
      headers: () => ({ 'APCA-API-KEY-ID': o.credentials.keyId, 'APCA-API-SECRET-KEY': o.credentials.secret.reveal() }),
      secrets: [o.credentials.secret],
      timeoutMs: o.config.timeouts.requestMs,
      retry: { ...o.config.retry, random },
      buckets: [all], queryBucket: queries, skew: this.skew,
      onEvent: (e) => this.log(`${e.venue} ${e.method} ${e.path} ${e.status ?? e.error} ${e.ms}ms${e.attempt ? ` (retry ${e.attempt})` : ''}`),
    });
    const socketCommon = {
      credentials: o.credentials, heartbeat: o.config.heartbeat,
      backoff: { baseMs: o.config.reconnect.baseMs, maxMs: o.config.reconnect.maxMs, random },
      maxAttempts: o.config.reconnect.maxAttempts, connectTimeoutMs: o.config.timeouts.connectMs, tls,
    };
    this.stream = new AlpacaTradeStream({
      ...socketCommon, url: ends.streamUrl,
      onUpdate: (u) => this.guard('trade update', u.order?.client_order_id, () => this.emit(this.tracker.onTradeUpdate(u))),
      // The gap's wall-clock start means nothing to a venue on another clock; what we last heard from it does.
      catchUp: () => catchUpReports(this.rest, this.tracker, this.venueTime, (r) => this.emit(r)),
      onState: (up, reason) => { this.log(reason); for (const h of this.connectionHandlers) h(up, reason); },
      onGiveUp: (reason) => this.gaveUp(reason),
      onError: (m) => this.log(m),
    });
    const stocks = o.symbols.filter((m) => m.instrument.assetClass !== 'crypto');
    const coins = o.symbols.filter((m) => m.instrument.assetClass === 'crypto');
    const base = ends.dataStreamUrl.replace(/\/+$/, '');
    for (const [symbols, url] of [[stocks, `${base}/v2/${o.config.feed}`], [coins, `${base}/v1beta3/crypto/us`]] as const) {
      if (symbols.length === 0) continue;
      this.market.push(new AlpacaMarketData({
        ...socketCommon, url, symbols,
        onBar: (b) => { for (const h of this.barHandlers) h(b); },
        onQuote: (q) => { for (const h of this.quoteHandlers) h(q); },
        onTrade: (t) => { for (const h of this.tradeHandlers) h(t); },
        onState: (up, reason) => this.log(`${reason}${up ? '' : ' (market data)'}`),
        onError: (m) => this.log(m),
      }));
    }
  }

  /** Open the trade stream and measure the clock skew; rejects if Alpaca cannot be reached or refuses the keys. */
  async connect(): Promise<void> {
    let clock: Awaited<ReturnType<AlpacaRest['clock']>>;
    try {
      clock = await this.rest.clock(this.abort.signal);
    } catch (e) {
      throw restTlsError(this.name, endpointsOf(this.c).tradingUrl, this.c.tls?.ca, e) ?? e;
    }
    const venueNow = parseVenueTime(clock.timestamp, 'clock.timestamp');
    this.skew.observe(Date.now(), Date.now(), venueNow);
    this.venueTime = Math.max(this.venueTime, venueNow);
    const up = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const why = this.stream.lastFailure;
        reject(streamTlsError(why, this.c.tls?.ca) ?? new Error(`alpaca trade stream not connected within ${this.c.timeouts.connectMs} ms${why ? ` (${why})` : ''}`));
      }, this.c.timeouts.connectMs);
      this.onConnection((ok) => { if (ok) { clearTimeout(timer); resolve(); } });
    });
    this.stream.start();
    await up;
  }

  get connected(): boolean {
    return this.stream.connected;
  }

  /** The trade stream, for tests and operators (e.g. `drop()` to force a reconnect). */
  get tradeStream(): AlpacaTradeStream {
    return this.stream;
  }

  onReport(handler: (r: VenueReport) => void): void {
    this.reportHandlers.push(handler);
    const waiting = this.unheard;
    this.unheard = [];
    this.emit(waiting);
  }

  onMarket(handler: (bar: Bar) => void): void { this.barHandlers.push(handler); }
  onQuote(handler: (q: Quote) => void): void { this.quoteHandlers.push(handler); }
  onTrade(handler: (t: TradeTick) => void): void { this.tradeHandlers.push(handler); }
  /** Every up/down of the order stream: wire it to `risk.onVenueConnection(name, up, reason)`. */
  onConnection(handler: (up: boolean, reason: string) => void): void { this.connectionHandlers.push(handler); }
  /** Called once when the adapter stops reconnecting (`reconnect.maxAttempts`). */
  onDisconnect(handler: (reason: string) => void): void { this.disconnectHandlers.push(handler); }

  /** Start market data. */
  start(): void {
    for (const m of this.market) m.start();
  }

  submit(order: ApprovedOrder): void {
    if (this.closed) return this.later({ type: 'order.rejected', ts: this.stamp(), clientOrderId: order.clientOrderId, reason: NOT_CONNECTED });
    let t: TrackedOrder;
    let body: AlpacaOrderBody;
    try {
      t = this.tracker.track(order);
      body = toAlpacaOrder(order, t.mapping);
    } catch (e) {
      const existing = this.tracker.get(order.clientOrderId);
      if (existing) existing.done = true;
      return this.later({ type: 'order.rejected', ts: this.stamp(), clientOrderId: order.clientOrderId, reason: (e as Error).message });
    }
    this.inOrder(order.clientOrderId, async () => {
      try {
        await this.settle(await this.rest.submitOrder(body, this.abort.signal));
      } catch (e) {
        await this.submitFailed(t, body, e);
      }
    });
  }

  cancel(clientOrderId: string): void {
    const t = this.tracker.get(clientOrderId);
    if (this.closed || !t || t.done) return; // nothing to cancel here; the engine reconciles what it believes
    this.inOrder(clientOrderId, async () => {
      if (t.done) return;
      const id = t.venueOrderId ?? (await this.rest.orderByClientId(t.alpacaClientId, this.abort.signal))?.id;
      if (!id) return this.log(`cancel ${clientOrderId}: Alpaca has no such order`);
      try {
        await this.rest.cancelOrder(id, this.abort.signal);
      } catch (e) {
        if (e instanceof HttpError && e.status === 422) {
          // Not cancelable: it finished meanwhile. Report how it finished.
          const o = await this.rest.orderByClientId(t.alpacaClientId, this.abort.signal);
          if (o) await this.settle(o);
          return;
        }
        this.log(`cancel ${clientOrderId} failed, the order stays pending until reconciled: ${(e as Error).message}`);
      }
    });
  }

  replace(next: ApprovedOrder): void {
    const id = next.clientOrderId;
    const t = this.tracker.get(id);
    const refuse = (reason: string) => this.later({ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: id, reason });
    if (this.closed) return refuse(NOT_CONNECTED);
    if (!t || t.done || !t.request) return refuse('the order is not working at Alpaca');
    this.inOrder(id, async () => {
      if (t.done || !t.request) return this.emit([{ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: id, reason: 'the order finished before the replacement was sent' }]);
      let body;
      try {
        body = toAlpacaReplace(t.request, next, t.filledLots, t.mapping, this.tracker.beginReplace(t, next));
      } catch (e) {
        t.pendingReplace = undefined;
        return this.emit([{ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: id, reason: (e as Error).message }]);
      }
      try {
        const venueId = t.venueOrderId ?? (await this.rest.orderByClientId(t.alpacaClientId, this.abort.signal))?.id;
        if (!venueId) throw new HttpError({ venue: 'alpaca', method: 'GET', path: '/v2/orders:by_client_order_id', kind: 'status', status: 404, venueMessage: 'order not found' });
        await this.settle(await this.rest.replaceOrder(venueId, body, this.abort.signal));
      } catch (e) {
        if (e instanceof HttpError && !e.outcomeUnknown) {
          t.pendingReplace = undefined;
          return this.emit([{ type: 'order.update-rejected', ts: this.stamp(), clientOrderId: id, reason: e.message }]);
        }
        this.unknown(t, `replace outcome unknown: ${(e as Error).message}`);
        const replacement = await this.lookUp(body.client_order_id);
        if (replacement) return this.settle(replacement);
        t.pendingReplace = undefined;
        const current = await this.lookUp(t.alpacaClientId);
        if (current) await this.settle(current);
      }
    });
  }

  /** Orders sent and not known to be finished. */
  openOrders(): readonly OrderRequest[] {
    return this.tracker.working().flatMap((t) => (t.request ? [t.request] : []));
  }

  /** Everything Alpaca holds for the account; fills and closed orders since `since` (default: start minus `lookbackMs`). */
  query(since?: number): Promise<VenueSnapshot> {
    // Stamped with the venue's own time (a replayed market's past), never a skew estimate mixing two clocks.
    return snapshotOf(this.rest, this.o.symbols, since ?? (this.venueTime || this.startedAt) - this.c.lookbackMs, this.stamp(), (m) => this.log(m));
  }

  /** Stop streams and pending requests; resolves `ended`. Orders at Alpaca stay as they are. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort(new Error('venue closed'));
    await Promise.all([this.stream.close(), ...this.market.map((m) => m.close())]);
    await Promise.allSettled([...this.chains.values()]);
    await this.dispatcher?.close();
    this.endSignal();
  }

  /** Settle a submission whose request failed. */
  private async submitFailed(t: TrackedOrder, body: AlpacaOrderBody, e: unknown): Promise<void> {
    if (isDuplicateClientOrderId(e)) {
      // The id is taken: the order exists (an earlier try got through). Report what it is, never "rejected".
      const o = await this.lookUp(t.alpacaClientId);
      if (o) return this.settle(o);
      return this.unknown(t, `Alpaca says ${t.keelId} exists but does not return it; reconcile`);
    }
    if (e instanceof HttpError && !e.outcomeUnknown && e.kind !== 'aborted') {
      t.done = true;
      return this.emit([{ type: 'order.rejected', ts: this.stamp(), clientOrderId: t.keelId, reason: e.message }]);
    }
    if (this.closed) return;
    // The stream (or a catch-up) may already have told us the order is at Alpaca: then nothing is unknown.
    if (t.accepted) return this.log(`submit ${t.keelId}: answer lost (${(e as Error).message}) but the stream already reported the order`);
    this.unknown(t, `submit outcome unknown: ${(e as Error).message}`);
    const found = await this.lookUp(t.alpacaClientId);
    if (found) return this.settle(found);
    // Alpaca has said several times, over seconds, that it has no such order: the request never arrived.
    // Resending is safe now and only now: same client order id, which Alpaca accepts once at most.
    this.log(`submit ${t.keelId}: not at Alpaca after ${this.c.resolve.attempts} look-ups; resending with the same client order id`);
    try {
      await this.settle(await this.rest.submitOrder(body, this.abort.signal));
    } catch (e2) {
      const o = isDuplicateClientOrderId(e2) || (e2 instanceof HttpError && e2.outcomeUnknown) ? await this.lookUp(t.alpacaClientId) : undefined;
      if (o) return this.settle(o);
      if (e2 instanceof HttpError && !e2.outcomeUnknown && !isDuplicateClientOrderId(e2)) {
        t.done = true;
        return this.emit([{ type: 'order.rejected', ts: this.stamp(), clientOrderId: t.keelId, reason: e2.message }]);
      }
      this.log(`submit ${t.keelId} is still unknown; the engine reconciles it: ${(e2 as Error).message}`);
    }
  }

  /** GET by client order id, with backoff, until found (or `resolve.attempts` tries said 404). */
  private async lookUp(alpacaClientId: string): Promise<AlpacaOrder | undefined> {
    const r = this.c.resolve;
    for (let i = 0; i < r.attempts && !this.closed; i++) {
      // Wait first: the lost request may still be on its way to Alpaca.
      await sleepMs(Math.max(r.baseMs / 2, backoffDelay(i, { ...r, random: this.o.random })), this.abort.signal).catch(() => {});
      try {
        const o = await this.rest.orderByClientId(alpacaClientId, this.abort.signal);
        if (o) return o;
      } catch (e) {
        this.log(`look-up of ${alpacaClientId} failed: ${(e as Error).message}`);
      }
    }
    return undefined;
  }

  /** Report an order's REST state, booking its fills first if some were missed. */
  private async settle(o: AlpacaOrder): Promise<void> {
    if (this.tracker.missingFills(o)) {
      for (const a of await fillsOfOrder(this.rest, o)) this.emit(this.tracker.onFillActivity(a, o.id === a.order_id ? o : (await this.rest.order(a.order_id)) ?? o));
    }
    this.emit(this.tracker.onOrderState(o));
  }

  private unknown(t: TrackedOrder, reason: string): void {
    if (t.done) return; // the stream already told how it ended: the outcome is known
    this.tracker.markUnknown(t);
    this.log(`${t.keelId}: ${reason}`);
    this.emit([{ type: 'order.unknown', ts: this.stamp(), clientOrderId: t.keelId, reason }]);
  }

  /** Run `op` after every earlier request for the same order (a cancel must not overtake its submit). */
  private inOrder(clientOrderId: string, op: () => Promise<void>): void {
    const prev = this.chains.get(clientOrderId) ?? Promise.resolve();
    const next = prev.then(op).catch((e: unknown) => this.log(`${clientOrderId}: ${(e as Error)?.message ?? String(e)}`));
    this.chains.set(clientOrderId, next);
    void next.finally(() => { if (this.chains.get(clientOrderId) === next) this.chains.delete(clientOrderId); });
  }

  /** Settle what `inOrder` queued so far (tests). */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
    await this.stream.settled();
  }

  private emit(reports: readonly VenueReport[]): void {
    for (const r of reports) {
      if (r.ts > this.venueTime) this.venueTime = r.ts;
      if (this.o.sink === undefined && this.reportHandlers.length === 0) {
        this.unheard.push(r);
        continue;
      }
      this.o.sink?.onVenueReport(r);
      for (const h of this.reportHandlers) h(r);
    }
  }

  /** A report the adapter makes itself, delivered after the engine's call returns (as a venue's would be). */
  /**
   * The time on reports the adapter makes itself (unknown outcomes, local refusals): the venue's clock, as
   * on the venue's own reports, so the engine's clock stays on one time line (a replayed market's included).
   */
  private stamp(): number {
    // What the venue last said beats an estimate: a venue replaying a past market answers /v2/clock in
    // replay time but stamps its HTTP Date headers in wall time, so a skew estimate mixes two clocks.
    return this.venueTime > 0 ? this.venueTime : this.skew.venueNow(this.now());
  }

  private later(r: VenueReport): void {
    queueMicrotask(() => this.emit([r]));
  }

  /** A venue message Keel cannot book (off the grid, malformed) makes its order UNKNOWN: stop, alert, reconcile. */
  private guard(what: string, alpacaClientId: string | undefined, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const message = e instanceof KeelError || e instanceof Error ? e.message : String(e);
      this.log(`${what} for ${alpacaClientId ?? '?'} cannot be booked: ${message}`);
      const t = alpacaClientId ? this.tracker.get(alpacaClientId.replace(/~r\d+$/, '')) : undefined;
      if (t) this.unknown(t, `Alpaca sent a ${what} Keel cannot book: ${message}`);
    }
  }

  private gaveUp(reason: string): void {
    this.log(reason);
    for (const h of this.disconnectHandlers) h(reason);
  }

  private now(): number {
    return this.o.clock?.now() ?? Date.now();
  }

  private log(line: string): void {
    this.o.log?.(line);
  }
}
