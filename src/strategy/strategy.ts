import { KeelError, type Bar, type Instrument, type MarketEvent, type Quote, type TradeTick } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { ParamSchema } from './params.ts';
import type { FillView, ModifySpec, OrderSpec, OrderView, PortfolioView, PositionView, StrategyLog, TradingContext, TradingStateView } from './context.ts';

/**
 * Base class for every strategy. The same subclass runs in backtest, paper and live: it only sees market
 * callbacks and the context's services. Orders go through the risk gate; `submit` returns the client order
 * id immediately and the outcome arrives later in `onOrderUpdate` / `onFill`.
 *
 * @example
 * export default class BuyDips extends Strategy<{ drop: number }> {
 *   static override params = { drop: param.number(0.05) };
 *   override onBar(bar: Bar) { if (this.isFlat() && bar.close < bar.open * (1 - this.params.drop)) this.enterLong(); }
 * }
 */
export abstract class Strategy<P extends object = Record<string, unknown>> {
  /** Parameter schema; `--params` is parsed against it. */
  static params: ParamSchema = {};
  /** One line shown by `keel strategies`. */
  static description = '';

  readonly params: P;
  private ctx: TradingContext | undefined;
  private strategyId = '';

  constructor(params: P) {
    this.params = params;
  }

  /** Called once by the engine before the first event. */
  attach(ctx: TradingContext, strategyId: string): void {
    this.ctx = ctx;
    this.strategyId = strategyId;
  }

  get id(): string {
    return this.strategyId;
  }

  protected get context(): TradingContext {
    if (!this.ctx) throw new Error('strategy used before the engine attached it');
    return this.ctx;
  }

  get clock(): Clock {
    return this.context.clock;
  }

  get log(): StrategyLog {
    return this.context.log;
  }

  /** The first (primary) instrument of the run. */
  get instrument(): Instrument {
    const first = this.context.instruments[0];
    if (!first) throw new KeelError('NO_INSTRUMENT', 'the run has no instrument');
    return first;
  }

  // ---- orders -------------------------------------------------------------------------------------------

  /** Submit an order; returns its client order id. */
  submit(spec: OrderSpec): string {
    return this.context.submit(this.strategyId, spec);
  }

  /** Market (or limit, with `limitPrice`) buy of `quantity` units. */
  buy(quantity: number, opts: Omit<OrderSpec, 'side' | 'quantity'> = {}): string {
    return this.submit({ ...opts, side: 'buy', quantity });
  }

  sell(quantity: number, opts: Omit<OrderSpec, 'side' | 'quantity'> = {}): string {
    return this.submit({ ...opts, side: 'sell', quantity });
  }

  /** Open a long position sized by the run's sizing rule (`--sizing`). */
  enterLong(opts: Omit<OrderSpec, 'side' | 'quantity' | 'notional'> = {}): string {
    const id = opts.instrumentId ?? this.instrument.id;
    return this.submit({ tag: 'entry', ...opts, side: 'buy', ...this.context.entrySize(id, 'buy') });
  }

  /** Open a short position sized by the run's sizing rule. */
  enterShort(opts: Omit<OrderSpec, 'side' | 'quantity' | 'notional'> = {}): string {
    const id = opts.instrumentId ?? this.instrument.id;
    return this.submit({ tag: 'entry', ...opts, side: 'sell', ...this.context.entrySize(id, 'sell') });
  }

  /** Close the whole position in an instrument with a reduce-only market order; no-op when flat. */
  exitPosition(instrumentId: string = this.instrument.id, tag = 'exit'): string | undefined {
    const q = this.context.position(instrumentId).quantity;
    if (q === 0) return undefined;
    return this.submit({ instrumentId, side: q > 0 ? 'sell' : 'buy', quantity: Math.abs(q), reduceOnly: true, tag });
  }

  cancel(clientOrderId: string): void {
    this.context.cancel(clientOrderId);
  }

  /**
   * Change a working order's quantity (its new total, fills included) and/or limit and stop prices; type,
   * side and instrument stay. The risk gate checks the new terms like an order: a refusal shows in
   * `onOrderUpdate` as `modifyReason`, with the order still working as before. Otherwise the order is
   * PENDING_UPDATE until the venue applies the terms (it may still fill at the old ones meanwhile) or refuses
   * them (too late, or not above what already filled). The order loses its place in the venue's queue.
   *
   * @example
   * override onBar(bar: Bar) {
   *   for (const o of this.openOrders()) if (o.status === 'ACCEPTED' && o.type === 'limit') this.modify(o.clientOrderId, { limitPrice: bar.close * 0.99 });
   * }
   */
  modify(clientOrderId: string, changes: ModifySpec): void {
    this.context.modify(clientOrderId, changes);
  }

  /** Cancel this strategy's working orders (in one instrument, or all). */
  cancelAll(instrumentId?: string): void {
    for (const o of this.context.openOrders(this.strategyId, instrumentId)) this.context.cancel(o.clientOrderId);
  }

  openOrders(instrumentId?: string): readonly OrderView[] {
    return this.context.openOrders(this.strategyId, instrumentId);
  }

  // ---- state --------------------------------------------------------------------------------------------

  position(instrumentId: string = this.instrument.id): PositionView {
    return this.context.position(instrumentId);
  }

  get portfolio(): PortfolioView {
    return this.context.portfolio();
  }

  /** ACTIVE, REDUCING (the risk layer accepts only exits) or HALTED (nothing but cancels), with the reason. */
  get tradingState(): TradingStateView {
    return this.context.tradingState();
  }

  /**
   * Stop everything: cancel every working order of every strategy, flatten all positions when asked (or
   * when the risk config says so), and stay HALTED until an operator re-arms. For a strategy that detects
   * its own malfunction; the same switch an operator pulls with `keel kill`.
   */
  killSwitch(reason: string, opts: { flatten?: boolean } = {}): void {
    this.context.killSwitch(this.id, reason, opts.flatten);
  }

  isFlat(instrumentId?: string): boolean {
    return this.position(instrumentId).quantity === 0;
  }

  isLong(instrumentId?: string): boolean {
    return this.position(instrumentId).quantity > 0;
  }

  isShort(instrumentId?: string): boolean {
    return this.position(instrumentId).quantity < 0;
  }

  /** True while an order of this strategy is working or in flight (avoids doubling an entry). */
  hasOpenOrders(instrumentId?: string): boolean {
    return this.context.openOrders(this.strategyId, instrumentId).length > 0;
  }

  // ---- callbacks (override what you need) ----------------------------------------------------------------

  onStart(): void {}

  /**
   * By default bars, trades and quotes all feed `onPrice` (bar close, trade price, quote mid), so a strategy
   * that only needs "the latest price" runs unchanged on any kind of data. Override these for more.
   */
  onBar(bar: Bar): void {
    this.onPrice(bar.close, bar);
  }

  onQuote(quote: Quote): void {
    this.onPrice((quote.bid + quote.ask) / 2, quote);
  }

  onTrade(trade: TradeTick): void {
    this.onPrice(trade.price, trade);
  }

  /** The latest price from any market event (see `onBar`). */
  onPrice(_price: number, _event: MarketEvent): void {}
  onOrderUpdate(_order: OrderView): void {}
  onFill(_fill: FillView): void {}
  onStop(): void {}
}

/** A strategy class as the registry and loader see it. */
export interface StrategyClass {
  new (params: any): Strategy<any>;
  params: ParamSchema;
  description: string;
  readonly name: string;
}
