import type { TradingState } from '../model/index.ts';
import type { AuditSubject } from '../security/index.ts';
import type { RolloutControl } from './rollout-control.ts';

/**
 * Who asks for an operator action and from where (security/audit: `actor`, `origin`), e.g.
 * `{ actor: 'token', origin: 'ip:127.0.0.1' }` for a request with the API token, `{ actor: 'user:alice',
 * origin: 'ip:10.0.0.7' }` once users sign in. `label` is how the journal's `operator.action` events and the
 * kill switch name them (default: `describeOperator`).
 */
export interface Operator extends AuditSubject {
  readonly label?: string;
}

/**
 * The operator's name in the journal and in reasons: `api:<ip>` for the API token (as before users existed),
 * `<actor> from <origin>` otherwise.
 *
 * @example describeOperator({ actor: 'token', origin: 'ip:127.0.0.1' }) // 'api:127.0.0.1'
 */
export function describeOperator(by: Operator): string {
  if (by.label !== undefined) return by.label;
  if (by.actor === 'token' && by.origin.startsWith('ip:')) return `api:${by.origin.slice(3)}`;
  return `${by.actor} from ${by.origin}`;
}

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

  /**
   * Actions. Each is journaled with who asked, recorded in the audit trail with its result, and answered with
   * what happened (never throws for a refusal).
   */
  cancelOrder(clientOrderId: string, by: Operator): ActionResult;
  cancelAll(by: Operator): ActionResult;
  killSwitch(o: { readonly flatten: boolean; readonly reason: string; readonly by: Operator }): ActionResult;
  rearm(o: { readonly reason: string; readonly by: Operator }): ActionResult;
  /** New risk limits in force while trading (the `risk:` section of keel.yaml as an object; breakers stay); refused with the key and value when invalid. */
  changeLimits(o: { readonly risk: unknown; readonly reason: string; readonly by: Operator }): ActionResult;
  pauseStrategy(strategyId: string, by: Operator): ActionResult;
  resumeStrategy(strategyId: string, by: Operator): ActionResult;

  /** Staged rollout of a new strategy version (docs/lifecycle.md); undefined where the engine takes none (keel serve). */
  readonly rollout?: RolloutControl;

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
  /** Active/standby (a PostgreSQL journal with a leader lease): who is active, its epoch, the standbys' lag. Absent for a single engine. */
  readonly ha?: HaStatus;
}

/** This node of an active/standby pair and the standbys it sees (docs/high-availability.md). */
export interface HaStatus {
  /** This node's name. */
  readonly node: string;
  /** `active` while it holds the lease; `stepped-down` once another node took it over. */
  readonly role: 'active' | 'stepped-down';
  /** The fencing epoch this node writes under. */
  readonly epoch: number;
  readonly leaseMs: number;
  /** Wall ms since the lease was last renewed (null before the first renewal). */
  readonly renewedAgoMs: number | null;
  /** The journal's last sequence as of the last renewal. */
  readonly lastSeq: number;
  readonly standbys: readonly StandbyView[];
}

export interface StandbyView {
  readonly node: string;
  /** The last journal sequence it had seen. */
  readonly seenSeq: number;
  /** Events it is behind the active. */
  readonly lagEvents: number;
  /** ms since it last reported. */
  readonly heartbeatAgoMs: number;
  readonly api: string | null;
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
