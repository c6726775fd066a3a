/**
 * Downsampling for the charts. A report must stay small and open fast even for a run over millions of
 * minute bars, and a screen is only a few thousand pixels wide anyway. Series are cut into consecutive
 * buckets of equal bar count (at most `maxBuckets` of them) and each bucket becomes one point:
 * OHLC buckets aggregate (first open, max high, min low, last close), the equity line keeps the bucket's last
 * value, the drawdown keeps its deepest value so the maximum drawdown is never smoothed away.
 *
 * The charts also need strictly increasing times in whole UTC seconds, so points that fall in the same
 * second (ticks, or out-of-order data) are merged into the current bucket too.
 */

/**
 * Default cap on candles in the price chart (~300 kB of JSON). Chosen so 20+ years of daily bars
 * (~252 a year) still show one candle per day; longer or intraday series get aggregated.
 */
export const MAX_CANDLES = 6_000;
/** Default cap on points in the equity and drawdown lines. */
export const MAX_LINE_POINTS = 10_000;

export interface Candles {
  /** UTC seconds, strictly increasing. */
  readonly time: number[];
  readonly open: number[];
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
}

/**
 * Plans the buckets: returns the index where each bucket starts, for epoch-millisecond times.
 * Every bucket holds at least `ceil(n / maxBuckets)` points (the last may hold fewer), so there are at
 * most `maxBuckets`; each bucket also swallows points whose second is not after its start's second.
 *
 * @example
 * bucketStarts([0, 1000, 2000, 3000], 2); // [0, 2]
 */
export function bucketStarts(timesMs: ArrayLike<number>, maxBuckets: number): number[] {
  const n = timesMs.length;
  const size = Math.max(1, Math.ceil(n / Math.max(1, maxBuckets)));
  const starts: number[] = [];
  let lastSecond = -Infinity;
  let count = size;
  for (let i = 0; i < n; i++) {
    const second = Math.floor(timesMs[i] / 1000);
    if (count >= size && second > lastSecond) {
      starts.push(i);
      lastSecond = second;
      count = 0;
    }
    count++;
  }
  return starts;
}

/**
 * Aggregates OHLC bars into at most `maxCandles` candles with UTC-second times.
 *
 * @example
 * const c = aggregateCandles({ time: [0, 60_000], open: [1, 2], high: [3, 4], low: [0, 1], close: [2, 3] }, 1);
 * // c = { time: [0], open: [1], high: [4], low: [0], close: [3] }
 */
export function aggregateCandles(
  bars: { readonly time: ArrayLike<number>; readonly open: ArrayLike<number>; readonly high: ArrayLike<number>; readonly low: ArrayLike<number>; readonly close: ArrayLike<number> },
  maxCandles = MAX_CANDLES,
): Candles {
  const starts = bucketStarts(bars.time, maxCandles);
  const out: Candles = { time: [], open: [], high: [], low: [], close: [] };
  for (let b = 0; b < starts.length; b++) {
    const from = starts[b];
    const to = b + 1 < starts.length ? starts[b + 1] : bars.time.length;
    let high = bars.high[from];
    let low = bars.low[from];
    for (let i = from + 1; i < to; i++) {
      if (bars.high[i] > high) high = bars.high[i];
      if (bars.low[i] < low) low = bars.low[i];
    }
    out.time.push(Math.floor(bars.time[from] / 1000));
    out.open.push(bars.open[from]);
    out.high.push(high);
    out.low.push(low);
    out.close.push(bars.close[to - 1]);
  }
  return out;
}

/**
 * Reduces a value series over planned buckets: `'last'` keeps each bucket's last value (equity),
 * `'min'` its smallest (drawdown).
 *
 * @example
 * reduceBuckets([5, 3, 4, 1], [0, 2], 'min');  // [3, 1]
 * reduceBuckets([5, 3, 4, 1], [0, 2], 'last'); // [3, 1]
 */
export function reduceBuckets(values: ArrayLike<number>, starts: readonly number[], how: 'last' | 'min'): number[] {
  const out: number[] = [];
  for (let b = 0; b < starts.length; b++) {
    const to = b + 1 < starts.length ? starts[b + 1] : values.length;
    if (how === 'last') {
      out.push(values[to - 1]);
    } else {
      let min = values[starts[b]];
      for (let i = starts[b] + 1; i < to; i++) if (values[i] < min) min = values[i];
      out.push(min);
    }
  }
  return out;
}
