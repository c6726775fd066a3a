import type { Instrument, MarketEvent, Money, OrderEvent } from '../model/index.ts';
import { EventQueue, type Clock } from '../kernel/index.ts';
import { RiskEngine, type RiskConfig } from '../risk/index.ts';
import { ExecutionEngine, type ManagedOrder } from '../execution/index.ts';
import { Portfolio } from '../portfolio/index.ts';
import { StrategyHost, type StrategyClass, type StrategyLog } from '../strategy/index.ts';
import { EngineContext, FillBooker, type Sizing } from '../backtest/index.ts';
import { SimVenue, latencyModel, type FeeModel } from '../venues/index.ts';

export interface ShadowBookOptions {
  readonly strategyId: string;
  readonly strategyClass: StrategyClass;
  readonly params: Readonly<Record<string, unknown>>;
  readonly instrument: Instrument;
  /** The live engine's clock: the shadow decides at the same moments as the live version. */
  readonly clock: Clock;
  readonly initialCash: Money;
  readonly sizing: Sizing;
  readonly fees?: FeeModel;
  readonly risk?: RiskConfig;
  readonly log: StrategyLog;
  /** Every order event of the shadow, to journal (as `shadow.order`, never as an order of the account). */
  readonly record: (event: OrderEvent, order: ManagedOrder) => void;
}

/**
 * A candidate strategy version running beside the live one on the same market data, in a book of its own:
 * its own risk gate (the same limits), OMS and portfolio, and the simulated venue's fill model
 * (docs/fills.md) in place of a venue. Nothing it does can reach the account's venue: its execution engine is
 * connected to the in-process SimVenue only.
 */
export class ShadowBook {
  readonly portfolio: Portfolio;
  readonly execution: ExecutionEngine;
  private readonly queue = new EventQueue();
  private readonly venue: SimVenue;
  private readonly risk: RiskEngine;
  private readonly host: StrategyHost;
  private readonly booker: FillBooker;
  private started = false;

  constructor(o: ShadowBookOptions) {
    const instruments = new Map([[o.instrument.id, o.instrument]]);
    this.portfolio = new Portfolio({ instruments: [o.instrument], initialCash: o.initialCash });
    const portfolio = this.portfolio;
    const fees = o.fees;
    this.risk = new RiskEngine({
      instruments: [o.instrument], clock: o.clock, config: o.risk,
      account: { cash: () => portfolio.cash, equity: () => portfolio.equity() },
      estimateFee: fees ? (_id, value, lots) => fees.fee(o.instrument, lots, value, 'taker') : undefined,
    });
    this.execution = new ExecutionEngine({ risk: this.risk, clock: o.clock, instruments });
    this.venue = new SimVenue({ name: 'shadow-sim', instruments: [o.instrument], clock: o.clock, queue: this.queue, sink: this.execution, fees: o.fees, latency: latencyModel(0) });
    this.execution.connectVenue(this.venue);
    const strategy = new o.strategyClass(o.params);
    strategy.attach(new EngineContext({ clock: o.clock, log: o.log, instruments: [o.instrument], execution: this.execution, portfolio, sizing: o.sizing }), o.strategyId);
    this.booker = new FillBooker({ portfolio, instruments, strategy, eventCounter: { events: 0 }, risk: this.risk });
    this.execution.addListener(this.booker);
    this.execution.addListener({ onOrderEvent: (e, order) => o.record(e, order) });
    this.host = new StrategyHost(strategy, [o.instrument.id]);
  }

  /** The live engine's market event: fill what rests in the simulation, mark, then let the shadow decide. */
  onMarketEvent(e: MarketEvent): void {
    if (!this.started) { this.started = true; this.host.start(); }
    this.venue.onMarketEvent(e);
    this.drain();
    this.portfolio.onMarketEvent(e);
    this.risk.onMarketEvent(e);
    this.host.onMarketEvent(e);
    this.drain(); // zero latency: what it sent arrives at the simulated venue now
  }

  /** Signed lots the shadow holds in its simulated book. */
  lots(instrumentId: string): number {
    return this.portfolio.position(instrumentId).lots;
  }

  stop(): void {
    if (this.started) this.host.stop();
    this.started = false;
  }

  private drain(): void {
    while (this.queue.size > 0) this.queue.dispatchNext();
  }
}
