import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capByFraction, fixedNotionalSize, riskPerTradeSize, volatilityTargetSize } from '../../src/risk/index.ts';

test('risk per trade: hitting the stop loses equity × riskPct', () => {
  // $100k × 1% = $1,000 at risk; $2 a share to the stop → 500 shares.
  assert.equal(riskPerTradeSize({ equity: 100_000, riskPct: 1, entryPrice: 50, stopPrice: 48 }), 500);
  // A short's stop is above the entry: the same distance, the same size.
  assert.equal(riskPerTradeSize({ equity: 100_000, riskPct: 1, entryPrice: 48, stopPrice: 50 }), 500);
  // $1,000 / $3 = 333.33 → floored to whole shares: the loss stays under the budget.
  assert.equal(riskPerTradeSize({ equity: 100_000, riskPct: 1, entryPrice: 50, stopPrice: 47 }), 333);
  // Less than one lot of risk budget: no trade.
  assert.equal(riskPerTradeSize({ equity: 1_000, riskPct: 0.5, entryPrice: 500, stopPrice: 490 }), 0);
  assert.equal(riskPerTradeSize({ equity: 0, riskPct: 1, entryPrice: 50, stopPrice: 48 }), 0);
});

test('risk per trade: crypto lots of 0.001 and futures multipliers', () => {
  // $10k × 2% = $200; $1,000 to the stop → 0.2 BTC exactly, not 0.20000000000000001.
  assert.equal(riskPerTradeSize({ equity: 10_000, riskPct: 2, entryPrice: 30_000, stopPrice: 29_000, lotSize: 0.001 }), 0.2);
  // $200 / $700 = 0.285714… → 0.285.
  assert.equal(riskPerTradeSize({ equity: 10_000, riskPct: 2, entryPrice: 30_000, stopPrice: 29_300, lotSize: 0.001 }), 0.285);
  // ES: $50 a point. $250k × 1% = $2,500; 20 points × $50 = $1,000 a contract → 2 contracts.
  assert.equal(riskPerTradeSize({ equity: 250_000, riskPct: 1, entryPrice: 5_000, stopPrice: 4_980, multiplier: 50 }), 2);
  // Round lots of 100 shares: 333 shares → 300.
  assert.equal(riskPerTradeSize({ equity: 100_000, riskPct: 1, entryPrice: 50, stopPrice: 47, lotSize: 100 }), 300);
});

test('lot flooring is exact where floats are not', () => {
  // 0.3 / 0.1 is 2.9999999999999996 in floats; a naive floor would give 0.2 lots too few.
  assert.equal(fixedNotionalSize({ notional: 0.3, price: 1, lotSize: 0.1 }), 0.3);
  assert.equal(fixedNotionalSize({ notional: 0.7, price: 1, lotSize: 0.1 }), 0.7);
  assert.equal(fixedNotionalSize({ notional: 1, price: 3, lotSize: 0.01 }), 0.33);
  assert.equal(fixedNotionalSize({ notional: 1, price: 1, lotSize: 1e-8 }), 1);
  assert.equal(fixedNotionalSize({ notional: 123.456789, price: 1, lotSize: 1e-8 }), 123.456789);
  for (let n = 1; n <= 1000; n++) {
    const q = fixedNotionalSize({ notional: n * 0.001, price: 1, lotSize: 0.001 });
    assert.equal(q, Number((n * 0.001).toFixed(3)), `${n} lots of 0.001`);
  }
});

test('volatility target, ATR based (turtle unit)', () => {
  // $100k × 1% = $1,000 per 2 ATRs of $2.50 = $5 a share → 200 shares.
  assert.equal(volatilityTargetSize({ method: 'atr', equity: 100_000, riskPct: 1, atr: 2.5, atrMultiple: 2 }), 200);
  // atrMultiple defaults to 1: $1,000 / $2.50 = 400.
  assert.equal(volatilityTargetSize({ method: 'atr', equity: 100_000, riskPct: 1, atr: 2.5 }), 400);
  // Crude oil, $1,000 a point: $1M × 1% / (1.7 × $1,000) = 5.88 → 5 contracts.
  assert.equal(volatilityTargetSize({ method: 'atr', equity: 1_000_000, riskPct: 1, atr: 1.7, multiplier: 1_000 }), 5);
});

