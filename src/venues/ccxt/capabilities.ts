import type { OrderType, TimeInForce } from '../../model/index.ts';
import type { VenueCapabilities } from '../venue.ts';
import type { Exchange } from './exchange.ts';
import type { MarketBinding } from './market-grid.ts';

/** Keel's capabilities plus what the ccxt adapter itself needs to know about the exchange. */
export interface CcxtCapabilities extends VenueCapabilities {
  /** ccxt `has.editOrder`: cancel/replace in one request; otherwise `replace` is refused. */
  readonly editOrder: boolean;
  /** Reports by WebSocket (ccxt pro `watchOrders`), else by REST polling. */
  readonly streamingReports: boolean;
  /** ccxt's `rateLimit`: milliseconds between two requests of one account. */
  readonly rateLimitMs: number;
}

interface CreateOrderFeatures {
  readonly triggerPrice?: boolean;
  readonly stopLossPrice?: boolean;
  readonly marketBuyByCost?: boolean;
  readonly timeInForce?: Readonly<Record<string, boolean>>;
}

/**
 * What the exchange supports, from ccxt's `has` and `features` (per market type) and the bound markets.
 * Stop-limit needs `triggerPrice`, stop-market needs `stopLossPrice` (a stop-market through `triggerPrice`
 * is refused by some, e.g. Alpaca's crypto API); DAY is not a crypto TIF; shorting needs margin or contracts.
 *
 * @example deriveCapabilities(exchange, [btc], true).timeInForce // ['GTC', 'IOC'] on Alpaca
 */
export function deriveCapabilities(ex: Exchange, markets: readonly MarketBinding[], streaming: boolean): CcxtCapabilities {
  const kind = markets.some((m) => m.contract) ? 'swap' : 'spot';
  const features = ex.features as Record<string, unknown> | undefined;
  const typeFeatures = (features?.[kind] ?? {}) as Record<string, unknown>;
  // Contract features are nested per settlement (linear/inverse); spot's are flat.
  const flat = (typeFeatures['createOrder'] ?? (typeFeatures['linear'] as Record<string, unknown> | undefined)?.['createOrder'] ?? {}) as CreateOrderFeatures;
  const orderTypes: OrderType[] = ['market', 'limit'];
  if (flat.stopLossPrice === true) orderTypes.push('stop');
  if (flat.triggerPrice === true) orderTypes.push('stop_limit');
  const timeInForce: TimeInForce[] = ['GTC'];
  if (flat.timeInForce?.['IOC'] === true) timeInForce.push('IOC');
  if (flat.timeInForce?.['FOK'] === true) timeInForce.push('FOK');
  const ccxtMarkets = markets.map((m) => ex.markets?.[m.symbol]);
  return {
    orderTypes,
    timeInForce,
    shorting: ccxtMarkets.some((m) => m?.contract === true || m?.margin === true),
    notionalOrders: flat.marketBuyByCost === true || ex.has['createMarketBuyOrderWithCost'] === true,
    editOrder: ex.has['editOrder'] === true,
    streamingReports: streaming && ex.has['watchOrders'] === true,
    rateLimitMs: ex.rateLimit ?? 1000,
  };
}
