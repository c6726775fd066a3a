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
  /** Bar the replay started from (a venue restored from saved state resumes where it stopped). */
  private readonly first: number;
  private next: number;
  private startedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private finished = false;
  private last: number | undefined;

  /**
   * `barIntervalMs` 0 replays as fast as possible, yielding to I/O between bars so clients still get in.
   * `firstBar` (default 0) resumes a replay at that bar.
   */
  constructor(o: { bars: readonly Bar[]; untilBar?: number; barIntervalMs: number; firstBar?: number; onBar: (bar: Bar) => void; onEnd: () => void }) {
    this.bars = o.bars;
    this.end = Math.min(o.bars.length, o.untilBar ?? Infinity);
    this.intervalMs = o.barIntervalMs;
    this.onBar = o.onBar;
    this.onEnd = o.onEnd;
    this.first = Math.max(0, Math.min(o.firstBar ?? 0, this.end));
    this.next = this.first;
    // Requests before the first bar arrive at its time and trade on it: the market opens with them queued.
    const firstTs = o.bars.length > 0 ? o.bars[Math.min(this.first, o.bars.length - 1)].ts : 0;
    this.clock = new SimClock(this.first > 0 ? o.bars[this.first - 1].ts : firstTs);
    if (this.first > 0) this.last = o.bars[this.first - 1].ts;
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
    if (this.next >= this.end) return this.finish();
    this.arm();
  }

  /**
   * Replay up to `count` bars now, whatever the pacing (a market driven by hand, as in tests); returns how many
   * were replayed. A paced replay then waits for its schedule to catch up, so it never replays a bar twice.
   */
  step(count = 1): number {
    let done = 0;
    while (done < count && this.next < this.end) {
      this.replayNext();
      done++;
    }
    if (this.next >= this.end && !this.finished) {
      this.stop();
      this.finish();
    }
    return done;
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
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private replayNext(): void {
    const bar = this.bars[this.next++];
    this.kernel.run([[bar]]);
    this.last = bar.ts;
  }

  private tick = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.finished) return;
    // Catch up on every bar whose time has come: a late timer must not slow the market down.
    const due = this.intervalMs === 0
      ? this.next + 1
      : Math.min(this.end, this.first + Math.floor((Date.now() - this.startedAt!) / this.intervalMs));
    while (this.next < due && this.next < this.end) this.replayNext();
    if (this.next >= this.end) return this.finish();
    this.arm();
  };

  private arm(): void {
    if (this.intervalMs === 0) {
      // One bar per turn of the event loop: socket reads and writes run between two bars.
      this.immediate = setImmediate(this.tick);
      return;
    }
    const at = this.startedAt! + (this.next - this.first + 1) * this.intervalMs;
    this.timer = setTimeout(this.tick, Math.max(0, at - Date.now()));
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onEnd();
  }
}
