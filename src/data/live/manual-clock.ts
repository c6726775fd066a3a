import type { Clock } from '../../kernel/index.ts';
import type { TimerScheduler } from './timers.ts';

interface ManualTimer {
  due: number;
  readonly intervalMs: number;
  readonly fn: () => void;
  readonly seq: number;
  cancelled: boolean;
}

/**
 * A clock and timer scheduler moved by hand, for tests and demos of the live path: `advance(ms)` runs every
 * timer that falls due on the way, in time order (ties in registration order), with `now()` set to each
 * timer's due time while it runs, exactly as the wall clock would have been.
 *
 * @example
 * const clock = new ManualClock(Date.UTC(2024, 0, 2, 14, 30));
 * clock.every(1000, () => console.log(clock.now()));
 * clock.advance(2500); // prints twice: start + 1000, start + 2000
 */
export class ManualClock implements Clock, TimerScheduler {
  private t: number;
  private timers: ManualTimer[] = [];
  private seq = 0;

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  every(intervalMs: number, fn: () => void): () => void {
    if (!(intervalMs > 0)) throw new Error(`timer interval must be positive, got ${intervalMs}`);
    const timer: ManualTimer = { due: this.t + intervalMs, intervalMs, fn, seq: this.seq++, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Move time forward by `ms`, firing due timers on the way. @example clock.advance(1000) */
  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  /** Move time forward to `ts`, firing due timers on the way. Time never moves back. @example clock.advanceTo(t0 + 60_000) */
  advanceTo(ts: number): void {
    if (ts < this.t) throw new Error(`ManualClock cannot go back from ${this.t} to ${ts}`);
    for (;;) {
      let next: ManualTimer | undefined;
      for (const x of this.timers) {
        if (x.due <= ts && (next === undefined || x.due < next.due || (x.due === next.due && x.seq < next.seq))) next = x;
      }
      if (next === undefined) break;
      this.t = next.due;
      next.due += next.intervalMs;
      next.fn();
    }
    this.t = ts;
  }

  /** Timers currently registered (for tests that check a component cleaned up). */
  get timerCount(): number {
    return this.timers.length;
  }
}
