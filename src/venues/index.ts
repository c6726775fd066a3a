/** Venues: the Venue interface and its implementations (`sim/` now; brokers and exchanges later). */
export * from './venue.ts';
export * from './sim/index.ts';
export * from './socket-venue.ts';
