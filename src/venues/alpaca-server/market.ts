import type { Bar, Instrument } from '../../model/index.ts';
import type { MarketEventHandler } from '../../kernel/index.ts';
import { MarketReplay } from '../sim-server/market.ts';
import { stableUuid } from './ids.ts';

/** The one tradable asset of this venue, as GET /v2/assets describes it. */
export interface VenueAsset {
  readonly id: string;
  /** Alpaca's symbol: `ORCL`, or `BTC/USD` for crypto. */
  readonly symbol: string;
  readonly assetClass: 'us_equity' | 'crypto';
  readonly exchange: string;
  readonly instrument: Instrument;
  readonly shortable: boolean;
}

/** Pace of the replay: wall milliseconds per bar, 0 = as fast as possible, `manual` = only `step()` moves it. */
export type ReplayPace = number | 'manual';

/**
 * The venue's market: the CSV's bars replayed through the sim server's `MarketReplay` (one kernel, one clock,
 * every account's matching engine sees each bar before the data stream does), the last price for buying
 * power, and the bars seen so far for the bars endpoint. Bars not replayed yet are never served: the venue
 * must not leak the future to its clients.
 */
export class VenueMarket {
  readonly asset: VenueAsset;
  readonly bars: readonly Bar[];
  readonly replay: MarketReplay;
  readonly pace: ReplayPace;
  /** The data's bar size in Alpaca's timeframe notation (`1Day`, `1Month`, …). */
  readonly timeframe: string;
  private readonly listeners = new Set<(bar: Bar) => void>();
  private readonly endListeners = new Set<() => void>();

  constructor(o: { asset: VenueAsset; bars: readonly Bar[]; intervalMs: number; pace: ReplayPace; firstBar?: number; untilBar?: number }) {
    this.asset = o.asset;
    this.bars = o.bars;
    this.pace = o.pace;
    this.timeframe = timeframeOf(o.intervalMs);
    this.replay = new MarketReplay({
      bars: o.bars, untilBar: o.untilBar, firstBar: o.firstBar, barIntervalMs: o.pace === 'manual' ? 0 : o.pace,
      onBar: (bar) => { for (const l of this.listeners) l(bar); },
      onEnd: () => { for (const l of this.endListeners) l(); },
    });
  }

  /** Start the paced replay (a manual market only moves through `step`). */
  start(): void {
    if (this.pace !== 'manual') this.replay.start();
  }

  stop(): void {
    this.replay.stop();
  }

  /** Replay the next `count` bars now; returns how many were replayed. */
  step(count = 1): number {
    return this.replay.step(count);
  }

  addMatchingEngine(venue: MarketEventHandler): void {
    this.replay.addVenue(venue);
  }

  onBar(l: (bar: Bar) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onEnd(l: () => void): () => void {
    this.endListeners.add(l);
    return () => this.endListeners.delete(l);
  }

  /** Simulated now: the time of the last bar replayed (of the first bar before the market opens). */
  now(): number {
    return this.replay.clock.now();
  }

  /** Bars replayed so far. */
  get replayed(): number {
    return this.replay.nextBar;
  }

  get lastBar(): Bar | undefined {
    const n = this.replay.nextBar;
    return n > 0 ? this.bars[n - 1] : undefined;
  }

  /** The bar before the last: "yesterday" for a position's change today. */
  get previousBar(): Bar | undefined {
    const n = this.replay.nextBar;
    return n > 1 ? this.bars[n - 2] : undefined;
  }

  /**
   * The price buying power is judged at: the last close; before the first bar, that bar's open (the price the
   * orders queued before the open will meet).
   */
  referencePrice(): number | undefined {
    return this.lastBar?.close ?? this.bars[this.replay.nextBar]?.open;
  }

  /** The next bar's time, if any (the clock's next_open). */
  nextBarTime(): number | undefined {
    return this.bars[this.replay.nextBar]?.ts;
  }
}

/** Alpaca's timeframe name for a bar spacing (median spacing of the file). @example timeframeOf(86_400_000) // "1Day" */
export function timeframeOf(ms: number): string {
  const min = 60_000, hour = 60 * min, day = 24 * hour;
  if (ms >= 27 * day) return `${Math.max(1, Math.round(ms / (30.4 * day)))}Month`;
  if (ms >= 6 * day && ms <= 8 * day) return '1Week';
  if (ms >= day) return `${Math.max(1, Math.round(ms / day))}Day`;
  if (ms >= hour && ms % hour === 0) return `${ms / hour}Hour`;
  return `${Math.max(1, Math.round(ms / min))}Min`;
}

/**
 * The asset for an instrument: crypto when asked or when the symbol is a pair (`BTC/USD`).
 *
 * @example assetFor(orcl, { symbol: 'ORCL', shortable: false }).assetClass // "us_equity"
 */
export function assetFor(inst: Instrument, o: { symbol: string; assetClass?: 'us_equity' | 'crypto'; shortable: boolean }): VenueAsset {
  const assetClass = o.assetClass ?? (o.symbol.includes('/') || inst.assetClass === 'crypto' ? 'crypto' : 'us_equity');
  return {
    id: stableUuid(`asset:${o.symbol}`), symbol: o.symbol, assetClass, exchange: assetClass === 'crypto' ? 'CRYPTO' : 'NASDAQ', instrument: inst,
    shortable: o.shortable && assetClass !== 'crypto',
  };
}
