/**
 * One call that turns an equity curve and its closed trades into the `Metrics` block of a backtest result.
 * The conventions (simple returns, sample stdev, 365.25-day years, …) are spelled out in docs/metrics.md.
 */
import { KeelError } from '../../model/index.ts';
import type { PerformanceMetrics } from '../result.ts';
import { drawdownStats } from './drawdown.ts';
import { inferPeriodsPerYear } from './periods.ts';
import { annualVolatility, cagr, calmarRatio, finiteOrNull, sharpeRatio, sortinoRatio } from './ratios.ts';
import { returnStats } from './returns.ts';
import { tradeStats } from './trades.ts';

export interface MetricsInput {
  /** Epoch ms UTC, one per equity point, ascending. */
  readonly times: ArrayLike<number>;
  /** Account equity at each point; the first point is the starting equity and must be positive. */
  readonly equity: ArrayLike<number>;
  /** Closed round-trip trades, pnl net of fees. */
  readonly trades: ReadonlyArray<{ readonly pnl: number }>;
  /** Points with a non-zero position → exposureTime = exposedPoints / points; null if omitted. */
  readonly exposedPoints?: number;
  /** Sum of |fill notional| → turnover = tradedNotional / mean(equity); null if omitted. */
  readonly tradedNotional?: number;
  /** Annual risk-free rate as a fraction (0.02 = 2%); default 0. */
  readonly riskFreeRate?: number;
  /** Return periods per year; default inferred from `times` (see inferPeriodsPerYear). */
  readonly periodsPerYear?: number;
}

/**
 * Performance metrics of an equity curve and its trades. Undefined values are null, never NaN or Infinity.
 *
 * @example
 * const day = 86_400_000;
 * computeMetrics({ times: [0, day, 2 * day], equity: [100, 110, 99], trades: [{ pnl: -1 }] });
 * // { totalReturn: -0.01, maxDrawdown: -0.1, winRate: 0, … }
 */
export function computeMetrics(input: MetricsInput): PerformanceMetrics {
  const { times, equity } = input;
  checkCurve(times, equity);
  const riskFreeRate = input.riskFreeRate ?? 0;
  checkRiskFreeRate(riskFreeRate);
  const periodsPerYear = input.periodsPerYear ?? inferPeriodsPerYear(times);
  checkPeriodsPerYear(periodsPerYear);

  const last = equity.length - 1;
  const startEquity = equity[0];
  const endEquity = equity[last];
  const returns = returnStats(equity, riskFreeRate / periodsPerYear);
  const drawdown = drawdownStats(times, equity);
  const growth = cagr(startEquity, endEquity, times[0], times[last]);
  const trades = tradeStats(input.trades);

  return {
    totalReturn: endEquity / startEquity - 1,
    cagr: growth,
    annualVolatility: annualVolatility(returns, periodsPerYear),
    sharpe: sharpeRatio(returns, periodsPerYear),
    sortino: sortinoRatio(returns, periodsPerYear),
    maxDrawdown: drawdown.maxDrawdown,
    maxDrawdownDurationDays: drawdown.maxDurationDays,
    maxDrawdownDurationBars: drawdown.maxDurationBars,
    calmar: calmarRatio(growth, drawdown.maxDrawdown),
    winRate: trades.winRate,
    profitFactor: trades.profitFactor,
    averageWin: trades.averageWin,
    averageLoss: trades.averageLoss,
    exposureTime: input.exposedPoints === undefined ? null : input.exposedPoints / equity.length,
    turnover: input.tradedNotional === undefined ? null : turnover(input.tradedNotional, equity),
    trades: trades.trades,
    periodsPerYear,
    riskFreeRate,
    startEquity,
    endEquity,
  };
}

/** Traded notional per unit of average equity; null when average equity is not positive. */
function turnover(tradedNotional: number, equity: ArrayLike<number>): number | null {
  let sum = 0;
  for (let i = 0; i < equity.length; i++) sum += equity[i];
  const meanEquity = sum / equity.length;
  return meanEquity > 0 ? finiteOrNull(tradedNotional / meanEquity) : null;
}

/**
 * The curve comes from the engine or from a file the loader already validated, so a malformed one is a bug:
 * fail loudly with a plain Error instead of reporting numbers computed from garbage.
 */
function checkCurve(times: ArrayLike<number>, equity: ArrayLike<number>): void {
  if (times.length !== equity.length) {
    throw new Error(`metrics: ${times.length} times but ${equity.length} equity points`);
  }
  if (equity.length === 0) throw new Error('metrics: the equity curve has no points');
  if (!(equity[0] > 0)) throw new Error(`metrics: starting equity must be positive, got ${equity[0]}`);
  for (let i = 0; i < equity.length; i++) {
    if (!Number.isFinite(equity[i]) || !Number.isFinite(times[i])) {
      throw new Error(`metrics: point ${i} is not finite (time ${times[i]}, equity ${equity[i]})`);
    }
    if (i > 0 && times[i] < times[i - 1]) {
      throw new Error(`metrics: times are not ascending at point ${i} (${times[i - 1]} then ${times[i]})`);
    }
  }
}

/** These two arrive from the command line, so a bad value is the user's and gets a KeelError. */
function checkRiskFreeRate(rate: number): void {
  if (!Number.isFinite(rate) || rate <= -1) {
    throw new KeelError('BAD_RISK_FREE_RATE', 'must be an annual rate as a fraction above -1', {
      field: 'riskFreeRate',
      value: rate,
      hint: 'e.g. 0.02 for 2% a year',
    });
  }
}

function checkPeriodsPerYear(periodsPerYear: number): void {
  if (!Number.isFinite(periodsPerYear) || periodsPerYear <= 0) {
    throw new KeelError('BAD_PERIODS_PER_YEAR', 'must be a positive number', {
      field: 'periodsPerYear',
      value: periodsPerYear,
      hint: 'e.g. 252 for daily bars of a market closed at weekends, or omit it to infer from the timestamps',
    });
  }
}
