import type { Clock } from '../../kernel/index.ts';
import type { MarketEvent } from '../../model/index.ts';
import type { FeedStatus, LiveFeed } from './feed.ts';
import { parseFailoverConfig, type FailoverConfig, type FailoverConfigInput } from './live-config.ts';
import { alwaysOpen, type LiveStatusEvent, type MarketHours } from './live-status.ts';

/**
 * Redundant market data: a primary feed and one or more backups, all connected and subscribed (hot
 * standby), with events passed on from the **active** feed only. A feed fails when it disconnects, when it
 * never connects within `staleAfterMs` of start, or when it sends nothing for `staleAfterMs` while its market
 * is open (a socket that is up but silent is the failure heartbeats miss). The active role then moves to the
 * next feed, in configured order, that is connected and not stale, with a `feed.failover` status naming the
 * reason; with none available a `feed.unavailable` status is sent once and the engine sees no data (fail
 * safe: no guessing). With `switchBack`, the primary takes the role back once it has been healthy (connected
 * and sending) for `holdDownMs`, so a flapping primary does not bounce the stream.
 *
 * Across a switch the new feed usually overlaps the old one: its first events repeat or precede what was
 * already passed on. Events are de-duplicated by (instrument, timestamp) per stream (ticks, bars): an event
 * from a different feed than the one that last delivered that instrument is dropped unless it is strictly
 * later, so the strategy never sees a bar twice or time going back.
 */

export interface FeedFailoverOutput {
  onEvent(event: MarketEvent): void;
  onStatus?(status: LiveStatusEvent): void;
}

export interface FeedFailoverOptions {
  /** In priority order: the first is the primary. Names must be unique. */
  readonly feeds: readonly LiveFeed[];
  readonly clock: Clock;
  readonly output: FeedFailoverOutput;
  /** Subscribed on every feed at `start()`; also the instruments whose market hours decide staleness. */
  readonly instrumentIds: readonly string[];
  readonly config?: FailoverConfigInput;
  readonly isMarketOpen?: MarketHours;
}

export interface FeedHealth {
  readonly name: string;
  readonly active: boolean;
  readonly connected: boolean;
  /** Connected and not stale: could take the active role now. */
  readonly healthy: boolean;
  /** Local time since this feed's last event (undefined: none yet). */
  readonly lastEventAgeMs: number | undefined;
  /** How long it has been healthy and sending (undefined: not now). */
  readonly healthyForMs: number | undefined;
  /** Why it is not healthy, when it is not. */
  readonly problem: string | undefined;
  readonly events: number;
}

export interface FeedFailoverCounters {
  /** Events passed on from the active feed. */
  forwarded: number;
  /** Events from feeds on standby (used for their health only). */
  standby: number;
  /** Events dropped at a switch because the previous feed had already delivered that time. */
  overlap: number;
  failovers: number;
  switchBacks: number;
}

interface FeedState {
  readonly feed: LiveFeed;
  readonly index: number;
  connected: boolean;
  everConnected: boolean;
  connectedAt: number;
  lastEventAt: number;
  /** Since when it has been connected and sending without going stale; NaN when not. */
  healthySince: number;
  disconnectReason: string;
  staleReported: boolean;
  events: number;
}

/** Per instrument: last timestamp passed on and the feed that sent it, for ticks [0] and bars [1]. */
interface DedupState {
  readonly ts: [number, number];
  readonly feed: [number, number];
}

/**
 * @example
 * const failover = new FeedFailover({ feeds: [alpacaSip, alpacaIex], clock, instrumentIds: ['ORCL'],
 *   config: { staleAfterMs: 5000 }, output: { onEvent: (e) => validator.check(e), onStatus: (s) => log.info(s) } });
 * failover.start();
 * timers.every(250, () => failover.checkHealth());
 */
export class FeedFailover {
  readonly config: FailoverConfig;
  readonly counters: FeedFailoverCounters = { forwarded: 0, standby: 0, overlap: 0, failovers: 0, switchBacks: 0 };
  private readonly feeds: FeedState[];
  private readonly clock: Clock;
  private readonly output: FeedFailoverOutput;
  private readonly instrumentIds: readonly string[];
  private readonly isMarketOpen: MarketHours;
  private readonly dedup = new Map<string, DedupState>();
  private active = 0;
  private startedAt = NaN;
  private unavailableReported = false;
  private running = false;

