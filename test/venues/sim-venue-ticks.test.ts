import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quote, simHarness, trade } from '../helpers/sim-harness.ts';
import { defineInstrument } from '../../src/model/index.ts';
import { fixedBpsSlippage, halfSpreadSlippage, sqrtImpactSlippage } from '../../src/venues/index.ts';
import { bar } from '../helpers/sim-harness.ts';

const fx = defineInstrument({ id: 'TEST', priceTick: '0.0001', assetClass: 'fx' });

test('market orders on quotes fill at the next ask (buy) and bid (sell)', () => {
  const h = simHarness({ instrument: fx });
  let b = '', s = '';
  h.after(0, () => { b = h.submit({ side: 'buy', quantity: 1000 }); s = h.submit({ side: 'sell', quantity: 1000 }); });
  h.run([quote(0, 1.1000, 1.1002), quote(1000, 1.1003, 1.1005)]);
  assert.deepEqual(h.prices(b).map((p) => +p.toFixed(4)), [1.1005]);
  assert.deepEqual(h.prices(s).map((p) => +p.toFixed(4)), [1.1003]);
});

test('half-spread slippage adds nothing on quotes (already at the touch) but applies on trades', () => {
  const q = simHarness({ instrument: fx, slippage: halfSpreadSlippage(10) });
  let a = '';
  q.after(0, () => { a = q.submit({ side: 'buy', quantity: 1 }); });
  q.run([quote(0, 1.1, 1.1002), quote(1, 1.1, 1.1002)]);
  assert.deepEqual(q.prices(a).map((p) => +p.toFixed(4)), [1.1002]);
  const t = simHarness({ instrument: fx, slippage: halfSpreadSlippage(10) });
  let b = '';
  t.after(0, () => { b = t.submit({ side: 'buy', quantity: 1 }); });
  t.run([trade(0, 1.1), trade(1, 1.1)]);
  // 1.1 × 1.0005 = 1.10055 → up to 1.1006
  assert.deepEqual(t.prices(b).map((p) => +p.toFixed(4)), [1.1006]);
});

test('a resting limit buy on quotes is hit at its own price when the ask comes down to it', () => {
  const h = simHarness({ instrument: fx });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 1, limitPrice: 1.0990 }); });
  h.run([quote(0, 1.1000, 1.1002), quote(1, 1.0995, 1.0997), quote(2, 1.0980, 1.0985), quote(3, 1.07, 1.08)]);
  assert.deepEqual(h.prices(id).map((p) => +p.toFixed(4)), [1.099]);
  assert.equal(h.fills(id)[0].ts, 2);
  assert.equal(h.fills(id)[0].liquidity, 'maker');
});

test('a marketable limit on its first quote takes the ask', () => {
  const h = simHarness({ instrument: fx });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 1, limitPrice: 1.2 }); });
  h.run([quote(0, 1.1000, 1.1002), quote(1, 1.1001, 1.1003)]);
  assert.deepEqual(h.prices(id).map((p) => +p.toFixed(4)), [1.1003]);
  assert.equal(h.fills(id)[0].liquidity, 'taker');
});

test('quote sizes cap fills with the participation rate', () => {
  const h = simHarness({ instrument: fx, participationRate: 0.5 });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 100 }); });
  h.run([quote(0, 1.1, 1.1002, 100, 100), quote(1, 1.1, 1.1002, 100, 80), quote(2, 1.1, 1.1003, 100, 200)]);
  assert.deepEqual(h.fills(id).map((f) => f.quantity), [40, 60]);
});

test('market orders on trades fill at the next trade price; stops trigger on trade prices', () => {
  const inst = defineInstrument({ id: 'TEST', priceTick: '1' });
  const h = simHarness({ instrument: inst });
  let m = '', st = '';
  h.after(0, () => { m = h.submit({ side: 'buy', quantity: 2 }); st = h.submit({ side: 'sell', quantity: 2, stopPrice: 3065 }); });
  h.run([trade(0, 3067, 180), trade(4000, 3066, 2), trade(8000, 3064, 1)]);
  assert.deepEqual(h.prices(m), [3066]);
  assert.deepEqual(h.prices(st), [3064]);
});

test('resting limit on trades needs a trade through the limit', () => {
  const inst = defineInstrument({ id: 'TEST', priceTick: '1' });
  const h = simHarness({ instrument: inst });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 1, limitPrice: 3060 }); });
  h.run([trade(0, 3067), trade(1, 3062), trade(2, 3060), trade(3, 3059)]);
  assert.deepEqual(h.prices(id), [3060]);
  assert.equal(h.fills(id)[0].ts, 3);
});

test('square-root impact costs more for a larger share of volume and is 0 before its window fills', () => {
  const impact = (qty: number) => {
    const h = simHarness({ slippage: sqrtImpactSlippage(1, 5) });
    let id = '';
    const bars = [100, 102, 99, 101, 103, 100, 104].map((c, i) => bar(i, c, c + 1, c - 1, c, 10_000));
    h.after(5, () => { id = h.submit({ side: 'buy', quantity: qty }); });
    h.run(bars);
    return h.prices(id)[0] - 104;
  };
  const small = impact(100);
  const large = impact(2500);
  assert.ok(small > 0, `small order slips (${small})`);
  assert.ok(large > small * 4, `25x the size costs ~5x more (${large} vs ${small})`);
  const early = simHarness({ slippage: sqrtImpactSlippage(1, 5) });
  let e = '';
  early.after(0, () => { e = early.submit({ side: 'buy', quantity: 100 }); });
  early.run([bar(0, 100, 101, 99, 100), bar(1, 100, 101, 99, 100)]);
  assert.deepEqual(early.prices(e), [100]);
});

test('fixed bps slippage never pushes a stop-limit past its limit', () => {
  const h = simHarness({ slippage: fixedBpsSlippage(100) });
  let id = '';
  h.after(0, () => { id = h.submit({ side: 'buy', quantity: 1, stopPrice: 101, limitPrice: 101.5 }); });
  h.run([bar(0, 100, 100.5, 99, 100), bar(1, 100.5, 102, 100, 101)]);
  assert.deepEqual(h.prices(id), [101.5]);
});
