/** Venues: the Venue interface and its implementations (`sim/` now; brokers and exchanges later). */
export * from './venue.ts';
export * from './sim/index.ts';
export * from './socket-venue.ts';
export { refuseDisabledVerification, guardVenueRequests } from './net/index.ts';
export { AlpacaVenue, createAlpacaVenue, parseAlpacaConfig, symbolMappings, alpacaConfigSchema, type AlpacaConfig } from './alpaca/index.ts';
// The ccxt adapter is not re-exported here: ccxt is large, and a backtest must not load it. Import
// './ccxt/index.ts' on demand (runtime/venue-connect.ts does). The IB adapter ('./ib/index.ts', with @stoqey/ib)
// and the fake TWS ('./ib-server/index.ts') likewise.
