import {
  KeelError, formatPrice, formatQuantity, formatScaled, parseScaled, MONEY_DECIMALS, currencyDecimals, pow10n,
  type Fill, type Instrument, type Lots, type Money, type OrderRequest, type OrderStatus, type PriceTicks, type TimeInForce,
} from '../../model/index.ts';
import type { AlpacaFillActivity, AlpacaOrder, AlpacaOrderBody, AlpacaReplaceBody, AlpacaTradeUpdate } from './wire.ts';

/**
 * Keel ↔ Alpaca, exactly. Keel holds prices as ticks and quantities as lots of an instrument; Alpaca speaks
 * decimal strings. Conversions go through integers (`model/decimal.ts`), never floats, and anything that does
 * not sit on the instrument's grid is a KeelError naming the field and the value: a limit price of 10.005 on a
 * 0.01 grid is not "about 10.01".
 */

/** The Alpaca symbol an instrument trades as ("AAPL", "BTC/USD"). */
export interface SymbolMapping {
  readonly symbol: string;
  readonly instrument: Instrument;
}

const TIF: Readonly<Record<TimeInForce, AlpacaOrderBody['time_in_force']>> = { GTC: 'gtc', DAY: 'day', IOC: 'ioc', FOK: 'fok' };

/**
 * Lots → Alpaca's decimal quantity string.
 *
 * @example formatLots(btc, 150) // "0.0000015" for a lot of 0.00000001
 */
export function formatLots(inst: Instrument, lots: number, field = 'quantity'): string {
  if (!Number.isSafeInteger(lots) || lots <= 0) {
    throw new KeelError('OFF_LOT_GRID', `must be a positive whole number of ${inst.id} lots (lot size ${inst.lotSize})`, { field, value: lots });
  }
  return trimZeros(formatQuantity(inst, lots));
}

/**
 * Ticks → Alpaca's decimal price string.
 *
 * @example formatTicks(aapl, 17478) // "174.78"
 */
export function formatTicks(inst: Instrument, ticks: number, field = 'price'): string {
  if (!Number.isSafeInteger(ticks) || ticks <= 0) {
    throw new KeelError('OFF_TICK_GRID', `must be a positive whole number of ${inst.id} ticks (tick ${inst.priceTick})`, { field, value: ticks });
  }
  return trimZeros(formatPrice(inst, ticks));
}

/**
 * Alpaca's decimal quantity → lots; a KeelError when it is not a whole number of lots.
 *
 * @example parseLots(aapl, "12", 'qty') // 12
 */
export function parseLots(inst: Instrument, text: string, field: string, allowNegative = false): Lots {
  const units = parseScaled(String(text), inst.sizeDecimals, field);
  const lot = BigInt(inst.lotUnits);
  if (units % lot !== 0n || (!allowNegative && units < 0n)) {
    throw new KeelError('OFF_LOT_GRID', `is not a whole number of ${inst.id} lots of ${inst.lotSize}`, { field, value: text });
  }
  return Number(units / lot) as Lots;
}

/**
 * Alpaca's decimal price → ticks; a KeelError when it is not on the tick grid (e.g. a sub-penny fill on a
 * 0.01 grid: configure the instrument's `priceTick` to "0.0001" to book such fills exactly).
 *
 * @example parseTicks(aapl, "174.78", 'price') // 17478
 */
export function parseTicks(inst: Instrument, text: string, field: string): PriceTicks {
  const units = parseScaledOnGrid(inst, String(text), field);
  const tick = BigInt(inst.tickUnits);
  if (units % tick !== 0n || units <= 0n) {
    throw new KeelError('OFF_TICK_GRID', `is not on ${inst.id}'s tick grid of ${inst.priceTick}`, { field, value: text });
  }
  return Number(units / tick) as PriceTicks;
}

function parseScaledOnGrid(inst: Instrument, text: string, field: string): bigint {
  try {
    return parseScaled(text, inst.priceDecimals, field);
  } catch (e) {
    if (e instanceof KeelError && e.code === 'OFF_GRID') throw new KeelError('OFF_TICK_GRID', `is not on ${inst.id}'s tick grid of ${inst.priceTick}`, { field, value: text });
    throw e;
  }
}

/**
 * A decimal cash amount → Money, exact.
 *
 * @example parseCash("10000.25", 'account.cash') // 10000250000000000n
 */
export function parseCash(text: string, field: string): Money {
  return parseScaled(String(text), MONEY_DECIMALS, field);
}

