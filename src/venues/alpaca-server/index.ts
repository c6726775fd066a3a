/**
 * A local venue that speaks Alpaca's trading and market data APIs (REST, trade_updates and market data
 * WebSockets) over the sim matching engine and a replayed CSV, with seeded, switchable faults: latency,
 * rate limits, rejects, split fills, dropped streams, lost acknowledgements, restarts. Paper trading and the
 * Alpaca adapter's tests run against it. See docs/venue-server.md.
 */
export { startAlpacaVenueServer } from './server.ts';
export type { AlpacaVenueServer, AlpacaVenueServerStats } from './server.ts';
export type { AlpacaVenueServerOptions, AlpacaVenueKey } from './options.ts';
export { FaultControl, FAULT_KINDS, NO_FAULTS } from './faults.ts';
export type { FaultSettings, FaultKind, FaultCounts } from './faults.ts';
export type { ReplayPace } from './market.ts';
export type { TradeUpdate, FillActivity } from './account.ts';
export type { AlpacaOrderJson } from './order-record.ts';
export { alpacaVenueCommand, parseAlpacaVenueArgs } from './cli.ts';
