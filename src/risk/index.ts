/**
 * The risk layer: the pre-trade gate (the only way to an ApprovedOrder, hence the only path to a venue),
 * trading states, breakers, the kill switch and sizing helpers.
 */
export type { ApprovedOrder } from './approved-order.ts';
export * from './config.ts';
export { parseRiskConfig, riskConfigFromObject } from './config-file.ts';
export * from './risk-engine.ts';
export * from './trading-state.ts';
export * from './kill-switch.ts';
export type { AccountView, FeeEstimate, PreTradeCheck, OrderUnderReview } from './checks/review.ts';
export { SlidingWindowCounter } from './checks/message-throttle.ts';
export { isInSession, compileSessions, nextLocalTime, type CompiledSessions } from './local-time.ts';
export type { ExposureState, InstrumentBook, StrategyBook } from './exposure-book.ts';
export * from './sizing.ts';
export { parseDuration } from './config-units.ts';
