import { inspect } from 'node:util';
import type { Order as CcxtOrder } from 'ccxt';
import { KeelError, type Bar, type MarketEvent, type OrderRequest, type VenueReport } from '../../model/index.ts';
import type { ApprovedOrder } from '../../risk/index.ts';
import type { VenueReportSink, VenueSnapshot } from '../../execution/index.ts';
import type { Clock } from '../../kernel/index.ts';
import type { Venue, VenueSession } from '../venue.ts';
import { readVenueCa, redact, refuseDisabledVerification, sharedRateBudget, sleepMs, type RateBudget, type Secret } from '../net/index.ts';
import { parseCcxtConfig, type CcxtVenueConfig } from './config.ts';
import { tlsConnectError } from './tls-error.ts';
import { credentialEnvNames } from './credentials.ts';
import { createExchange, type Exchange } from './exchange.ts';
import { bindMarket, type MarketBinding } from './market-grid.ts';
import { deriveCapabilities, type CcxtCapabilities } from './capabilities.ts';
import { RequestGate } from './request-gate.ts';
import { OrderTracker, type TrackedOrder } from './order-tracker.ts';
import { exchangeClientOrderId, toCreateOrder } from './order-mapping.ts';
import { ReportStream } from './report-stream.ts';
import { MarketFeed } from './market-feed.ts';
import { toVenueSnapshot } from './snapshot.ts';
import { toBar } from './market-data.ts';
import { ccxtErrorName, classifyCcxtError, exchangeReason } from './errors.ts';

export interface CcxtVenueOptions {
  /** Where execution reports go (the execution engine); or register handlers with `onReport`. */
  readonly sink?: VenueReportSink;
  /** Time stamped on the reports the adapter makes itself; default the wall clock. */
  readonly clock?: Clock;
  /** The process's rate budget (default `sharedRateBudget`); tests pass their own. */
  readonly budget?: RateBudget;
  /** Where credentials not in the config come from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Operational log lines (retries, reconnects), secrets already redacted. */
  readonly log?: (line: string) => void;
  /** Market data that could not be converted exactly (off the grid): the event is dropped. */
  readonly onDataError?: (e: Error) => void;
  readonly name?: string;
}

/**
 * A Keel venue over ccxt's unified API: any exchange in `ccxt.exchanges`, chosen in config. Order entry is
 * synchronous for the engine (it only starts requests); reports arrive on the event loop. Every request
 * takes a token from the account's shared rate budget; ccxt's own rate limiter stays on behind it.
 *
 * Orders carry a deterministic client order id (`exchangeClientOrderId`). A create that times out or loses
 * its connection is reported `order.unknown` and then looked up by that id: found → accepted (and filled);
 * not found after the configured lookups → rejected as never received. It is never sent again.
 *
 * @example
 * const venue = await CcxtVenue.connect({ exchange: 'kraken', symbols: ['BTC/USD'] }, { sink: execution });
 * venue.onMarket((bar) => strategyHost.onMarketEvent(bar));
 * venue.start();
 */
export class CcxtVenue implements Venue, VenueSession {
  readonly name: string;
  readonly capabilities: CcxtCapabilities;
  /** The bound markets: ccxt symbol, Keel instrument and the exchange's amount step. */
  readonly markets: readonly MarketBinding[];
  /** Resolves when the session is closed (a live exchange has no end of market). */
  readonly ended: Promise<void>;
  private readonly ex: Exchange;
  private readonly gate: RequestGate;
  private readonly config: CcxtVenueConfig;
  private readonly o: CcxtVenueOptions;
  private readonly tracker: OrderTracker;
  private readonly stream: ReportStream;
  private readonly feed: MarketFeed;
  private readonly abort = new AbortController();
  private readonly secrets: Secret[];
  private readonly sentAt = new Map<string, number>();
  private readonly pendingCancels = new Set<string>();
  private readonly reportHandlers: Array<(r: VenueReport) => void> = [];
  private readonly barHandlers: Array<(bar: Bar) => void> = [];
  private readonly eventHandlers: Array<(e: MarketEvent) => void> = [];
  private readonly disconnectHandlers: Array<(reason: string) => void> = [];
  private unheard: VenueReport[] = [];
  private endSession!: () => void;
  private started = false;
  private lostReason: string | undefined;

