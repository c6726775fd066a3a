import type { MarketEvent } from '../model/index.ts';
import type { MarketEventHandler } from '../kernel/index.ts';
import type { Strategy } from './strategy.ts';

/**
 * Feeds one strategy the market events of its instruments. Kept apart from `Strategy` so the base class
 * stays a plain API for users and the kernel sees one uniform handler.
 */
export class StrategyHost implements MarketEventHandler {
  private readonly strategy: Strategy<any>;
  private readonly instruments: ReadonlySet<string>;

  constructor(strategy: Strategy<any>, instrumentIds: readonly string[]) {
    this.strategy = strategy;
    this.instruments = new Set(instrumentIds);
  }

  start(): void {
    this.strategy.onStart();
  }

  stop(): void {
    this.strategy.onStop();
  }

  onMarketEvent(e: MarketEvent): void {
    if (!this.instruments.has(e.instrumentId)) return;
    switch (e.type) {
      case 'bar': this.strategy.onBar(e); break;
      case 'quote': this.strategy.onQuote(e); break;
      case 'trade': this.strategy.onTrade(e); break;
    }
  }
}
