import { meanAndSquares } from './window-stats.ts';

/**
 * Bollinger bands: middle = SMA(period), upper/lower = middle ± k × population standard deviation of the
 * window (Bollinger's own definition uses the population form). The deviation is recomputed over the window
 * each update: O(period), exact, and period is small (typically 20).
 *
 * @example
 * const bb = new Bollinger(20, 2); bb.update(close); if (bb.ready && close > bb.upper) { ... }
 */
export class Bollinger {
  readonly period: number;
  readonly k: number;
  private readonly window: Float64Array;
  private count = 0;
  private head = 0;
  middle = NaN;
  upper = NaN;
  lower = NaN;

  constructor(period = 20, k = 2) {
    if (!Number.isInteger(period) || period < 2) throw new RangeError(`Bollinger period must be an integer ≥ 2, got ${period}`);
    this.period = period;
    this.k = k;
    this.window = new Float64Array(period);
  }

  update(x: number): void {
    this.window[this.head] = x;
    this.head = (this.head + 1) % this.period;
    if (this.count < this.period) this.count++;
    if (this.count < this.period) return;
    const { mean, squares } = meanAndSquares(this.window, this.period);
    const sd = Math.sqrt(squares / this.period);
    this.middle = mean;
    this.upper = mean + this.k * sd;
    this.lower = mean - this.k * sd;
  }

  get ready(): boolean {
    return this.count === this.period;
  }
}
