/** The Alpaca venue: REST + trade_updates stream + market data, for stocks and crypto, paper and live. */
export * from './alpaca-venue.ts';
export * from './create-venue.ts';
export * from './config.ts';
export * from './mapping.ts';
export * from './market-data.ts';
export * from './trade-stream.ts';
export * from './rest-client.ts';
export type * from './wire.ts';
export { OrderTracker, keelIdOf, type TrackedOrder } from './order-tracker.ts';
