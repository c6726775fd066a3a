import { moneyToNumber } from '../../model/index.ts';
import type { BreakerConfig } from '../config.ts';

type Config = NonNullable<BreakerConfig['drawdown']>;

/** Fall from the highest equity seen (since start or the last re-arm), as a percent and/or an amount. */
export class DrawdownBreaker {
  readonly name = 'drawdown';
  readonly action;
  private readonly config: Config;
  private readonly maxAmount: number | undefined;
  private peak = -Infinity;
  private last = NaN;

  constructor(config: Config) {
    this.config = config;
    this.action = config.action;
    this.maxAmount = config.maxDrawdown !== undefined ? moneyToNumber(config.maxDrawdown) : undefined;
  }

  onEquity(_ts: number, equity: number): string | undefined {
    this.last = equity;
    if (equity > this.peak) this.peak = equity;
    const dd = this.peak - equity;
    if (this.maxAmount !== undefined && dd > this.maxAmount + 1e-9) {
      return `drawdown ${dd.toFixed(2)} from the equity peak of ${this.peak.toFixed(2)} exceeds the limit of ${this.maxAmount.toFixed(2)}`;
    }
    const pct = this.config.maxDrawdownPct;
    if (pct !== undefined && this.peak > 0 && dd * 100 > this.peak * pct + 1e-9) {
      return `drawdown ${((dd / this.peak) * 100).toFixed(2)}% from the equity peak of ${this.peak.toFixed(2)} exceeds the limit of ${pct}%`;
    }
    return undefined;
  }

  /** The drawdown as a percent of its limit (the tighter of amount and percent); undefined before the first sample. */
  usedPct(): number | undefined {
    if (Number.isNaN(this.last) || !(this.peak > 0)) return undefined;
    const dd = this.peak - this.last;
    const byAmount = this.maxAmount !== undefined && this.maxAmount > 0 ? (100 * dd) / this.maxAmount : 0;
    const pct = this.config.maxDrawdownPct;
    const byPct = pct !== undefined && pct > 0 ? (100 * ((100 * dd) / this.peak)) / pct : 0;
    return Math.max(byAmount, byPct);
  }

  /** The operator accepted the loss so far: measure from here. */
  rearm(): void {
    this.peak = Number.isNaN(this.last) ? -Infinity : this.last;
  }
}
