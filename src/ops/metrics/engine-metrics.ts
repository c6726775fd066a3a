import { collectDefaultMetrics, Registry } from 'prom-client';
import { moneyToNumber, sideSign, type Fill, type OrderEvent, type RiskEvent, type TradingState } from '../../model/index.ts';
import { FixedHistogram } from './fixed-histogram.ts';
import { counterOf, gaugeOf, LabelledValues, scalarCounterOf, scalarGaugeOf } from './labelled-values.ts';
import { FINAL_STATUSES, OPEN_STATUSES, OpenOrderTally } from './open-orders.ts';
import { classifyReject } from './reject-reason.ts';

/** An amount in the account currency: a float, exact Money (bigint, 10^-12 units) or a decimal string as the engine's views give it. */
export type Amount = number | bigint | string;

/** One open position, as `EngineHandle.positions()` gives it (quantity in the instrument's units). */
export interface PositionSample {
  readonly instrument: string;
  readonly quantity: number | string;
  /** Signed market value in the account currency (long positive, short negative). */
  readonly marketValue: number;
}

/** PnL of one account, as `EngineHandle.pnl()` gives it. */
export interface PnlSample {
  readonly realized: Amount;
  readonly unrealized: Amount;
  /** Since the start of the trading day. */
  readonly daily: Amount;
}

export interface EngineMetricsOptions {
  /** Process metrics (memory, CPU, event-loop lag, GC), prefixed `keel_`. Default true. */
  readonly defaultMetrics?: boolean;
  /** Labels added to every series, e.g. `{ engine: 'paper-sma' }` when one Prometheus scrapes several engines. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Wall clock in epoch ms, for data staleness (tests pass a fake). */
  readonly now?: () => number;
}

/** A histogram's state for windowed quantiles: upper bounds in seconds, cumulative counts with +Inf last. */
export interface HistogramCounts {
  readonly bounds: readonly number[];
  readonly cumulative: readonly number[];
}

/** See `EngineMetrics.alertCounters`. */
export interface AlertCounters {
  readonly sent: number;
  readonly rejected: number;
  readonly denied: number;
  readonly ackLatency: HistogramCounts;
  readonly marketToOrder: HistogramCounts;
}

const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/** Label of each order event type in `keel_order_events_total` (a constant string: no slicing per event). */
const EVENT_LABEL: Readonly<Record<OrderEvent['type'], string>> = {
  'order.submitted': 'submitted', 'order.denied': 'denied', 'order.accepted': 'accepted', 'order.rejected': 'rejected',
  'order.filled': 'filled', 'order.canceled': 'canceled', 'order.expired': 'expired', 'order.unknown': 'unknown',
  'order.pending-update': 'pending_update', 'order.update-denied': 'update_denied', 'order.updated': 'updated',
  'order.update-rejected': 'update_rejected',
};

/**
 * Prometheus metrics of one running engine: money, positions, orders, fills, latency, data, venue, risk and
 * journal health. Every metric is named in docs/metrics.md ("Operational metrics") and used by the alert rules
 * and the Grafana dashboard in deploy/.
 *
 * Each instance owns its Registry, so two engines in one process (or two tests) never collide. The methods
 * are synchronous and, once a label value has been seen, allocate nothing (except `onMarketData` /
 * `setStaleness` when they read the wall clock themselves): they store numbers into typed arrays, and the
 * exposition text is built only when Prometheus scrapes `metrics()`.
 *
 * Fills are counted by `onFill`, not by `onOrderEvent` (which counts the `order.filled` event and the order's
 * status): call both for a fill, as the engine's fill booker does.
 *
 * @example
 * const m = new EngineMetrics({ labels: { engine: 'paper-sma' } });
 * execution.onEvent((e) => m.onOrderEvent(e));
 * m.setEquity('paper', 100_000);
 * m.observeAckLatency(12.5);
 * http.get('/metrics', async (_, res) => res.type(m.contentType).send(await m.metrics()));
 */
export class EngineMetrics {
  readonly registry: Registry;
  private readonly now: () => number;

