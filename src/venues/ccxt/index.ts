/** The ccxt venue: any exchange of ccxt's unified API as a Keel venue (see docs/ccxt.md). */
export { CcxtVenue, type CcxtVenueOptions } from './ccxt-venue.ts';
export { CcxtVenueConfigSchema, parseCcxtConfig, type CcxtVenueConfig, type CcxtVenueConfigInput, type CcxtSymbolConfig } from './config.ts';
export { credentialEnvNames, resolveCredentials, type CcxtCredentials } from './credentials.ts';
export { deriveCapabilities, type CcxtCapabilities } from './capabilities.ts';
export { classifyCcxtError, exchangeReason, type CcxtFailureKind } from './errors.ts';
export { bindMarket, priceToTicks, amountToLots, marketAmount, lotsToAmount, ticksToExchangePrice, type MarketBinding } from './market-grid.ts';
export { toBar, toTradeTick, toQuote, closedCandles } from './market-data.ts';
export { exchangeClientOrderId, toCreateOrder, keelStatusOf, toFill, type CreateOrderArgs } from './order-mapping.ts';
export { closestIds } from './closest-ids.ts';