/** Money → a decimal string with at most the currency's minor-unit decimals (Alpaca's `notional`); KeelError beyond. */
export function formatNotional(m: Money, currency: string, field = 'notional'): string {
  const step = pow10n(MONEY_DECIMALS - currencyDecimals(currency));
  if (m <= 0n || m % step !== 0n) {
    throw new KeelError('BAD_NOTIONAL', `must be a positive amount in whole ${currency} minor units`, { field, value: formatScaled(m, MONEY_DECIMALS) });
  }
  return trimZeros(formatScaled(m, MONEY_DECIMALS));
}

/**
 * Alpaca's RFC 3339 time (microseconds or nanoseconds) → epoch ms.
 *
 * @example parseVenueTime('2021-03-16T18:38:01.942282Z') // 1615919881942
 */
export function parseVenueTime(text: string | null | undefined, field = 'timestamp'): number {
  // Date.parse reads at most milliseconds reliably: cut longer fractions (truncation keeps events ordered).
  const s = String(text ?? '').replace(/(\.\d{3})\d+/, '$1');
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new KeelError('BAD_TIMESTAMP', 'is not an RFC 3339 time', { field, value: text });
  return t;
}

/**
 * A Keel order → the body of POST /v2/orders. `client_order_id` is Keel's client order id: the venue refuses a
 * second order with it, which is what makes a resend safe (see `net/backoff.ts`).
 *
 * @example toAlpacaOrder({ ...limitBuy, quantity: 10, limitPrice: 17478 }, { symbol: 'AAPL', instrument: aapl })
 * // { symbol: 'AAPL', qty: '10', side: 'buy', type: 'limit', time_in_force: 'day', limit_price: '174.78', client_order_id: … }
 */
export function toAlpacaOrder(o: OrderRequest, m: SymbolMapping, clientOrderId = o.clientOrderId): AlpacaOrderBody {
  const inst = m.instrument;
  if (clientOrderId.length === 0 || clientOrderId.length > 48) {
    throw new KeelError('BAD_CLIENT_ORDER_ID', 'must be 1 to 48 characters for Alpaca', { field: 'clientOrderId', value: clientOrderId });
  }
  const base = { symbol: m.symbol, side: o.side, time_in_force: TIF[o.timeInForce], client_order_id: clientOrderId };
  switch (o.type) {
    case 'market':
      if (o.notional !== undefined) {
        if (o.side !== 'buy') throw new KeelError('BAD_NOTIONAL', 'notional orders are buy orders only', { field: 'side', value: o.side });
        return { ...base, type: 'market', notional: formatNotional(o.notional, inst.quoteCurrency) };
      }
      return { ...base, type: 'market', qty: formatLots(inst, o.quantity) };
    case 'limit':
      return { ...base, type: 'limit', qty: formatLots(inst, o.quantity), limit_price: formatTicks(inst, o.limitPrice, 'limitPrice') };
    case 'stop':
      return { ...base, type: 'stop', qty: formatLots(inst, o.quantity), stop_price: formatTicks(inst, o.stopPrice, 'stopPrice') };
    case 'stop_limit':
      return {
        ...base, type: 'stop_limit', qty: formatLots(inst, o.quantity),
        limit_price: formatTicks(inst, o.limitPrice, 'limitPrice'), stop_price: formatTicks(inst, o.stopPrice, 'stopPrice'),
      };
  }
}

/**
 * The body of PATCH /v2/orders/{id} for Keel's replacement `next` of `current`. Keel counts a replace's
 * quantity as the new total, fills included; Alpaca's replacement is a new order that trades its own `qty`, so
 * the body asks for what is left: `next.quantity − filledLots`. Only changed terms are sent.
 *
 * @example toAlpacaReplace(current, { ...current, limitPrice: 17480 }, 0, aaplMapping, 'S-1~r1') // { limit_price: '174.8', client_order_id: 'S-1~r1' }
 */
export function toAlpacaReplace(current: OrderRequest, next: OrderRequest, filledLots: number, m: SymbolMapping, clientOrderId: string): AlpacaReplaceBody {
  const inst = m.instrument;
  const body: { qty?: string; limit_price?: string; stop_price?: string; client_order_id: string } = { client_order_id: clientOrderId };
  // Alpaca keeps unchanged terms; sending the quantity anyway would be wrong once part of the order filled.
  if (next.quantity !== current.quantity || filledLots > 0) {
    const rest = next.quantity - filledLots;
    if (rest <= 0) throw new KeelError('BAD_REPLACE', `must exceed the ${filledLots} lots already filled`, { field: 'quantity', value: next.quantity });
    if (next.quantity !== current.quantity) body.qty = formatLots(inst, rest);
  }
  const lp = next.type === 'limit' || next.type === 'stop_limit' ? next.limitPrice : undefined;
  const lpOld = current.type === 'limit' || current.type === 'stop_limit' ? current.limitPrice : undefined;
  if (lp !== undefined && lp !== lpOld) body.limit_price = formatTicks(inst, lp, 'limitPrice');
  const sp = next.type === 'stop' || next.type === 'stop_limit' ? next.stopPrice : undefined;
  const spOld = current.type === 'stop' || current.type === 'stop_limit' ? current.stopPrice : undefined;
  if (sp !== undefined && sp !== spOld) body.stop_price = formatTicks(inst, sp, 'stopPrice');
  return body;
}

