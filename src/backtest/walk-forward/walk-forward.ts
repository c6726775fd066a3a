import { moneyToNumber, type Money } from '../../model/index.ts';
import { resolveParams } from '../../strategy/index.ts';
import { engineModels } from '../engine-settings.ts';
import { computeMetrics } from '../metrics/index.ts';
import type { PerformanceMetrics } from '../result.ts';
import { runBacktest } from '../runner.ts';
import { probabilisticSharpe } from '../diagnostics/deflated-sharpe.ts';
import { returnMoments, simpleReturns, type ReturnMoments } from '../diagnostics/return-moments.ts';
import {
  diagnoseSweep, runSweep, type ParamPoint, type ParamSpace, type Search, type SweepDiagnostics, type TrialContext, type TrialExecutor, type TrialResult,
} from '../optimize/index.ts';
import { warmedUp } from './warm-up.ts';
import type { Window } from './windows.ts';

export interface WalkForwardOptions {
  /** The coordinator's context: strategy, events, settings, objective. */
  readonly ctx: TrialContext;
  readonly space: ParamSpace;
  /** A fresh search per window (same seed: each window's choice depends only on its own data). */
  readonly newSearch: () => Search;
  readonly executor: TrialExecutor;
  readonly windows: readonly Window[];
  /** Bars of the training tail fed before each test window without trading; undefined: the whole training window. */
  readonly warmUpBars?: number;
  readonly blocks: number;
  readonly onTrial?: (r: TrialResult, best: TrialResult | undefined) => void;
}

export interface WindowResult {
  readonly window: Window;
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly trials: number;
  /** The in-sample optimum traded in the test window; null when no trial had an objective. */
  readonly best: ParamPoint | null;
  readonly inSample: { readonly objective: number | null; readonly metrics: TrialResult['metrics'] };
  readonly outOfSample: { readonly objective: number | null; readonly metrics: PerformanceMetrics | null; readonly warmUpBars: number };
  /** OOS CAGR / IS CAGR (Pardo's walk-forward efficiency), null when either is missing or IS ≤ 0. */
  readonly efficiency: number | null;
  readonly diagnostics: SweepDiagnostics;
}

export interface WalkForwardResult {
  readonly windows: readonly WindowResult[];
  /** The stitched out-of-sample equity curve: each test window starts with the previous one's final equity. */
  readonly oos: { readonly times: Float64Array; readonly equity: Float64Array };
  readonly oosMetrics: PerformanceMetrics | null;
  readonly oosMoments: ReturnMoments | null;
  /** PSR(0) of the stitched OOS returns: P(true Sharpe > 0). No deflation: nothing was selected on them. */
  readonly oosProbabilisticSharpe: number | null;
  /** Stitched OOS CAGR / mean IS CAGR of the chosen trials. */
  readonly efficiency: number | null;
  readonly trialsRun: number;
}

const iso = (ts: number): string => new Date(ts).toISOString();

/**
 * Walk forward: on each training window run the search and keep its best parameters, then trade them on the
 * following test window, out of sample, after a warm-up on the training tail (indicators primed, no orders).
 * Each test window starts flat, with the equity the previous one ended with; open positions at a window's end
 * are valued at its last price. The OOS curve is the test windows stitched end to end.
 */
