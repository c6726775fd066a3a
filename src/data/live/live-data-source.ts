import type { Clock, MarketEventHandler } from '../../kernel/index.ts';
import type { Bar, Instrument, MarketEvent } from '../../model/index.ts';
import { BarAggregator, type BarAggregatorCounters } from './bar-aggregator.ts';
import type { LiveFeed } from './feed.ts';
import { FeedFailover, type FeedFailoverCounters, type FeedHealth } from './feed-failover.ts';
import { parseLiveDataConfig, type LiveDataConfig, type LiveDataConfigInput } from './live-config.ts';
import type { LiveStatusEvent, LiveStatusHandler, MarketHours } from './live-status.ts';
import { LiveValidator, type InstrumentHealth } from './live-validator.ts';
import type { LiveValidatorCounters, Verdict } from './verdict.ts';
import type { TimerScheduler } from './timers.ts';

/**
 * The live data path in one piece (DESIGN.md "Data flow": DataSource → validate → Kernel):
 *
 *   feeds ──► FeedFailover ──► LiveValidator ──► (BarAggregator, when `bars` is configured) ──► output
 *
 * Everything runs synchronously inside the feed adapter's callback, so an event is fully judged and handed
 * to `output.onMarketEvent` before the next one is looked at. Per instrument the output is in time order
 * within each stream: ticks (trades, quotes) and bars, each non-decreasing. A bar is stamped with its open
 * time and is complete only after its interval, so it necessarily follows the ticks inside it.
 *
 * With `bars` configured, bars are built from the accepted trades, and bars a feed sends itself for those
 * instruments are ignored: the strategy sees one bar series built one way, whichever feed is active.
 * Trades are passed on too only with `bars.forwardTrades`.
 *
 * One timer (`timerMs`) drives what has no event to react to: stale feeds and instruments, failover and
 * switch-back, and closing bars in a quiet market.
 */

export interface LiveDataSourceOptions {
  /** In priority order: the first is the primary, the rest are backups. */
  readonly feeds: readonly LiveFeed[];
  readonly instruments: readonly Instrument[];
  readonly clock: Clock;
  readonly timers: TimerScheduler;
  /** Where accepted events (and built bars) go: the kernel's queue in a live run. */
  readonly output: MarketEventHandler;
  readonly config?: LiveDataConfigInput;
  readonly isMarketOpen?: MarketHours;
  /** Feed, failover and staleness reports (logs, alerts). */
  readonly status?: LiveStatusHandler;
  /** Events that were dropped, flagged or held, with the verdict (logs, debugging). */
  readonly onIssue?: (event: MarketEvent, verdict: Verdict) => void;
}

/** A snapshot for `/readyz` and metrics. */
export interface LiveDataHealth {
  readonly ts: number;
  /** An active feed is healthy and no instrument is stale. */
  readonly ready: boolean;
  readonly activeFeed: string;
  readonly feeds: readonly FeedHealth[];
  readonly instruments: readonly InstrumentHealth[];
  readonly counters: {
    readonly validation: Readonly<LiveValidatorCounters>;
    readonly failover: Readonly<FeedFailoverCounters>;
    readonly bars: Readonly<BarAggregatorCounters> | undefined;
    /** Bars sent by a feed for instruments whose bars are built from trades; ignored. */
    readonly feedBarsIgnored: number;
  };
}

/**
 * @example
 * const source = new LiveDataSource({
 *   feeds: [sipFeed, iexFeed], instruments: [orcl], clock: new LiveClock(), timers: systemTimers,
 *   config: { failover: { staleAfterMs: 5000 }, bars: { interval: '1m' } },
 *   output: { onMarketEvent: (e) => engine.onMarketEvent(e) },
 *   status: { onStatus: (s) => log.info(s) },
 * });
 * source.start();
 * // GET /readyz → source.health().ready
 */
