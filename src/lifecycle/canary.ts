import { lotsToQuantity, moneyToNumber, type Instrument, type MarketEvent, type Money } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { ExecutionEngine } from '../execution/index.ts';
import { Portfolio } from '../portfolio/index.ts';
import { StrategyHost, type Strategy, type StrategyClass, type StrategyLog } from '../strategy/index.ts';
import { EngineContext, FillBooker, type Sizing } from '../backtest/index.ts';

/**
 * A candidate version trading for real with a fraction of the size: its orders go through the account's risk
 * gate, OMS, journal and venue under its own strategy id, and it keeps a sub-ledger of its own fills, so it
 * sees only its own position and its loss budget is measured on its own trades.
 */
export class CanaryRunner {
  readonly strategyId: string;
  readonly ledger: Portfolio;
  private readonly startEquity: number;
  private readonly host: StrategyHost;
  private readonly strategy: Strategy<any>;
  private readonly clock: Clock;
  private readonly log: StrategyLog;
  private context: EngineContext;
  private readonly instrument: Instrument;
  private readonly execution: ExecutionEngine;
  private started = false;

  constructor(o: {
    strategyId: string; strategyClass: StrategyClass; params: Readonly<Record<string, unknown>>; instrument: Instrument; clock: Clock;
    execution: ExecutionEngine; log: StrategyLog;
    /** The sub-ledger's cash: the fraction of the account's cash the canary may use. */
    cash: Money; sizing: Sizing; lastOrderSeq: number;
  }) {
    this.strategyId = o.strategyId;
    this.instrument = o.instrument;
    this.execution = o.execution;
    const instruments = new Map([[o.instrument.id, o.instrument]]);
    this.ledger = new Portfolio({ instruments: [o.instrument], initialCash: o.cash });
    this.startEquity = this.ledger.equity();
    const strategy = new o.strategyClass(o.params);
    this.strategy = strategy;
    this.clock = o.clock;
    this.log = o.log;
    this.context = new EngineContext({ clock: o.clock, log: o.log, instruments: [o.instrument], execution: o.execution, portfolio: this.ledger, sizing: o.sizing, lastOrderSeq: o.lastOrderSeq });
    strategy.attach(this.context, o.strategyId);
    const booker = new FillBooker({ portfolio: this.ledger, instruments, strategy, eventCounter: { events: 0 } });
    // Only the canary's own orders reach its sub-ledger and its callbacks.
    o.execution.addListener({ onOrderEvent: (e, order) => { if (this.started && order.request.strategyId === this.strategyId) booker.onOrderEvent(e, order); } });
    this.host = new StrategyHost(strategy, [o.instrument.id]);
  }

  onMarketEvent(e: MarketEvent): void {
    if (!this.started) { this.started = true; this.host.start(); }
    this.ledger.onMarketEvent(e);
    this.host.onMarketEvent(e);
  }

  /**
   * Full rollout: the candidate becomes the account's strategy: it sizes with the whole sizing rule on the
   * account's books and sees the account's position (what the previous version left included). Order
   * numbering continues.
   */
  goFull(account: Portfolio, sizing: Sizing): void {
    let last = 0;
    for (const order of this.execution.orders.all()) {
      const m = /-(\d+)$/.exec(order.request.clientOrderId);
      if (order.request.strategyId === this.strategyId && m) last = Math.max(last, Number(m[1]));
    }
    this.context = new EngineContext({ clock: this.clock, log: this.log, instruments: [this.instrument], execution: this.execution, portfolio: account, sizing, lastOrderSeq: last });
    this.strategy.attach(this.context, this.strategyId);
  }

  /** Loss since the canary started, in the account currency (negative: a gain). */
  loss(): number {
    return this.startEquity - this.ledger.equity();
  }

  lots(): number {
    return this.ledger.position(this.instrument.id).lots;
  }

  /**
   * Cancel the canary's working orders and, with `flatten`, close its position with a reduce-only market order,
   * capped at what the account holds on that side net of every exit already working there (the risk gate's own
   * books, which its reduce-only check reads); returns the order ids, or why the flatten order was refused.
   */
  wind(flatten: boolean): { canceled: string[]; flattenOrder: string | undefined; refused: string | undefined } {
    const ids: string[] = [];
    for (const order of [...this.execution.orders.openOrders()]) {
      if (order.request.strategyId === this.strategyId) { this.execution.cancel(order.request.clientOrderId); ids.push(order.request.clientOrderId); }
    }
    // Never more than the account holds on the same side: the live version may already have sold the canary's
    // shares (it sees the whole position), or have its exit working for all of them, and a flatten must not turn
    // the account short. Reduce-only as well.
    const own = this.lots();
    const side = own > 0 ? 'sell' : 'buy';
    const book = this.execution.risk.exposure.instruments.get(this.instrument.id)!;
    const available = Math.max(0, own > 0 ? book.lots - book.openSellLots : -book.lots - book.openBuyLots);
    const lots = Math.min(Math.abs(own), available);
    if (!flatten || lots === 0) return { canceled: ids, flattenOrder: undefined, refused: undefined };
    const id = this.context.submit(this.strategyId, { side, quantity: Number(lotsToQuantity(this.instrument, lots)), type: 'market', reduceOnly: true, tag: 'rollback' });
    // Pre-trade risk runs inside submit: a denial is known now, and the operator is told instead of "flattened".
    const sent = this.execution.orders.get(id);
    if (sent?.status === 'DENIED') return { canceled: ids, flattenOrder: undefined, refused: `${id} denied: ${sent.reason ?? 'by pre-trade risk'}` };
    return { canceled: ids, flattenOrder: id, refused: undefined };
  }

  stop(): void {
    if (this.started) this.host.stop();
    this.started = false;
  }

  /** Equity of the sub-ledger (for the view). */
  equity(): number {
    return this.ledger.equity();
  }

  realized(): number {
    return moneyToNumber(this.ledger.realizedPnl());
  }
}