export async function runWalkForward(o: WalkForwardOptions): Promise<WalkForwardResult> {
  const { ctx } = o;
  const events = ctx.events;
  let cash = ctx.spec.settings.cash;
  const windows: WindowResult[] = [];
  const oosTimes: number[] = [];
  const oosEquity: number[] = [];
  const oosTrades: Array<{ pnl: number }> = [];
  let exposed = 0;
  let traded = 0;
  let trialsRun = 0;
  for (const w of o.windows) {
    const outcome = await runSweep({ search: o.newSearch(), executor: o.executor, range: { from: w.trainFrom, to: w.trainTo }, onResult: (r, _d, b) => o.onTrial?.(r, b) });
    trialsRun += outcome.trials.length;
    const diagnostics = diagnoseSweep(outcome, o.space, o.blocks);
    const best = outcome.best;
    let oos: WindowResult['outOfSample'] = { objective: null, metrics: null, warmUpBars: 0 };
    if (best) {
      const run = runTestWindow(ctx, best.params, w, o.warmUpBars, cash);
      oos = { objective: run.objective, metrics: run.metrics, warmUpBars: run.warmUpBars };
      for (let i = 0; i < run.times.length; i++) { oosTimes.push(run.times[i]); oosEquity.push(run.equity[i]); }
      oosTrades.push(...run.trades);
      exposed += run.exposedPoints;
      traded += run.tradedNotional;
      cash = run.endCash;
    }
    const isCagr = best?.metrics?.cagr ?? null;
    const oosCagr = oos.metrics?.cagr ?? null;
    windows.push({
      window: w, trainStart: iso(events[w.trainFrom].ts), trainEnd: iso(events[w.trainTo - 1].ts), testStart: iso(events[w.testFrom].ts), testEnd: iso(events[w.testTo - 1].ts),
      trials: outcome.trials.length, best: best ? best.params : null, inSample: { objective: best?.objective ?? null, metrics: best?.metrics ?? null }, outOfSample: oos,
      efficiency: isCagr !== null && oosCagr !== null && isCagr > 0 ? oosCagr / isCagr : null, diagnostics,
    });
  }
  const times = Float64Array.from(oosTimes);
  const equity = Float64Array.from(oosEquity);
  const oosMetrics = equity.length >= 2 ? computeMetrics({ times, equity, trades: oosTrades, exposedPoints: exposed, tradedNotional: traded, riskFreeRate: ctx.spec.settings.riskFreeRate }) : null;
  const oosMoments = oosMetrics ? returnMoments(simpleReturns(equity), ctx.spec.settings.riskFreeRate / oosMetrics.periodsPerYear) : null;
  const isCagrs = windows.map((w) => w.inSample.metrics?.cagr).filter((x): x is number => typeof x === 'number');
  const meanIs = isCagrs.length ? isCagrs.reduce((a, b) => a + b, 0) / isCagrs.length : null;
  return {
    windows, oos: { times, equity }, oosMetrics, oosMoments,
    oosProbabilisticSharpe: oosMoments ? finite(probabilisticSharpe({ sharpe: oosMoments.sharpe, benchmark: 0, observations: oosMoments.count, skewness: oosMoments.skewness, kurtosis: oosMoments.kurtosis })) : null,
    efficiency: oosMetrics?.cagr != null && meanIs !== null && meanIs > 0 ? oosMetrics.cagr / meanIs : null,
    trialsRun,
  };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

interface TestRun {
  readonly times: Float64Array;
  readonly equity: Float64Array;
  readonly metrics: PerformanceMetrics | null;
  readonly objective: number | null;
  readonly trades: Array<{ pnl: number }>;
  readonly exposedPoints: number;
  readonly tradedNotional: number;
  readonly endCash: string;
  readonly warmUpBars: number;
}

/**
 * Trade `params` on the test window, starting with `cash`, after feeding the training tail as warm-up.
 * Only the test bars count: the curve and the metrics start at the first test bar (the warm-up is flat at
 * `cash` by construction, since no order is sent during it).
 */
export function runTestWindow(ctx: TrialContext, params: ParamPoint, w: Window, warmUpBars: number | undefined, cash: string): TestRun {
  const warmFrom = warmUpBars === undefined ? w.trainFrom : Math.max(w.trainFrom, w.testFrom - warmUpBars);
  const events = ctx.events.slice(warmFrom, w.testTo);
  const tradeFrom = ctx.events[w.testFrom].ts;
  const resolved = resolveParams(ctx.cls.params, { ...ctx.spec.fixedParams, ...params }, ctx.strategyName);
  const models = engineModels({ ...ctx.spec.settings, cash }, ctx.risk);
  const run = runBacktest({
    strategyId: ctx.strategyId, strategyClass: warmedUp(ctx.cls, tradeFrom), params: resolved, instrument: ctx.instrument, events, ...models,
  });
  const skip = w.testFrom - warmFrom;
  const times = run.recorder.times.slice(skip, run.events);
  const equity = run.recorder.equity.slice(skip, run.events);
  const trades = run.booker.trips.closed.map((t) => ({ pnl: moneyToNumber(t.realized - t.fees) }));
  const metrics = equity.length >= 2
    ? computeMetrics({ times, equity, trades, exposedPoints: run.recorder.exposedPoints, tradedNotional: moneyToNumber(run.portfolio.turnoverNotional), riskFreeRate: ctx.spec.settings.riskFreeRate })
    : null;
  const objective = metrics ? ctx.objective(metrics, params) : null;
  return {
    times, equity, metrics, objective: objective !== null && Number.isFinite(objective) ? objective : null, trades,
    exposedPoints: run.recorder.exposedPoints, tradedNotional: moneyToNumber(run.portfolio.turnoverNotional),
    endCash: moneyText(run.portfolio.equityExact()), warmUpBars: skip,
  };
}

/** Exact money as the decimal string `--cash` takes (10^-12 units, trailing zeros trimmed). */
function moneyText(m: Money): string {
  const neg = m < 0n;
  const abs = neg ? -m : m;
  const whole = abs / 1_000_000_000_000n;
  const frac = (abs % 1_000_000_000_000n).toString().padStart(12, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}
