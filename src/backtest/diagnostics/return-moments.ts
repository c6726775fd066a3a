/**
 * The moments of a trial's per-period returns that the deflated Sharpe ratio needs: count, per-period
 * Sharpe, skewness and (non-excess) kurtosis. Computed in the worker that ran the trial, from the same simple
 * returns r_i = E_i / E_(i−1) − 1 the metrics use (docs/metrics.md).
 */

export interface ReturnMoments {
  /** Number of returns T. */
  readonly count: number;
  /** mean(r − rf) / stdev(r), per period, not annualised; 0 when the curve is flat. */
  readonly sharpe: number;
  /** Third standardised moment (population form), 0 when flat. */
  readonly skewness: number;
  /** Fourth standardised moment (population form, 3 for a normal), 3 when flat. */
  readonly kurtosis: number;
}

/**
 * Simple returns of an equity curve, into a new Float64Array of length n − 1 (0 where the base equity is not
 * positive: a blown-up account has no percentage return).
 *
 * @example simpleReturns([100, 110, 99]) // Float64Array [0.1, -0.1]
 */
export function simpleReturns(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, equity.length - 1));
  for (let i = 1; i < equity.length; i++) {
    const base = equity[i - 1];
    out[i - 1] = base > 0 ? equity[i] / base - 1 : 0;
  }
  return out;
}

/**
 * Moments of a return series; `rfPerPeriod` is subtracted from the mean for the Sharpe ratio.
 *
 * @example returnMoments(Float64Array.of(0.01, -0.01, 0.02, 0), 0).sharpe // ≈ 0.387
 */
export function returnMoments(returns: ArrayLike<number>, rfPerPeriod = 0): ReturnMoments {
  const n = returns.length;
  if (n < 2) return { count: n, sharpe: 0, skewness: 0, kurtosis: 3 };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += returns[i];
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const sampleVar = m2 / (n - 1);
  m2 /= n;
  m3 /= n;
  m4 /= n;
  // Same noise floor as the metrics (RETURN_NOISE_FLOOR): a flat curve has no Sharpe ratio, call it 0.
  if (Math.sqrt(sampleVar) < 1e-12) return { count: n, sharpe: 0, skewness: 0, kurtosis: 3 };
  return {
    count: n,
    sharpe: (mean - rfPerPeriod) / Math.sqrt(sampleVar),
    skewness: m3 / Math.pow(m2, 1.5),
    kurtosis: m4 / (m2 * m2),
  };
}
