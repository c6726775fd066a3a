/**
 * Statistics of the simple per-period returns r_i = E_i / E_{i-1} - 1 of an equity curve. They are computed
 * in two passes straight off the equity array, so a million-point curve costs no allocation.
 */

/**
 * A standard deviation below this (per period) is floating-point noise, not risk: a curve growing by exactly
 * 1% a period yields returns that differ in the 17th digit, and dividing by that noise would report a
 * Sharpe ratio of 1e15.
 */
export const RETURN_NOISE_FLOOR = 1e-12;

export interface ReturnStats {
  /** Number of returns (points − 1). */
  readonly count: number;
  /** Mean of r_i. */
  readonly mean: number;
  /** Mean of r_i − rfPerPeriod. */
  readonly meanExcess: number;
  /** Sample standard deviation (n − 1) of r_i; 0 when below the noise floor. */
  readonly stdev: number;
  /** sqrt(mean over all periods of min(0, r_i − rfPerPeriod)²); 0 when below the noise floor. */
  readonly downsideDeviation: number;
}

/**
 * Mean, sample stdev and downside deviation of the simple returns, or null when they do not exist: fewer than
 * two returns, or a return whose base equity is ≤ 0 (a blown-up account has no meaningful percentage return).
 *
 * @example
 * returnStats([100, 110, 99], 0); // returns +10%, −10%: { count: 2, mean: ≈0, stdev: ≈0.1414, … }
 */
export function returnStats(equity: ArrayLike<number>, rfPerPeriod: number): ReturnStats | null {
  const count = equity.length - 1;
  if (count < 2) return null;
  let sum = 0;
  for (let i = 1; i < equity.length; i++) {
    const base = equity[i - 1];
    if (!(base > 0)) return null;
    sum += equity[i] / base - 1;
  }
  const mean = sum / count;
  const meanExcess = mean - rfPerPeriod;
  let squaredDeviations = 0;
  let squaredShortfalls = 0;
  for (let i = 1; i < equity.length; i++) {
    const r = equity[i] / equity[i - 1] - 1;
    squaredDeviations += (r - mean) * (r - mean);
    const shortfall = r - rfPerPeriod;
    if (shortfall < 0) squaredShortfalls += shortfall * shortfall;
  }
  return {
    count,
    mean,
    meanExcess,
    stdev: aboveNoise(Math.sqrt(squaredDeviations / (count - 1))),
    downsideDeviation: aboveNoise(Math.sqrt(squaredShortfalls / count)),
  };
}

function aboveNoise(deviation: number): number {
  return deviation < RETURN_NOISE_FLOOR ? 0 : deviation;
}
