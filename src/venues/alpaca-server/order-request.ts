import type { Instrument, Money, OrderSide } from '../../model/index.ts';
import { parseNotional, parsePrice, parseQty } from './amounts.ts';
import { badRequest, unprocessable } from './api-error.ts';
import type { AlpacaOrderType, AlpacaTimeInForce } from './order-record.ts';

/** A POST /v2/orders body, checked and converted to the instrument's grid. */
export interface NewOrder {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: AlpacaOrderType;
  readonly timeInForce: AlpacaTimeInForce;
  readonly qtyLots: number | undefined;
  readonly notional: Money | undefined;
  readonly limitTicks: number | undefined;
  readonly stopTicks: number | undefined;
  readonly clientOrderId: string | undefined;
  readonly extendedHours: boolean;
}

/** A PATCH /v2/orders/{id} body: the terms to change. */
export interface OrderPatch {
  readonly qtyLots: number | undefined;
  readonly limitTicks: number | undefined;
  readonly stopTicks: number | undefined;
  readonly timeInForce: AlpacaTimeInForce | undefined;
  readonly clientOrderId: string | undefined;
}

const TYPES = new Set<string>(['market', 'limit', 'stop', 'stop_limit']);
const TIFS = new Set<string>(['day', 'gtc', 'ioc', 'fok']);
/** Alpaca's limit on client order ids. */
const MAX_CLIENT_ORDER_ID = 48;

function body(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('request body must be a JSON object');
  return raw as Record<string, unknown>;
}

/** Alpaca takes a crypto pair with or without its slash (`BTC/USD`, `BTCUSD`). */
export const sameSymbol = (a: string, b: string): boolean => a.toUpperCase().replace('/', '') === b.toUpperCase().replace('/', '');

const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function clientOrderId(v: unknown): string | undefined {
  if (!given(v)) return undefined;
  if (typeof v !== 'string') throw unprocessable('client_order_id must be a string');
  if (v.length > MAX_CLIENT_ORDER_ID) throw unprocessable(`client_order_id must be no more than ${MAX_CLIENT_ORDER_ID} characters`);
  return v;
}

function timeInForce(v: unknown): AlpacaTimeInForce {
  const s = String(v ?? '').toLowerCase();
  if (s === 'opg' || s === 'cls') throw unprocessable(`time_in_force ${s} is not supported by this venue`);
  if (!TIFS.has(s)) throw unprocessable('invalid time_in_force');
  return s as AlpacaTimeInForce;
}

/**
 * Check a POST /v2/orders body against the instrument (`symbol` must be the venue's one, quantities on the lot
 * grid, prices on the tick grid). Fields Keel does not model (extended_hours, order_class "simple",
 * position_intent, …) are accepted and ignored; ones that would change what trades (brackets, trailing stops)
 * are refused rather than ignored.
 *
 * @example parseNewOrder({ symbol: 'ORCL', qty: '10', side: 'buy', type: 'limit', time_in_force: 'gtc', limit_price: '2.5' }, orcl, 'ORCL')
 */
export function parseNewOrder(raw: unknown, inst: Instrument, symbol: string): NewOrder {
  const b = body(raw);
  if (!given(b.symbol)) throw unprocessable('symbol is required');
  if (sameSymbol(String(b.symbol), symbol) === false) throw unprocessable(`asset "${String(b.symbol)}" not found`);
  const side = String(b.side ?? '');
  if (side !== 'buy' && side !== 'sell') throw unprocessable('invalid side');
  const type = String(b.type ?? '');
  if (type === 'trailing_stop') throw unprocessable('trailing_stop orders are not supported by this venue');
  if (!TYPES.has(type)) throw unprocessable('invalid order type');
  if (given(b.order_class) && b.order_class !== 'simple') throw unprocessable(`order_class ${String(b.order_class)} is not supported by this venue`);
  const tif = timeInForce(b.time_in_force);
  if (given(b.qty) === given(b.notional)) throw unprocessable('qty or notional is required, not both');
  let notional: Money | undefined;
  if (given(b.notional)) {
    if (type !== 'market') throw unprocessable('notional orders must be market orders');
    if (side !== 'buy') throw unprocessable('notional orders must be buy orders on this venue');
    notional = parseNotional(b.notional, 'notional');
  }
  const needsLimit = type === 'limit' || type === 'stop_limit';
  const needsStop = type === 'stop' || type === 'stop_limit';
  if (needsLimit && !given(b.limit_price)) throw unprocessable('limit_price is required');
  if (needsStop && !given(b.stop_price)) throw unprocessable('stop_price is required');
  if (!needsLimit && given(b.limit_price)) throw unprocessable(`limit_price is not allowed for a ${type} order`);
  if (!needsStop && given(b.stop_price)) throw unprocessable(`stop_price is not allowed for a ${type} order`);
  return {
    symbol, side, type: type as AlpacaOrderType, timeInForce: tif,
    qtyLots: notional === undefined ? parseQty(inst, b.qty, 'qty') : undefined,
    notional,
    limitTicks: needsLimit ? parsePrice(inst, b.limit_price, 'limit_price') : undefined,
    stopTicks: needsStop ? parsePrice(inst, b.stop_price, 'stop_price') : undefined,
    clientOrderId: clientOrderId(b.client_order_id),
    extendedHours: b.extended_hours === true,
  };
}

/**
 * Check a PATCH /v2/orders/{id} body (which terms apply to which order type is checked against the order).
 *
 * @example parseOrderPatch({ limit_price: '2.6' }, orcl) // { limitTicks: 2600000, … }
 */
export function parseOrderPatch(raw: unknown, inst: Instrument): OrderPatch {
  const b = body(raw);
  if (given(b.trail)) throw unprocessable('trail is not supported by this venue');
  return {
    qtyLots: given(b.qty) ? parseQty(inst, b.qty, 'qty') : undefined,
    limitTicks: given(b.limit_price) ? parsePrice(inst, b.limit_price, 'limit_price') : undefined,
    stopTicks: given(b.stop_price) ? parsePrice(inst, b.stop_price, 'stop_price') : undefined,
    timeInForce: given(b.time_in_force) ? timeInForce(b.time_in_force) : undefined,
    clientOrderId: clientOrderId(b.client_order_id),
  };
}
