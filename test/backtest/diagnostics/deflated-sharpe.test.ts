import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflatedSharpe, expectedMaxSharpe, normalCdf, normalQuantile, probabilisticSharpe, returnMoments, sampleVariance } from '../../../src/backtest/diagnostics/index.ts';

test('normal CDF and quantile match tabulated values and invert each other', () => {
  // Tabulated quantiles (to the digits published in standard tables).
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-12);
  assert.ok(Math.abs(normalQuantile(0.99) - 2.326347874040841) < 1e-12);
  assert.ok(Math.abs(normalQuantile(0.05) + 1.6448536269514722) < 1e-12);
  assert.equal(normalQuantile(0.5), 0);
  assert.ok(Math.abs(normalCdf(1) - 0.8413447460685429) < 1e-14);
  assert.ok(Math.abs(normalCdf(-8) - 6.22096057427178e-16) / 6.22e-16 < 1e-9, 'lower tail keeps its digits');
  for (const p of [1e-12, 1e-6, 0.001, 0.02425, 0.3, 0.7, 0.97575, 0.999, 1 - 1e-9]) {
    assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) <= 1e-13 * Math.max(1, p / (1 - p)) + 1e-15, `round trip at ${p}`);
  }
});

test('the DSR paper\'s numerical example: SR 2.5 annualised, N=100, V=1/2, T=1250, skew -3, kurtosis 10 → SR0 ≈ 0.1132, DSR ≈ 0.9004', () => {
  // Bailey & López de Prado (2014), section "A numerical example": annual figures over 250 trading days a year.
  const perDay = (annual: number) => annual / Math.sqrt(250);
  const sr0 = expectedMaxSharpe(100, 0.5 / 250);
  assert.ok(Math.abs(sr0 - 0.1132) < 5e-5, `SR0 ${sr0}`);
  const d = deflatedSharpe({ sharpe: perDay(2.5), trials: 100, sharpeVariance: 0.5 / 250, observations: 1250, skewness: -3, kurtosis: 10 });
  assert.ok(Math.abs(d.deflatedSharpe - 0.9004) < 5e-5, `DSR ${d.deflatedSharpe}`);
  assert.equal(d.expectedMaxSharpe, sr0);
});

test('PSR: a normal, zero-benchmark case by hand, and the effect of skew and fat tails', () => {
  // SR^ = 0.1 per period over T = 101: z = 0.1 * 10 / sqrt(1 + 2/4 * 0.01) (normal: γ3 = 0, γ4 = 3).
  const z = (0.1 * 10) / Math.sqrt(1 + 0.5 * 0.01);
  assert.ok(Math.abs(probabilisticSharpe({ sharpe: 0.1, benchmark: 0, observations: 101, skewness: 0, kurtosis: 3 }) - normalCdf(z)) < 1e-15);
  const normal = probabilisticSharpe({ sharpe: 0.1, benchmark: 0, observations: 101, skewness: 0, kurtosis: 3 });
  assert.ok(probabilisticSharpe({ sharpe: 0.1, benchmark: 0, observations: 101, skewness: -2, kurtosis: 3 }) < normal, 'negative skew lowers confidence');
  assert.ok(probabilisticSharpe({ sharpe: 0.1, benchmark: 0, observations: 101, skewness: 0, kurtosis: 12 }) < normal, 'fat tails lower confidence');
});

test('expected maximum Sharpe grows with the number of trials and is 0 for one trial', () => {
  assert.equal(expectedMaxSharpe(1, 1), 0);
  const ten = expectedMaxSharpe(10, 1);
  const thousand = expectedMaxSharpe(1000, 1);
  assert.ok(ten > 1.4 && ten < 1.7, `${ten}`);
  assert.ok(thousand > 3 && thousand < 3.4, `${thousand}`);
  assert.ok(Math.abs(expectedMaxSharpe(1000, 4) - 2 * thousand) < 1e-12, 'scales with sqrt(V)');
});

test('return moments: sample Sharpe, population skewness and kurtosis by hand', () => {
  const r = [0.01, -0.02, 0.03, 0.0, 0.02];
  const mean = 0.008;
  const dev = r.map((x) => x - mean);
  const m2 = dev.reduce((s, d) => s + d * d, 0) / 5;
  const m3 = dev.reduce((s, d) => s + d ** 3, 0) / 5;
  const m4 = dev.reduce((s, d) => s + d ** 4, 0) / 5;
  const got = returnMoments(Float64Array.from(r));
  assert.ok(Math.abs(got.sharpe - mean / Math.sqrt((m2 * 5) / 4)) < 1e-12);
  assert.ok(Math.abs(got.skewness - m3 / m2 ** 1.5) < 1e-12);
  assert.ok(Math.abs(got.kurtosis - m4 / (m2 * m2)) < 1e-12);
  assert.deepEqual(returnMoments(new Float64Array(10)), { count: 10, sharpe: 0, skewness: 0, kurtosis: 3 });
  assert.equal(sampleVariance([1, 2, 3, 4]), 5 / 3);
});
