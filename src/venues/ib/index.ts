/** The Interactive Brokers venue: TWS / IB Gateway over its socket API through @stoqey/ib (docs/ib.md). */
export { IbVenue, type IbVenueOptions } from './ib-venue.ts';
export { ibConfigSchema, parseIbConfig, ibSymbols, type IbConfig, type IbConfigInput, type IbSymbol } from './config.ts';
export { toIbOrder, keelStatusOf, keelTypeOf, parseExecutionTime, executionFilterTime, lotsOf, ticksOf } from './mapping.ts';
export type { IbAccountValue } from './queries.ts';