  /**
   * Validate the config, build the exchange, load its markets and bind the configured symbols. Throws a
   * KeelError (one line, no secret) on bad config, refused credentials or an unknown symbol.
   */
  static async connect(input: unknown, options: CcxtVenueOptions = {}): Promise<CcxtVenue> {
    const config = parseCcxtConfig(input, options.env ?? process.env);
    refuseDisabledVerification(config.exchange);
    const caPem = config.tls?.ca === undefined ? undefined : readVenueCa(config.tls.ca, 'ccxt.tls.ca');
    const budget = options.budget ?? sharedRateBudget;
    const probe = createExchange(config, { onRetryAfter: () => {} }, caPem);
    const rateLimitMs = probe.rateLimit ?? 1000;
    const bucket = budget.bucket(config.account, 'rest', { capacity: config.burst, refillPerSecond: 1000 / rateLimitMs });
    const ex = createExchange(config, { onRetryAfter: (ms) => bucket.pauseFor(ms) }, caPem);
    const abort = new AbortController();
    const secrets = [config.credentials.secret, config.credentials.password].filter((s): s is Secret => s !== undefined);
    const say = (line: string) => options.log?.(redact(line, secrets));
    const gate = new RequestGate({
      bucket, redact: (text) => redact(text, secrets), attempts: config.retry.attempts, baseMs: config.retry.baseMs, maxMs: config.retry.maxMs, signal: abort.signal,
      onRetry: (what, e, ms) => say(`${ex.id} ${what}: ${ccxtErrorName(e)}, retrying in ${ms} ms`),
    });
    try {
      await gate.call('loadMarkets', () => ex.loadMarkets(), true);
    } catch (e) {
      throw (await tlsConnectError(config, e, caPem)) ?? connectError(config, e, secrets);
    }
    const markets = config.symbols.map((s) => bindMarket(ex, s));
    return new CcxtVenue(ex, gate, config, markets, abort, secrets, options);
  }

  private constructor(ex: Exchange, gate: RequestGate, config: CcxtVenueConfig, markets: MarketBinding[], abort: AbortController, secrets: Secret[], o: CcxtVenueOptions) {
    this.ex = ex;
    this.gate = gate;
    this.config = config;
    this.markets = markets;
    this.abort = abort;
    this.secrets = secrets;
    this.o = o;
    this.name = o.name ?? `ccxt:${config.exchange}`;
    const streaming = config.streaming === 'auto' && typeof (ex as { watchOrders?: unknown }).watchOrders === 'function';
    this.capabilities = deriveCapabilities(ex, markets, streaming);
    this.ended = new Promise<void>((resolve) => { this.endSession = resolve; });
    this.tracker = new OrderTracker((r) => this.deliver(r), () => this.now());
    this.stream = new ReportStream({
      ex, gate, tracker: this.tracker, markets, pollIntervalMs: config.pollIntervalMs, streaming: this.capabilities.streamingReports,
      signal: abort.signal, sentAt: this.sentAt, log: (l, e) => this.say(l, e), lost: (why) => this.lose(why),
    });
    this.feed = new MarketFeed({
      ex, gate, markets, mode: config.marketData, timeframe: config.timeframe, streaming, pollIntervalMs: config.pollIntervalMs,
      signal: abort.signal, now: () => Date.now(), emit: (e) => this.onEvent(e), fault: (e) => this.dataFault(e), log: (l, e) => this.say(l, e),
    });
    if (config.credentials.apiKey !== undefined) this.stream.start();
  }

  /** The ccxt exchange id ("kraken"). */
  get exchangeId(): string {
    return this.ex.id;
  }

  onReport(handler: (report: VenueReport) => void): void {
    this.reportHandlers.push(handler);
    const waiting = this.unheard;
    this.unheard = [];
    for (const r of waiting) this.deliver(r);
  }

  /** Closed bars of the bound markets (market data mode `ohlcv`). */
  onMarket(handler: (bar: Bar) => void): void {
    this.barHandlers.push(handler);
  }

