/**
 * The durable journal (DESIGN.md principles 4 and 5): the interface, the embedded SQLite implementation, the
 * pieces every dialect shares (payload codec, read-model projector) and the engine's writer.
 */
export * from './journal.ts';
export * from './audit-table.ts';
export { encodePayload, decodePayload, encodeNewEvent } from './event-codec.ts';
export { project, projectionProblem, ordersAskedFor, isOpenStatus, ACCOUNT_BALANCE, type ProjectionOp, type OrderProgress, type OrderLookup, type AccountBalance } from './projection.ts';
export * from './journal-writer.ts';
export * from './sqlite/index.ts';
