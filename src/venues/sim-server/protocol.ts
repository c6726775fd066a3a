import type { Bar, Fill, InstrumentSpec, Money, OrderRequest, OrderStatus, VenueReport } from '../../model/index.ts';

/**
 * The simulated venue server's protocol: newline-delimited JSON over TCP (see `wire.ts` for the framing and
 * how bigints travel). One connection per account at a time; a new `hello` for an account replaces the old
 * connection, the way a restarted engine takes over its account.
 *
 * Client → server: `hello`, `start`, `submit`, `cancel`, `replace`, `query`.
 * Server → client: `welcome`, `market` (each bar as it is replayed, only while connected), `report` (every
 * order event of the account, only while connected), `state` (answer to `query`), `end`, `error`.
 */
export type ClientMessage =
  | { readonly op: 'hello'; readonly account: string }
  /** Start the market clock if it is not running yet (the first `start` wins; later ones change nothing). */
  | { readonly op: 'start' }
  | { readonly op: 'submit'; readonly order: OrderRequest }
  | { readonly op: 'cancel'; readonly clientOrderId: string }
  | { readonly op: 'replace'; readonly order: OrderRequest }
  /** `fillsAfter`: only fills with a larger venue sequence (the last one the client has). */
  | { readonly op: 'query'; readonly id: number; readonly fillsAfter?: number };

export type ServerMessage =
  | VenueWelcome
  | { readonly op: 'market'; readonly event: Bar }
  | { readonly op: 'report'; readonly report: VenueReport }
  | VenueState
  | { readonly op: 'end' }
  /** A message the server could not act on (malformed, or sent before `hello`); the connection stays open. */
  | { readonly op: 'error'; readonly message: string };

export interface VenueWelcome {
  readonly op: 'welcome';
  readonly account: string;
  readonly barIntervalMs: number;
  /** Index of the next bar the market will replay (bars before it are history for this client). */
  readonly nextBar: number;
  readonly started: boolean;
  /** The market has replayed its last bar; queries are still served. */
  readonly ended: boolean;
  /** The traded instrument as the venue defines it, so the client builds orders on the same grid. */
  readonly instrument: InstrumentSpec & { readonly id: string };
}

/** A fill as the venue keeps it: numbered per account in the order it happened (1, 2, 3, …). */
export type VenueFill = Fill & { readonly venueSeq: number };

/** A working order with what has filled so far; terms are the ones in force (after any replace). */
export type VenueOpenOrder = OrderRequest & { readonly filledLots: number };

/** Every order the venue ever received for the account. `SUBMITTED`: received, not yet arrived (latency). */
export interface VenueOrderRecord {
  readonly clientOrderId: string;
  readonly status: OrderStatus;
  readonly venueOrderId?: string;
  /** Why it was rejected or canceled. */
  readonly reason?: string;
  readonly filledLots: number;
}

/**
 * Everything the venue holds for an account. Shaped to be usable as the execution engine's
 * `VenueSnapshot` for reconciliation (orders, fills, positions, cash, ts).
 */
export interface VenueState {
  readonly op: 'state';
  /** The `query` id this answers. */
  readonly id: number;
  readonly openOrders: readonly VenueOpenOrder[];
  /** Signed lots per instrument; instruments never traded are absent. */
  readonly positions: Readonly<Record<string, number>>;
  readonly cash: Money;
  /** Oldest first; only those after `fillsAfter` when the query gave it. */
  readonly fills: readonly VenueFill[];
  readonly orders: readonly VenueOrderRecord[];
  /** Timestamp of the last bar replayed, undefined before the first. */
  readonly lastBar: number | undefined;
  /** Venue (simulated) time of the snapshot. */
  readonly ts: number;
  readonly nextBar: number;
  readonly ended: boolean;
  /** Submits refused because the client order id was already known: a correct engine never causes one. */
  readonly duplicateSubmits: number;
}

/** The reason of the `order.rejected` report answering a submit whose client order id the venue already has. */
export const DUPLICATE_ORDER_REASON = 'duplicate client order id';
