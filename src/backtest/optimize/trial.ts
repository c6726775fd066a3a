import { basename, extname } from 'node:path';
import { KeelError, moneyToNumber, type Instrument, type MarketEvent } from '../../model/index.ts';
import { loadStrategy, resolveParams, type StrategyClass } from '../../strategy/index.ts';
import type { RiskConfig } from '../../risk/index.ts';
import { parseRiskConfig } from '../../risk/index.ts';
import { engineModels, instrumentOf, type EngineSettings, type InstrumentSettings } from '../engine-settings.ts';
import { computeMetrics } from '../metrics/index.ts';
import type { PerformanceMetrics } from '../result.ts';
import { runBacktest, type BacktestRun } from '../runner.ts';
import { blockMoments, type BlockMoments } from '../diagnostics/pbo.ts';
import { returnMoments, simpleReturns, type ReturnMoments } from '../diagnostics/return-moments.ts';
import { loadObjective, type ObjectiveFn, type ObjectiveSpec } from './objective.ts';
import type { ParamPoint, ParamValue } from './param-space.ts';

/**
 * What every trial of a sweep shares, as plain data: it goes to worker threads as `workerData` and to queue
 * workers through Redis, and each side rebuilds the same engine from it.
 */
export interface SweepSpec {
  /** A built-in name, or the absolute path of a strategy file, with the sha256 of its source. */
  readonly strategy: { readonly ref: string; readonly codeHash: string };
  readonly objective: ObjectiveSpec;
  /** Parameters given with `--params` and not swept. */
  readonly fixedParams: Readonly<Record<string, ParamValue>>;
  readonly instrument: InstrumentSettings;
  readonly settings: EngineSettings;
  /** S, the number of blocks each trial's returns are cut into for CSCV. */
  readonly blocks: number;
}

/** One trial: an id (its row in the table) and the swept parameters; `from`/`to` select events (walk-forward). */
export interface TrialTask {
  readonly id: number;
  readonly params: ParamPoint;
  readonly from?: number;
  readonly to?: number;
}

/** The figures of a trial that the table shows. */
export interface TrialMetrics {
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: number;
  readonly trades: number;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly exposureTime: number | null;
  readonly endEquity: number;
}

export interface TrialResult {
  readonly id: number;
  readonly params: ParamPoint;
  /** null when the objective is undefined for the trial, or the trial failed. */
  readonly objective: number | null;
  readonly metrics: TrialMetrics | null;
  /** Moments of the per-period returns (deflated Sharpe). */
  readonly moments: ReturnMoments | null;
  /** Per-block moments (CSCV). */
  readonly blocks: BlockMoments | null;
  /** Why the trial did not run (e.g. the strategy refused its parameters); null when it ran. */
  readonly error: string | null;
}

/** A sweep spec made ready to run: strategy class, objective function, events and parsed risk limits. */
export interface TrialContext {
  readonly spec: SweepSpec;
  readonly strategyName: string;
  readonly strategyId: string;
  readonly cls: StrategyClass;
  readonly objective: ObjectiveFn;
  readonly events: readonly MarketEvent[];
  readonly instrument: Instrument;
  readonly risk: RiskConfig | undefined;
}

/**
 * Build the context once per worker. A strategy file must be the same file the coordinator hashed; a queue
 * worker on another machine with a different copy refuses the sweep rather than run other code.
 */
export async function buildTrialContext(spec: SweepSpec, events: readonly MarketEvent[]): Promise<TrialContext> {
  const loaded = await loadStrategy(spec.strategy.ref);
  if (loaded.codeHash !== spec.strategy.codeHash) {
    throw new KeelError('STRATEGY_MISMATCH', 'differs from the coordinator\'s copy (sha256 mismatch)', { field: '--strategy', value: spec.strategy.ref, hint: 'every worker needs the same strategy file' });
  }
  const objective = await loadObjective(spec.objective);
  const risk = spec.settings.risk ? parseRiskConfig(spec.settings.risk.text, spec.settings.risk.path) : undefined;
  return {
    spec, strategyName: loaded.name, strategyId: loaded.file ? basename(loaded.file, extname(loaded.file)) : loaded.name,
    cls: loaded.cls, objective, events, instrument: instrumentOf(spec.instrument), risk,
  };
}

/** Run one trial's backtest through the full engine and keep its equity (for the report's curves). */
export function runTrialBacktest(ctx: TrialContext, params: ParamPoint, from?: number, to?: number): { run: BacktestRun; params: Record<string, number | boolean | string> } {
  const events = from === undefined && to === undefined ? ctx.events : ctx.events.slice(from ?? 0, to ?? ctx.events.length);
  const resolved = resolveParams(ctx.cls.params, { ...ctx.spec.fixedParams, ...params }, ctx.strategyName);
  const run = runBacktest({
    strategyId: ctx.strategyId, strategyClass: ctx.cls, params: resolved, instrument: ctx.instrument, events,
    ...engineModels(ctx.spec.settings, ctx.risk),
  });
  return { run, params: resolved };
}

/** The same performance figures `keel backtest` reports for a run (without building the JSON result). */
export function runMetrics(run: BacktestRun, riskFreeRate: number): PerformanceMetrics {
  const n = run.events;
  return computeMetrics({
    times: run.recorder.times.subarray(0, n), equity: run.recorder.equity.subarray(0, n),
    trades: run.booker.trips.closed.map((t) => ({ pnl: moneyToNumber(t.realized - t.fees) })),
    exposedPoints: run.recorder.exposedPoints, tradedNotional: moneyToNumber(run.portfolio.turnoverNotional), riskFreeRate,
  });
}

/**
 * Run one trial. Deterministic: the result depends only on the spec, the events and the task, never on
 * which thread or machine runs it. A trial that fails (a strategy refusing its parameters) reports why
 * instead of stopping the sweep.
 */
export function runTrial(ctx: TrialContext, task: TrialTask): TrialResult {
  try {
    const { run, params } = runTrialBacktest(ctx, task.params, task.from, task.to);
    if (run.events < 2) throw new KeelError('TOO_FEW_BARS', `the trial has ${run.events} bar(s)`, { field: '--data' });
    const metrics = runMetrics(run, ctx.spec.settings.riskFreeRate);
    const returns = simpleReturns(run.recorder.equity.subarray(0, run.events));
    const objective = ctx.objective(metrics, params as ParamPoint);
    return {
      id: task.id, params: task.params, objective: objective !== null && Number.isFinite(objective) ? objective : null,
      metrics: tableMetrics(metrics), moments: returnMoments(returns, ctx.spec.settings.riskFreeRate / metrics.periodsPerYear),
      blocks: blockMoments(returns, ctx.spec.blocks), error: null,
    };
  } catch (err) {
    const message = err instanceof KeelError ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { id: task.id, params: task.params, objective: null, metrics: null, moments: null, blocks: null, error: message };
  }
}

function tableMetrics(m: PerformanceMetrics): TrialMetrics {
  return {
    totalReturn: m.totalReturn, cagr: m.cagr, sharpe: m.sharpe, sortino: m.sortino, calmar: m.calmar, maxDrawdown: m.maxDrawdown,
    trades: m.trades, winRate: m.winRate, profitFactor: m.profitFactor, exposureTime: m.exposureTime, endEquity: m.endEquity,
  };
}
