/**
 * The shape of a finished backtest as written to `result.json` and read by the HTML report and other tools.
 * Everything here is plain JSON: times are ISO 8601 UTC strings, amounts are numbers in the quote currency
 * (exact decimal strings are kept under `ledger`). Undefined ratios (no trades, zero volatility) are `null`.
 */

export interface TradeRecord {
  readonly side: 'long' | 'short';
  readonly entryTime: string;
  /** Volume-weighted average entry price. */
  readonly entryPrice: number;
  readonly exitTime: string;
  /** Volume-weighted average exit price. */
  readonly exitPrice: number;
  /** Largest absolute position held during the trade, in instrument units. */
  readonly quantity: number;
  /** Realised PnL net of the entry and exit commissions. */
  readonly pnl: number;
  /** pnl / entry notional. */
  readonly returnPct: number;
  readonly commission: number;
  /** Number of bars (market events) the trade was open. */
  readonly bars: number;
}

export interface FillRecord {
  readonly time: string;
  readonly clientOrderId: string;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
  readonly tag: string | null;
}

export interface OpenPositionRecord {
  readonly instrumentId: string;
  readonly quantity: number;
  readonly averagePrice: number;
  readonly lastPrice: number;
  readonly unrealizedPnl: number;
}

export interface DenialRecord {
  readonly time: string;
  readonly clientOrderId: string;
  /** The check that refused it (order-size, price-collar, trading-state, ...). */
  readonly check: string;
  readonly reason: string;
}

export interface BreakerTripRecord {
  readonly time: string;
  readonly breaker: string;
  readonly reason: string;
  /** reduce | halt | kill */
  readonly action: string;
}

export interface StateChangeRecord {
  readonly time: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  /** "breaker daily-loss", "operator alice", "kill switch (operator alice)". */
  readonly by: string;
}

export interface KillSwitchRecord {
  readonly time: string;
  readonly by: string;
  readonly reason: string;
  readonly canceled: number;
  readonly flattenOrders: number;
  readonly notFlattened: readonly string[];
}

/** What the risk gate did during the run. Lists are capped (see `listLimit`); the totals are not. */
export interface RiskRecord {
  /** Where the limits came from (the --risk file), or null for the built-in defaults. */
  readonly config: string | null;
  readonly finalState: 'ACTIVE' | 'REDUCING' | 'HALTED';
  readonly denialsTotal: number;
  /** Denials per check name, in order of first occurrence. */
  readonly denialsByCheck: Readonly<Record<string, number>>;
  /** The first `listLimit` denials. */
  readonly denials: readonly DenialRecord[];
  readonly breakerTrips: readonly BreakerTripRecord[];
  readonly stateChanges: readonly StateChangeRecord[];
  readonly killSwitch: readonly KillSwitchRecord[];
  readonly listLimit: number;
}

/** Performance figures computed from the equity curve and the trades. */
export interface PerformanceMetrics {
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly annualVolatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  /** Negative fraction, e.g. -0.25 for a 25% drawdown; 0 when equity never fell. */
  readonly maxDrawdown: number;
  /** Longest time from a peak to the recovery of that peak (or to the end), in days. */
  readonly maxDrawdownDurationDays: number;
  readonly maxDrawdownDurationBars: number;
  readonly calmar: number | null;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly averageWin: number | null;
  readonly averageLoss: number | null;
  /** Fraction of bars with a non-zero position. */
  readonly exposureTime: number | null;
  /** Traded notional / average equity over the run. */
  readonly turnover: number | null;
  readonly trades: number;
  readonly periodsPerYear: number;
  readonly riskFreeRate: number;
  readonly startEquity: number;
  readonly endEquity: number;
}

export interface Metrics extends PerformanceMetrics {
  /** Orders the risk gate refused. */
  readonly denials: number;
  /** Breaker trips (each breaker trips at most once until re-armed). */
  readonly breakerTrips: number;
}

export interface BacktestResult {
  readonly keel: { readonly version: string; readonly resultSchema: 1 };
  readonly strategy: { readonly name: string; readonly params: Readonly<Record<string, unknown>> };
  readonly instrument: { readonly id: string; readonly priceTick: string; readonly lotSize: string; readonly quoteCurrency: string };
  readonly data: { readonly source: string; readonly layout: string; readonly firstTime: string; readonly lastTime: string; readonly warnings: number };
  readonly config: Readonly<Record<string, unknown>>;
  readonly initialCash: number;
  readonly finalEquity: number;
  readonly finalCash: number;
  /** Number of bars (or ticks/quotes) processed. */
  readonly bars: number;
  readonly trades: readonly TradeRecord[];
  readonly openPositions: readonly OpenPositionRecord[];
  readonly fills: readonly FillRecord[];
  readonly orders: { readonly submitted: number; readonly filled: number; readonly canceled: number; readonly rejected: number; readonly expired: number; readonly denied: number };
  /** One point per processed bar: ISO time, equity, drawdown (negative fraction). */
  readonly equityCurve: { readonly time: readonly string[]; readonly equity: readonly number[]; readonly drawdown: readonly number[] };
  readonly metrics: Metrics;
  readonly risk: RiskRecord;
  /** Exact decimal strings of the ledger at the end. */
  readonly ledger: { readonly cash: string; readonly equity: string; readonly realizedPnl: string; readonly commissions: string };
}
