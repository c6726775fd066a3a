/**
 * A small, complete `BacktestResult` built by hand, for tests of what reads results (the HTML report, the
 * terminal summary) without running a backtest.
 */
import assert from 'node:assert/strict';
import type { BacktestResult, FillRecord, Metrics, RiskRecord, TradeRecord } from '../../src/backtest/result.ts';
import type { PriceSeries } from '../../src/backtest/report/index.ts';

export const DAY = 86_400_000;
export const START = Date.UTC(2020, 0, 1);

/** Daily prices on a gentle sine around 100, `n` bars from 2020-01-01. */
export function fakePrices(n: number, stepMs = DAY): PriceSeries {
  const time: number[] = [];
  const open: number[] = [];
  const high: number[] = [];
  const low: number[] = [];
  const close: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = 100 + 10 * Math.sin(i / 20);
    time.push(START + i * stepMs);
    open.push(c - 0.5);
    high.push(c + 1);
    low.push(c - 1);
    close.push(c);
  }
  return { time, open, high, low, close };
}

export function trade(i: number, entryBar: number, exitBar: number, side: 'long' | 'short' = 'long'): TradeRecord {
  return {
    side,
    entryTime: new Date(START + entryBar * DAY).toISOString(),
    entryPrice: 100 + i,
    exitTime: new Date(START + exitBar * DAY).toISOString(),
    exitPrice: 101 + i,
    quantity: 10,
    pnl: i % 2 === 0 ? 9.5 : -4.25,
    returnPct: i % 2 === 0 ? 0.0095 : -0.00425,
    commission: 0.5,
    bars: exitBar - entryBar,
  };
}

export const METRICS: Metrics = {
  totalReturn: 0.1234,
  cagr: 0.0456,
  annualVolatility: 0.18,
  sharpe: 1.23456,
  sortino: null,
  maxDrawdown: -0.2534,
  maxDrawdownDurationDays: 120,
  maxDrawdownDurationBars: 84,
  calmar: 0.18,
  winRate: 0.5,
  profitFactor: 2.5,
  averageWin: 9.5,
  averageLoss: -4.25,
  exposureTime: 0.42,
  turnover: 3.1,
  trades: 3,
  periodsPerYear: 252,
  riskFreeRate: 0,
  startEquity: 100_000,
  endEquity: 112_340,
  denials: 0,
  breakerTrips: 0,
};

/** The risk block of a run where the gate never intervened. */
export const QUIET_RISK: RiskRecord = {
  config: null,
  finalState: 'ACTIVE',
  denialsTotal: 0,
  denialsByCheck: {},
  denials: [],
  breakerTrips: [],
  stateChanges: [],
  killSwitch: [],
  listLimit: 1000,
};

/** A small but complete result over `prices`, with the given trades, name and risk block. */
export function fakeResult(
  prices: PriceSeries,
  opts: { name?: string; instrument?: string; trades?: TradeRecord[]; fills?: FillRecord[]; risk?: RiskRecord } = {},
): BacktestResult {
  const time = prices.time.map((t) => new Date(t).toISOString());
  const equity = prices.close.map((c, i) => 100_000 + i * 10 + c);
  let peak = -Infinity;
  const drawdown = equity.map((e) => ((peak = Math.max(peak, e)), e / peak - 1));
  const trades = opts.trades ?? [trade(0, 5, 10), trade(1, 20, 30, 'short'), trade(2, 40, 45)];
  const risk = opts.risk ?? QUIET_RISK;
  return {
    keel: { version: '0.1.0', resultSchema: 1 },
    strategy: { name: opts.name ?? 'sma-cross', params: { fast: 10, slow: 30 } },
    instrument: { id: opts.instrument ?? 'ORCL.XNAS', priceTick: '0.01', lotSize: '1', quoteCurrency: 'USD' },
    data: { source: 'ORCL.csv', layout: 'yahoo', firstTime: time[0], lastTime: time[time.length - 1], warnings: 0 },
    config: { cash: 100_000 },
    initialCash: 100_000,
    finalEquity: 112_340,
    finalCash: 112_340,
    bars: prices.time.length,
    trades,
    openPositions: [],
    fills: opts.fills ?? [],
    orders: { submitted: 6, filled: 6, canceled: 0, rejected: 0, expired: 0, denied: risk.denialsTotal },
    equityCurve: { time, equity, drawdown },
    metrics: { ...METRICS, trades: trades.length, denials: risk.denialsTotal, breakerTrips: risk.breakerTrips.length },
    risk,
    ledger: { cash: '112340.00', equity: '112340.00', realizedPnl: '12340.00', commissions: '3.00' },
  };
}

/** The JSON payload embedded in a rendered report, parsed back. */
export function embeddedData(html: string): Record<string, unknown> {
  const m = /<script type="application\/json" id="keel-report-data">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'data script present');
  return JSON.parse(m[1]) as Record<string, unknown>;
}

const at = (day: number, hour = 0): string => new Date(START + day * DAY + hour * 3_600_000).toISOString();

/**
 * The risk block of an eventful run: `denials` refusals (price-collar then order-size, listed up to
 * `listLimit`), a daily-loss trip to REDUCING, a drawdown trip to HALTED, an operator resume whose reason
 * holds markup, and a kill switch that leaves trading HALTED.
 */
export function busyRisk(opts: { denials?: number; listLimit?: number } = {}): RiskRecord {
  const total = opts.denials ?? 12;
  const listLimit = opts.listLimit ?? 1000;
  const collar = Math.ceil(total * 0.8);
  const denials = Array.from({ length: Math.min(total, listLimit) }, (_, i) =>
    i < collar
      ? { time: at(10 + i), clientOrderId: `O-${i + 1}`, check: 'price-collar', reason: `price 112.40 is 6.1% from the last trade 105.90; collar 5%` }
      : { time: at(10 + i), clientOrderId: `O-${i + 1}`, check: 'order-size', reason: 'quantity 5000 exceeds max order size 1000' },
  );
  return {
    config: 'risk/<prod>.yaml',
    finalState: 'HALTED',
    denialsTotal: total,
    denialsByCheck: total - collar > 0 ? { 'price-collar': collar, 'order-size': total - collar } : { 'price-collar': total },
    denials,
    breakerTrips: [
      { time: at(40), breaker: 'daily-loss', reason: 'loss 2,310.00 USD is 2.3% of start-of-day equity; limit 2%', action: 'reduce' },
      { time: at(60), breaker: 'drawdown', reason: 'drawdown 12.4% from peak 104,220.00; limit 10%', action: 'halt' },
    ],
    stateChanges: [
      { time: at(40), from: 'ACTIVE', to: 'REDUCING', by: 'breaker daily-loss', reason: 'daily-loss: loss 2,310.00 USD is 2.3% of start-of-day equity; limit 2%' },
      { time: at(60), from: 'REDUCING', to: 'HALTED', by: 'breaker drawdown', reason: 'drawdown: drawdown 12.4% from peak 104,220.00; limit 10%' },
      { time: at(80), from: 'HALTED', to: 'ACTIVE', by: 'operator alice', reason: 'reviewed <script>alert(1)</script> & resumed' },
      { time: at(120, 14), from: 'ACTIVE', to: 'HALTED', by: 'kill switch (operator bob)', reason: 'venue feed frozen' },
    ],
    killSwitch: [
      { time: at(120, 14), by: 'operator bob', reason: 'venue feed frozen', canceled: 3, flattenOrders: 1, notFlattened: ['XYZ.XNAS: 0.4 below the minimum notional'] },
    ],
    listLimit,
  };
}
