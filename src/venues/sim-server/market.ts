import type { Bar } from '../../model/index.ts';
import { Kernel, SimClock, type MarketEventHandler } from '../../kernel/index.ts';

/**
 * The venue's market: replays bars through a kernel, one bar per `barIntervalMs` of wall time from `start()`,
 * whether or not anyone is connected, so orders resting at the venue keep filling while an engine is down.
 * Simulated time (the SimClock) is the replayed bar's timestamp; wall time only paces the replay.
 *
 * Each bar goes through `kernel.run([[bar]])`: the kernel first delivers order arrivals due by the bar's time,
 * then the venues match the bar, then `onBar` tells the clients. Running one bar at a time changes nothing
 * against a whole-file run: a request handed over between bars is due at the last bar's time plus the
 * latency, exactly as one sent from a strategy's callback on that bar.
 */
export class MarketReplay {
  readonly clock: SimClock;
  private readonly kernel: Kernel;
  private readonly bars: readonly Bar[];
  private readonly end: number;
  private readonly intervalMs: number;
  private readonly venues: MarketEventHandler[] = [];
  private readonly onBar: (bar: Bar) => void;
  private readonly onEnd: () => void;
  private next = 0;
  private startedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private last: number | undefined;

  constructor(o: { bars: readonly Bar[]; untilBar?: number; barIntervalMs: number; onBar: (bar: Bar) => void; onEnd: () => void }) {
    this.bars = o.bars;
    this.end = Math.min(o.bars.length, o.untilBar ?? Infinity);
    this.intervalMs = o.barIntervalMs;
    this.onBar = o.onBar;
    this.onEnd = o.onEnd;
    // Requests before the first bar arrive at its time and trade on it: the market opens with them queued.
    this.clock = new SimClock(o.bars.length > 0 ? o.bars[0].ts : 0);
    this.kernel = new Kernel(this.clock);
    this.kernel.addHandler({
      onMarketEvent: (e) => {
        for (const v of this.venues) v.onMarketEvent(e);
        if (e.type === 'bar') this.onBar(e);
      },
    });
  }

  /** The kernel's queue, where venues schedule order arrivals. */
  get queue() {
    return this.kernel.queue;
  }

  /** A matching engine (one per account) that sees every bar, before the clients do. */
  addVenue(venue: MarketEventHandler): void {
    this.venues.push(venue);
  }

  get started(): boolean {
    return this.startedAt !== undefined;
  }

  get ended(): boolean {
    return this.finished;
  }

  /** Index of the next bar to replay. */
  get nextBar(): number {
    return this.next;
  }

  /** Timestamp of the last bar replayed. */
  get lastBar(): number | undefined {
    return this.last;
  }

  /** Start the clock (bar k is replayed at start + (k + 1) × interval); later calls change nothing. */
  start(): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    if (this.end === 0) return this.finish();
    this.arm();
  }

  /**
   * Deliver requests already due (zero latency): the client hears `accepted` at once instead of at the next
   * bar, and the order's venue time is the same either way.
   */
  drainDue(): void {
    const q = this.kernel.queue;
    const now = this.clock.now();
    while (q.size > 0 && q.peekTs() <= now) q.dispatchNext();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick = (): void => {
    this.timer = undefined;
    // Catch up on every bar whose time has come: a late timer must not slow the market down.
    const due = Math.min(this.end, Math.floor((Date.now() - this.startedAt!) / this.intervalMs));
    while (this.next < due) {
      const bar = this.bars[this.next++];
      this.kernel.run([[bar]]);
      this.last = bar.ts;
    }
    if (this.next >= this.end) return this.finish();
    this.arm();
  };

  private arm(): void {
    const at = this.startedAt! + (this.next + 1) * this.intervalMs;
    this.timer = setTimeout(this.tick, Math.max(0, at - Date.now()));
  }

  private finish(): void {
    this.finished = true;
    this.onEnd();
  }
}
