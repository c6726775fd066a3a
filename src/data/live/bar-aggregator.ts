import { ticksToPrice, lotsToQuantity, wallTimeToUtc, zoneOffsetMs, type Bar, type Instrument, type TradeTick } from '../../model/index.ts';
import { parseBarInterval, parseBarConfig, type BarConfig, type BarConfigInput } from './live-config.ts';
import { alwaysOpen, type MarketHours } from './live-status.ts';

/**
 * Time bars built from trade ticks, for venues whose live feed has trades but no bars (or whose bars come
 * late or from another source than the trades). Prices are kept in integer ticks and volume in integer lots,
 * so a bar's OHLC and volume are exact whatever the number of trades: summing float sizes would drift.
 *
 * An interval is `[start, start + interval)` on the local clock of the instrument's zone (or
 * `config.timeZone`): intraday bars align to local minutes and hours (which differ from UTC ones in zones
 * such as Asia/Kolkata), and daily bars start at `sessionStart` local time, so a futures session opening at
 * 17:00 New York time is one bar across midnight and DST changes. A bar's `ts` is its open time.
 *
 * A bar is emitted when its interval is over: at the first trade at or past its end, or from `flush(now)`
 * once `now` is `closeDelayMs` past its end, so a quiet market does not hold a finished bar back. A trade for
 * an interval already emitted is late: counted and dropped (the bar was already seen; changing it would
 * rewrite history the strategy acted on). Intervals without trades produce no bar unless `emitEmpty`.
 */

export interface BarAggregatorOutput {
  onBar(bar: Bar): void;
}

export interface BarAggregatorOptions {
  readonly instruments: readonly Instrument[];
  readonly output: BarAggregatorOutput;
  readonly config?: BarConfigInput;
  /** Empty bars (with `emitEmpty`) only for intervals that start while the market is open. */
  readonly isMarketOpen?: MarketHours;
}

export interface BarAggregatorCounters {
  /** Bars emitted with at least one trade. */
  bars: number;
  /** Flat bars emitted for intervals without trades (`emitEmpty`). */
  emptyBars: number;
  /** Trades received for an interval already emitted; dropped. */
  lateTrades: number;
  /** Trades for an instrument the aggregator was not given; dropped. */
  unknownInstrument: number;
  /** Trade prices or sizes off the instrument's tick or lot grid, rounded to the nearest tick or lot. */
  offGrid: number;
}

const DAY_MS = 86_400_000;
// A price within this many ticks of a grid point is on it (float noise on a decimal like 45.34 is ~1e-15).
const GRID_TOLERANCE = 1e-6;

interface BarState {
  readonly inst: Instrument;
  readonly zone: string;
  /** The interval being built; NaN when none is open. */
  start: number;
  end: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** End of the last interval emitted; trades before it are late. */
  emittedUntil: number;
  /** Close of the last bar emitted, in ticks (NaN before the first), for empty bars. */
  lastClose: number;
}

/**
 * @example
 * const agg = new BarAggregator({ instruments: [es], config: { interval: '1m' }, output: { onBar: (b) => bars.push(b) } });
 * agg.onTrade(trade);              // may emit the previous minute's bar
 * timers.every(250, () => agg.flush(clock.now()));
 */
export class BarAggregator {
  readonly config: BarConfig;
  readonly intervalMs: number;
  readonly counters: BarAggregatorCounters = { bars: 0, emptyBars: 0, lateTrades: 0, unknownInstrument: 0, offGrid: 0 };
  private readonly output: BarAggregatorOutput;
  private readonly isMarketOpen: MarketHours;
  private readonly states = new Map<string, BarState>();
  private readonly sessionStartMs: number;

  constructor(o: BarAggregatorOptions) {
    this.config = parseBarConfig(o.config ?? {});
    this.intervalMs = parseBarInterval(this.config.interval) as number;
    this.sessionStartMs = (Number(this.config.sessionStart.slice(0, 2)) * 60 + Number(this.config.sessionStart.slice(3, 5))) * 60_000;
    this.output = o.output;
    this.isMarketOpen = o.isMarketOpen ?? alwaysOpen;
    for (const inst of o.instruments) {
      this.states.set(inst.id, {
        inst, zone: this.config.timeZone ?? inst.timeZone,
        start: NaN, end: NaN, open: 0, high: 0, low: 0, close: 0, volume: 0, emittedUntil: -Infinity, lastClose: NaN,
      });
    }
  }