export class LiveDataSource {
  readonly config: LiveDataConfig;
  private readonly clock: Clock;
  private readonly timers: TimerScheduler;
  private readonly output: MarketEventHandler;
  private readonly status: LiveStatusHandler | undefined;
  private readonly issueHandler: ((event: MarketEvent, verdict: Verdict) => void) | undefined;
  private readonly failover: FeedFailover;
  private readonly validator: LiveValidator;
  private readonly aggregator: BarAggregator | undefined;
  private readonly forwardTrades: boolean;
  private feedBarsIgnored = 0;
  private cancelTimer: (() => void) | undefined;

  constructor(o: LiveDataSourceOptions) {
    this.config = parseLiveDataConfig(o.config ?? {});
    this.clock = o.clock;
    this.timers = o.timers;
    this.output = o.output;
    this.status = o.status;
    this.issueHandler = o.onIssue;
    const hours = o.isMarketOpen === undefined ? {} : { isMarketOpen: o.isMarketOpen };
    this.failover = new FeedFailover({
      feeds: o.feeds, clock: o.clock, instrumentIds: o.instruments.map((i) => i.id), config: this.config.failover,
      output: { onEvent: (e) => this.validator.check(e), onStatus: (s) => this.onStatus(s) }, ...hours,
    });
    this.validator = new LiveValidator({ clock: o.clock, instruments: o.instruments, config: this.config.validation, output: this, ...hours });
    const bars = this.config.bars;
    this.aggregator = bars === undefined ? undefined : new BarAggregator({ instruments: o.instruments, config: bars, output: this, ...hours });
    this.forwardTrades = bars?.forwardTrades ?? false;
  }

  /** Start the feeds and the timer. @example source.start() */
  start(): void {
    if (this.cancelTimer !== undefined) return;
    this.failover.start();
    this.cancelTimer = this.timers.every(this.config.timerMs, () => this.onTimer());
  }

  /** Stop the timer and the feeds. A bar still being built is not emitted: it is incomplete. @example source.stop() */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.failover.stop();
  }

  /** The periodic checks; the timer calls this, tests may too. @example source.onTimer() */
  onTimer(): void {
    this.failover.checkHealth();
    this.validator.checkStale();
    this.aggregator?.flush(this.clock.now());
  }

  get activeFeed(): string {
    return this.failover.activeFeed;
  }

  /** @example const h = source.health(); if (!h.ready) reply(503, h) */
  health(): LiveDataHealth {
    const feeds = this.failover.health();
    const instruments = this.validator.health();
    const active = feeds.find((f) => f.active);
    return {
      ts: this.clock.now(),
      ready: active !== undefined && active.healthy && active.connected && instruments.every((i) => !i.stale),
      activeFeed: this.failover.activeFeed, feeds, instruments,
      counters: {
        validation: { ...this.validator.counters }, failover: { ...this.failover.counters },
        bars: this.aggregator === undefined ? undefined : { ...this.aggregator.counters }, feedBarsIgnored: this.feedBarsIgnored,
      },
    };
  }

  /** LiveValidatorOutput: an accepted event. */
  onValid(e: MarketEvent): void {
    const agg = this.aggregator;
    if (agg === undefined) {
      this.output.onMarketEvent(e);
      return;
    }
    if (e.type === 'trade') {
      agg.onTrade(e);
      if (this.forwardTrades) this.output.onMarketEvent(e);
    } else if (e.type === 'bar') {
      this.feedBarsIgnored++;
    } else {
      this.output.onMarketEvent(e);
    }
  }

  /** BarAggregatorOutput: a bar built from trades. */
  onBar(bar: Bar): void {
    this.output.onMarketEvent(bar);
  }

  /** LiveValidatorOutput and failover: status reports. */
  onStatus(s: LiveStatusEvent): void {
    this.status?.onStatus(s);
  }

  /** LiveValidatorOutput: verdicts other than a plain accept. */
  onIssue(e: MarketEvent, verdict: Verdict): void {
    this.issueHandler?.(e, verdict);
  }
}
