import type { BreakerConfig } from '../config.ts';

type Config = NonNullable<BreakerConfig['losingStreak']>;

/** N losing round trips in a row (net of fees). A break-even or winning trip ends the streak. */
export class LosingStreakBreaker {
  readonly name = 'losing-streak';
  readonly action;
  private readonly max: number;
  private streak = 0;

  constructor(config: Config) {
    this.max = config.maxConsecutiveLosses;
    this.action = config.action;
  }

  onTradeClosed(pnl: number): string | undefined {
    this.streak = pnl < 0 ? this.streak + 1 : 0;
    return this.streak >= this.max ? `${this.streak} losing trades in a row (limit ${this.max})` : undefined;
  }

  rearm(): void {
    this.streak = 0;
  }
}
