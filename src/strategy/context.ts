import type { Bar, Instrument, OrderSide, OrderStatus, OrderType, Quote, TimeInForce, TradeTick } from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';

/** What a strategy asks for, in plain prices and quantities; the engine puts it on the instrument's grid. */
export interface OrderSpec {
  readonly side: OrderSide;
  /** Quantity in instrument units (shares, coins). Give this or `notional`. */
  readonly quantity?: number;
  /** Cash to spend on a market buy; the venue buys as many whole lots as it covers, fees included. */
  readonly notional?: number;
  readonly type?: OrderType;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly timeInForce?: TimeInForce;
  readonly reduceOnly?: boolean;
  readonly tag?: string;
  /** Defaults to the strategy's first instrument. */
  readonly instrumentId?: string;
}

/**
 * New terms for a working order, in plain prices and quantities; what is not given stays. `quantity` is the
 * order's new total, fills so far included (an order of 10 with 4 filled, modified to 6, has 2 left).
 */
export interface ModifySpec {
  readonly quantity?: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
}

export interface PositionView {
  readonly instrumentId: string;
  /** Signed: positive long, negative short, 0 flat. */
  readonly quantity: number;
  readonly averagePrice: number;
  readonly lastPrice: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
}

export interface PortfolioView {
  readonly cash: number;
  readonly equity: number;
}

export interface OrderView {
  readonly clientOrderId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly status: OrderStatus;
  /** Terms in force: as submitted, or as last modified at the venue (while PENDING_UPDATE, still the old ones). */
  readonly quantity: number;
  readonly limitPrice: number | undefined;
  readonly stopPrice: number | undefined;
  readonly filledQuantity: number;
  readonly averageFillPrice: number;
  readonly tag: string | undefined;
  /** Why the order was denied, rejected or canceled. */
  readonly reason: string | undefined;
  /** Why the last modification was refused, by the risk gate or the venue (the old terms stand). */
  readonly modifyReason: string | undefined;
}

export interface FillView {
  readonly clientOrderId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  readonly ts: number;
  readonly tag: string | undefined;
}

/** How the run sizes an entry (`--sizing`): a fixed quantity, or cash to spend (all-in). */
export type EntrySize = { readonly quantity: number } | { readonly notional: number };

export interface StrategyLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * The engine services a strategy talks to. The run's assembly implements it over the risk gate, the OMS and
 * the portfolio; the strategy never sees which mode it runs in.
 */
export interface TradingContext {
  readonly clock: Clock;
  readonly log: StrategyLog;
  readonly instruments: readonly Instrument[];
  submit(strategyId: string, spec: OrderSpec): string;
  cancel(clientOrderId: string): void;
  /** Cancel/replace a working order's quantity and/or prices; the outcome arrives as order updates. */
  modify(clientOrderId: string, changes: ModifySpec): void;
  openOrders(strategyId: string, instrumentId?: string): readonly OrderView[];
  position(instrumentId: string): PositionView;
  portfolio(): PortfolioView;
  /** The run's entry sizing rule applied to the current state. */
  entrySize(instrumentId: string, side: OrderSide): EntrySize;
  /** The risk layer's trading state and why (ACTIVE, REDUCING: exits only, HALTED: nothing but cancels). */
  tradingState(): TradingStateView;
  /** Pull the kill switch: cancel every order, optionally flatten, HALTED until an operator re-arms. */
  killSwitch(strategyId: string, reason: string, flatten?: boolean): void;
}

export interface TradingStateView {
  readonly state: 'ACTIVE' | 'REDUCING' | 'HALTED';
  readonly reason: string;
}

/** Market callbacks a host dispatches; split out so the host stays generic. */
export interface MarketCallbacks {
  onBar(bar: Bar): void;
  onQuote(quote: Quote): void;
  onTrade(trade: TradeTick): void;
}
