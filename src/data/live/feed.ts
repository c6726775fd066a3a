import type { MarketEvent } from '../../model/index.ts';

/**
 * A live market data feed: one venue connection (Alpaca's data WebSocket, a ccxt `watch*` loop, a NATS
 * subject) seen as a push stream of `MarketEvent`s plus connection status. Adapters do their I/O
 * asynchronously and call the handlers synchronously, one message at a time; everything downstream
 * (failover, validation, aggregation) is synchronous and deterministic.
 *
 * Contract for implementers:
 * - `subscribe` may be called before or after `start`; it replaces the instrument set.
 * - `start` begins connecting and returns at once; success is reported as `connected`, loss as
 *   `disconnected` with a reason. Reconnecting is the adapter's job; each new connection reports `connected`.
 * - `ts` on events is the venue's timestamp (epoch ms UTC); prices and sizes are as the venue sent them.
 * - After `stop` no handler is called again.
 */
export interface LiveFeed {
  /** Unique among the feeds of one data source, used in status reports (`alpaca-sip`, `binance-ws`). */
  readonly name: string;
  subscribe(instrumentIds: readonly string[]): void;
  onEvent(handler: FeedEventHandler): void;
  onStatus(handler: FeedStatusHandler): void;
  start(): void;
  stop(): void;
}

export type FeedEventHandler = (event: MarketEvent) => void;
export type FeedStatusHandler = (status: FeedStatus) => void;

/** Connection state changes of one feed. */
export type FeedStatus =
  | { readonly state: 'connected' }
  | { readonly state: 'disconnected'; readonly reason: string };
