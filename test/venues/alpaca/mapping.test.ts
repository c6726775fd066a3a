import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError, type OrderRequest } from '../../../src/model/index.ts';
import {
  formatLots, parseAlpacaConfig, parseLots, parseTicks, parseVenueTime, symbolMappings, toAlpacaOrder, toAlpacaReplace, keelStatus, activityTradeId,
} from '../../../src/venues/alpaca/index.ts';

const [aapl, btc] = symbolMappings(parseAlpacaConfig({ symbols: ['AAPL', { symbol: 'BTC/USD', id: 'BTCUSD', priceTick: '0.5', lotSize: '0.00000001' }] }));
const base = { clientOrderId: 'S-1', strategyId: 'S', instrumentId: 'AAPL', side: 'buy', timeInForce: 'GTC', reduceOnly: false, createdAt: 0, tag: undefined } as const;

test('Keel orders → Alpaca JSON with exact decimal strings', () => {
  assert.deepEqual(toAlpacaOrder({ ...base, type: 'stop_limit', quantity: 3, limitPrice: 10001, stopPrice: 9990 } as OrderRequest, aapl),
    { symbol: 'AAPL', side: 'buy', time_in_force: 'gtc', client_order_id: 'S-1', type: 'stop_limit', qty: '3', limit_price: '100.01', stop_price: '99.9' });
  assert.equal(toAlpacaOrder({ ...base, instrumentId: 'BTCUSD', type: 'limit', quantity: 150, limitPrice: 86483 } as OrderRequest, btc).qty, '0.0000015');
  assert.equal(toAlpacaOrder({ ...base, instrumentId: 'BTCUSD', type: 'limit', quantity: 150, limitPrice: 86483 } as OrderRequest, btc).limit_price, '43241.5');
  assert.equal(toAlpacaOrder({ ...base, type: 'market', quantity: 0, notional: 250_500_000_000_000n } as OrderRequest, aapl).notional, '250.5');
  assert.equal(formatLots(aapl.instrument, 2 ** 52), '4503599627370496');
});

test('off-grid values are KeelErrors naming field and value', () => {
  const offGrid = (f: () => unknown, field: string, value: unknown) => assert.throws(f, (e: unknown) => e instanceof KeelError && e.field === field && e.value === value);
  offGrid(() => toAlpacaOrder({ ...base, type: 'limit', quantity: 2.5, limitPrice: 100 } as OrderRequest, aapl), 'quantity', 2.5);
  offGrid(() => toAlpacaOrder({ ...base, type: 'limit', quantity: 2, limitPrice: 100.5 } as OrderRequest, aapl), 'limitPrice', 100.5);
  offGrid(() => parseTicks(aapl.instrument, '174.785', 'trade_updates.price'), 'trade_updates.price', '174.785');
  offGrid(() => parseLots(aapl.instrument, '0.5', 'qty'), 'qty', '0.5');
  assert.throws(() => toAlpacaOrder({ ...base, type: 'market', quantity: 0, notional: 1_000_000_000n } as OrderRequest, aapl), /minor units/);
  assert.equal(parseLots(btc.instrument, '-0.5', 'qty', true), -50_000_000);
  assert.equal(parseTicks(btc.instrument, '43241.50', 'p'), 86483);
});

test('replace asks Alpaca for what is left to trade and only the changed terms', () => {
  const cur = { ...base, type: 'limit', quantity: 10, limitPrice: 17478 } as OrderRequest;
  assert.deepEqual(toAlpacaReplace(cur, { ...cur, quantity: 12 } as OrderRequest, 4, aapl, 'S-1~r1'), { client_order_id: 'S-1~r1', qty: '8' });
  assert.deepEqual(toAlpacaReplace(cur, { ...cur, limitPrice: 17480 } as OrderRequest, 4, aapl, 'S-1~r2'), { client_order_id: 'S-1~r2', limit_price: '174.8' });
  assert.throws(() => toAlpacaReplace(cur, { ...cur, quantity: 4 } as OrderRequest, 4, aapl, 'x'), /already filled/);
});

test('statuses, times with nanoseconds, activity trade ids', () => {
  assert.equal(keelStatus('pending_replace'), 'PENDING_UPDATE');
  assert.equal(keelStatus('done_for_day'), 'ACCEPTED');
  assert.equal(keelStatus('replaced'), undefined);
  assert.equal(parseVenueTime('2021-03-16T18:38:01.942282123Z'), Date.parse('2021-03-16T18:38:01.942Z'));
  assert.equal(activityTradeId({ id: '20220202135509981::2d7be4ff' }), '2d7be4ff');
  assert.equal(activityTradeId({ id: 'x::y', execution_id: 'e-1' }), 'e-1');
});

test('config: defaults, and one KeelError line naming the bad field and value (never a secret)', () => {
  const c = parseAlpacaConfig({ symbols: ['AAPL'] });
  assert.equal(c.paper, true);
  assert.equal(c.rateLimit.perMinute, 200);
  assert.throws(() => parseAlpacaConfig({ symbols: ['AAPL'], timeouts: { requestMs: -5 } }), (e: unknown) => e instanceof KeelError && e.field === 'alpaca.timeouts.requestMs' && /alpaca\.timeouts\.requestMs = -5/.test(e.message));
  assert.throws(() => parseAlpacaConfig({ symbols: ['AAPL'], tradingUrl: 'ftp://x' }), /alpaca\.tradingUrl = "ftp:\/\/x": must be a http: or https: URL/);
  assert.throws(() => parseAlpacaConfig({ symbols: [] }), /alpaca\.symbols/);
  assert.throws(() => parseAlpacaConfig({ symbols: ['AAPL'], secret: 5 }), (e: unknown) => e instanceof KeelError && e.message.includes('[redacted]'));
  assert.throws(() => parseAlpacaConfig({ symbols: ['AAPL'], sandbox: true }), /alpaca/);
});