  /** Every market event: bars, trade prints (`trades` mode) or quotes (`ticker` mode). */
  onMarketEvent(handler: (e: MarketEvent) => void): void {
    this.eventHandlers.push(handler);
  }

  onDisconnect(handler: (reason: string) => void): void {
    this.disconnectHandlers.push(handler);
  }

  /** Start the market data feed (reports flow from `connect` on). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.feed.start();
  }

  submit(order: ApprovedOrder): void {
    const b = this.bindingOf(order);
    if (b === undefined) return this.later({ type: 'order.rejected', ts: this.now(), clientOrderId: order.clientOrderId, reason: `${order.instrumentId} is not traded on this ${this.ex.id} venue` });
    if (this.abort.signal.aborted) return this.later({ type: 'order.rejected', ts: this.now(), clientOrderId: order.clientOrderId, reason: 'the venue session is closed: the order was not sent' });
    if (this.tracker.get(order.clientOrderId) !== undefined) return this.say(`submit of ${order.clientOrderId} ignored: this session sent it already`);
    // Refused here, before a request: ccxt would send what the exchange then refuses, or worse, map it to another type.
    if (!this.capabilities.orderTypes.includes(order.type)) {
      const kind = order.type.replace('_', '-');
      return this.later({ type: 'order.rejected', ts: this.now(), clientOrderId: order.clientOrderId, reason: `${this.ex.id} cannot take a ${kind} order through ccxt (it takes ${this.capabilities.orderTypes.join(', ')}); nothing was sent` });
    }
    const t = this.tracker.track(order, b, exchangeClientOrderId(order.clientOrderId));
    this.sentAt.set(order.clientOrderId, Date.now());
    void this.create(t);
  }

  cancel(clientOrderId: string): void {
    const t = this.tracker.get(clientOrderId);
    if (t === undefined || t.done) return this.say(`cancel of ${clientOrderId} ignored: not working at ${this.ex.id}`);
    if (t.venueOrderId === undefined) {
      this.pendingCancels.add(clientOrderId); // sent when the exchange names the order
      return;
    }
    void this.cancelNow(t);
  }

  replace(order: ApprovedOrder): void {
    const t = this.tracker.get(order.clientOrderId);
    const refuse = (reason: string) => this.later({ type: 'order.update-rejected', ts: this.now(), clientOrderId: order.clientOrderId, reason });
    if (!this.capabilities.editOrder) return refuse(`${this.ex.id} cannot modify orders through ccxt (has.editOrder is false); cancel it and submit a new one`);
    if (t === undefined || t.done || t.venueOrderId === undefined) return refuse(`the order is not working at ${this.ex.id}`);
    void this.edit(t, order);
  }

  /** Orders sent and not known to be finished. */
  openOrders(): readonly OrderRequest[] {
    return this.tracker.working().map((t) => t.order);
  }

  /**
   * Everything the exchange holds for the account: open and recent closed orders, fills, balances and
   * (for contracts) positions, as Keel's reconciliation reads them. `since`: the oldest fill wanted.
   */
  async query(since?: number): Promise<VenueSnapshot> {
    const { ex, gate } = this;
    const perMarket = [];
    for (const binding of this.markets) {
      const open = await gate.call('fetchOpenOrders', () => ex.fetchOpenOrders(binding.symbol), true);
      const closed: CcxtOrder[] = ex.has['fetchClosedOrders'] ? await gate.call('fetchClosedOrders', () => ex.fetchClosedOrders(binding.symbol, since), true) : [];
      const trades = await gate.call('fetchMyTrades', () => ex.fetchMyTrades(binding.symbol, since), true);
      perMarket.push({ binding, orders: [...open, ...closed], trades });
    }
    const balance = await gate.call('fetchBalance', () => ex.fetchBalance(), true);
    const contracts = this.markets.filter((m) => m.contract).map((m) => m.symbol);
    const positions = contracts.length > 0 && ex.has['fetchPositions'] ? await gate.call('fetchPositions', () => ex.fetchPositions(contracts), true) : undefined;
    return toVenueSnapshot({ perMarket, balance, positions, ts: this.now() }, {
      keelIdOf: (v, c) => this.tracker.keelIdOf(v, c),
      strategyOf: (id) => this.tracker.get(id)?.order.strategyId ?? '',
    });
  }