  /**
   * Add one trade (already validated, in time order per instrument). Returns false when it was dropped
   * (late, or an unknown instrument).
   *
   * @example
   * agg.onTrade({ type: 'trade', instrumentId: 'ES', ts: Date.UTC(2024, 0, 2, 14, 31), price: 4750.25, size: 2 });
   */
  onTrade(t: TradeTick): boolean {
    const st = this.states.get(t.instrumentId);
    if (st === undefined) {
      this.counters.unknownInstrument++;
      return false;
    }
    if (t.ts < st.emittedUntil || t.ts < st.start) {
      this.counters.lateTrades++;
      return false;
    }
    if (t.ts >= st.end) this.emit(st);
    const inst = st.inst;
    const ticksF = t.price / inst.tickSize;
    const ticks = Math.round(ticksF);
    const lotsF = t.size / inst.lotSizeNumber;
    const lots = Math.round(lotsF);
    if (Math.abs(ticksF - ticks) > GRID_TOLERANCE || Math.abs(lotsF - lots) > GRID_TOLERANCE) this.counters.offGrid++;
    if (st.start !== st.start) {
      this.fillEmpty(st, t.ts);
      this.openInterval(st, t.ts);
      st.open = st.high = st.low = ticks;
      st.volume = 0;
    } else {
      if (ticks > st.high) st.high = ticks;
      if (ticks < st.low) st.low = ticks;
    }
    st.close = ticks;
    st.volume += lots;
    return true;
  }

  /**
   * Emit every bar whose interval ended at least `closeDelayMs` before `now` (and, with `emitEmpty`, the
   * empty intervals up to there). Call it on a timer so bars close in a quiet market.
   *
   * @example
   * agg.flush(clock.now());
   */
  flush(now: number): void {
    const delay = this.config.closeDelayMs;
    for (const st of this.states.values()) {
      if (st.start === st.start && st.end + delay <= now) this.emit(st);
      if (this.config.emitEmpty && st.start !== st.start) this.fillEmpty(st, now - delay, true);
    }
  }

  /** The start of the interval containing `ts` for an instrument (for tests and tools). @example agg.intervalStart('ES', ts) */
  intervalStart(instrumentId: string, ts: number): number {
    const st = this.states.get(instrumentId);
    if (st === undefined) throw new Error(`BarAggregator has no instrument ${instrumentId}`);
    return this.bounds(st, ts)[0];
  }

  /** Emit the open bar, if any. */
  private emit(st: BarState): void {
    if (st.start !== st.start) return;
    this.counters.bars++;
    this.output.onBar(this.makeBar(st, st.start, st.open, st.high, st.low, st.close, st.volume));
    st.lastClose = st.close;
    st.emittedUntil = st.end;
    st.start = NaN;
    st.end = NaN;
  }

  /**
   * With `emitEmpty`, emit flat bars for the intervals from the last one emitted up to the one containing
   * `until` (excluded; `closed`: up to the last interval ending at or before `until`).
   */
  private fillEmpty(st: BarState, until: number, closed = false): void {
    if (!this.config.emitEmpty || st.lastClose !== st.lastClose || !Number.isFinite(st.emittedUntil)) return;
    for (;;) {
      const [start, end] = this.bounds(st, st.emittedUntil);
      if (closed ? end > until : end > until || start >= until) return;
      if (this.isMarketOpen(st.inst.id, start)) {
        this.counters.emptyBars++;
        const c = st.lastClose;
        this.output.onBar(this.makeBar(st, start, c, c, c, c, 0));
      }
      st.emittedUntil = end;
    }
  }

  private openInterval(st: BarState, ts: number): void {
    const [start, end] = this.bounds(st, ts);
    // A DST change can map a local interval start before the previous end; never overlap a bar already seen.
    st.start = Math.max(start, st.emittedUntil);
    st.end = end;
  }

  /** `[start, end)` of the interval containing `ts`, on the zone's local clock. */
  private bounds(st: BarState, ts: number): [number, number] {
    const interval = this.intervalMs;
    const offset = zoneOffsetMs(ts, st.zone);
    if (interval < DAY_MS) {
      const start = Math.floor((ts + offset) / interval) * interval - offset;
      return [start, start + interval];
    }
    const day = Math.floor((ts + offset - this.sessionStartMs) / DAY_MS);
    const start = wallTimeToUtc(day * DAY_MS + this.sessionStartMs, st.zone);
    return [start, wallTimeToUtc((day + 1) * DAY_MS + this.sessionStartMs, st.zone)];
  }

  private makeBar(st: BarState, ts: number, open: number, high: number, low: number, close: number, lots: number): Bar {
    const inst = st.inst;
    return {
      type: 'bar', instrumentId: inst.id, ts,
      open: ticksToPrice(inst, open), high: ticksToPrice(inst, high), low: ticksToPrice(inst, low), close: ticksToPrice(inst, close),
      volume: lotsToQuantity(inst, lots),
    };
  }
}
