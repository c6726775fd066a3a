import type { BreakerConfig } from '../config.ts';
import type { InstrumentBook } from '../exposure-book.ts';

type Config = NonNullable<BreakerConfig['staleData']>;

/**
 * No market data for too long on an instrument where the account has a position or working orders: the
 * engine can no longer see its risk there. Instruments without exposure may go quiet freely.
 */
export class StaleDataBreaker {
  readonly name = 'stale-data';
  readonly action;
  private readonly maxAgeMs: number;

  constructor(config: Config) {
    this.maxAgeMs = config.maxAgeMs;
    this.action = config.action;
  }

  check(now: number, books: readonly InstrumentBook[]): string | undefined {
    for (let i = 0; i < books.length; i++) {
      const b = books[i];
      if (b.lots === 0 && b.openOrders === 0) continue;
      const age = now - b.refTs;
      if (Number.isNaN(b.refTs) || age > this.maxAgeMs) {
        const seen = Number.isNaN(b.refTs) ? 'no data received' : `last data ${age / 1000} s ago`;
        return `${b.instrument.id} market data is stale (${seen}, limit ${this.maxAgeMs / 1000} s) while the account has exposure there`;
      }
    }
    return undefined;
  }

  rearm(): void {}
}
