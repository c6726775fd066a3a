import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KeelError, moneyFromNumber, defineInstrument, formatMoney, formatPrice, lotsToQuantity, notional, parseMoney, roundToTicks, toLots, toPriceTicks,
} from '../../src/model/index.ts';

test('prices convert to ticks exactly and off-grid prices are refused with the field and value', () => {
  const orcl = defineInstrument({ id: 'ORCL', priceTick: '0.01' });
  assert.equal(toPriceTicks(orcl, 45.34), 4534);
  assert.equal(toPriceTicks(orcl, 0.07), 7);
  assert.throws(() => toPriceTicks(orcl, 45.345, 'limitPrice'), (e: unknown) => e instanceof KeelError && /limitPrice = 45\.345: is not on ORCL's tick grid of 0\.01/.test(e.message));
  assert.throws(() => toPriceTicks(orcl, -1), KeelError);
  assert.throws(() => toPriceTicks(orcl, NaN), KeelError);
});

test('ticks of 0.05 and 0.25 (futures) work in their own units', () => {
  const fut = defineInstrument({ id: 'ES', priceTick: '0.25', multiplier: '50' });
  assert.equal(toPriceTicks(fut, 4500.75), 18003);
  assert.throws(() => toPriceTicks(fut, 4500.1), KeelError);
  assert.equal(formatPrice(fut, 18003), '4500.75');
  // one contract at 4500.75 × 50 = 225,037.50
  assert.equal(notional(fut, 18003, 1), parseMoney('225037.5', 't'));
});

test('rounding to ticks goes the requested way but leaves on-grid prices alone', () => {
  const x = defineInstrument({ id: 'X', priceTick: '0.01' });
  assert.equal(roundToTicks(x, 100.131, 'up'), 10014);
  assert.equal(roundToTicks(x, 100.139, 'down'), 10013);
  assert.equal(roundToTicks(x, 45.34, 'up'), 4534);
  assert.equal(roundToTicks(x, 45.34, 'down'), 4534);
});

test('fractional lots (crypto) are exact', () => {
  const btc = defineInstrument({ id: 'BTC/USD', priceTick: '0.01', lotSize: '0.00000001', assetClass: 'crypto' });
  assert.equal(toLots(btc, 0.12345678), 12345678);
  assert.throws(() => toLots(btc, 0.123456789), KeelError);
  assert.equal(lotsToQuantity(btc, 12345678), 0.12345678);
  assert.equal(formatMoney(notional(btc, 4321012, 12345678)), '5334.5822786136');
});

test('instrument specs are validated', () => {
  assert.throws(() => defineInstrument({ id: 'X', priceTick: '-0.01' }), /priceTick = "-0.01": must be a positive decimal/);
  assert.throws(() => defineInstrument({ id: 'X', priceTick: '0.00000001', lotSize: '0.000000001' }), /more than 12 decimals/);
  assert.throws(() => defineInstrument({ id: 'X', timeZone: 'Mars/Olympus' }), /not an IANA time zone/);
});

test('money parses, formats and rejects garbage', () => {
  assert.equal(formatMoney(parseMoney('100000', 'cash')), '100000.00');
  assert.equal(formatMoney(parseMoney('0.1', 'x') + parseMoney('0.2', 'x')), '0.30');
  assert.equal(formatMoney(parseMoney('1e5', 'x')), '100000.00');
  assert.throws(() => parseMoney('12abc', '--cash'), /--cash = "12abc": is not a decimal number/);
});

test('cash a strategy asks to spend is rounded down, never above what it asked for', () => {
  assert.equal(moneyFromNumber(9.2809435), parseMoney('9.280944', 't'));
  assert.equal(moneyFromNumber(9.2809435, 'down'), parseMoney('9.280943', 't'));
});