  private readonly equity = new LabelledValues();
  private readonly peakEquity = new LabelledValues();
  private readonly drawdown = new LabelledValues();
  private readonly cash = new LabelledValues();
  private readonly realized = new LabelledValues();
  private readonly unrealized = new LabelledValues();
  private readonly daily = new LabelledValues();
  private readonly expectedEquity = new LabelledValues();
  private readonly positionQuantity = new LabelledValues();
  private readonly positionExposure = new LabelledValues();
  private readonly orders = new OpenOrderTally();
  private readonly orderEvents = new LabelledValues();
  private readonly fills = new LabelledValues();
  private readonly rejects = new LabelledValues();
  private readonly denials = new LabelledValues();
  private readonly lastMarketData = new LabelledValues();
  private readonly venues = new LabelledValues();
  private readonly rateHeadroom = new LabelledValues();
  private readonly breakers = new LabelledValues();
  private readonly tradingState = new LabelledValues();
  private journalPending = 0;
  private killSwitchUses = 0;
  private reconciliationMismatches = 0;

  private readonly slippage = new FixedHistogram({
    name: 'keel_fill_slippage_bps', help: 'Slippage of each fill against the decision price, in basis points (positive = worse for us)',
    buckets: [-100, -50, -20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20, 50, 100],
  });
  private readonly ackLatency = new FixedHistogram({
    name: 'keel_order_ack_latency_seconds', help: 'Order submitted to accepted by the venue',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], divisor: 1000,
  });
  private readonly marketToOrder = new FixedHistogram({
    name: 'keel_market_to_order_latency_seconds', help: 'Market event received to order handed to the venue adapter (journal write included)',
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1], divisor: 1e6,
  });
  private readonly journalAppend = new FixedHistogram({
    name: 'keel_journal_append_duration_seconds', help: 'Duration of one journal append (batch commit)',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], divisor: 1000,
  });

  constructor(o: EngineMetricsOptions = {}) {
    this.registry = new Registry();
    this.now = o.now ?? Date.now;
    if (o.labels) this.registry.setDefaultLabels({ ...o.labels });
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'keel_' });
    // Series that should read 0 rather than be absent, so alerts and dashboards see "none yet".
    for (const s of TRADING_STATES) this.tradingState.set(s, 0);
    for (const t of ['submitted', 'filled', 'rejected', 'denied', 'canceled']) this.orderEvents.add(t, 0);
    this.register();
  }

  /** The Content-Type header for `metrics()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The Prometheus text exposition of every metric (what `GET /metrics` returns).
   *
   * @example res.setHeader('content-type', m.contentType); res.end(await m.metrics());
   */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Running totals the built-in alert rules turn into windowed rates and quantiles (ops/alerts/signal-window.ts):
   * orders sent, rejected by the venue and denied by the risk gate, and the two latency histograms.
   */
  alertCounters(): AlertCounters {
    return {
      sent: this.orderEvents.get('submitted'), rejected: this.orderEvents.get('rejected'), denied: this.orderEvents.get('denied'),
      ackLatency: { bounds: this.ackLatency.upperBounds, cumulative: this.ackLatency.cumulativeCounts() },
      marketToOrder: { bounds: this.marketToOrder.upperBounds, cumulative: this.marketToOrder.cumulativeCounts() },
    };
  }

  /**
   * Equity on the expected path (a backtest of the same strategy) at the engine's market time, or undefined
   * outside the path: Prometheus compares it with `keel_account_equity` (deploy/alert-rules.yml).
   */
  setExpectedEquity(account: string, equity: number | undefined): void {
    this.expectedEquity.beginGeneration();
    if (equity !== undefined) this.expectedEquity.set(account, equity);
  }

  // ---- money ------------------------------------------------------------------------------------------------

  /** Account equity; also tracks the peak since start and the drawdown from it. @example m.setEquity('paper', 101_250.5) */
  setEquity(account: string, equity: Amount): void {
    // Straight into the typed arrays: a float passed through a call V8 does not inline is boxed, and this
    // runs on every market event.
    const value = typeof equity === 'number' ? equity : toNumber(equity);
    const e = this.equity, p = this.peakEquity, d = this.drawdown;
    const ei = e.slot(account), pi = p.slot(account), di = d.slot(account);
    e.values[ei] = value;
    const peak = value > p.values[pi] ? value : p.values[pi];
    p.values[pi] = peak;
    d.values[di] = peak > 0 ? (peak - value) / peak : 0;
  }

  /** @example m.setCash('paper', '25000.00') */
  setCash(account: string, cash: Amount): void {
    this.cash.set(account, toNumber(cash));
  }

  /** Realised, unrealised and today's PnL. @example m.setPnl('paper', { realized: 120n * MONEY_ONE, unrealized: -3.5, daily: 40 }) */
  setPnl(account: string, pnl: PnlSample): void {
    this.realized.set(account, toNumber(pnl.realized));
    this.unrealized.set(account, toNumber(pnl.unrealized));
    this.daily.set(account, toNumber(pnl.daily));
  }

  /** Equity, cash and PnL in one call, straight from `EngineHandle.pnl()`. @example m.setAccount('paper', handle.pnl()) */
  setAccount(account: string, view: PnlSample & { readonly equity: Amount; readonly cash: Amount }): void {
    this.setEquity(account, view.equity);
    this.setCash(account, view.cash);
    this.setPnl(account, view);
  }

  /**
   * The full list of open positions; instruments missing from it (closed) stop being exported.
   *
   * @example m.setPositions(handle.positions())
   */
  setPositions(positions: readonly PositionSample[]): void {
    this.positionQuantity.beginGeneration();
    this.positionExposure.beginGeneration();
    for (const p of positions) {
      this.positionQuantity.set(p.instrument, typeof p.quantity === 'number' ? p.quantity : Number(p.quantity));
      this.positionExposure.set(p.instrument, p.marketValue);
    }
  }

  // ---- orders and fills -------------------------------------------------------------------------------------

  /**
   * Every order event the OMS emits: counts it by type, keeps open orders per status, counts finished orders
   * per outcome, rejects by reason class and risk denials by check.
   *
   * @example execution.onEvent((e) => m.onOrderEvent(e))
   */
  onOrderEvent(e: OrderEvent): void {
    this.orderEvents.add(EVENT_LABEL[e.type], 1);
    this.orders.apply(e);
    if (e.type === 'order.rejected') this.rejects.add(classifyReject(e.reason), 1);
    else if (e.type === 'order.denied' || e.type === 'order.update-denied') this.denials.add(e.check, 1);
  }

  /**
   * One execution. Slippage is `slippageBps` when the caller knows it, else computed from the fill's decision
   * price (positive = paid more on a buy / received less on a sell); fills without either are not observed.
   *
   * @example m.onFill(fill) // decisionPrice 10000 ticks, buy at 10002 → +2 bps
   */
  onFill(fill: Fill, o?: { readonly slippageBps?: number }): void {
    this.fills.add(fill.instrumentId, 1);
    const bps = o?.slippageBps ?? slippageBps(fill);
    if (bps !== undefined) this.slippage.observe(bps);
  }

  /** Order submitted → accepted by the venue, in milliseconds. @example m.observeAckLatency(acceptedAt - submittedAt) */
  observeAckLatency(ms: number): void {
    this.ackLatency.observe(ms);
  }

  /** Market event received → order handed to the venue adapter, in microseconds. @example m.observeMarketToOrderMicros(85) */
  observeMarketToOrderMicros(us: number): void {
    this.marketToOrder.observe(us);
  }

  // ---- market data and venues -------------------------------------------------------------------------------

  /**
   * Seconds since the instrument's last market event, as of now. Stored as a time, so the exported age keeps
   * growing while no data arrives, even if nobody calls this again: a dead feed shows up as stale.
   *
   * @example m.setStaleness('AAPL', 0)
   */
  setStaleness(instrument: string, seconds: number): void {
    const t = this.lastMarketData;
    t.values[t.slot(instrument)] = this.now() - seconds * 1000;
  }

  /**
   * A market event for `instrument` arrived at `atMs` (epoch ms, default now). On the per-event path pass the
   * receive time the engine already has: reading the clock here returns a boxed float, an allocation per call.
   *
   * @example m.onMarketData('AAPL', receivedAt)
   */
  onMarketData(instrument: string, atMs?: number): void {
    const t = this.lastMarketData;
    t.values[t.slot(instrument)] = atMs ?? this.now();
  }

  /** @example m.setVenueConnected('alpaca', false) */
  setVenueConnected(venue: string, up: boolean): void {
    this.venues.set(venue, up ? 1 : 0);
  }

  /** Tokens left in a venue's rate-limit bucket (e.g. 'alpaca:orders'). @example m.setRateHeadroom('alpaca:orders', 170) */
  setRateHeadroom(bucket: string, tokens: number): void {
    this.rateHeadroom.set(bucket, tokens);
  }

  // ---- risk -------------------------------------------------------------------------------------------------

  /** @example m.setTradingState('REDUCING') */
  setTradingState(state: TradingState): void {
    for (const s of TRADING_STATES) this.tradingState.set(s, s === state ? 1 : 0);
  }

  /** @example m.setBreaker('daily-loss', true) */
  setBreaker(name: string, tripped: boolean): void {
    this.breakers.set(name, tripped ? 1 : 0);
  }

  /** Each use of the kill switch (by an operator or a breaker with action `kill`). */
  onKillSwitch(): void {
    this.killSwitchUses++;
  }

  /**
   * Risk events: state changes, breaker trips and kill-switch uses. A breaker's reset has no event; report it
   * with `setBreaker(name, false)` (e.g. from `EngineHandle.risk().breakers`). Don't also call `onKillSwitch`
   * for a `risk.kill-switch` event passed here.
   *
   * @example risk.onEvent((e) => m.onRiskEvent(e))
   */
  onRiskEvent(e: RiskEvent): void {
    switch (e.type) {
      case 'risk.state-changed': return this.setTradingState(e.to);
      case 'risk.breaker-tripped': return this.setBreaker(e.breaker, true);
      case 'risk.kill-switch': return this.onKillSwitch();
    }
  }

  /** Positions, orders or fills that differed from the venue at reconciliation. @example m.onReconciliationMismatch(2) */
  onReconciliationMismatch(count = 1): void {
    this.reconciliationMismatches += count;
  }

  // ---- journal ----------------------------------------------------------------------------------------------

  /** Appends queued but not yet durable. @example m.setJournal(writer.pending) */
  setJournal(pending: number): void {
    this.journalPending = pending;
  }

  /** Duration of one append (batch commit), in milliseconds. @example m.observeJournalAppend(0.4) */
  observeJournalAppend(ms: number): void {
    this.journalAppend.observe(ms);
  }

  private register(): void {
    const r = this.registry;
    const account = 'account', instrument = 'instrument';
    gaugeOf(r, { name: 'keel_account_equity', help: 'Account equity, in the account currency', label: account }, this.equity);
    gaugeOf(r, { name: 'keel_account_peak_equity', help: 'Highest equity since the engine started, in the account currency', label: account }, this.peakEquity);
    gaugeOf(r, { name: 'keel_account_drawdown_ratio', help: 'Drawdown from peak equity (0.1 = 10% below the peak)', label: account }, this.drawdown);
    gaugeOf(r, { name: 'keel_expected_equity', help: 'Equity on the expected path (alerts.expectedPath) at the engine\'s market time; absent outside the path', label: account }, this.expectedEquity, { currentOnly: true });
    gaugeOf(r, { name: 'keel_account_cash', help: 'Cash balance, in the account currency', label: account }, this.cash);
    gaugeOf(r, { name: 'keel_pnl_realized', help: 'Realised PnL, in the account currency', label: account }, this.realized);
    gaugeOf(r, { name: 'keel_pnl_unrealized', help: 'Unrealised PnL at last prices, in the account currency', label: account }, this.unrealized);
    gaugeOf(r, { name: 'keel_pnl_daily', help: 'PnL since the start of the trading day, in the account currency', label: account }, this.daily);
    gaugeOf(r, { name: 'keel_position_quantity', help: 'Signed position, in the instrument\'s units', label: instrument }, this.positionQuantity, { currentOnly: true });
    gaugeOf(r, { name: 'keel_position_exposure', help: 'Signed market value of the position, in the account currency', label: instrument }, this.positionExposure, { currentOnly: true });

    // The tally owns the order counts; these cells only name the series and are refreshed at scrape time.
    const tally = this.orders;
    const openOrders = new LabelledValues();
    const completed = new LabelledValues();
    gaugeOf(r, { name: 'keel_orders_open', help: 'Working orders by status', label: 'status' }, openOrders, {
      before: () => OPEN_STATUSES.forEach((s, i) => openOrders.set(s, tally.open[i])),
    });
    counterOf(r, { name: 'keel_orders_completed_total', help: 'Orders that finished, by final status', label: 'status' }, completed, {
      before: () => FINAL_STATUSES.forEach((s, i) => completed.set(s, tally.completed[i])),
    });
    counterOf(r, { name: 'keel_order_events_total', help: 'Order events by type (submitted, accepted, filled, …)', label: 'type' }, this.orderEvents);
    scalarGaugeOf(r, 'keel_order_fill_ratio', 'Orders filled completely / orders submitted, since start', () => tally.fillRatio());
    counterOf(r, { name: 'keel_fills_total', help: 'Executions by instrument', label: instrument }, this.fills);
    counterOf(r, { name: 'keel_order_rejects_total', help: 'Orders rejected by the venue, by reason class', label: 'reason' }, this.rejects);
    counterOf(r, { name: 'keel_risk_denials_total', help: 'Orders and modifications refused by the risk gate, by check', label: 'check' }, this.denials);
    for (const h of [this.slippage, this.ackLatency, this.marketToOrder, this.journalAppend]) r.registerMetric(h.asMetric());

    gaugeOf(r, { name: 'keel_data_staleness_seconds', help: 'Seconds since the last market event, per instrument', label: instrument }, this.lastMarketData, {
      read: (lastAt) => Math.max(0, (this.now() - lastAt) / 1000),
    });
    gaugeOf(r, { name: 'keel_venue_connected', help: '1 when the venue session is connected, 0 when not', label: 'venue' }, this.venues);
    gaugeOf(r, { name: 'keel_rate_limit_headroom_tokens', help: 'Requests left in a venue rate-limit bucket', label: 'bucket' }, this.rateHeadroom);
    gaugeOf(r, { name: 'keel_breaker_tripped', help: '1 while a circuit breaker is tripped', label: 'breaker' }, this.breakers);
    gaugeOf(r, { name: 'keel_trading_state', help: 'Trading state, one-hot: 1 for the current state (ACTIVE, REDUCING, HALTED)', label: 'state' }, this.tradingState);
    scalarGaugeOf(r, 'keel_journal_pending_appends', 'Journal appends queued but not yet durable', () => this.journalPending);
    scalarCounterOf(r, 'keel_kill_switch_activations_total', 'Kill switch uses', () => this.killSwitchUses);
    scalarCounterOf(r, 'keel_reconciliation_mismatches_total', 'Differences found between the books and the venue at reconciliation', () => this.reconciliationMismatches);
  }
}

/** Slippage in bps from the fill's decision price (both in ticks, so the ratio needs no instrument). */
function slippageBps(fill: Fill): number | undefined {
  const decision = fill.decisionPrice;
  if (decision === undefined || decision <= 0) return undefined;
  return (sideSign(fill.side) * (fill.price - decision) / decision) * 10_000;
}

function toNumber(a: Amount): number {
  if (typeof a === 'number') return a;
  if (typeof a === 'bigint') return moneyToNumber(a);
  return Number(a);
}
