import type { BreakerConfig } from '../config.ts';

type Config = NonNullable<BreakerConfig['rejectRate']>;

/**
 * Share of venue answers that were rejects over a sliding time window. A burst of rejects means the
 * strategy and the venue disagree (wrong sizes, no buying power, halted symbol): stop before it escalates.
 */
export class RejectRateBreaker {
  readonly name = 'reject-rate';
  readonly action;
  private readonly config: Config;
  private readonly answers: Array<{ ts: number; rejected: boolean }> = [];
  private head = 0;
  private rejects = 0;

  constructor(config: Config) {
    this.config = config;
    this.action = config.action;
  }

  onVenueAnswer(ts: number, rejected: boolean): string | undefined {
    this.answers.push({ ts, rejected });
    if (rejected) this.rejects++;
    while (this.head < this.answers.length && ts - this.answers[this.head].ts >= this.config.windowMs) {
      if (this.answers[this.head++].rejected) this.rejects--;
    }
    if (this.head > 1024) { this.answers.splice(0, this.head); this.head = 0; }
    const n = this.answers.length - this.head;
    if (n < this.config.minOrders) return undefined;
    const pct = (this.rejects / n) * 100;
    return pct > this.config.maxRejectPct + 1e-9
      ? `${this.rejects} of the last ${n} venue answers were rejects (${pct.toFixed(1)}%, limit ${this.config.maxRejectPct}% over ${this.config.windowMs / 1000} s)`
      : undefined;
  }

  rearm(): void {
    this.answers.length = 0;
    this.head = 0;
    this.rejects = 0;
  }
}
