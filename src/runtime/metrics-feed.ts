import type { MarketEvent, OrderEvent, RiskEvent } from '../model/index.ts';
import type { EngineMetrics } from '../ops/index.ts';
import type { EngineView } from './engine-view.ts';

/** How often the account-level gauges (equity, PnL, positions, journal lag) are refreshed, wall ms. */
const ACCOUNT_REFRESH_MS = 1000;

/**
 * Feeds a running engine's events into its Prometheus metrics (ops/metrics): order and risk events as they
 * happen, the two latency histograms (market event → order handed to the venue; order sent → acknowledged),
 * and the account gauges at most once a second from the engine's own views.
 */
export class MetricsFeed {
  private readonly metrics: EngineMetrics;
  private readonly view: EngineView;
  private readonly account: string;
  private readonly venue: string;
  /** Wall time each order went out, until the venue acknowledges it. */
  private readonly sentAt = new Map<string, number>();
  private marketEventAt = NaN;
  private lastRefresh = 0;

  constructor(o: { metrics: EngineMetrics; view: EngineView; account: string; venue: string }) {
    this.metrics = o.metrics;
    this.view = o.view;
    this.account = o.account;
    this.venue = o.venue;
    o.metrics.setVenueConnected(o.venue, true);
  }

  onMarketEvent(e: MarketEvent): void {
    this.marketEventAt = performance.now();
    this.metrics.onMarketData(e.instrumentId, Date.now());
    this.refresh(false);
  }

  /** The engine handed an order to the venue adapter (after its intent is durable). */
  onSent(clientOrderId: string): void {
    const now = performance.now();
    if (!Number.isNaN(this.marketEventAt)) this.metrics.observeMarketToOrderMicros((now - this.marketEventAt) * 1000);
    this.sentAt.set(clientOrderId, now);
  }

  onOrderEvent(e: OrderEvent): void {
    this.metrics.onOrderEvent(e);
    if (e.type === 'order.filled') this.metrics.onFill(e.fill);
    if (e.type === 'order.submitted') return;
    const id = e.clientOrderId;
    const sent = this.sentAt.get(id);
    if (sent === undefined) return;
    if (e.type === 'order.accepted' || e.type === 'order.filled') this.metrics.observeAckLatency(performance.now() - sent);
    this.sentAt.delete(id);
  }

  onRiskEvent(e: RiskEvent): void {
    this.metrics.onRiskEvent(e);
  }

  onVenueConnection(up: boolean): void {
    this.metrics.setVenueConnected(this.venue, up);
  }

  onReconciliation(mismatch: boolean): void {
    if (mismatch) this.metrics.onReconciliationMismatch();
  }

  /** Equity, PnL, positions, trading state and journal lag; `force` ignores the once-a-second limit. */
  refresh(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastRefresh < ACCOUNT_REFRESH_MS) return;
    this.lastRefresh = now;
    this.metrics.setAccount(this.account, this.view.pnl());
    this.metrics.setPositions(this.view.positions());
    const status = this.view.status();
    this.metrics.setTradingState(status.tradingState);
    this.metrics.setJournal(status.journal.pendingAppends);
  }
}
