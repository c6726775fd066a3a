import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestIds, exchangeClientOrderId, parseCcxtConfig } from '../../../src/venues/ccxt/index.ts';
import ccxt from 'ccxt';

test('an unknown exchange is one line naming the field, the value and the closest ids', () => {
  assert.throws(() => parseCcxtConfig({ exchange: 'krakn', symbols: ['BTC/USD'] }, {}), (e: Error) => {
    assert.equal(e.message, 'ccxt.exchange = "krakn": is not a ccxt exchange id (closest: kraken)');
    return true;
  });
  assert.deepEqual(closestIds('binanse', ccxt.exchanges).slice(0, 1), ['binance']);
});

test('bad fields are named; credentials are never echoed', () => {
  assert.throws(() => parseCcxtConfig({ exchange: 'kraken', symbols: [] }, {}), { message: 'ccxt.symbols: Too small: expected array to have >=1 items' });
  assert.throws(() => parseCcxtConfig({ exchange: 'kraken', symbols: ['BTC/USD'], secret: 42 }, {}), { message: 'ccxt.secret = "[redacted]": Invalid input: expected string, received number' });
  assert.throws(() => parseCcxtConfig({ exchange: 'kraken', symbols: ['BTC/USD'], apiKey: 'k' }, {}), /no API secret for ccxt.kraken.*KEEL_CCXT_KRAKEN_SECRET/);
});

test('credentials from the environment print as [redacted]', () => {
  const c = parseCcxtConfig({ exchange: 'kraken', symbols: ['BTC/USD'] }, { KEEL_CCXT_KRAKEN_API_KEY: 'key-1', KEEL_CCXT_KRAKEN_SECRET: 'very-secret-value' });
  assert.equal(c.credentials.apiKey, 'key-1');
  assert.equal(c.credentials.secret?.reveal(), 'very-secret-value');
  assert.ok(!JSON.stringify(c).includes('very-secret-value'));
  assert.equal(c.account, 'kraken:live');
});

test('exchange client order ids are deterministic and safe for every exchange', () => {
  assert.equal(exchangeClientOrderId('sma-42'), 'sma-42');
  const long = exchangeClientOrderId('strategy/with spaces/and-a-very-long-name-0001');
  assert.match(long, /^k[0-9a-f]{24}$/);
  assert.equal(exchangeClientOrderId('strategy/with spaces/and-a-very-long-name-0001'), long);
  assert.equal(exchangeClientOrderId('sma-42', 2), 'sma-42-r2');
});
