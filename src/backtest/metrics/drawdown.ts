/**
 * Drawdown: how far equity sits below its running peak. The peak starts at the first point, so a curve that
 * only falls is in drawdown from its first bar.
 */

const DAY_MS = 86_400_000;

/**
 * Drawdown at every point, E_t / max_{s≤t} E_s − 1: 0 at a new high, −0.25 when 25% below the peak.
 * Below −1 when equity goes negative (a leveraged account that lost more than it had).
 * Expects a positive first equity, as every drawdown is relative to a peak.
 *
 * @example
 * drawdownSeries([100, 120, 90, 130]); // Float64Array [0, 0, -0.25, 0]
 */
export function drawdownSeries(equity: ArrayLike<number>): Float64Array {
  const drawdown = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    if (equity[i] > peak) peak = equity[i];
    drawdown[i] = equity[i] / peak - 1;
  }
  return drawdown;
}

export interface DrawdownStats {
  /** Most negative drawdown (a fraction ≤ 0); 0 if equity never fell below a peak. */
  readonly maxDrawdown: number;
  /** Longest peak-to-recovery stretch (or peak-to-end if never recovered), in bars. */
  readonly maxDurationBars: number;
  /** Longest peak-to-recovery stretch (or peak-to-end), in days (fractional for intraday curves). */
  readonly maxDurationDays: number;
}

/**
 * Deepest drawdown and the longest underwater stretches. A stretch runs from the bar of a peak to the first
 * bar whose equity is back at or above that peak, or to the last bar if it never recovers. The bar and the
 * day maxima are taken separately, so on an irregular clock they may come from different stretches.
 * Expects a positive first equity (the peak must be positive for the ratio to mean anything).
 *
 * @example
 * drawdownStats([0, 1, 2, 3].map((d) => d * 86_400_000), [100, 80, 100, 90]);
 * // { maxDrawdown: -0.2, maxDurationBars: 2, maxDurationDays: 2 }
 */
export function drawdownStats(times: ArrayLike<number>, equity: ArrayLike<number>): DrawdownStats {
  let maxDrawdown = 0;
  let maxDurationBars = 0;
  let maxDurationMs = 0;
  let peak = equity[0];
  let peakIndex = 0;
  let underwater = false;
  for (let i = 1; i < equity.length; i++) {
    const e = equity[i];
    if (e >= peak) {
      // Only a stretch that actually dipped is a drawdown; consecutive new highs are not.
      if (underwater) {
        maxDurationBars = Math.max(maxDurationBars, i - peakIndex);
        maxDurationMs = Math.max(maxDurationMs, times[i] - times[peakIndex]);
        underwater = false;
      }
      peak = e;
      peakIndex = i;
    } else {
      underwater = true;
      const drawdown = e / peak - 1;
      if (drawdown < maxDrawdown) maxDrawdown = drawdown;
    }
  }
  if (underwater) {
    const last = equity.length - 1;
    maxDurationBars = Math.max(maxDurationBars, last - peakIndex);
    maxDurationMs = Math.max(maxDurationMs, times[last] - times[peakIndex]);
  }
  return { maxDrawdown, maxDurationBars, maxDurationDays: maxDurationMs / DAY_MS };
}
