/**
 * Cross-check on real data: a buy-and-hold of one ORCL share plus cash, 1995–2014, against a deliberately
 * naive implementation (arrays, map/reduce, Math.max over slices) written without looking at the module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { computeMetrics } from '../../src/backtest/metrics/index.ts';

const csv = readFileSync(new URL('../../../shared/data/daily/ORCL-1995-2014.csv', import.meta.url), 'utf8');
const rows = csv
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => line.split(','));
const times = rows.map((r) => Date.parse(`${r[0]}T00:00:00Z`));
const closes = rows.map((r) => Number(r[4]));
const STARTING_CASH = 10;
// Buy one share at the first close with part of the cash; equity = leftover cash + the share's value.
const equity = closes.map((c) => STARTING_CASH - closes[0] + c);

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function naiveSharpe(eq: number[], ppy: number, annualRf: number): number {
  const returns = eq.slice(1).map((e, i) => e / eq[i] - 1);
  const excess = returns.map((r) => r - annualRf / ppy);
  const m = mean(returns);
  const variance = returns.map((r) => (r - m) ** 2).reduce((a, b) => a + b, 0) / (returns.length - 1);
  return (mean(excess) / Math.sqrt(variance)) * Math.sqrt(ppy);
}

function naiveMaxDrawdown(eq: number[]): number {
  let worst = 0;
  let peak = eq[0];
  eq.forEach((e) => {
    peak = Math.max(peak, e);
    worst = Math.min(worst, e / peak - 1);
  });
  return worst;
}

function naiveCagr(eq: number[], t: number[]): number {
  const years = (t[t.length - 1] - t[0]) / (365.25 * 24 * 3600 * 1000);
  return (eq[eq.length - 1] / eq[0]) ** (1 / years) - 1;
}

test('ORCL buy-and-hold: periods per year, Sharpe, max drawdown and CAGR match a naive implementation', () => {
  assert.ok(rows.length > 5000);
  const m = computeMetrics({ times, equity, trades: [] });
  assert.equal(m.periodsPerYear, 252);
  const rel = (a: number | null, b: number): number => Math.abs((a as number) - b) / Math.abs(b);
  assert.ok(rel(m.sharpe, naiveSharpe(equity, 252, 0)) < 1e-9, `sharpe ${m.sharpe} vs ${naiveSharpe(equity, 252, 0)}`);
  assert.ok(rel(m.maxDrawdown, naiveMaxDrawdown(equity)) < 1e-12);
  assert.ok(rel(m.cagr, naiveCagr(equity, times)) < 1e-9);
  // Sanity against what is known of ORCL: the dot-com crash took the share down more than 80% from its 2000
  // peak; the cash cushion of the buy-and-hold account softens that.
  const shareOnly = computeMetrics({ times, equity: closes, trades: [] });
  assert.ok(shareOnly.maxDrawdown < -0.8 && shareOnly.maxDrawdown > -0.9, `share maxDrawdown ${shareOnly.maxDrawdown}`);
  assert.ok(m.maxDrawdown > shareOnly.maxDrawdown);
});

test('ORCL buy-and-hold with a 3% risk-free rate: Sharpe matches the naive excess-return version', () => {
  const m = computeMetrics({ times, equity, trades: [], riskFreeRate: 0.03 });
  const expected = naiveSharpe(equity, 252, 0.03);
  assert.ok(Math.abs((m.sharpe as number) - expected) < 1e-9 * Math.abs(expected));
  assert.ok((m.sharpe as number) < (computeMetrics({ times, equity, trades: [] }).sharpe as number));
});

test('ORCL buy-and-hold: the longest drawdown is the post-2000 stretch, measured by a naive scan', () => {
  const m = computeMetrics({ times, equity, trades: [] });
  // Naive: for each bar, find the bar of the running peak it sits under; the stretch ends at recovery or the end.
  let longestBars = 0;
  let longestDays = 0;
  let peakIndex = 0;
  for (let i = 1; i < equity.length; i++) {
    if (equity[i] >= equity[peakIndex]) {
      peakIndex = i;
      continue;
    }
    const recovered = equity.findIndex((e, j) => j > i && e >= equity[peakIndex]);
    const end = recovered === -1 ? equity.length - 1 : recovered;
    longestBars = Math.max(longestBars, end - peakIndex);
    longestDays = Math.max(longestDays, (times[end] - times[peakIndex]) / 86_400_000);
    if (recovered === -1) break;
    i = recovered - 1;
  }
  assert.equal(m.maxDrawdownDurationBars, longestBars);
  assert.equal(m.maxDrawdownDurationDays, longestDays);
  assert.ok(longestDays > 365 * 5, `longest drawdown ${longestDays} days`);
});
