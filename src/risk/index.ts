/** The pre-trade risk gate: the only way to an ApprovedOrder, hence the only path to a venue. */
export type { ApprovedOrder } from './approved-order.ts';
export * from './risk-engine.ts';
