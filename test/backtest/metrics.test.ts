import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics, drawdownSeries } from '../../src/backtest/metrics/index.ts';
import type { PerformanceMetrics } from '../../src/backtest/result.ts';

const DAY = 86_400_000;
const close = (actual: number | null, expected: number, tolerance = 1e-12): void => {
  assert.ok(actual !== null, `expected ≈${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `expected ≈${expected}, got ${actual}`);
};
const assertNoNaN = (m: PerformanceMetrics): void => {
  for (const [key, value] of Object.entries(m)) {
    assert.ok(value === null || Number.isFinite(value), `${key} = ${value}`);
  }
};

// Mon 2024-01-01 … Fri 01-05, Mon 01-08: a weekday calendar, so 252 periods a year.
const KNOWN_TIMES = [1, 2, 3, 4, 5, 8].map((d) => Date.UTC(2024, 0, d));
// Returns +10%, −10%, +10%, +10%, −10%.
const KNOWN_EQUITY = [100, 110, 99, 108.9, 119.79, 107.811];

test('known series: Sharpe, Sortino, volatility worked out by hand', () => {
  const m = computeMetrics({ times: KNOWN_TIMES, equity: KNOWN_EQUITY, trades: [] });
  assert.equal(m.periodsPerYear, 252);
  // mean = 0.1 / 5 = 0.02; deviations 0.08 ×3, −0.12 ×2 → Σ² = 3·0.0064 + 2·0.0144 = 0.048;
  // sample variance = 0.048 / 4 = 0.012 → vol = sqrt(0.012 · 252) = sqrt(3.024).
  close(m.annualVolatility, Math.sqrt(3.024), 1e-9);
  // Sharpe = 0.02 / sqrt(0.012) · sqrt(252) = sqrt(0.0004 / 0.012 · 252) = sqrt(8.4) ≈ 2.898.
  close(m.sharpe, Math.sqrt(8.4), 1e-9);
  // Downside deviation over all 5 periods: sqrt((0.01 + 0.01) / 5) = sqrt(0.004);
  // Sortino = 0.02 / sqrt(0.004) · sqrt(252) = sqrt(0.0004 / 0.004 · 252) = sqrt(25.2) ≈ 5.020.
  close(m.sortino, Math.sqrt(25.2), 1e-9);
  close(m.totalReturn, 0.07811, 1e-9);
});

test('known series: max drawdown and its duration worked out by hand', () => {
  const m = computeMetrics({ times: KNOWN_TIMES, equity: KNOWN_EQUITY, trades: [] });
  // Peak 110 (Tue) → 99 is −10%; new peak 119.79 (Fri) → 107.811 is −10% again.
  close(m.maxDrawdown, -0.1, 1e-9);
  // Underwater from Tue (bar 1) until Fri (bar 4) recovers 110: 3 bars, 3 days.
  // Then from Fri (bar 4) to the end Mon (bar 5), never recovered: 1 bar, 3 days.
  assert.equal(m.maxDrawdownDurationBars, 3);
  assert.equal(m.maxDrawdownDurationDays, 3);
  // CAGR over 7 calendar days, and Calmar = CAGR / 0.1.
  const years = 7 / 365.25;
  close(m.cagr, 1.07811 ** (1 / years) - 1, 1e-9);
  close(m.calmar, (1.07811 ** (1 / years) - 1) / 0.1, 1e-9);
});

test('drawdown duration in bars and in days are separate maxima on an irregular clock', () => {
  // Stretch A: bars 0→3 (3 bars) over 3 days. Stretch B: bars 3→5 (2 bars) over 30 days (a data gap).
  const times = [0, 1, 2, 3, 4, 33].map((d) => d * DAY);
  const m = computeMetrics({ times, equity: [100, 90, 95, 100, 80, 90], trades: [] });
  assert.equal(m.maxDrawdownDurationBars, 3);
  assert.equal(m.maxDrawdownDurationDays, 30);
  close(m.maxDrawdown, -0.2);
});

test('drawdown: equal to the peak counts as recovered; consecutive new highs are not a drawdown', () => {
  const times = [0, 1, 2, 3, 4, 5].map((d) => d * DAY);
  const m = computeMetrics({ times, equity: [100, 101, 102, 100, 102, 103], trades: [] });
  assert.equal(m.maxDrawdownDurationBars, 2); // bar 2 (102) → bar 4 (102 again)
  assert.equal(m.maxDrawdownDurationDays, 2);
  close(m.maxDrawdown, 100 / 102 - 1);
});

test('drawdownSeries matches a map over the running peak', () => {
  const equity = [100, 120, 90, 130, 65, 140, 140, 70];
  const expected = equity.map((e, i) => e / Math.max(...equity.slice(0, i + 1)) - 1);
  assert.deepEqual(Array.from(drawdownSeries(equity)), expected);
  assert.deepEqual(Array.from(drawdownSeries([100, 120, 90, 130])), [0, 0, -0.25, 0]);
});

test('CAGR: 100 → 121 over two 365.25-day years is 10% a year', () => {
  const m = computeMetrics({ times: [0, 365.25 * DAY, 2 * 365.25 * DAY], equity: [100, 105, 121], trades: [] });
  close(m.cagr, 0.1, 1e-12);
});

test('flat equity: ratios are null, nothing is NaN', () => {
  const times = [1, 2, 3, 4].map((d) => Date.UTC(2024, 0, d));
  const m = computeMetrics({ times, equity: [100, 100, 100, 100], trades: [] });
  assertNoNaN(m);
  assert.equal(m.totalReturn, 0);
  assert.equal(m.cagr, 0);
  assert.equal(m.annualVolatility, 0);
  assert.equal(m.sharpe, null);
  assert.equal(m.sortino, null);
  assert.equal(m.maxDrawdown, 0);
  assert.equal(m.maxDrawdownDurationBars, 0);
  assert.equal(m.maxDrawdownDurationDays, 0);
  assert.equal(m.calmar, null);
  assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
});

test('steady compounding (constant return): Sharpe is null, not 1e15 from rounding noise', () => {
  const equity = Array.from({ length: 50 }, (_, i) => 100 * 1.01 ** i);
  const m = computeMetrics({ times: equity.map((_, i) => i * DAY), equity, trades: [] });
  assert.equal(m.sharpe, null);
  assert.equal(m.sortino, null);
  assert.equal(m.annualVolatility, 0);
  assertNoNaN(m);
});

test('a single point or two points: no return statistics, still no NaN', () => {
  const one = computeMetrics({ times: [0], equity: [100], trades: [] });
  assertNoNaN(one);
  assert.equal(one.cagr, null); // zero span
  assert.equal(one.sharpe, null);
  assert.equal(one.annualVolatility, null);
  const two = computeMetrics({ times: [0, DAY], equity: [100, 90], trades: [] });
  assertNoNaN(two);
  assert.equal(two.annualVolatility, null); // one return has no sample stdev
  close(two.maxDrawdown, -0.1);
});

test('a blown-up account (equity ≤ 0): return ratios and CAGR null, drawdown below −100%', () => {
  const times = [0, 1, 2, 3].map((d) => d * DAY);
  const m = computeMetrics({ times, equity: [100, 50, -20, -5], trades: [] });
  assertNoNaN(m);
  assert.equal(m.sharpe, null);
  assert.equal(m.annualVolatility, null);
  assert.equal(m.cagr, null);
  close(m.maxDrawdown, -1.2);
  assert.equal(m.maxDrawdownDurationBars, 3);
});

test('risk-free rate lowers Sharpe and Sortino by the per-period rate', () => {
  const rf = 0.0252; // 0.0001 per period at 252
  const m = computeMetrics({ times: KNOWN_TIMES, equity: KNOWN_EQUITY, trades: [], riskFreeRate: rf });
  assert.equal(m.riskFreeRate, rf);
  // Excess mean 0.02 − 0.0001 = 0.0199; stdev of r unchanged, sqrt(0.012).
  close(m.sharpe, (0.0199 / Math.sqrt(0.012)) * Math.sqrt(252), 1e-9);
  // Shortfalls below rf: −0.1001 twice → downside deviation sqrt(2 · 0.1001² / 5).
  close(m.sortino, (0.0199 / Math.sqrt((2 * 0.1001 ** 2) / 5)) * Math.sqrt(252), 1e-9);
  // Volatility does not depend on the risk-free rate.
  close(m.annualVolatility, Math.sqrt(3.024), 1e-9);
});

test('periodsPerYear override rescales the annualised numbers by sqrt(ppy)', () => {
  const m = computeMetrics({ times: KNOWN_TIMES, equity: KNOWN_EQUITY, trades: [], periodsPerYear: 365 });
  assert.equal(m.periodsPerYear, 365);
  close(m.sharpe, (0.02 / Math.sqrt(0.012)) * Math.sqrt(365), 1e-9);
  assert.throws(() => computeMetrics({ times: KNOWN_TIMES, equity: KNOWN_EQUITY, trades: [], periodsPerYear: 0 }), {
    name: 'KeelError',
    message: /periodsPerYear = 0: must be a positive number/,
  });
});

test('trades: win rate, profit factor, averages; a scratch counts as a trade but not a win or loss', () => {
  const trades = [{ pnl: 30 }, { pnl: -10 }, { pnl: 0 }, { pnl: 50 }, { pnl: -30 }];
  const m = computeMetrics({ times: [0], equity: [100], trades });
  assert.equal(m.trades, 5);
  assert.equal(m.winRate, 2 / 5);
  assert.equal(m.profitFactor, 80 / 40);
  assert.equal(m.averageWin, 40);
  assert.equal(m.averageLoss, -20);
});

test('no trades: trade statistics are null and trades is 0', () => {
  const m = computeMetrics({ times: KNOWN_TIMES, equity: KNOWN_EQUITY, trades: [] });
  assert.equal(m.trades, 0);
  assert.equal(m.winRate, null);
  assert.equal(m.profitFactor, null);
  assert.equal(m.averageWin, null);
  assert.equal(m.averageLoss, null);
});

test('all-winning trades: profit factor and average loss are null', () => {
  const m = computeMetrics({ times: [0], equity: [100], trades: [{ pnl: 5 }, { pnl: 7 }] });
  assert.equal(m.winRate, 1);
  assert.equal(m.profitFactor, null);
  assert.equal(m.averageWin, 6);
  assert.equal(m.averageLoss, null);
});

test('all-losing trades: profit factor 0, average win null', () => {
  const m = computeMetrics({ times: [0], equity: [100], trades: [{ pnl: -5 }, { pnl: -7 }] });
  assert.equal(m.winRate, 0);
  assert.equal(m.profitFactor, 0);
  assert.equal(m.averageWin, null);
  assert.equal(m.averageLoss, -6);
});

test('exposure time and turnover', () => {
  const m = computeMetrics({ times: KNOWN_TIMES, equity: KNOWN_EQUITY, trades: [], exposedPoints: 3, tradedNotional: 1000 });
  assert.equal(m.exposureTime, 3 / 6);
  const meanEquity = KNOWN_EQUITY.reduce((a, b) => a + b, 0) / KNOWN_EQUITY.length;
  close(m.turnover, 1000 / meanEquity);
  const none = computeMetrics({ times: KNOWN_TIMES, equity: KNOWN_EQUITY, trades: [] });
  assert.equal(none.exposureTime, null);
  assert.equal(none.turnover, null);
  assert.equal(none.startEquity, 100);
  assert.equal(none.endEquity, 107.811);
});

test('malformed curves are bugs and throw plain Errors', () => {
  assert.throws(() => computeMetrics({ times: [], equity: [], trades: [] }), /no points/);
  assert.throws(() => computeMetrics({ times: [0, 1], equity: [100], trades: [] }), /2 times but 1 equity/);
  assert.throws(() => computeMetrics({ times: [0], equity: [0], trades: [] }), /starting equity must be positive/);
  assert.throws(() => computeMetrics({ times: [0, 1], equity: [100, NaN], trades: [] }), /not finite/);
  assert.throws(() => computeMetrics({ times: [1, 0], equity: [100, 100], trades: [] }), /not ascending/);
});

test('a 1,000,000-point curve computes in well under a second', () => {
  const n = 1_000_000;
  const times = new Float64Array(n);
  const equity = new Float64Array(n);
  let e = 100_000;
  for (let i = 0; i < n; i++) {
    e *= 1 + Math.sin(i * 0.37) * 0.001;
    times[i] = Date.UTC(2020, 0, 1) + i * 60_000;
    equity[i] = e;
  }
  const start = performance.now();
  const m = computeMetrics({ times, equity, trades: [] });
  const elapsed = performance.now() - start;
  assertNoNaN(m);
  assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
});
