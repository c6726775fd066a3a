import type { Instrument, Money } from '../model/index.ts';
import { Kernel, SimClock, firstTs, type Component, type MarketEventHandler, type MarketEventStream, type RunProgress } from '../kernel/index.ts';
import { RiskEngine, type RiskConfig, type TradingStateStore } from '../risk/index.ts';
import { ExecutionEngine } from '../execution/index.ts';
import { Portfolio } from '../portfolio/index.ts';
import { StrategyHost, type Strategy, type StrategyClass, type StrategyLog } from '../strategy/index.ts';
import { SimVenue, type FeeModel, type LatencyModel, type LimitFillRule, type SlippageModel } from '../venues/index.ts';
import { EngineContext } from './engine-context.ts';
import { EquityRecorder, FillBooker } from './recorder.ts';
import { RiskLog } from './risk-log.ts';
import type { Sizing } from './sizing.ts';

export interface BacktestSpec {
  readonly strategyId: string;
  readonly strategyClass: StrategyClass;
  /** Resolved parameters (see `resolveParams`). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly instrument: Instrument;
  /** Market events of the instrument, in time order: an array, or a series made on demand (loaded columns). */
  readonly events: MarketEventStream;
  readonly initialCash: Money;
  readonly sizing: Sizing;
  readonly fees?: FeeModel;
  readonly slippage?: SlippageModel;
  readonly latency?: LatencyModel;
  readonly participationRate?: number;
  readonly limitFill?: LimitFillRule;
  readonly progress?: RunProgress;
  readonly log?: StrategyLog;
  /** Risk limits (the `--risk` file); no limits beyond the structural checks when absent. */
  readonly risk?: RiskConfig;
  /** Where the trading state persists across runs (a control directory's state file; later the journal). */
  readonly stateStore?: TradingStateStore;
  /**
   * Called once the engine is assembled, before the first event; a returned handler (e.g. a control-channel
   * poller) sees every market event first, and its start() runs before the strategy's.
   */
  readonly onReady?: (run: { risk: RiskEngine; execution: ExecutionEngine }) => (MarketEventHandler & Component) | undefined;
}

/** Everything a finished run leaves behind; `buildResult` turns it into the JSON result. */
export interface BacktestRun {
  readonly spec: BacktestSpec;
  readonly strategy: Strategy<any>;
  readonly portfolio: Portfolio;
  readonly execution: ExecutionEngine;
  readonly booker: FillBooker;
  readonly recorder: EquityRecorder;
  readonly risk: RiskEngine;
  readonly riskLog: RiskLog;
  readonly events: number;
}

const quietLog: StrategyLog = { info() {}, warn() {} };

/**
 * Assemble the engine for backtest mode (SimClock, historical events, in-process sim venue) and run it.
 * The strategy, risk gate, OMS and portfolio are the same objects paper and live use.
 *
 * @example
 * const run = runBacktest({ strategyId: 'sma-cross', strategyClass: SmaCross, params: { fast: 10, slow: 30, short: false },
 *   instrument, events: bars, initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'all-in' } });
 */
export function runBacktest(spec: BacktestSpec): BacktestRun {
  const clock = new SimClock(firstTs(spec.events) ?? 0);
  const kernel = new Kernel(clock);
  const instruments = new Map([[spec.instrument.id, spec.instrument]]);
  const portfolio = new Portfolio({ instruments: [spec.instrument], initialCash: spec.initialCash });
  const fees = spec.fees;
  const risk = new RiskEngine({
    instruments: [spec.instrument], clock, config: spec.risk,
    account: { cash: () => portfolio.cash, equity: () => portfolio.equity() },
    estimateFee: fees ? (_id, value, lots) => fees.fee(spec.instrument, lots, value, 'taker') : undefined,
  });
  const riskLog = new RiskLog();
  risk.addListener(riskLog);
  if (spec.stateStore) risk.attachStateStore(spec.stateStore, 'control directory');
  const execution = new ExecutionEngine({ risk, clock, instruments });
  const venue = new SimVenue({
    instruments: [spec.instrument], clock, queue: kernel.queue, sink: execution, fees: spec.fees, slippage: spec.slippage,
    latency: spec.latency, participationRate: spec.participationRate, limitFill: spec.limitFill,
  });
  execution.connectVenue(venue);
  const strategy = new spec.strategyClass(spec.params);
  const context = new EngineContext({ clock, log: spec.log ?? quietLog, instruments: [spec.instrument], execution, portfolio, sizing: spec.sizing });
  strategy.attach(context, spec.strategyId);
  const recorder = new EquityRecorder(portfolio, spec.events.length);
  const booker = new FillBooker({ portfolio, instruments, strategy, eventCounter: recorder.counter, risk });
  execution.addListener(booker);
  execution.addListener(riskLog);
  const host = new StrategyHost(strategy, [spec.instrument.id]);
  // Order matters: the venue fills resting orders on the event first, then positions are marked, then the
  // risk layer takes the reference price and runs its breakers, then the strategy decides, then equity is
  // sampled.
  const control = spec.onReady?.({ risk, execution });
  if (control) {
    kernel.addHandler(control);
    kernel.addComponent(control);
  }
  kernel.addHandler(venue);
  kernel.addHandler(portfolio);
  kernel.addHandler(risk);
  kernel.addHandler(host);
  kernel.addHandler(recorder);
  kernel.addComponent(host);
  const events = kernel.run([spec.events], spec.progress);
  return { spec, strategy, portfolio, execution, booker, recorder, risk, riskLog, events };
}
