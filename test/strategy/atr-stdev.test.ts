import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Atr, Stdev } from '../../src/strategy/index.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test("ATR follows Wilder's smoothing on a hand-worked series, gaps included", () => {
  const atr = new Atr(3);
  const bars: Array<[number, number, number]> = [
    [10, 9, 9.5],        // seeds the previous close only
    [10.2, 9.4, 10],     // TR = high − low = 0.8
    [10.8, 10.1, 10.6],  // gap up: high − prev close = 0.8 > 0.7
    [10.5, 9.6, 9.8],    // prev close − low = 1.0 > 0.9; first ATR = (0.8 + 0.8 + 1.0) / 3
    [9.0, 8.5, 8.7],     // gap down: prev close − low = 1.3
    [8.9, 8.6, 8.8],     // TR = high − low = 0.3
  ];
  const out = bars.map(([h, l, c]) => atr.update(h, l, c));
  assert.ok(out.slice(0, 3).every(Number.isNaN), 'NaN during warm-up');
  let expected = 2.6 / 3;
  close(out[3], expected);
  expected = (expected * 2 + 1.3) / 3;
  close(out[4], expected);
  expected = (expected * 2 + 0.3) / 3;
  close(out[5], expected);
  assert.equal(atr.value, out[5]);
  assert.equal(atr.ready, true);
});

test('ATR is not ready before period + 1 bars, and rejects a bad period', () => {
  const atr = new Atr(2);
  assert.equal(atr.ready, false);
  assert.ok(Number.isNaN(atr.value));
  atr.update(2, 1, 1.5);
  atr.update(2, 1, 1.5);
  assert.equal(atr.ready, false);
  assert.equal(atr.update(2, 1, 1.5), 1);
  assert.equal(atr.ready, true);
  assert.throws(() => new Atr(0), /ATR period must be a positive integer, got 0/);
  assert.throws(() => new Atr(2.5), RangeError);
});

/** Deterministic uniform [0, 1) (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sample standard deviation by the textbook two-pass formula. */
function twoPass(xs: readonly number[]): number {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
}

test('Stdev of returns: a hand-worked window', () => {
  const sd = new Stdev(2);
  assert.ok(Number.isNaN(sd.update(100)));
  assert.ok(Number.isNaN(sd.update(110)));                 // one return (+10%) is not a window of 2
  close(sd.update(99), twoPass([110 / 100 - 1, 99 / 110 - 1]));
  // returns −10% and 0%: mean −5%, squared deviations 0.0025 × 2, over n − 1 = 1.
  close(sd.update(99), Math.sqrt(0.005));
  assert.throws(() => new Stdev(1), /Stdev period must be an integer ≥ 2, got 1/);
});

test('Stdev matches a direct two-pass computation on random data at every bar', () => {
  const rnd = random(42);
  const period = 20;
  const sd = new Stdev(period);
  const closes: number[] = [];
  let price = 100;
  for (let i = 0; i < 50_000; i++) {
    price *= 1 + (rnd() - 0.5) * 0.06;
    closes.push(price);
    const v = sd.update(price);
    if (i < period) {
      assert.ok(Number.isNaN(v), `NaN during warm-up at ${i}`);
      continue;
    }
    const returns: number[] = [];
    for (let j = i - period + 1; j <= i; j++) returns.push(closes[j] / closes[j - 1] - 1);
    close(v, twoPass(returns), 1e-9);
  }
});

test('Stdev stays accurate when the mean return dwarfs the deviation', () => {
  // +1% a bar with noise of 1e-7: the sum-of-squares formula loses ~1e-5 relative here (measured); we keep 1e-8.
  const rnd = random(7);
  const period = 30;
  const sd = new Stdev(period);
  const closes: number[] = [];
  let price = 1;
  for (let i = 0; i < 5_000; i++) {
    price *= 1.01 + (rnd() - 0.5) * 2e-7;
    closes.push(price);
    const v = sd.update(price);
    if (i >= period && i % 97 === 0) {
      const returns: number[] = [];
      for (let j = i - period + 1; j <= i; j++) returns.push(closes[j] / closes[j - 1] - 1);
      const direct = twoPass(returns);
      assert.ok(Math.abs(v - direct) <= 1e-8 * direct, `at ${i}: ${v} vs ${direct}`);
    }
  }
  const flat = new Stdev(3);
  for (let i = 0; i < 10; i++) flat.update(50);
  assert.equal(flat.value, 0);
});
