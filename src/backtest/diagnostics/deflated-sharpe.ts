/**
 * The probabilistic and deflated Sharpe ratios of Bailey & López de Prado:
 * - D. H. Bailey, M. López de Prado, "The Sharpe Ratio Efficient Frontier", Journal of Risk 15(2), 2012
 *   (the PSR);
 * - D. H. Bailey, M. López de Prado, "The Deflated Sharpe Ratio: Correcting for Selection Bias, Backtest
 *   Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 2014, pp. 94–107 (the DSR).
 *
 * Every Sharpe ratio here is per observation (not annualised): the mean of the period returns over their
 * standard deviation. Kurtosis is the plain (not excess) fourth standardised moment, 3 for a normal.
 */
import { normalCdf, normalQuantile } from './normal.ts';

/** Euler–Mascheroni constant γ. */
export const EULER_GAMMA = 0.5772156649015329;

/**
 * Probabilistic Sharpe ratio (DSR paper, eq. 2; PSR paper, eq. 10): the probability that the true Sharpe
 * ratio exceeds `benchmark`, given an estimate `sharpe` from `observations` returns with skewness γ3 and
 * kurtosis γ4:
 *
 *   PSR(SR*) = Z[ (SR^ − SR*) √(T − 1) / √(1 − γ3 SR^ + (γ4 − 1)/4 · SR^²) ]
 *
 * @example probabilisticSharpe({ sharpe: 0.1, benchmark: 0, observations: 1000, skewness: 0, kurtosis: 3 }) // ≈ 0.9992
 */
export function probabilisticSharpe(o: { sharpe: number; benchmark: number; observations: number; skewness: number; kurtosis: number }): number {
  const { sharpe: sr, benchmark, observations: t, skewness: g3, kurtosis: g4 } = o;
  const variance = 1 - g3 * sr + ((g4 - 1) / 4) * sr * sr;
  if (!(t > 1) || !(variance > 0)) return Number.NaN;
  return normalCdf(((sr - benchmark) * Math.sqrt(t - 1)) / Math.sqrt(variance));
}

/**
 * Expected maximum Sharpe ratio of N independent trials whose true Sharpe is zero and whose estimates have
 * variance V (DSR paper, eq. 1, from the False Strategy theorem):
 *
 *   SR0 = √V · ( (1 − γ) Z⁻¹[1 − 1/N] + γ Z⁻¹[1 − 1/(N e)] )
 *
 * Zero for a single trial (nothing was selected).
 *
 * @example expectedMaxSharpe(100, 0.5 / 250) // ≈ 0.1132 (the paper's example, per day)
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (!(trials > 1) || !(variance > 0)) return 0;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
}

export interface DeflatedSharpe {
  /** Per-observation Sharpe of the selected trial. */
  readonly sharpe: number;
  /** SR0, the expected maximum Sharpe of the trials under the null (eq. 1). */
  readonly expectedMaxSharpe: number;
  /** DSR = PSR(SR0) (eq. 2): probability that the selected trial's true Sharpe is above SR0. */
  readonly deflatedSharpe: number;
  /** PSR(0): the same probability against zero, ignoring how many trials were run. */
  readonly probabilisticSharpe: number;
  readonly trials: number;
  readonly sharpeVariance: number;
  readonly observations: number;
  readonly skewness: number;
  readonly kurtosis: number;
}

/**
 * Deflated Sharpe ratio of the selected trial: PSR with the benchmark SR0 that N trials with Sharpe
 * variance V would reach by luck alone.
 *
 * @example
 * deflatedSharpe({ sharpe: 2.5 / Math.sqrt(250), trials: 100, sharpeVariance: 0.5 / 250, observations: 1250, skewness: -3, kurtosis: 10 }).deflatedSharpe // ≈ 0.90
 */
export function deflatedSharpe(o: { sharpe: number; trials: number; sharpeVariance: number; observations: number; skewness: number; kurtosis: number }): DeflatedSharpe {
  const sr0 = expectedMaxSharpe(o.trials, o.sharpeVariance);
  const base = { sharpe: o.sharpe, observations: o.observations, skewness: o.skewness, kurtosis: o.kurtosis };
  return {
    ...base,
    expectedMaxSharpe: sr0,
    deflatedSharpe: probabilisticSharpe({ ...base, benchmark: sr0 }),
    probabilisticSharpe: probabilisticSharpe({ ...base, benchmark: 0 }),
    trials: o.trials,
    sharpeVariance: o.sharpeVariance,
  };
}

/** Sample variance (n − 1) of values; 0 with fewer than two. */
export function sampleVariance(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return ss / (n - 1);
}
