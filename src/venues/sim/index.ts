/** The in-process simulated venue and its fill, fee, slippage and latency models (see docs/fills.md). */
export * from './fees.ts';
export * from './slippage.ts';
export * from './latency.ts';
export * from './matching.ts';
export * from './trading-day.ts';
export * from './sim-venue.ts';
