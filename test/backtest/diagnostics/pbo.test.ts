import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../../src/kernel/index.ts';
import { blockMoments, cscv, halfCombinations } from '../../../src/backtest/diagnostics/index.ts';

/** Standard normal draws from the seeded generator (Box–Muller). */
function gaussians(rng: SeededRandom, n: number, mean = 0, sd = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + sd * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return out;
}

test('C(S, S/2) splits: 12,870 for S = 16, each half of the blocks once', () => {
  assert.equal(halfCombinations(16).length, 12_870);
  assert.deepEqual(halfCombinations(4), [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
});

test('block moments are the per-block count, sum and sum of squares', () => {
  const m = blockMoments(Float64Array.of(1, 2, 3, 4, 5), 2);
  assert.deepEqual(m, { count: [2, 3], sum: [3, 12], sumSquares: [5, 50] });
});

test('pure noise: trials without skill overfit about half the time (PBO ≈ 0.5 on average over data sets)', () => {
  // One data set's PBO scatters widely around 0.5 (the splits of one sample are not independent), so
  // average over independent noise matrices, as the paper's Monte Carlo experiments do.
  const rng = new SeededRandom(7);
  const pbos: number[] = [];
  for (let k = 0; k < 16; k++) {
    const trials = Array.from({ length: 30 }, () => blockMoments(gaussians(rng, 480, 0, 0.01), 12));
    const r = cscv(trials, 12);
    assert.equal(r.splits, 924);
    pbos.push(r.pbo);
  }
  const mean = pbos.reduce((a, b) => a + b, 0) / pbos.length;
  assert.ok(Math.abs(mean - 0.5) < 0.1, `mean PBO ${mean} (${pbos.map((p) => p.toFixed(2)).join(' ')})`);
});

test('one dominant strategy: the in-sample best is always it, and it is best out of sample (PBO = 0)', () => {
  const rng = new SeededRandom(11);
  const trials = Array.from({ length: 20 }, (_, k) => blockMoments(gaussians(rng, 1600, k === 13 ? 0.01 : 0, 0.01), 16));
  const r = cscv(trials, 16);
  assert.equal(r.pbo, 0);
  assert.ok(r.logits.every((l) => Math.abs(l - Math.log(20)) < 1e-12), 'rank N of N: λ = ln(N/(N+1) / (1/(N+1))) = ln N');
  assert.equal(r.probabilityOfLoss, 0);
});

test('a constructed case worked by hand: two trials whose order flips between halves → PBO = 1', () => {
  // Trial A is good in blocks 0 and 1, bad in 2 and 3; trial B the mirror image. Whichever half is the
  // training set, the trial best on it is the worse one on the other half: every split overfits.
  const block = (sign: number) => [0.01 * sign, 0.012 * sign, 0.011 * sign, 0.009 * sign];
  const a = blockMoments(Float64Array.from([...block(1), ...block(1), ...block(-1), ...block(-1)]), 4);
  const b = blockMoments(Float64Array.from([...block(-1), ...block(-1), ...block(1), ...block(1)]), 4);
  const r = cscv([a, b], 4);
  // Splits {0,1} and {2,3} flip; the four mixed splits tie at Sharpe 0 both ways: mid-rank 1.5 of 2 → ω = 0.5, λ = 0 (counted as overfit).
  assert.equal(r.splits, 6);
  assert.equal(r.pbo, 1);
  assert.ok(Math.abs(r.logits[0] - Math.log((1 / 3) / (2 / 3))) < 1e-12, 'rank 1 of 2: ω = 1/3');
});
