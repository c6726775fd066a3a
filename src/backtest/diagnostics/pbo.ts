/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV):
 * D. H. Bailey, J. M. Borwein, M. López de Prado, Q. J. Zhu, "The Probability of Backtest Overfitting",
 * Journal of Computational Finance 20(4), 2017 (SSRN 2326253, 2013–2015), section 2.
 *
 * The paper's matrix M has T rows (periods) and N columns (trials). Rows are cut into S disjoint blocks of
 * equal size; each of the C(S, S/2) ways to pick half the blocks is a training set J, its complement J̄ the
 * test set. On J the best trial n* is chosen; ω̄ is its relative rank among the N trials on J̄, and
 * λ = ln(ω̄ / (1 − ω̄)). PBO = the share of splits with λ ≤ 0: how often the in-sample winner lands in the
 * bottom half out of sample.
 *
 * The performance statistic is the Sharpe ratio (mean over sample standard deviation of the period returns).
 * It depends on a set of rows only through their count, sum and sum of squares, so each trial reports those
 * three moments per block (`BlockMoments`) and the whole matrix never has to leave the worker that ran it:
 * the result is the same as applying the paper's procedure to M itself.
 */

/** Count, Σr and Σr² of a trial's returns in each of the S blocks. */
export interface BlockMoments {
  readonly count: readonly number[];
  readonly sum: readonly number[];
  readonly sumSquares: readonly number[];
}

export interface PboResult {
  /** Probability of backtest overfitting: share of splits with λ ≤ 0. */
  readonly pbo: number;
  /** Number of splits C(S, S/2). */
  readonly splits: number;
  readonly blocks: number;
  readonly trials: number;
  /** λ of every split, in the order the combinations are enumerated. */
  readonly logits: readonly number[];
  /** Slope of a least-squares fit of the OOS Sharpe of n* on its IS Sharpe ("performance degradation"). */
  readonly degradationSlope: number;
  /** Share of splits where n*'s out-of-sample Sharpe is below zero ("probability of loss"). */
  readonly probabilityOfLoss: number;
  /** Per split: IS Sharpe and OOS Sharpe of the selected trial. */
  readonly pairs: ReadonlyArray<readonly [number, number]>;
}

/** Split the indices 0..n−1 into `blocks` contiguous blocks of (almost) equal size: block b = [start(b), start(b+1)). */
export function blockStart(n: number, blocks: number, b: number): number {
  return Math.floor((b * n) / blocks);
}

/**
 * Per-block moments of one return series (the worker side of CSCV).
 *
 * @example blockMoments([0.01, -0.02, 0.03, 0.0], 2) // { count: [2, 2], sum: [-0.01, 0.03], … }
 */
export function blockMoments(returns: ArrayLike<number>, blocks: number): BlockMoments {
  const count: number[] = [];
  const sum: number[] = [];
  const sumSquares: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const from = blockStart(returns.length, blocks, b);
    const to = blockStart(returns.length, blocks, b + 1);
    let s = 0;
    let ss = 0;
    for (let i = from; i < to; i++) {
      s += returns[i];
      ss += returns[i] * returns[i];
    }
    count.push(to - from);
    sum.push(s);
    sumSquares.push(ss);
  }
  return { count, sum, sumSquares };
}

/** Sharpe ratio (mean / sample stdev) of the rows in the chosen blocks; 0 when undefined (no spread). */
function sharpeOf(m: BlockMoments, chosen: readonly number[]): number {
  let n = 0;
  let s = 0;
  let ss = 0;
  for (const b of chosen) {
    n += m.count[b];
    s += m.sum[b];
    ss += m.sumSquares[b];
  }
  if (n < 2) return 0;
  const mean = s / n;
  const variance = (ss - n * mean * mean) / (n - 1);
  // Below this the "spread" is rounding noise of a flat curve, not risk.
  if (!(variance > 1e-24)) return 0;
  return mean / Math.sqrt(variance);
}

/** All S/2-subsets of 0..S−1, in lexicographic order. */
export function halfCombinations(s: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const rec = (start: number): void => {
    if (pick.length === s / 2) { out.push([...pick]); return; }
    for (let i = start; i < s; i++) {
      pick.push(i);
      rec(i + 1);
      pick.pop();
    }
  };
  rec(0);
  return out;
}

/**
 * CSCV over the trials' block moments (every trial with the same S blocks over the same periods).
 * Ties: n* is the first trial with the best IS Sharpe; its OOS rank counts trials strictly below it plus
 * half of those tied with it (mid-rank), plus one, so ω̄ = rank / (N + 1) stays strictly inside (0, 1) as
 * the paper requires.
 *
 * @example cscv(trials.map((t) => t.blocks), 16).pbo
 */
export function cscv(trials: readonly BlockMoments[], blocks: number): PboResult {
  if (blocks < 2 || blocks % 2 !== 0) throw new Error(`cscv: S must be even and at least 2, got ${blocks}`);
  const n = trials.length;
  if (n < 2) throw new Error('cscv: needs at least two trials');
  const combos = halfCombinations(blocks);
  const logits: number[] = [];
  const pairs: Array<readonly [number, number]> = [];
  let overfit = 0;
  let losses = 0;
  const oos = new Float64Array(n);
  for (const train of combos) {
    const inTrain = new Set(train);
    const test: number[] = [];
    for (let b = 0; b < blocks; b++) if (!inTrain.has(b)) test.push(b);
    let best = 0;
    let bestIs = -Infinity;
    for (let j = 0; j < n; j++) {
      const v = sharpeOf(trials[j], train);
      if (v > bestIs) { bestIs = v; best = j; }
    }
    for (let j = 0; j < n; j++) oos[j] = sharpeOf(trials[j], test);
    const mine = oos[best];
    let below = 0;
    let tied = 0;
    for (let j = 0; j < n; j++) {
      if (j === best) continue;
      if (oos[j] < mine) below++;
      else if (oos[j] === mine) tied++;
    }
    const rank = below + tied / 2 + 1;
    const omega = rank / (n + 1);
    const lambda = Math.log(omega / (1 - omega));
    logits.push(lambda);
    pairs.push([bestIs, mine]);
    if (lambda <= 0) overfit++;
    if (mine < 0) losses++;
  }
  return {
    pbo: overfit / combos.length, splits: combos.length, blocks, trials: n, logits,
    degradationSlope: slope(pairs), probabilityOfLoss: losses / combos.length, pairs,
  };
}

/** Least-squares slope of y on x; 0 when x has no spread. */
function slope(pairs: ReadonlyArray<readonly [number, number]>): number {
  const n = pairs.length;
  let mx = 0;
  let my = 0;
  for (const [x, y] of pairs) { mx += x; my += y; }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pairs) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx); }
  return sxx > 0 ? sxy / sxx : 0;
}