  /**
   * Historical bars by REST, converted exactly (an off-grid value throws a KeelError naming it).
   *
   * @example const bars = await venue.fetchBars('BTC/USD', Date.parse('2024-07-18T05:00:00Z'));
   */
  async fetchBars(instrumentId: string, since?: number, limit?: number): Promise<Bar[]> {
    const b = this.markets.find((m) => m.instrument.id === instrumentId);
    if (b === undefined) throw new KeelError('UNKNOWN_INSTRUMENT', `is not traded on this ${this.ex.id} venue`, { field: 'instrumentId', value: instrumentId });
    const candles = await this.gate.call('fetchOHLCV', () => this.ex.fetchOHLCV(b.symbol, this.config.timeframe, since, limit), true);
    return candles.map((c) => toBar(b, c));
  }

  async close(): Promise<void> {
    if (this.abort.signal.aborted) return this.ended;
    this.abort.abort(new Error('venue closed'));
    try {
      await (this.ex as { close?: () => Promise<void> }).close?.();
    } catch { /* closing sockets that are already gone */ }
    this.endSession();
    return this.ended;
  }

  [inspect.custom](): string {
    return `CcxtVenue(${this.ex.id}, ${this.markets.map((m) => m.symbol).join(', ')})`;
  }

  toJSON(): object {
    return { name: this.name, exchange: this.ex.id, symbols: this.markets.map((m) => m.symbol) };
  }

  private async create(t: TrackedOrder): Promise<void> {
    const args = toCreateOrder(t.binding, t.order, t.exchangeClientId);
    try {
      const o = await this.gate.call('createOrder', () => this.ex.createOrder(args.symbol, args.type, args.side, args.amount, args.price, args.params), false);
      if (this.tracker.created(t, o) || o.status === 'closed' || o.status === 'canceled' || o.status === 'expired') await this.syncQuietly(t.binding);
    } catch (e) {
      const kind = classifyCcxtError(e);
      const why = this.clean(exchangeReason(e));
      if (kind === 'rejected' || kind === 'not-supported') this.tracker.reject(t, `${ccxtErrorName(e)}: ${why}`);
      else if (kind === 'auth') this.tracker.reject(t, `${this.ex.id} refused the credentials (${ccxtErrorName(e)}); the order was not placed`);
      else {
        // Timeout, lost connection, duplicate id, or an error nobody classified: the order may exist.
        t.unknown = true;
        this.deliver({ type: 'order.unknown', ts: this.now(), clientOrderId: t.order.clientOrderId, reason: `createOrder ${ccxtErrorName(e)}: ${why}; looking it up by client order id` });
        await this.resolveUnknown(t);
      }
    }
    if (this.pendingCancels.delete(t.order.clientOrderId) && !t.done && t.venueOrderId !== undefined) await this.cancelNow(t);
  }

  /** Ask the exchange about an order whose create outcome was lost; never resend it. */
  private async resolveUnknown(t: TrackedOrder): Promise<void> {
    const { lookups, delayMs } = this.config.unknownOrder;
    let notFound = 0;
    for (let i = 0; notFound < lookups && i < lookups * 4 && !this.abort.signal.aborted; i++) {
      await sleepMs(delayMs, this.abort.signal).catch(() => {});
      try {
        const o = await this.stream.findByClientId(t);
        if (o === undefined) { notFound++; continue; }
        this.tracker.onOrder(o);
        await this.syncQuietly(t.binding);
        return;
      } catch (e) {
        this.say(`looking up ${t.order.clientOrderId} failed; trying again`, e);
      }
    }
    if (notFound >= lookups) {
      this.tracker.reject(t, `not at ${this.ex.id} by client order id ${t.exchangeClientId} after ${notFound} lookups: it never reached the exchange (not resubmitted)`);
    } else {
      this.say(`${t.order.clientOrderId} stays UNKNOWN: ${this.ex.id} could not be asked; reconciliation settles it`);
    }
  }

