import { KeelError } from '../model/index.ts';

/** The source of "now" for every component; swapped per mode (DESIGN.md "Modes"). */
export interface Clock {
  /** Epoch milliseconds, UTC. */
  now(): number;
}

/**
 * Backtest clock: time is whatever the data says. It only moves forward, so a component can never observe
 * time running backwards (which would let a strategy act on a price before it happened).
 */
export class SimClock implements Clock {
  private t: number;

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  advanceTo(ts: number): void {
    if (ts < this.t) {
      throw new KeelError('TIME_WENT_BACKWARDS', `event at ${new Date(ts).toISOString()} is before the clock at ${new Date(this.t).toISOString()}`, { field: 'ts', value: ts });
    }
    this.t = ts;
  }
}

/** Wall clock for paper and live. */
export class LiveClock implements Clock {
  now(): number {
    return Date.now();
  }
}
