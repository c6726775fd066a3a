import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, notional, parseMoney } from '../../src/model/index.ts';
import { makerTakerFee, percentFee, perUnitFee } from '../../src/venues/index.ts';

const stock = defineInstrument({ id: 'X', priceTick: '0.01' });
const btc = defineInstrument({ id: 'BTC/USD', priceTick: '0.01', lotSize: '0.00000001', assetClass: 'crypto' });
const usd = (x: string) => parseMoney(x, 'test');

test('percent fee is exact and rounded half-up to the cent', () => {
  const fee = percentFee(0.1);
  // 299 × 33.33 = 9,965.67 → 0.1% = 9.96567 → 9.97
  assert.equal(fee.fee(stock, 299, notional(stock, 3333, 299), 'taker'), usd('9.97'));
  // 5 × 10.01 = 50.05 → 0.05005 → 0.05
  assert.equal(fee.fee(stock, 5, notional(stock, 1001, 5), 'taker'), usd('0.05'));
  // 0.1% of 25.00 = 0.025 → half-up → 0.03
  assert.equal(fee.fee(stock, 1, notional(stock, 2500, 1), 'taker'), usd('0.03'));
});

test('percent fee with a minimum per fill', () => {
  const fee = percentFee('0.1', usd('1'));
  assert.equal(fee.fee(stock, 1, notional(stock, 1000, 1), 'taker'), usd('1'));
  assert.equal(fee.fee(stock, 100, notional(stock, 10000, 100), 'taker'), usd('10'));
});

test('per-unit fee with minimum and a percent cap (US broker schedule)', () => {
  const fee = perUnitFee('0.005', usd('1'), '1');
  assert.equal(fee.fee(stock, 100, notional(stock, 5000, 100), 'taker'), usd('1'));      // 0.50 → min 1.00
  assert.equal(fee.fee(stock, 1000, notional(stock, 5000, 1000), 'taker'), usd('5'));    // 5.00
  assert.equal(fee.fee(stock, 1000, notional(stock, 10, 1000), 'taker'), usd('1'));      // 5.00 capped at 1% of 100 = 1.00
});

test('per-unit fee counts units, not lots, for fractional instruments', () => {
  const fee = perUnitFee('10'); // 10 USD per BTC
  assert.equal(fee.fee(btc, 50_000_000, notional(btc, 5_000_000, 50_000_000), 'taker'), usd('5')); // 0.5 BTC
});

test('maker/taker picks the rate by liquidity; a negative maker rate is a rebate', () => {
  const fee = makerTakerFee(-1, 5);
  const n = notional(stock, 10000, 100); // 10,000
  assert.equal(fee.fee(stock, 100, n, 'taker'), usd('5'));
  assert.equal(fee.fee(stock, 100, n, 'maker'), usd('-1'));
});

test('fees on crypto notional are exact', () => {
  const fee = makerTakerFee(10, 10);
  const n = notional(btc, 4_321_012, 12_345_678); // 43,210.12 × 0.12345678
  assert.equal(n, 12_345_678n * 4_321_012n * btc.notionalUnit);
  // 5,334.5822786136 × 0.001 = 5.33458... → 5.33
  assert.equal(fee.fee(btc, 12_345_678, n, 'taker'), usd('5.33'));
});