  constructor(o: FeedFailoverOptions) {
    if (o.feeds.length === 0) throw new Error('FeedFailover needs at least one feed');
    const names = new Set(o.feeds.map((f) => f.name));
    if (names.size !== o.feeds.length) throw new Error(`feed names must be unique: ${o.feeds.map((f) => f.name).join(', ')}`);
    this.config = parseFailoverConfig(o.config ?? {});
    this.clock = o.clock;
    this.output = o.output;
    this.instrumentIds = o.instrumentIds;
    this.isMarketOpen = o.isMarketOpen ?? alwaysOpen;
    this.feeds = o.feeds.map((feed, index) => ({
      feed, index, connected: false, everConnected: false, connectedAt: NaN, lastEventAt: NaN, healthySince: NaN,
      disconnectReason: '', staleReported: false, events: 0,
    }));
  }

  /** Subscribe and start every feed; the primary is active. @example failover.start() */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.clock.now();
    for (const fs of this.feeds) {
      // One handler per feed, made once: the event path itself allocates nothing.
      fs.feed.onEvent((e) => this.onFeedEvent(fs, e));
      fs.feed.onStatus((s) => this.onFeedStatus(fs, s));
      fs.feed.subscribe(this.instrumentIds);
    }
    for (const fs of this.feeds) fs.feed.start();
  }

  /** Stop every feed. @example failover.stop() */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const fs of this.feeds) fs.feed.stop();
  }

  get activeFeed(): string {
    return this.feeds[this.active].feed.name;
  }

  /**
   * Detect silent feeds and move the active role if needed; call on a timer (silence has no event to react to).
   *
   * @example
   * timers.every(250, () => failover.checkHealth());
   */
  checkHealth(): void {
    if (!this.running) return;
    const now = this.clock.now();
    for (const fs of this.feeds) {
      if (!fs.connected || fs.staleReported) continue;
      const silence = this.silence(fs, now);
      if (silence === undefined) continue;
      fs.staleReported = true;
      fs.healthySince = NaN;
      this.output.onStatus?.({ type: 'feed.stale', ts: now, feed: fs.feed.name, reason: silence });
    }
    this.evaluate(now);
  }

  /** Health of each feed, in priority order. @example failover.health().find((f) => f.active)?.name */
  health(): FeedHealth[] {
    const now = this.clock.now();
    return this.feeds.map((fs) => {
      const problem = fs.connected ? this.silence(fs, now) : this.notConnected(fs, now) ?? 'connecting';
      return {
        name: fs.feed.name, active: fs.index === this.active, connected: fs.connected, healthy: problem === undefined,
        lastEventAgeMs: fs.lastEventAt === fs.lastEventAt ? now - fs.lastEventAt : undefined,
        healthyForMs: fs.healthySince === fs.healthySince && problem === undefined ? now - fs.healthySince : undefined,
        problem, events: fs.events,
      };
    });
  }

  private onFeedEvent(fs: FeedState, e: MarketEvent): void {
    if (!this.running) return;
    const now = this.clock.now();
    fs.lastEventAt = now;
    fs.events++;
    fs.staleReported = false;
    if (fs.healthySince !== fs.healthySince) fs.healthySince = now;
    if (fs.index !== this.active) {
      // Hot path on a standby: only when the active has been quiet long enough to be in doubt, or the primary
      // has served its hold-down, is it worth re-evaluating now rather than at the next timer tick.
      const act = this.feeds[this.active];
      const primaryBack = fs.index === 0 && this.config.switchBack && now - fs.healthySince >= this.config.holdDownMs;
      if (!primaryBack && act.connected && !(now - this.lastSign(act) > this.config.staleAfterMs)) {
        this.counters.standby++;
        return;
      }
      this.evaluate(now);
      if (fs.index !== this.active) {
        this.counters.standby++;
        return;
      }
    }
    let d = this.dedup.get(e.instrumentId);
    if (d === undefined) {
      d = { ts: [-Infinity, -Infinity], feed: [-1, -1] };
      this.dedup.set(e.instrumentId, d);
    }
    const s = e.type === 'bar' ? 1 : 0;
    if (d.feed[s] !== fs.index) {
      if (d.feed[s] !== -1 && !(e.ts > d.ts[s])) {
        this.counters.overlap++;
        return;
      }
      d.feed[s] = fs.index;
    }
    if (e.ts > d.ts[s]) d.ts[s] = e.ts;
    this.counters.forwarded++;
    this.output.onEvent(e);
  }

  private onFeedStatus(fs: FeedState, s: FeedStatus): void {
    if (!this.running) return;
    const now = this.clock.now();
    const name = fs.feed.name;
    if (s.state === 'connected') {
      fs.connected = true;
      fs.everConnected = true;
      fs.connectedAt = now;
      fs.healthySince = NaN;
      fs.staleReported = false;
      this.output.onStatus?.({ type: 'feed.connected', ts: now, feed: name });
    } else {
      fs.connected = false;
      fs.healthySince = NaN;
      fs.disconnectReason = s.reason;
      this.output.onStatus?.({ type: 'feed.disconnected', ts: now, feed: name, reason: s.reason });
    }
    this.evaluate(now);
  }

  /** Fail over from a failed active feed, or switch back to a primary healthy for the hold-down period. */
  private evaluate(now: number): void {
    const act = this.feeds[this.active];
    const failed = act.connected ? this.silence(act, now) : this.notConnected(act, now);
    if (failed !== undefined) {
      const n = this.feeds.length;
      for (let k = 1; k < n; k++) {
        const fs = this.feeds[(this.active + k) % n];
        if (fs.connected && this.silence(fs, now) === undefined) {
          this.switchTo(fs, now, `${act.feed.name} ${failed}`, false);
          return;
        }
      }
      if (!this.unavailableReported) {
        this.unavailableReported = true;
        this.output.onStatus?.({
          type: 'feed.unavailable', ts: now, feed: act.feed.name,
          reason: `${act.feed.name} ${failed} and no other feed is healthy`,
        });
      }
      return;
    }
    this.unavailableReported = false;
    if (!this.config.switchBack || this.active === 0) return;
    const primary = this.feeds[0];
    if (!primary.connected || primary.healthySince !== primary.healthySince || this.silence(primary, now) !== undefined) return;
    const healthyFor = now - primary.healthySince;
    if (healthyFor >= this.config.holdDownMs) {
      this.switchTo(primary, now, `${primary.feed.name} healthy again for ${seconds(healthyFor)} (hold-down ${seconds(this.config.holdDownMs)})`, true);
    }
  }

  private switchTo(fs: FeedState, now: number, reason: string, switchBack: boolean): void {
    const from = this.feeds[this.active].feed.name;
    this.active = fs.index;
    this.unavailableReported = false;
    if (switchBack) this.counters.switchBacks++;
    else this.counters.failovers++;
    this.output.onStatus?.({ type: 'feed.failover', ts: now, from, to: fs.feed.name, reason, switchBack });
  }

  /** Why a connected feed counts as stale, or undefined when it does not. */
  private silence(fs: FeedState, now: number): string | undefined {
    const quiet = now - this.lastSign(fs);
    if (!(quiet > this.config.staleAfterMs) || !this.marketOpen(now)) return undefined;
    const what = fs.lastEventAt === fs.lastEventAt && fs.lastEventAt >= fs.connectedAt ? 'no events' : 'no events since connecting';
    return `is stale: ${what} for ${seconds(quiet)} (limit ${seconds(this.config.staleAfterMs)})`;
  }

  /** Why a disconnected feed counts as failed; undefined while it is still within its start-up grace. */
  private notConnected(fs: FeedState, now: number): string | undefined {
    if (fs.everConnected) return `disconnected (${fs.disconnectReason})`;
    const waited = now - this.startedAt;
    return waited > this.config.staleAfterMs ? `has not connected in ${seconds(waited)}` : undefined;
  }

  /** Last sign of life: the last event, or the connection itself when no event came since. */
  private lastSign(fs: FeedState): number {
    const ev = fs.lastEventAt === fs.lastEventAt ? fs.lastEventAt : -Infinity;
    const conn = fs.connectedAt === fs.connectedAt ? fs.connectedAt : this.startedAt;
    return ev > conn ? ev : conn;
  }

  private marketOpen(now: number): boolean {
    const ids = this.instrumentIds;
    if (ids.length === 0) return this.isMarketOpen('', now);
    for (let i = 0; i < ids.length; i++) if (this.isMarketOpen(ids[i], now)) return true;
    return false;
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
