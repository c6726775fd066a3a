import { moneyToNumber } from '../../model/index.ts';
import type { BreakerConfig } from '../config.ts';
import { nextLocalTime } from '../local-time.ts';

type Config = NonNullable<BreakerConfig['dailyLoss']>;

/**
 * Loss since the daily reset (equity change: realised + unrealised, fees included). The day's baseline is
 * the equity when the reset time passed, so an overnight gap counts for the new day.
 */
export class DailyLossBreaker {
  readonly name = 'daily-loss';
  readonly action;
  private readonly config: Config;
  private readonly maxLoss: number | undefined;
  private baseline = NaN;
  private nextReset = -Infinity;
  private lastEquity = NaN;

  constructor(config: Config) {
    this.config = config;
    this.action = config.action;
    this.maxLoss = config.maxLoss !== undefined ? moneyToNumber(config.maxLoss) : undefined;
  }

  /** Returns a trip reason, or undefined. */
  onEquity(ts: number, equity: number): string | undefined {
    if (ts >= this.nextReset) {
      this.baseline = Number.isNaN(this.lastEquity) ? equity : this.lastEquity;
      this.nextReset = nextLocalTime(ts, this.config.resetTime, this.config.resetZone);
    }
    this.lastEquity = equity;
    const loss = this.baseline - equity;
    const cap = this.cap();
    if (!(loss > cap + 1e-9)) return undefined;
    return `daily loss ${loss.toFixed(2)} since the ${this.config.resetTime} ${this.config.resetZone} reset exceeds the limit of ${cap.toFixed(2)}`
      + (this.config.maxLossPct !== undefined ? ` (${this.config.maxLossPct}% of ${this.baseline.toFixed(2)})` : '');
  }

  /** Today's loss as a percent of the limit (0 when up on the day); undefined before the first sample. */
  usedPct(): number | undefined {
    if (Number.isNaN(this.lastEquity)) return undefined;
    const cap = this.cap();
    return cap > 0 && cap !== Infinity ? (100 * Math.max(0, this.baseline - this.lastEquity)) / cap : undefined;
  }

  private cap(): number {
    const pctCap = this.config.maxLossPct !== undefined ? (this.baseline * this.config.maxLossPct) / 100 : Infinity;
    return Math.min(this.maxLoss ?? Infinity, pctCap);
  }

  /** Re-arming keeps the day's baseline: a daily limit stays a daily limit until the reset time. */
  rearm(): void {}
}
