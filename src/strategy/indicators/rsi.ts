/**
 * Relative Strength Index with Wilder's smoothing (the original 1978 definition): the first average gain and
 * loss are simple means over `period` changes, then avg = (avg × (period − 1) + current) / period.
 * Values range 0–100; 100 when there were no losses.
 *
 * @example
 * const rsi = new Rsi(14); for (const c of closes) rsi.update(c); if (rsi.ready) rsi.value;
 */
export class Rsi {
  readonly period: number;
  private prev = NaN;
  private changes = 0;
  private gainSum = 0;
  private lossSum = 0;
  private avgGain = 0;
  private avgLoss = 0;

  constructor(period = 14) {
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`RSI period must be a positive integer, got ${period}`);
    this.period = period;
  }

  update(close: number): number {
    if (Number.isNaN(this.prev)) {
      this.prev = close;
      return NaN;
    }
    const change = close - this.prev;
    this.prev = close;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    this.changes++;
    if (this.changes <= this.period) {
      this.gainSum += gain;
      this.lossSum += loss;
      if (this.changes === this.period) {
        this.avgGain = this.gainSum / this.period;
        this.avgLoss = this.lossSum / this.period;
      }
    } else {
      this.avgGain = (this.avgGain * (this.period - 1) + gain) / this.period;
      this.avgLoss = (this.avgLoss * (this.period - 1) + loss) / this.period;
    }
    return this.value;
  }

  get ready(): boolean {
    return this.changes >= this.period;
  }

  get value(): number {
    if (!this.ready) return NaN;
    if (this.avgLoss === 0) return this.avgGain === 0 ? 50 : 100;
    return 100 - 100 / (1 + this.avgGain / this.avgLoss);
  }
}
