import type { TradingState } from '../model/index.ts';

/**
 * What a running engine shows and lets an operator do, for the HTTP API, the dashboard, metrics and alerts
 * (issue 6; DESIGN.md `server/`, `ops/`). Plain JSON-able views: amounts are decimal strings (exact money)
 * or numbers where a float is fine (marks, equity samples). The engine (runtime/paper-engine.ts) implements
 * it; the server and the dashboard only read it and call its actions, never the engine's parts directly.
 */
export interface EngineHandle {
  status(): EngineStatus;
  positions(): PositionView[];
  orders(filter?: { readonly openOnly?: boolean; readonly limit?: number }): OrderView[];
  fills(limit?: number): FillView[];
  pnl(): PnlView;
  /** Equity samples (one per market event, thinned to at most `maxPoints`), oldest first. */
  equityHistory(maxPoints?: number): EquityPoint[];
  risk(): RiskView;
  alerts(limit?: number): AlertView[];

  /** Actions. Each is journaled with its actor and answered with what happened (never throws for a refusal). */
  cancelOrder(clientOrderId: string, actor: string): ActionResult;
  cancelAll(actor: string): ActionResult;
  killSwitch(o: { readonly flatten: boolean; readonly reason: string; readonly actor: string }): ActionResult;
  rearm(o: { readonly reason: string; readonly actor: string }): ActionResult;
  pauseStrategy(strategyId: string, actor: string): ActionResult;
  resumeStrategy(strategyId: string, actor: string): ActionResult;

  /** Every engine event as it happens (for the WebSocket stream); returns the unsubscribe function. */
  subscribe(listener: (event: StreamEvent) => void): () => void;
}

export interface EngineStatus {
  readonly account: string;
  readonly mode: 'paper' | 'live' | 'backtest';
  readonly venue: string;
  readonly venueConnected: boolean;
  readonly tradingState: TradingState;
  readonly stateReason: string;
  /** Wall-clock start of this process (epoch ms). */
  readonly startedAt: number;
  /** Engine time of the last event (epoch ms; the venue's clock). */
  readonly lastEventTs: number;
  /** Market events so far, and wall time of the last one (for staleness). */
  readonly marketEvents: number;
  readonly lastMarketEventAt: number | undefined;
  readonly strategies: readonly StrategyView[];
  readonly journal: { readonly kind: 'sqlite' | 'postgres'; readonly location: string; readonly pendingAppends: number; readonly healthy: boolean };
}

export interface StrategyView {
  readonly id: string;
  /** Code hash + parameters (the audit version journaled with its events). */
  readonly version: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly paused: boolean;
}

export interface PositionView {
  readonly instrument: string;
  /** Signed quantity in the instrument's units, as a decimal string. */
  readonly quantity: string;
  readonly averagePrice: number | null;
  readonly lastPrice: number | null;
  readonly marketValue: number;
  readonly unrealizedPnl: number;
  /** Exact, decimal string in the account currency. */
  readonly realizedPnl: string;
}

export interface OrderView {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: 'buy' | 'sell';
  readonly type: string;
  /** Decimal strings in the instrument's units and price. */
  readonly quantity: string;
  readonly filledQuantity: string;
  readonly limitPrice: string | null;
  readonly stopPrice: string | null;
  readonly status: string;
  readonly reason: string | null;
  readonly createdAt: number;
}

export interface FillView {
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  /** The price the strategy saw when it decided, and the slippage against it in the account currency (buy: paid more = positive). */
  readonly decisionPrice: string | null;
  readonly slippage: number | null;
  readonly ts: number;
}

export interface PnlView {
  readonly currency: string;
  readonly cash: string;
  readonly equity: number;
  readonly realized: string;
  readonly unrealized: number;
  /** Since the start of the current trading day (the daily-loss breaker's day when configured, else UTC). */
  readonly daily: number;
  readonly commissions: string;
  readonly peakEquity: number;
  readonly drawdown: number;
  readonly drawdownPct: number;
}

export interface EquityPoint {
  readonly ts: number;
  readonly equity: number;
  readonly drawdownPct: number;
}

export interface RiskView {
  readonly state: TradingState;
  readonly reason: string;
  /** The risk section as configured (YAML text), or undefined when no limits are set. */
  readonly limits: string | undefined;
  /** `usedPct`: how much of its limit a level breaker (daily-loss, drawdown) uses now, in percent; null for the others. */
  readonly breakers: ReadonlyArray<{ readonly name: string; readonly action: string; readonly tripped: boolean; readonly detail: string; readonly usedPct: number | null }>;
  readonly denials: ReadonlyArray<{ readonly check: string; readonly count: number }>;
}

export interface AlertView {
  readonly id: string;
  readonly ts: number;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly source: string;
  readonly title: string;
  readonly detail: string;
  readonly resolved: boolean;
}

export type ActionResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

/** What the WebSocket stream carries: every engine event, as the journal records it, plus periodic summaries. */
export type StreamEvent =
  | { readonly kind: 'order'; readonly ts: number; readonly type: string; readonly payload: unknown }
  | { readonly kind: 'risk'; readonly ts: number; readonly type: string; readonly payload: unknown }
  | { readonly kind: 'alert'; readonly ts: number; readonly alert: AlertView }
  /** At most a few per second: equity, PnL and positions for live views. */
  | { readonly kind: 'summary'; readonly ts: number; readonly pnl: PnlView; readonly positions: readonly PositionView[] };
