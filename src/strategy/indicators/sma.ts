/**
 * Simple moving average over the last `period` values, O(1) per update. The running sum is compensated
 * (Neumaier), so a million updates do not drift enough to move a crossover.
 *
 * @example
 * const sma = new Sma(3); sma.update(1); sma.update(2); sma.update(3); sma.value // 2
 */
export class Sma {
  readonly period: number;
  private readonly window: Float64Array;
  private count = 0;
  private head = 0;
  private sum = 0;
  private carry = 0;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`SMA period must be a positive integer, got ${period}`);
    this.period = period;
    this.window = new Float64Array(period);
  }

  update(x: number): number {
    if (this.count === this.period) {
      this.add(-this.window[this.head]);
    } else {
      this.count++;
    }
    this.window[this.head] = x;
    this.head = this.head + 1 === this.period ? 0 : this.head + 1;
    this.add(x);
    return this.value;
  }

  private add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.carry += (this.sum - t) + x;
    else this.carry += (x - t) + this.sum;
    this.sum = t;
  }

  /** True once `period` values have been seen. */
  get ready(): boolean {
    return this.count === this.period;
  }

  /** The average of the values seen so far (of the full window once ready); NaN before the first value. */
  get value(): number {
    return this.count === 0 ? NaN : (this.sum + this.carry) / this.count;
  }
}
