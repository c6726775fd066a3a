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

/** A limit or stop-limit order's limit price; undefined for types without one. */
export function limitPriceOf(o: OrderRequest): PriceTicks | undefined {
  return o.type === 'limit' || o.type === 'stop_limit' ? o.limitPrice : undefined;
}

/** A stop or stop-limit order's trigger price; undefined for types without one. */
export function stopPriceOf(o: OrderRequest): PriceTicks | undefined {
  return o.type === 'stop' || o.type === 'stop_limit' ? o.stopPrice : undefined;
}

/**
 * New terms for a working order (cancel/replace): each value given replaces the current one, the rest stay.
 * Type, side, instrument, time in force and the client order id never change: that would be another order
 * (cancel this one and submit it).
 */
export interface OrderChanges {
  /** The order's new total quantity, fills so far included (venues count a replace this way). */
  readonly quantity?: Lots;
  readonly limitPrice?: PriceTicks;
  readonly stopPrice?: PriceTicks;
}

export type Replacement =
  | { readonly ok: true; readonly order: OrderRequest }
  | { readonly ok: false; readonly reason: string };

const TYPE_NAMES: Readonly<Record<OrderType, string>> = { market: 'market', limit: 'limit', stop: 'stop', stop_limit: 'stop-limit' };

/**
 * The order with `changes` applied, or why they cannot apply to it: a price its type does not have, a
 * cash-sized order, or nothing that actually changes (a replace that changes nothing still costs a
 * message and, at most venues, the queue position). Values are not judged here: the risk gate checks the
 * replacement like any order.
 *
 * @example withChanges(limitBuy, { limitPrice: 10_050 as PriceTicks }) // { ok: true, order: { ...limitBuy, limitPrice: 10050 } }
 */
export function withChanges(order: OrderRequest, changes: OrderChanges): Replacement {
  const { quantity, limitPrice, stopPrice } = changes;
  const name = TYPE_NAMES[order.type];
  if (order.type === 'market' && order.notional !== undefined) {
    return { ok: false, reason: 'A cash-sized (notional) order cannot be modified; cancel it and submit a new one' };
  }
  if (limitPrice !== undefined && limitPriceOf(order) === undefined) {
    return { ok: false, reason: `A ${name} order has no limit price; cancel it and submit a ${order.type === 'stop' ? 'stop-limit' : 'limit'} order instead` };
  }
  if (stopPrice !== undefined && stopPriceOf(order) === undefined) {
    return { ok: false, reason: `A ${name} order has no stop price; cancel it and submit a ${order.type === 'limit' ? 'stop-limit' : 'stop'} order instead` };
  }
  let next: OrderRequest;
  switch (order.type) {
    case 'market': next = { ...order, quantity: quantity ?? order.quantity }; break;
    case 'limit': next = { ...order, quantity: quantity ?? order.quantity, limitPrice: limitPrice ?? order.limitPrice }; break;
    case 'stop': next = { ...order, quantity: quantity ?? order.quantity, stopPrice: stopPrice ?? order.stopPrice }; break;
    case 'stop_limit':
      next = { ...order, quantity: quantity ?? order.quantity, stopPrice: stopPrice ?? order.stopPrice, limitPrice: limitPrice ?? order.limitPrice };
      break;
  }
  if (next.quantity === order.quantity && limitPriceOf(next) === limitPriceOf(order) && stopPriceOf(next) === stopPriceOf(order)) {
    return { ok: false, reason: `The modification changes nothing: the ${name} order already has these terms` };
  }
  return { ok: true, order: next };
}
