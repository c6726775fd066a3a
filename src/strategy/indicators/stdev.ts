import { meanAndSquares } from './window-stats.ts';

/**
 * Rolling sample standard deviation (n − 1) of simple returns (close / previous close − 1) over the last
 * `period` returns: the per-bar volatility that volatility targeting annualises with √periodsPerYear.
 *
 * Sliding Welford updates keep it O(1) per bar without the cancellation of the sum-of-squares formula, and
 * every `period` updates the mean and squared deviations are recomputed exactly from the window (amortised
 * O(1)), so rounding cannot accumulate over a long run.
 *
 * @example
 * const vol = new Stdev(20); for (const c of closes) vol.update(c); if (vol.ready) vol.value * Math.sqrt(252);
 */
export class Stdev {
  readonly period: number;
  private readonly window: Float64Array;
  private prevClose = NaN;
  private count = 0;
  private head = 0;
  private mean = 0;
  /** Sum of squared deviations from the mean over the window. */
  private m2 = 0;
  private sinceExact = 0;

  constructor(period = 20) {
    if (!Number.isInteger(period) || period < 2) throw new RangeError(`Stdev period must be an integer ≥ 2, got ${period}`);
    this.period = period;
    this.window = new Float64Array(period);
  }

  update(close: number): number {
    if (Number.isNaN(this.prevClose)) {
      this.prevClose = close;
      return NaN;
    }
    const r = close / this.prevClose - 1;
    this.prevClose = close;
    if (this.count < this.period) {
      this.count++;
      const d = r - this.mean;
      this.mean += d / this.count;
      this.m2 += d * (r - this.mean);
    } else {
      const old = this.window[this.head];
      const mean = this.mean + (r - old) / this.period;
      this.m2 += (r - old) * (r - mean + old - this.mean);
      this.mean = mean;
    }
    this.window[this.head] = r;
    this.head = this.head + 1 === this.period ? 0 : this.head + 1;
    if (this.count === this.period && ++this.sinceExact === this.period) this.recompute();
    return this.value;
  }

  /** Two-pass mean and squared deviations over the full window: resets any drift of the sliding updates. */
  private recompute(): void {
    this.sinceExact = 0;
    const { mean, squares } = meanAndSquares(this.window, this.period);
    this.mean = mean;
    this.m2 = squares;
  }

  /** True once `period` returns (period + 1 closes) have been seen. */
  get ready(): boolean {
    return this.count === this.period;
  }

  /** Standard deviation of the window's returns (a fraction: 0.01 = 1% per bar); NaN during warm-up. */
  get value(): number {
    if (!this.ready) return NaN;
    // The sliding update can leave a tiny negative m2 for a flat window; the true value is 0.
    return this.m2 > 0 ? Math.sqrt(this.m2 / (this.period - 1)) : 0;
  }
}
