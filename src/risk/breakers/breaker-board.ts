import type { BreakerAction } from '../../model/index.ts';
import type { Clock } from '../../kernel/index.ts';
import type { BreakerConfig } from '../config.ts';
import type { InstrumentBook } from '../exposure-book.ts';
import type { KillRequest } from '../kill-switch.ts';
import type { TradingStateMachine } from '../trading-state.ts';
import { DailyLossBreaker } from './daily-loss.ts';
import { DrawdownBreaker } from './drawdown.ts';
import { LosingStreakBreaker } from './losing-streak.ts';
import { RejectRateBreaker } from './reject-rate.ts';
import { StaleDataBreaker } from './stale-data.ts';
import { UnknownOrdersBreaker } from './unknown-orders.ts';
import { VenueDisconnectBreaker } from './venue-disconnect.ts';

interface Breaker {
  readonly name: string;
  readonly action: BreakerAction;
  rearm(): void;
  /** How much of its limit is used now, in percent, for breakers that measure a level (daily loss, drawdown). */
  usedPct?(): number | undefined;
}

/**
 * The configured breakers, their feeds, and what a trip does. A trip is sticky: the breaker stays tripped
 * (and silent) until an operator re-arms, whatever the data does meanwhile.
 */
export class BreakerBoard {
  readonly dailyLoss: DailyLossBreaker | undefined;
  readonly drawdown: DrawdownBreaker | undefined;
  readonly losingStreak: LosingStreakBreaker | undefined;
  readonly rejectRate: RejectRateBreaker | undefined;
  readonly staleData: StaleDataBreaker | undefined;
  readonly venueDisconnect: VenueDisconnectBreaker | undefined;
  readonly unknownOrders: UnknownOrdersBreaker | undefined;
  /** Any breaker that needs an equity sample per event (skips the equity sum when none does). */
  readonly watchesEquity: boolean;
  private readonly all: Breaker[];
  private readonly tripped = new Set<string>();
  private readonly state: TradingStateMachine;
  private readonly clock: Clock;
  private readonly kill: (req: KillRequest) => void;

  constructor(o: { config: BreakerConfig; state: TradingStateMachine; clock: Clock; kill: (req: KillRequest) => void }) {
    const c = o.config;
    this.dailyLoss = c.dailyLoss && new DailyLossBreaker(c.dailyLoss);
    this.drawdown = c.drawdown && new DrawdownBreaker(c.drawdown);
    this.losingStreak = c.losingStreak && new LosingStreakBreaker(c.losingStreak);
    this.rejectRate = c.rejectRate && new RejectRateBreaker(c.rejectRate);
    this.staleData = c.staleData && new StaleDataBreaker(c.staleData);
    this.venueDisconnect = c.venueDisconnect && new VenueDisconnectBreaker(c.venueDisconnect);
    this.unknownOrders = c.unknownOrders && new UnknownOrdersBreaker(c.unknownOrders);
    this.all = [this.dailyLoss, this.drawdown, this.losingStreak, this.rejectRate, this.staleData, this.venueDisconnect, this.unknownOrders]
      .filter((b): b is NonNullable<typeof b> => b !== undefined);
    this.watchesEquity = this.dailyLoss !== undefined || this.drawdown !== undefined;
    this.state = o.state;
    this.clock = o.clock;
    this.kill = o.kill;
  }

  /** Every configured breaker with its action and whether it is tripped (for the API and metrics). */
  list(): Array<{ readonly name: string; readonly action: BreakerAction; readonly tripped: boolean; readonly usedPct: number | undefined }> {
    return this.all.map((b) => ({ name: b.name, action: b.action, tripped: this.tripped.has(b.name), usedPct: b.usedPct?.() }));
  }

  isTripped(name: string): boolean {
    return this.tripped.has(name);
  }

  onEquity(ts: number, equity: number): void {
    if (this.dailyLoss) this.consider(this.dailyLoss, this.dailyLoss.onEquity(ts, equity));
    if (this.drawdown) this.consider(this.drawdown, this.drawdown.onEquity(ts, equity));
  }

  onTradeClosed(pnl: number): void {
    if (this.losingStreak) this.consider(this.losingStreak, this.losingStreak.onTradeClosed(pnl));
  }

  onVenueAnswer(ts: number, rejected: boolean): void {
    if (this.rejectRate) this.consider(this.rejectRate, this.rejectRate.onVenueAnswer(ts, rejected));
  }

  onUnknownCount(count: number): void {
    if (this.unknownOrders) this.consider(this.unknownOrders, this.unknownOrders.check(count));
  }

  onVenueConnection(venue: string, connected: boolean, ts: number, reason: string): void {
    if (!this.venueDisconnect) return;
    this.venueDisconnect.onConnection(venue, connected, ts, reason);
    this.consider(this.venueDisconnect, this.venueDisconnect.check(ts));
  }

  /** Time-driven checks: stale data and venue grace periods (each market event, and a timer in live modes). */
  onTime(now: number, books: readonly InstrumentBook[], exposed = true): void {
    if (this.staleData && exposed) this.consider(this.staleData, this.staleData.check(now, books));
    if (this.venueDisconnect) this.consider(this.venueDisconnect, this.venueDisconnect.check(now));
  }

  /** Operator re-arm: clear every trip and restart the breakers' "since" measures. */
  rearm(): void {
    this.tripped.clear();
    for (const b of this.all) b.rearm();
  }

  private consider(b: Breaker, reason: string | undefined): void {
    if (reason === undefined || this.tripped.has(b.name)) return;
    this.tripped.add(b.name);
    this.state.emit({ type: 'risk.breaker-tripped', ts: this.clock.now(), breaker: b.name, reason, action: b.action });
    const by = { kind: 'breaker', name: b.name } as const;
    switch (b.action) {
      case 'reduce': this.state.escalate('REDUCING', by, `${b.name}: ${reason}`); break;
      case 'halt': this.state.escalate('HALTED', by, `${b.name}: ${reason}`); break;
      case 'kill': this.kill({ by: `breaker ${b.name}`, reason: `${b.name}: ${reason}`, flatten: true }); break;
    }
  }
}
