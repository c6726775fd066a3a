/**
 * Average True Range with Wilder's smoothing (1978). The true range of a bar is the largest of high − low,
 * |high − previous close| and |low − previous close|, so an overnight gap counts as range. As in TA-Lib, the
 * first bar only seeds the previous close (its true range would ignore the gap); the first ATR is the simple
 * mean of the next `period` true ranges, then atr = (atr × (period − 1) + tr) / period.
 *
 * @example
 * const atr = new Atr(14); atr.update(bar.high, bar.low, bar.close); if (atr.ready) stop = entry - 2 * atr.value;
 */
export class Atr {
  readonly period: number;
  private prevClose = NaN;
  private ranges = 0;
  private rangeSum = 0;
  private avg = 0;

  constructor(period = 14) {
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`ATR period must be a positive integer, got ${period}`);
    this.period = period;
  }

  update(high: number, low: number, close: number): number {
    if (Number.isNaN(this.prevClose)) {
      this.prevClose = close;
      return NaN;
    }
    const pc = this.prevClose;
    this.prevClose = close;
    let tr = high - low;
    const up = high > pc ? high - pc : pc - high;
    const down = low > pc ? low - pc : pc - low;
    if (up > tr) tr = up;
    if (down > tr) tr = down;
    this.ranges++;
    if (this.ranges <= this.period) {
      this.rangeSum += tr;
      if (this.ranges === this.period) this.avg = this.rangeSum / this.period;
    } else {
      this.avg = (this.avg * (this.period - 1) + tr) / this.period;
    }
    return this.value;
  }

  /** True once `period` true ranges (period + 1 bars) have been seen. */
  get ready(): boolean {
    return this.ranges >= this.period;
  }

  /** The current ATR in price units; NaN during warm-up. */
  get value(): number {
    return this.ready ? this.avg : NaN;
  }
}
