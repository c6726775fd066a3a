import type { OHLCV, Ticker, Trade as CcxtTrade } from 'ccxt';
import { ticksToPrice, type Bar, type Quote, type TradeTick } from '../../model/index.ts';
import { marketAmount, priceToTicks, type MarketBinding } from './market-grid.ts';

/**
 * ccxt market data as Keel events. Every price goes through the instrument's tick grid exactly (an off-grid
 * value is a KeelError naming the field and value, never rounded) and comes out as the float of the exact
 * tick, so two feeds of the same data give identical bars.
 */

/**
 * One ccxt candle `[ts, open, high, low, close, volume]` as a Keel Bar.
 *
 * @example toBar(btc, [1721278920000, 64625.4, 64625.4, 64598.55, 64616.2175, 0.015155213])
 */
export function toBar(b: MarketBinding, c: OHLCV): Bar {
  const [ts, open, high, low, close, volume] = c;
  const at = `${b.symbol} bar ${ts === undefined ? '?' : new Date(ts).toISOString()}`;
  if (typeof ts !== 'number') throw new Error(`${at}: candle without a timestamp`);
  const price = (v: number | undefined, name: string) => ticksToPrice(b.instrument, priceToTicks(b, v, `${at} ${name}`));
  return {
    type: 'bar', instrumentId: b.instrument.id, ts,
    open: price(open, 'open'), high: price(high, 'high'), low: price(low, 'low'), close: price(close, 'close'),
    volume: volume === undefined || volume === null ? 0 : marketAmount(b, volume, `${at} volume`),
  };
}

/**
 * A ccxt public trade as a Keel TradeTick (size on the exchange's amount step).
 *
 * @example toTradeTick(btc, trade) // { type: 'trade', instrumentId: 'BTC/USD', price: 64625.4, size: 0.015155213, ts }
 */
export function toTradeTick(b: MarketBinding, t: CcxtTrade): TradeTick {
  const at = `${b.symbol} trade ${t.id ?? '?'}`;
  return {
    type: 'trade', instrumentId: b.instrument.id, ts: t.timestamp ?? 0,
    price: ticksToPrice(b.instrument, priceToTicks(b, t.price, `${at} price`)),
    size: marketAmount(b, t.amount, `${at} amount`),
  };
}

/**
 * A ccxt ticker's top of book as a Keel Quote; undefined when it has no bid or ask.
 *
 * @example toQuote(btc, ticker) // { type: 'quote', bid: 69625.1, ask: 69684.9, … }
 */
export function toQuote(b: MarketBinding, t: Ticker): Quote | undefined {
  if (t.bid === undefined || t.ask === undefined || t.bid === null || t.ask === null) return undefined;
  const at = `${b.symbol} ticker`;
  return {
    type: 'quote', instrumentId: b.instrument.id, ts: t.timestamp ?? 0,
    bid: ticksToPrice(b.instrument, priceToTicks(b, t.bid, `${at} bid`)),
    ask: ticksToPrice(b.instrument, priceToTicks(b, t.ask, `${at} ask`)),
    bidSize: t.bidVolume === undefined || t.bidVolume === null ? 0 : marketAmount(b, t.bidVolume, `${at} bidVolume`),
    askSize: t.askVolume === undefined || t.askVolume === null ? 0 : marketAmount(b, t.askVolume, `${at} askVolume`),
  };
}

/**
 * Candles whose period is over and not yet emitted: a candle is final once a later one exists or its period
 * ended by `now`. Exchanges send the forming candle too; emitting it would show a strategy a bar that changes.
 *
 * @example closedCandles(candles, lastTs, 60_000, Date.now())
 */
export function closedCandles(candles: readonly OHLCV[], afterTs: number, periodMs: number, now: number): OHLCV[] {
  const sorted = [...candles].filter((c) => typeof c[0] === 'number' && (c[0] as number) > afterTs).sort((a, b) => (a[0] as number) - (b[0] as number));
  const newest = candles.reduce((m, c) => Math.max(m, (c[0] as number) ?? 0), 0);
  return sorted.filter((c) => (c[0] as number) < newest || (c[0] as number) + periodMs <= now);
}