test('volatility target, stdev based', () => {
  // 2% a day × √252 = 31.75% a year. A 10% target on $100k → $31,497 notional → 629 shares at $50.
  const q = volatilityTargetSize({ method: 'stdev', equity: 100_000, targetVolPct: 10, returnStdev: 0.02, periodsPerYear: 252, price: 50 });
  assert.equal(q, Math.floor(10_000 / (0.02 * Math.sqrt(252)) / 50));
  assert.equal(q, 629);
  // The position's annualised volatility in money is (just under) the target.
  const dollarVol = q * 50 * 0.02 * Math.sqrt(252);
  assert.ok(dollarVol <= 10_000 && dollarVol > 10_000 - 50 * 0.02 * Math.sqrt(252), String(dollarVol));
  // Crypto: 365 bars a year, lots of 0.001.
  assert.equal(volatilityTargetSize({ method: 'stdev', equity: 10_000, targetVolPct: 20, returnStdev: 0.04, periodsPerYear: 365, price: 30_000, lotSize: 0.001 }), 0.087);
});

test('fixed notional', () => {
  assert.equal(fixedNotionalSize({ notional: 10_000, price: 30_000, lotSize: 0.001 }), 0.333);
  assert.equal(fixedNotionalSize({ notional: 10_000, price: 33 }), 303);
  assert.equal(fixedNotionalSize({ notional: 250_000, price: 5_000, multiplier: 50 }), 1);
  assert.equal(fixedNotionalSize({ notional: 100, price: 101 }), 0);
});

test('cap by fraction of equity', () => {
  // 25% of $100k at $50 → at most 500 shares.
  assert.equal(capByFraction({ quantity: 5_000, price: 50, equity: 100_000, maxFraction: 0.25 }), 500);
  assert.equal(capByFraction({ quantity: 300, price: 50, equity: 100_000, maxFraction: 0.25 }), 300);
  // A short keeps its sign; the cap applies to its size.
  assert.equal(capByFraction({ quantity: -5_000, price: 50, equity: 100_000, maxFraction: 0.25 }), -500);
  assert.equal(capByFraction({ quantity: -300, price: 50, equity: 100_000, maxFraction: 0.25 }), -300);
  // Crypto and futures: 0.5 × $10k / $30k = 0.1666… BTC → 0.166; 1.0 × $250k / ($5,000 × 50) = 1 contract.
  assert.equal(capByFraction({ quantity: 1, price: 30_000, equity: 10_000, maxFraction: 0.5, lotSize: 0.001 }), 0.166);
  assert.equal(capByFraction({ quantity: 3, price: 5_000, equity: 250_000, maxFraction: 1, multiplier: 50 }), 1);
  // The input is floored to the lot as well.
  assert.equal(capByFraction({ quantity: 0.12345, price: 1, equity: 100, maxFraction: 1, lotSize: 0.01 }), 0.12);
  assert.equal(capByFraction({ quantity: 0, price: 50, equity: 100_000, maxFraction: 0.25 }), 0);
});

test('market state that makes a size meaningless returns 0 (no trade)', () => {
  assert.equal(riskPerTradeSize({ equity: 100_000, riskPct: 1, entryPrice: 50, stopPrice: 50 }), 0);
  assert.equal(riskPerTradeSize({ equity: 100_000, riskPct: 1, entryPrice: NaN, stopPrice: 48 }), 0);
  assert.equal(riskPerTradeSize({ equity: 100_000, riskPct: 1, entryPrice: 50, stopPrice: NaN }), 0);
  assert.equal(volatilityTargetSize({ method: 'atr', equity: 100_000, riskPct: 1, atr: 0 }), 0);
  assert.equal(volatilityTargetSize({ method: 'atr', equity: 100_000, riskPct: 1, atr: NaN }), 0);
  assert.equal(volatilityTargetSize({ method: 'stdev', equity: 100_000, targetVolPct: 10, returnStdev: 0, periodsPerYear: 252, price: 50 }), 0);
  assert.equal(volatilityTargetSize({ method: 'stdev', equity: 100_000, targetVolPct: 10, returnStdev: NaN, periodsPerYear: 252, price: 50 }), 0);
  assert.equal(volatilityTargetSize({ method: 'stdev', equity: 100_000, targetVolPct: 10, returnStdev: 0.02, periodsPerYear: 252, price: NaN }), 0);
  assert.equal(fixedNotionalSize({ notional: 1_000, price: NaN }), 0);
  assert.equal(fixedNotionalSize({ notional: 1_000, price: 0 }), 0);
  assert.equal(capByFraction({ quantity: 100, price: NaN, equity: 100_000, maxFraction: 0.5 }), 0);
  assert.equal(capByFraction({ quantity: NaN, price: 50, equity: 100_000, maxFraction: 0.5 }), 0);
});

