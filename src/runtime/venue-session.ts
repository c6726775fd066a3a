import type { Bar, VenueReport } from '../model/index.ts';
import type { VenueGateway, VenueSnapshot } from '../execution/index.ts';

/**
 * What a running (paper or live) engine needs from a venue connection beyond order entry: market data and
 * reports pushed to it, a query of everything the venue holds (for reconciliation), and the end of the
 * session. The sim venue server's client (`venues/socket-venue.ts`) provides it; Alpaca and ccxt adapters
 * will too.
 */
export interface VenueSession extends VenueGateway {
  onMarket(handler: (bar: Bar) => void): void;
  onReport(handler: (report: VenueReport) => void): void;
  /** Called once if the connection drops. */
  onDisconnect(handler: (reason: string) => void): void;
  query(): Promise<VenueSnapshot>;
  /** Ask the venue to start (or keep) its market running. */
  start(): void;
  /** Resolves when the venue says its market ended. */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}
