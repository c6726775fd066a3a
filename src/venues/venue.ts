import type { OrderRequest, OrderType, TimeInForce } from '../model/index.ts';
import type { VenueGateway } from '../execution/index.ts';

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