  private async cancelNow(t: TrackedOrder): Promise<void> {
    try {
      const o = await this.gate.call('cancelOrder', () => this.ex.cancelOrder(t.venueOrderId!, t.binding.symbol), true);
      if (o !== undefined && o.id) this.tracker.onOrder(o);
    } catch (e) {
      if (classifyCcxtError(e) !== 'not-found') this.say(`cancel of ${t.order.clientOrderId} failed; the order stays pending cancel`, e);
    }
    await this.syncQuietly(t.binding);
  }

  private async edit(t: TrackedOrder, order: ApprovedOrder): Promise<void> {
    const previous = t.exchangeClientId;
    const legId = exchangeClientOrderId(order.clientOrderId, t.revision + 1);
    const args = toCreateOrder(t.binding, order, legId);
    this.tracker.newLeg(t, legId);
    try {
      const o = await this.gate.call('editOrder', () => this.ex.editOrder(t.venueOrderId!, args.symbol, args.type, args.side, args.amount, args.price, args.params), false);
      this.tracker.replaced(t, order, o.id || t.venueOrderId);
      this.tracker.onOrder(o);
    } catch (e) {
      t.exchangeClientId = previous;
      const outcome = classifyCcxtError(e) === 'unknown' ? 'its outcome was lost; the old terms stand until a sync shows otherwise' : this.clean(exchangeReason(e));
      this.deliver({ type: 'order.update-rejected', ts: this.now(), clientOrderId: order.clientOrderId, reason: `editOrder ${ccxtErrorName(e)}: ${outcome}` });
      await this.syncQuietly(t.binding);
    }
  }

  private async syncQuietly(b: MarketBinding): Promise<void> {
    try {
      await this.stream.sync(b);
    } catch (e) {
      this.say(`sync of ${b.symbol} failed; the next poll retries`, e);
    }
  }

  private bindingOf(order: OrderRequest): MarketBinding | undefined {
    return this.markets.find((m) => m.instrument.id === order.instrumentId);
  }

  private onEvent(e: MarketEvent): void {
    if (e.type === 'bar') for (const h of this.barHandlers) h(e);
    for (const h of this.eventHandlers) h(e);
  }

  private dataFault(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    if (this.o.onDataError) this.o.onDataError(err);
    else this.say('market data dropped', err);
  }

  private deliver(r: VenueReport): void {
    if (this.o.sink === undefined && this.reportHandlers.length === 0) {
      this.unheard.push(r);
      return;
    }
    this.o.sink?.onVenueReport(r);
    for (const h of this.reportHandlers) h(r);
  }

  /** A report the adapter makes itself, delivered after the engine's call returns (as an exchange's would be). */
  private later(r: VenueReport): void {
    queueMicrotask(() => this.deliver(r));
  }

  private lose(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.say(reason);
    for (const h of this.disconnectHandlers) h(reason);
  }

  private say(line: string, e?: unknown): void {
    const detail = e === undefined ? '' : `: ${ccxtErrorName(e)} ${exchangeReason(e)}`;
    this.o.log?.(this.clean(line + detail));
  }

  private clean(text: string): string {
    return redact(text, this.secrets);
  }

  private now(): number {
    return this.o.clock?.now() ?? Date.now();
  }
}

/** One clear line for a failed connect: refused credentials name the env vars, never the secret. */
function connectError(config: CcxtVenueConfig, e: unknown, secrets: Secret[]): Error {
  const kind = classifyCcxtError(e);
  if (kind === 'auth') {
    const env = credentialEnvNames(config.exchange);
    return new KeelError('CCXT_AUTH', `${config.exchange} refused the credentials (${ccxtErrorName(e)})`, {
      field: 'ccxt.apiKey', hint: `check apiKey/secret in the config or ${env.apiKey} / ${env.secret}`,
    });
  }
  if (kind === 'bug') return e as Error;
  return new KeelError('CCXT_CONNECT', `could not load the markets of ${config.exchange}: ${redact(`${ccxtErrorName(e)} ${exchangeReason(e)}`, secrets)}`, { field: 'ccxt.exchange', value: config.exchange });
}
