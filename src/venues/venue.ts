import type { Bar, OrderRequest, OrderType, TimeInForce, VenueReport } from '../model/index.ts';
import type { VenueGateway, VenueSnapshot } from '../execution/index.ts';

/** What a venue supports; the engine refuses what a venue cannot do before sending it. */
export interface VenueCapabilities {
  readonly orderTypes: readonly OrderType[];
  readonly timeInForce: readonly TimeInForce[];
  readonly shorting: boolean;
  /** Orders sized in cash (Alpaca's `notional`). */
  readonly notionalOrders: boolean;
}

/**
 * A place orders execute: the simulated venue in backtests, later brokers and exchanges. Order entry (submit,
 * cancel, cancel/replace) takes only risk-approved orders (see `VenueGateway`); reports flow back to the
 * execution engine's sink.
 */
export interface Venue extends VenueGateway {
  readonly capabilities: VenueCapabilities;
  /** Orders the venue currently holds as working. */
  openOrders(): readonly OrderRequest[];
}

/**
 * A venue reached over a network, as a running (paper or live) engine uses it: order entry, reports and
 * market data pushed to the engine, a query of everything the venue holds (for reconciliation), and the end
 * of the session. The sim venue server's client (`socket-venue.ts`) and the Alpaca and ccxt adapters
 * provide it.
 */
export interface VenueSession extends VenueGateway {
  onMarket(handler: (bar: Bar) => void): void;
  onReport(handler: (report: VenueReport) => void): void;
  /** Called once if the connection drops for good (a reconnecting adapter calls it only when it gives up). */
  onDisconnect(handler: (reason: string) => void): void;
  /**
   * Everything the venue holds for the account (for reconciliation): open orders, and orders and fills
   * since `since` (epoch ms in the venue's own clock, the time of the last report the engine journaled);
   * without it, as far back as the adapter's default look-back.
   */
  query(since?: number): Promise<VenueSnapshot>;
  /** Ask the venue to start (or keep) its market running. */
  start(): void;
  /** Resolves when the venue says its market ended (a live venue: when the session is closed). */
  readonly ended: Promise<void>;
  /**
   * Resolves when every request already handed to the adapter has its answer (or has failed): a graceful stop
   * waits for it before its final reconciliation, so an order sent in the last moment is not cut off by close().
   */
  settled?(): Promise<void>;
  close(): Promise<void>;
}
