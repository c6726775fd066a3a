import type { Instrument, MarketEvent } from '../model/index.ts';
import { LiveClock } from '../kernel/index.ts';
import { LiveDataSource, systemTimers, type FeedStatus, type LiveDataConfigInput, type LiveFeed, type LiveStatusEvent } from '../data/index.ts';
import type { VenueSession } from '../venues/index.ts';

/** The market data section of a running engine: validation, optional bars from trades, backup feeds. */
export interface MarketDataOptions {
  /** docs/live-data.md: validation, failover, bars, timerMs. */
  readonly config?: LiveDataConfigInput;
  /** Feeds to fail over to when the venue's own goes stale or drops, in priority order. */
  readonly backups?: readonly LiveFeed[];
  /** Feed and instrument status changes (stale, failover), for logs and alerts. */
  readonly onStatus?: (status: LiveStatusEvent) => void;
}

/**
 * A venue session's market data as a live feed: the primary of the data path (the engine starts its
 * session), or a backup (`own: true`: the feed starts the session's market data itself, under its own name).
 */
export function venueFeed(session: VenueSession, o: { readonly name?: string; readonly own?: boolean } = {}): LiveFeed {
  const events: Array<(e: MarketEvent) => void> = [];
  const statuses: Array<(s: FeedStatus) => void> = [];
  let running = false;
  session.onMarket((bar) => { if (running) for (const h of events) h(bar); });
  session.onDisconnect((reason) => { if (running) for (const h of statuses) h({ state: 'disconnected', reason }); });
  return {
    name: o.name ?? session.name,
    subscribe() {},
    onEvent(h) { events.push(h); },
    onStatus(h) { statuses.push(h); },
    start() {
      running = true;
      if (o.own) session.start();
      for (const h of statuses) h({ state: 'connected' });
    },
    stop() { running = false; },
  };
}

/**
 * The live data path between the venue and the engine (DESIGN.md "Data flow": source → validate → kernel):
 * the venue's feed, then any backups, through failover, validation and (optionally) bar aggregation.
 * Arrival times are wall-clock, so staleness works for a replayed market too.
 */
export function liveMarketData(session: VenueSession, instrument: Instrument, o: MarketDataOptions, deliver: (e: MarketEvent) => void): LiveDataSource {
  return new LiveDataSource({
    feeds: [venueFeed(session), ...(o.backups ?? [])], instruments: [instrument], clock: new LiveClock(), timers: systemTimers,
    output: { onMarketEvent: deliver }, config: o.config,
    status: o.onStatus ? { onStatus: o.onStatus } : undefined,
  });
}