test('bad configuration throws a KeelError naming the field and the value', () => {
  const base = { equity: 100_000, riskPct: 1, entryPrice: 50, stopPrice: 48 };
  const bad: Array<[() => unknown, RegExp]> = [
    [() => riskPerTradeSize({ ...base, riskPct: 0 }), /^riskPct = 0: must be a percent in \(0, 100\] \(e\.g\. 1 risks 1% of equity per trade\)$/],
    [() => riskPerTradeSize({ ...base, riskPct: -1 }), /^riskPct = -1: must be a percent in \(0, 100\]/],
    [() => riskPerTradeSize({ ...base, riskPct: 150 }), /^riskPct = 150: must be a percent/],
    [() => riskPerTradeSize({ ...base, riskPct: NaN }), /^riskPct = NaN: must be a percent/],
    [() => riskPerTradeSize({ ...base, equity: -5 }), /^equity = -5: must be a non-negative amount$/],
    [() => riskPerTradeSize({ ...base, lotSize: 0 }), /^lotSize = 0: must be a positive quantity/],
    [() => riskPerTradeSize({ ...base, lotSize: -0.001 }), /^lotSize = -0\.001: must be a positive quantity/],
    [() => riskPerTradeSize({ ...base, multiplier: 0 }), /^multiplier = 0: must be a positive number/],
    [() => volatilityTargetSize({ method: 'atr', equity: 1, riskPct: 1, atr: 1, atrMultiple: 0 }), /^atrMultiple = 0: must be a positive number of ATRs/],
    [() => volatilityTargetSize({ method: 'atr', equity: 1, riskPct: 101, atr: 1 }), /^riskPct = 101: must be a percent/],
    [() => volatilityTargetSize({ method: 'stdev', equity: 1, targetVolPct: 0, returnStdev: 0.01, periodsPerYear: 252, price: 1 }), /^targetVolPct = 0: must be a positive percent/],
    [() => volatilityTargetSize({ method: 'stdev', equity: 1, targetVolPct: 10, returnStdev: 0.01, periodsPerYear: 0, price: 1 }), /^periodsPerYear = 0: must be a positive number of bars per year/],
    [() => volatilityTargetSize({ method: 'stdev', equity: -1, targetVolPct: 10, returnStdev: 0.01, periodsPerYear: 252, price: 1 }), /^equity = -1: /],
    [() => volatilityTargetSize({ method: 'ewma', equity: 1 } as never), /^method = "ewma": must be 'atr' or 'stdev'$/],
    [() => fixedNotionalSize({ notional: 0, price: 1 }), /^notional = 0: must be a positive cash amount$/],
    [() => fixedNotionalSize({ notional: 100, price: 1, lotSize: 0 }), /^lotSize = 0: /],
    [() => capByFraction({ quantity: 1, price: 1, equity: 1, maxFraction: 0 }), /^maxFraction = 0: must be a fraction of equity in \(0, 1\]/],
    [() => capByFraction({ quantity: 1, price: 1, equity: 1, maxFraction: 1.5 }), /^maxFraction = 1\.5: /],
    [() => capByFraction({ quantity: 1, price: 1, equity: -1, maxFraction: 0.5 }), /^equity = -1: /],
  ];
  for (const [fn, message] of bad) {
    assert.throws(fn, (e: Error) => {
      assert.equal(e.name, 'KeelError');
      assert.equal((e as unknown as { code: string }).code, 'BAD_SIZING');
      assert.match(e.message, message);
      return true;
    });
  }
  // A bad configuration is reported even when the market state would have meant "no trade".
  assert.throws(() => riskPerTradeSize({ ...base, stopPrice: 50, riskPct: 0 }), /riskPct = 0/);
});
