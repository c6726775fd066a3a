/**
 * What the live data path reports besides market events: feeds connecting and dropping, failovers,
 * instruments going quiet. These feed the logs, alerts and `/readyz`; the strategy never sees them.
 * `ts` is the local clock at the moment of the report.
 */
export type LiveStatusEvent =
  | { readonly type: 'feed.connected'; readonly ts: number; readonly feed: string }
  | { readonly type: 'feed.disconnected'; readonly ts: number; readonly feed: string; readonly reason: string }
  /** A feed sent nothing for `staleAfterMs` while its market was open. */
  | { readonly type: 'feed.stale'; readonly ts: number; readonly feed: string; readonly reason: string }
  /** The active feed changed; `switchBack` when returning to the primary after its hold-down. */
  | {
    readonly type: 'feed.failover'; readonly ts: number; readonly from: string; readonly to: string;
    readonly reason: string; readonly switchBack: boolean;
  }
  /** The active feed failed and no other feed is healthy: no market data until one recovers. */
  | { readonly type: 'feed.unavailable'; readonly ts: number; readonly feed: string; readonly reason: string }
  /** No accepted event for an instrument within `maxAgeMs` while its market is open. */
  | { readonly type: 'instrument.stale'; readonly ts: number; readonly instrumentId: string; readonly ageMs: number; readonly reason: string }
  /** Data resumed for an instrument reported stale. */
  | { readonly type: 'instrument.fresh'; readonly ts: number; readonly instrumentId: string; readonly staleForMs: number };

/** Receives status reports; a plain object so a component registers once, not a closure per event. */
export interface LiveStatusHandler {
  onStatus(status: LiveStatusEvent): void;
}

/**
 * Whether an instrument's market is open at `ts` (epoch ms, UTC). Staleness only counts while it is: a
 * quiet feed at night is not a failed one. Adapt the risk layer's sessions with
 * `(id, ts) => isInSession(ts, sessionsOf(id))`; the default is "always open" (crypto).
 */
export type MarketHours = (instrumentId: string, ts: number) => boolean;

/** The default: markets never close. @example alwaysOpen('BTC/USD', Date.now()) // true */
export const alwaysOpen: MarketHours = () => true;
