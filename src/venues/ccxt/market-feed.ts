import type { OHLCV, Trade as CcxtTrade } from 'ccxt';
import type { MarketEvent } from '../../model/index.ts';
import { Backoff, sleepMs } from '../net/index.ts';
import type { Exchange } from './exchange.ts';
import type { RequestGate } from './request-gate.ts';
import type { MarketBinding } from './market-grid.ts';
import { closedCandles, toBar, toQuote, toTradeTick } from './market-data.ts';

export interface MarketFeedContext {
  readonly ex: Exchange;
  readonly gate: RequestGate;
  readonly markets: readonly MarketBinding[];
  readonly mode: 'ohlcv' | 'trades' | 'ticker' | 'none';
  readonly timeframe: string;
  readonly streaming: boolean;
  readonly pollIntervalMs: number;
  readonly signal: AbortSignal;
  readonly now: () => number;
  emit(e: MarketEvent): void;
  /** A value that cannot be converted exactly (off the grid): reported, the event dropped. */
  fault(e: unknown): void;
  log(line: string, error?: unknown): void;
}

/**
 * Market data for the bound markets: closed OHLCV bars, trade prints or top of book, by ccxt pro's
 * `watchOHLCV` / `watchTrades` / `watchTicker` when the exchange has them, else by polling `fetchOHLCV` /
 * `fetchTrades` / `fetchTicker`. Each market runs its own loop; a failing loop backs off and retries.
 */
export class MarketFeed {
  private readonly c: MarketFeedContext;
  private readonly lastBarTs = new Map<string, number>();
  private readonly seenTrades = new Map<string, Set<string>>();

  constructor(c: MarketFeedContext) {
    this.c = c;
  }

  start(): void {
    if (this.c.mode === 'none') return;
    for (const b of this.c.markets) void this.loop(b);
  }

  private async loop(b: MarketBinding): Promise<void> {
    const { ex, gate, mode, timeframe } = this.c;
    const method = mode === 'ohlcv' ? 'watchOHLCV' : mode === 'trades' ? 'watchTrades' : 'watchTicker';
    const ws = this.c.streaming && ex.has[method] === true;
    const backoff = new Backoff({ baseMs: 250, maxMs: 15_000 });
    const periodMs = ex.parseTimeframe(timeframe) * 1000;
    while (!this.c.signal.aborted) {
      try {
        if (mode === 'ohlcv') {
          const since = this.lastBarTs.get(b.symbol);
          const candles = ws
            ? await ex.watchOHLCV(b.symbol, timeframe)
            : await gate.call('fetchOHLCV', () => ex.fetchOHLCV(b.symbol, timeframe, since === undefined ? undefined : since + 1), true);
          this.onCandles(b, candles, periodMs);
        } else if (mode === 'trades') {
          const trades = ws ? await ex.watchTrades(b.symbol) : await gate.call('fetchTrades', () => ex.fetchTrades(b.symbol), true);
          this.onTrades(b, trades);
        } else {
          const ticker = ws ? await ex.watchTicker(b.symbol) : await gate.call('fetchTicker', () => ex.fetchTicker(b.symbol), true);
          this.guard(() => {
            const q = toQuote(b, ticker);
            if (q !== undefined) this.c.emit(q);
          });
        }
        backoff.reset();
        if (!ws) await sleepMs(this.c.pollIntervalMs, this.c.signal).catch(() => {});
      } catch (e) {
        if (this.c.signal.aborted) return;
        this.c.log(`${method.replace('watch', ws ? 'watch' : 'fetch')} ${b.symbol} failed; retrying`, e);
        await sleepMs(backoff.next(), this.c.signal).catch(() => {});
      }
    }
  }

  private onCandles(b: MarketBinding, candles: readonly OHLCV[], periodMs: number): void {
    const after = this.lastBarTs.get(b.symbol) ?? -Infinity;
    for (const c of closedCandles(candles, after, periodMs, this.c.now())) {
      this.lastBarTs.set(b.symbol, c[0] as number);
      this.guard(() => this.c.emit(toBar(b, c)));
    }
  }

  private onTrades(b: MarketBinding, trades: readonly CcxtTrade[]): void {
    const seen = this.seenTrades.get(b.symbol) ?? new Set<string>();
    this.seenTrades.set(b.symbol, seen);
    for (const t of trades) {
      const key = t.id ?? `${t.timestamp}:${t.price}:${t.amount}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.guard(() => this.c.emit(toTradeTick(b, t)));
    }
    // Polling returns the latest page again and again: remember only what a page can hold.
    if (seen.size > 10_000) for (const k of [...seen].slice(0, seen.size - 5_000)) seen.delete(k);
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.c.fault(e);
    }
  }
}
