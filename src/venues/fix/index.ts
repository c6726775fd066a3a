/** The FIX venue: a FIX 4.2/4.4 initiator session (our own session layer) and the order mapping on top. */
export * from './fix-venue.ts';
export * from './create-venue.ts';
export * from './config.ts';
export * from './session.ts';
export * from './session-store.ts';
export * from './wire.ts';
export { statusOf, ledger } from './executions.ts';
