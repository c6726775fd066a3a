import { KeelError, limitPriceOf, stopPriceOf, type OrderRequest } from '../../model/index.ts';
import { formatLots, formatTicks } from '../alpaca/index.ts';
import { FIX_ORDER_TYPES, FIX_TIME_IN_FORCE, type FixSymbol } from './config.ts';
import { fixTime, type FixField } from './wire.ts';

/**
 * Keel orders → FIX application messages (NewOrderSingle D, OrderCancelRequest F, OrderCancelReplaceRequest G,
 * OrderStatusRequest H). The same body serves 4.2 and 4.4: the fields used here mean the same in both
 * (4.2's HandlInst 21 is required there and accepted by 4.4 counterparties).
 */

/** Side (54): 1 buy, 2 sell. */
const SIDE = { buy: '1', sell: '2' } as const;

/** The order's terms in FIX fields (Symbol, Side, OrderQty, OrdType, prices, TimeInForce). */
function terms(o: OrderRequest, s: FixSymbol): FixField[] {
  if (o.type === 'market' && o.notional !== undefined) {
    throw new KeelError('UNSUPPORTED_ORDER', 'a FIX NewOrderSingle is sized in quantity, not cash', { field: 'order.notional', value: o.clientOrderId });
  }
  const f: FixField[] = [[55, s.symbol], [54, SIDE[o.side]], [38, formatLots(s.instrument, o.quantity)], [40, FIX_ORDER_TYPES[o.type]]];
  const limit = limitPriceOf(o);
  const stop = stopPriceOf(o);
  if (limit !== undefined) f.push([44, formatTicks(s.instrument, limit, 'limitPrice')]);
  if (stop !== undefined) f.push([99, formatTicks(s.instrument, stop, 'stopPrice')]);
  f.push([59, FIX_TIME_IN_FORCE[o.timeInForce]]);
  return f;
}

/**
 * NewOrderSingle: ClOrdID (11) is Keel's client order id, so a resend or a restart can never make a second order.
 *
 * @example newOrderSingle(order, orcl, undefined, Date.now()) // [[11, 'sma-1'], [21, '1'], [55, 'ORCL'], ...]
 */
export function newOrderSingle(o: OrderRequest, s: FixSymbol, account: string | undefined, now: number): FixField[] {
  const f: FixField[] = [[11, o.clientOrderId]];
  if (account !== undefined) f.push([1, account]);
  f.push([21, '1'], ...terms(o, s), [60, fixTime(now)]);
  return f;
}

/** OrderCancelRequest: a new ClOrdID for the request, OrigClOrdID the order's current one. */
export function cancelRequest(o: OrderRequest, s: FixSymbol, origFixId: string, fixId: string, account: string | undefined, now: number): FixField[] {
  const f: FixField[] = [[41, origFixId], [11, fixId]];
  if (account !== undefined) f.push([1, account]);
  f.push([55, s.symbol], [54, SIDE[o.side]], [38, formatLots(s.instrument, o.quantity)], [60, fixTime(now)]);
  return f;
}

/** OrderCancelReplaceRequest: the new terms in full (OrderQty is the new total, fills included, as Keel counts). */
export function replaceRequest(next: OrderRequest, s: FixSymbol, origFixId: string, fixId: string, account: string | undefined, now: number): FixField[] {
  const f: FixField[] = [[41, origFixId], [11, fixId]];
  if (account !== undefined) f.push([1, account]);
  f.push([21, '1'], ...terms(next, s), [60, fixTime(now)]);
  return f;
}

/** OrderStatusRequest for reconciliation: by the order's current ClOrdID. */
export function statusRequest(o: OrderRequest, s: FixSymbol, fixId: string): FixField[] {
  return [[11, fixId], [55, s.symbol], [54, SIDE[o.side]]];
}

/** Side (54) → Keel. */
export function sideOf(code: string | undefined): 'buy' | 'sell' | undefined {
  return code === '1' ? 'buy' : code === '2' || code === '5' || code === '6' ? 'sell' : undefined;
}
