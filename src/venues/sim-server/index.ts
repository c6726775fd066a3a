/**
 * The simulated venue as a standalone service: the in-process sim's matching behind a local TCP socket, with
 * its own market clock and account books (paper trading, crash tests). `main.ts` runs it as a process;
 * `../socket-venue.ts` is the engine's adapter for it.
 */
export { startSimVenueServer } from './server.ts';
export type { SimVenueServer, SimVenueServerOptions, SimVenueServerStats } from './server.ts';
export { DUPLICATE_ORDER_REASON } from './protocol.ts';
export type {
  ClientMessage, ServerMessage, VenueWelcome, VenueState, VenueFill, VenueOpenOrder, VenueOrderRecord,
} from './protocol.ts';
export { encodeLine, decodeLine, LineSplitter } from './wire.ts';
export { simVenueCommand } from './main.ts';