/**
 * Alpaca's order status → Keel's. `replaced` has no Keel counterpart (the chain lives on in the replacement)
 * and maps to undefined; the caller looks at the replacement.
 *
 * @example keelStatus('partially_filled') // 'PARTIALLY_FILLED'
 */
export function keelStatus(status: string): OrderStatus | undefined {
  switch (status) {
    case 'partially_filled': return 'PARTIALLY_FILLED';
    case 'filled': return 'FILLED';
    case 'canceled': return 'CANCELED';
    case 'expired': return 'EXPIRED';
    case 'rejected': return 'REJECTED';
    case 'pending_cancel': return 'PENDING_CANCEL';
    case 'pending_replace': return 'PENDING_UPDATE';
    case 'replaced': return undefined;
    // new, accepted, pending_new, accepted_for_bidding, stopped, calculated, done_for_day, suspended: the
    // venue holds the order and it may still trade.
    default: return 'ACCEPTED';
  }
}

/** Alpaca statuses after which an order never trades again. */
export const ALPACA_FINAL = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

/**
 * The trade id of a fill: the execution id. A FILL activity carries it in `execution_id` when the server sends
 * one, else as the part of its `<time>::<uuid>` id after `::`, so that stream and REST name one trade alike.
 *
 * @example activityTradeId({ id: '20220202135509981::2d7be4ff', … }) // '2d7be4ff'
 */
export function activityTradeId(a: Pick<AlpacaFillActivity, 'id' | 'execution_id'>): string {
  if (a.execution_id) return String(a.execution_id);
  const i = a.id.indexOf('::');
  return i >= 0 ? a.id.slice(i + 2) : a.id;
}

/** Who owns an order when only its client order id is known: Keel's ids are `<strategyId>-<n>`. */
export function strategyOfClientOrderId(id: string): string {
  const m = /^(.*)-\d+$/.exec(id);
  return m ? m[1] : '';
}

interface FillContext {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: Instrument;
}

/**
 * A fill/partial_fill trade update → a Keel Fill (exact price and quantity, execution id as trade id; Alpaca
 * charges equities no commission, so the fee is 0).
 */
export function fillFromTradeUpdate(u: AlpacaTradeUpdate, c: FillContext): Fill {
  if (!u.execution_id) throw new KeelError('BAD_FILL', 'has no execution_id', { field: 'trade_updates.execution_id', value: u.execution_id });
  return {
    clientOrderId: c.clientOrderId, venueOrderId: u.order.id, tradeId: String(u.execution_id), strategyId: c.strategyId,
    instrumentId: c.instrument.id, side: u.order.side,
    quantity: parseLots(c.instrument, u.qty ?? '', 'trade_updates.qty'),
    price: parseTicks(c.instrument, u.price ?? '', 'trade_updates.price'),
    fee: 0n, liquidity: 'taker', ts: parseVenueTime(u.timestamp, 'trade_updates.timestamp'), decisionPrice: undefined,
  };
}

/** A FILL activity → a Keel Fill. */
export function fillFromActivity(a: AlpacaFillActivity, c: FillContext): Fill {
  return {
    clientOrderId: c.clientOrderId, venueOrderId: a.order_id, tradeId: activityTradeId(a), strategyId: c.strategyId,
    instrumentId: c.instrument.id, side: a.side,
    quantity: parseLots(c.instrument, a.qty, 'activity.qty'),
    price: parseTicks(c.instrument, a.price, 'activity.price'),
    fee: 0n, liquidity: 'taker', ts: parseVenueTime(a.transaction_time, 'activity.transaction_time'), decisionPrice: undefined,
  };
}

/** Lots an Alpaca order has left to fill by its own numbers (0 for a notional order, whose size is unknown until filled). */
export function leavesOf(o: AlpacaOrder, inst: Instrument): number {
  if (ALPACA_FINAL.has(o.status) || o.qty === null || o.qty === undefined) return 0;
  return Math.max(0, parseLots(inst, o.qty, 'order.qty') - parseLots(inst, o.filled_qty, 'order.filled_qty'));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
