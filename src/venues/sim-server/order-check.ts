import type { OrderRequest } from '../../model/index.ts';

const SIDES = new Set(['buy', 'sell']);
const TYPES = new Set(['market', 'limit', 'stop', 'stop_limit']);
const TIFS = new Set(['GTC', 'DAY', 'IOC', 'FOK']);

const isInt = (x: unknown, min: number): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;

/**
 * Why an order that came over the wire cannot be an order, or undefined when it can. The venue trusts the
 * engine's risk gate for limits, but a malformed message must be refused with a reason, not crash the venue
 * or poison its books.
 */
export function orderProblem(x: unknown): string | undefined {
  if (x === null || typeof x !== 'object') return 'order is not an object';
  const o = x as Record<string, unknown>;
  if (typeof o.clientOrderId !== 'string' || o.clientOrderId === '') return 'clientOrderId must be a non-empty string';
  if (typeof o.strategyId !== 'string') return 'strategyId must be a string';
  if (typeof o.instrumentId !== 'string') return 'instrumentId must be a string';
  if (!SIDES.has(o.side as string)) return `side must be buy or sell, not ${String(o.side)}`;
  if (!TYPES.has(o.type as string)) return `type must be market, limit, stop or stop_limit, not ${String(o.type)}`;
  if (!TIFS.has(o.timeInForce as string)) return `timeInForce must be GTC, DAY, IOC or FOK, not ${String(o.timeInForce)}`;
  const cashSized = o.type === 'market' && typeof o.notional === 'bigint';
  if (cashSized ? !((o.notional as bigint) > 0n) || o.side !== 'buy' : !isInt(o.quantity, 1)) {
    return cashSized ? 'notional must be a positive amount on a buy' : 'quantity must be a whole number of lots ≥ 1';
  }
  if ((o.type === 'limit' || o.type === 'stop_limit') && !isInt(o.limitPrice, 1)) return 'limitPrice must be a whole number of ticks ≥ 1';
  if ((o.type === 'stop' || o.type === 'stop_limit') && !isInt(o.stopPrice, 1)) return 'stopPrice must be a whole number of ticks ≥ 1';
  return undefined;
}

/** The wire form with its optional fields restored (JSON drops `undefined`). */
export function asOrder(x: unknown): OrderRequest {
  const o = x as OrderRequest;
  return o.type === 'market'
    ? { ...o, notional: o.notional, reduceOnly: o.reduceOnly === true, tag: o.tag }
    : { ...o, reduceOnly: o.reduceOnly === true, tag: o.tag };
}
