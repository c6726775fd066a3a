import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILT_IN_STRATEGIES, parseParamString, resolveParams } from '../../src/strategy/index.ts';
import { Bollinger, Rsi, Sma } from '../../src/strategy/index.ts';

const schema = BUILT_IN_STRATEGIES['sma-cross'].params;

test('params parse, default and type', () => {
  assert.deepEqual(resolveParams(schema, parseParamString('fast=5, slow=20'), 'sma-cross'), { fast: 5, slow: 20, short: false, ties: 'keep' });
  assert.deepEqual(resolveParams(schema, parseParamString('short=yes'), 'sma-cross'), { fast: 10, slow: 30, short: true, ties: 'keep' });
  assert.deepEqual(resolveParams(schema, parseParamString('ties=break'), 'sma-cross'), { fast: 10, slow: 30, short: false, ties: 'break' });
});

test('bad params name the parameter and the value', () => {
  assert.throws(() => resolveParams(schema, parseParamString('fats=5'), 'sma-cross'), /--params fats = "5": is not a parameter of sma-cross \(known: fast, slow, short, ties\)/);
  assert.throws(() => resolveParams(schema, parseParamString('ties=maybe'), 'sma-cross'), /--params ties = "maybe": must be one of keep, break/);
  assert.throws(() => resolveParams(schema, parseParamString('fast=abc'), 'sma-cross'), /--params fast = "abc": is not a number/);
  assert.throws(() => resolveParams(schema, parseParamString('fast=2.5'), 'sma-cross'), /must be a whole number/);
  assert.throws(() => resolveParams(schema, parseParamString('fast=0'), 'sma-cross'), /must be at least 1/);
  assert.throws(() => parseParamString('fast'), /expected name=value pairs/);
});

test('SMA matches a direct mean over a long random series', () => {
  const sma = new Sma(30);
  const xs: number[] = [];
  let x = 100;
  for (let i = 0; i < 200_000; i++) {
    x *= 1 + Math.sin(i * 12.9898) * 0.01;
    xs.push(x);
    const v = sma.update(x);
    if (i % 9973 === 0 && i >= 29) {
      const direct = xs.slice(i - 29, i + 1).reduce((s, y) => s + y, 0) / 30;
      assert.ok(Math.abs(v - direct) < 1e-9 * direct, `at ${i}: ${v} vs ${direct}`);
    }
  }
});

test('RSI follows Wilder: a textbook check and the all-gains edge', () => {
  // Wilder's smoothing by hand over a short series (period 3).
  const closes = [10, 11, 10.5, 11.5, 12, 11];
  const rsi = new Rsi(3);
  let v = NaN;
  for (const c of closes) v = rsi.update(c);
  // changes: +1, -0.5, +1, +0.5, -1; first avg over 3: gain 2/3, loss 0.5/3
  let g = 2 / 3, l = 0.5 / 3;
  g = (g * 2 + 0.5) / 3; l = (l * 2 + 0) / 3;
  g = (g * 2 + 0) / 3; l = (l * 2 + 1) / 3;
  assert.ok(Math.abs(v - (100 - 100 / (1 + g / l))) < 1e-12);
  const up = new Rsi(2);
  for (const c of [1, 2, 3, 4]) v = up.update(c);
  assert.equal(v, 100);
});

test('Bollinger bands use the population deviation', () => {
  const bb = new Bollinger(4, 2);
  for (const c of [1, 2, 3, 4]) bb.update(c);
  const sd = Math.sqrt(((1.5 ** 2) * 2 + (0.5 ** 2) * 2) / 4);
  assert.equal(bb.middle, 2.5);
  assert.ok(Math.abs(bb.upper - (2.5 + 2 * sd)) < 1e-12);
});
