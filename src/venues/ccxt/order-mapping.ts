import { createHash } from 'node:crypto';
import {
  formatScaled, MONEY_DECIMALS, numberToPlainString, parseScaled, roundToMinorUnit,
  type Fill, type Money, type OrderRequest, type OrderStatus,
} from '../../model/index.ts';
import type { Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import { amountToLots, lotsToAmount, priceToTicks, ticksToExchangePrice, type MarketBinding } from './market-grid.ts';

/** ccxt `createOrder` arguments for a Keel order. */
export interface CreateOrderArgs {
  readonly symbol: string;
  readonly type: 'market' | 'limit';
  readonly side: 'buy' | 'sell';
  readonly amount: number;
  readonly price: number | undefined;
  readonly params: Record<string, unknown>;
}

// Binance allows 36 characters of [.A-Za-z0-9:/_-], Kraken's cl_ord_id is shorter free text or a UUID,
// Alpaca 128: an id within the common subset passes unchanged, anything else is hashed (same in, same out).
const PLAIN_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The client order id sent to the exchange for a Keel order: the Keel id itself when every exchange accepts
 * it, else a hash of it. Deterministic, so a resend of the same order carries the same id and the exchange's
 * uniqueness check makes it harmless. `revision` > 0 names a replacement leg (exchanges that replace by a
 * new order want a new id).
 *
 * @example exchangeClientOrderId('sma-42') // 'sma-42'
 */
export function exchangeClientOrderId(keelId: string, revision = 0): string {
  const base = PLAIN_ID.test(keelId) ? keelId : `k${createHash('sha256').update(keelId).digest('hex').slice(0, 24)}`;
  return revision === 0 ? base : `${base.slice(0, 28)}-r${revision}`;
}

/**
 * ccxt `createOrder` arguments for a Keel order: exact decimal amounts from lots and ticks, the stop price as
 * ccxt's `triggerPrice` (stop-limit) or `stopLossPrice` (stop-market), TIF and the client order id as unified
 * params. Cash-sized market orders pass `cost`.
 *
 * @example toCreateOrder(btc, order, 'sma-42') // { symbol: 'BTC/USD', type: 'limit', side: 'buy', amount: 0.01, price: 64000, params: { clientOrderId: 'sma-42', timeInForce: 'GTC' } }
 */
export function toCreateOrder(b: MarketBinding, order: OrderRequest, clientOrderId: string): CreateOrderArgs {
  const params: Record<string, unknown> = { clientOrderId };
  if (order.timeInForce !== 'GTC') params['timeInForce'] = order.timeInForce;
  if (order.reduceOnly && b.contract) params['reduceOnly'] = true;
  const amount = lotsToAmount(b, order.quantity);
  switch (order.type) {
    case 'market':
      if (order.notional !== undefined) params['cost'] = Number(formatScaled(order.notional, MONEY_DECIMALS));
      return { symbol: b.symbol, type: 'market', side: order.side, amount, price: undefined, params };
    case 'limit':
      return { symbol: b.symbol, type: 'limit', side: order.side, amount, price: ticksToExchangePrice(b, order.limitPrice), params };
    case 'stop':
      params['stopLossPrice'] = ticksToExchangePrice(b, order.stopPrice);
      return { symbol: b.symbol, type: 'market', side: order.side, amount, price: undefined, params };
    case 'stop_limit':
      params['triggerPrice'] = ticksToExchangePrice(b, order.stopPrice);
      return { symbol: b.symbol, type: 'limit', side: order.side, amount, price: ticksToExchangePrice(b, order.limitPrice), params };
  }
}

/**
 * Keel's status for a ccxt order. ccxt's unified statuses are open / closed / canceled / expired / rejected
 * (and `canceling` on some exchanges); `closed` means fully filled.
 *
 * @example keelStatusOf({ status: 'open', filled: 0 } as CcxtOrder) // 'ACCEPTED'
 */
export function keelStatusOf(o: Pick<CcxtOrder, 'status' | 'filled'>): OrderStatus {
  switch (o.status) {
    case 'open': return (o.filled ?? 0) > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED';
    case 'closed': return 'FILLED';
    case 'canceled': case 'cancelled': return 'CANCELED';
    case 'expired': return 'EXPIRED';
    case 'rejected': return 'REJECTED';
    case 'canceling': return 'PENDING_CANCEL';
    default: return o.status === undefined || o.status === null ? 'ACCEPTED' : 'UNKNOWN';
  }
}

/**
 * A ccxt trade of ours as a Keel fill: ids kept as the strings ccxt gives (never through a number), price in
 * ticks and amount in lots exactly (off the grid is an error), the fee as exact Money in the quote currency.
 *
 * @example toFill(btc, trade, { clientOrderId: 'sma-42', strategyId: 'sma' })
 */
export function toFill(b: MarketBinding, t: CcxtTrade, owner: { clientOrderId: string; strategyId: string }): Fill {
  if (typeof t.id !== 'string' || t.id === '') throw new Error(`ccxt trade of ${b.symbol} has no id: cannot book it exactly once`);
  const where = `${b.symbol} trade ${t.id}`;
  const price = priceToTicks(b, t.price, `${where} price`);
  return {
    clientOrderId: owner.clientOrderId,
    venueOrderId: t.order ?? '',
    tradeId: t.id,
    strategyId: owner.strategyId,
    instrumentId: b.instrument.id,
    side: t.side === 'sell' ? 'sell' : 'buy',
    quantity: amountToLots(b, t.amount, `${where} amount`),
    price,
    fee: feeOf(b, t),
    liquidity: t.takerOrMaker === 'maker' ? 'maker' : 'taker',
    ts: t.timestamp ?? 0,
    decisionPrice: undefined,
  };
}

/**
 * The trade's fee in Money of the quote currency. A fee in the base currency is valued at the trade price
 * (exactly, then rounded to the quote's minor unit); a fee in a third currency (BNB, KFEE) has no price here
 * and counts as 0: the balance in `query()` still shows it.
 */
function feeOf(b: MarketBinding, t: CcxtTrade): Money {
  const listed = (t as { fees?: CcxtTrade['fee'][] }).fees;
  const fees = listed !== undefined && listed.length > 0 ? listed : t.fee !== undefined ? [t.fee] : [];
  let total = 0n;
  for (const f of fees) {
    if (f === undefined || f.cost === undefined || f.cost === null) continue;
    const cost = parseScaled(numberToPlainString(f.cost), MONEY_DECIMALS, `${b.symbol} trade ${t.id} fee`);
    if (f.currency === undefined || f.currency === null || f.currency === b.quote) total += cost;
    else if (f.currency === b.base && t.price !== undefined) {
      const price = parseScaled(numberToPlainString(t.price), MONEY_DECIMALS, `${b.symbol} trade ${t.id} price`);
      total += roundToMinorUnit((cost * price) / 10n ** BigInt(MONEY_DECIMALS), b.quote);
    }
  }
  return total;
}
