import type { Lots, PriceTicks } from './instrument.ts';
import type { Money } from './money.ts';

export type OrderSide = 'buy' | 'sell';
/** GTC: until canceled; DAY: until the end of the trading day it first could trade; IOC: fill what is possible
 * at once, cancel the rest; FOK: fill all at once or nothing. */
export type TimeInForce = 'GTC' | 'DAY' | 'IOC' | 'FOK';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit';

/** Lifecycle states; see DESIGN.md "Order lifecycle". */
export type OrderStatus =
  | 'INITIALIZED' | 'DENIED' | 'SUBMITTED' | 'ACCEPTED' | 'REJECTED' | 'PARTIALLY_FILLED' | 'FILLED'
  | 'CANCELED' | 'EXPIRED' | 'PENDING_CANCEL' | 'PENDING_UPDATE' | 'UNKNOWN';

/** States from which an order can no longer trade. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED']);

interface OrderCommon {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  /** Whole lots. For a notional market order it is 0 and the venue sizes the order at fill. */
  readonly quantity: Lots;
  readonly timeInForce: TimeInForce;
  /** Refuse (or trim) anything that would increase the position. */
  readonly reduceOnly: boolean;
  /** Simulated or wall time at which the strategy created the order. */
  readonly createdAt: number;
  /** Free text from the strategy, kept through fills ("entry", "stop-loss"). */
  readonly tag: string | undefined;
}

export interface MarketOrder extends OrderCommon {
  readonly type: 'market';
  /**
   * Cash to spend instead of a quantity (as Alpaca's `notional`): the venue buys as many whole lots as this
   * covers at the fill price, fees included. Buy side only.
   */
  readonly notional: Money | undefined;
}
export interface LimitOrder extends OrderCommon {
  readonly type: 'limit';
  readonly limitPrice: PriceTicks;
}
export interface StopOrder extends OrderCommon {
  readonly type: 'stop';
  readonly stopPrice: PriceTicks;
}
export interface StopLimitOrder extends OrderCommon {
  readonly type: 'stop_limit';
  readonly stopPrice: PriceTicks;
  readonly limitPrice: PriceTicks;
}

/** What a strategy asks for; immutable once created. */
export type OrderRequest = MarketOrder | LimitOrder | StopOrder | StopLimitOrder;

/** +1 for buys, -1 for sells. */
export function sideSign(side: OrderSide): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}
