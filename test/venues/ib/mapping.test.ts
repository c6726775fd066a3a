import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError } from '../../../src/model/index.ts';
import { executionFilterTime, ibSymbols, keelStatusOf, lotsOf, parseExecutionTime, parseIbConfig, ticksOf, toIbOrder } from '../../../src/venues/ib/index.ts';

const [aapl] = ibSymbols(parseIbConfig({ clientId: 1, symbols: ['AAPL'] }));
const [eur] = ibSymbols(parseIbConfig({ clientId: 1, symbols: [{ symbol: 'EUR', secType: 'CASH', currency: 'USD', exchange: 'IDEALPRO', lotSize: '1000' }] }));
const base = { clientOrderId: 'sma-1', strategyId: 'sma', instrumentId: 'AAPL', side: 'buy' as const, quantity: 10, timeInForce: 'GTC' as const, reduceOnly: false, createdAt: 0, tag: undefined };

test('IB order states map to Keel\'s: PreSubmitted and Submitted are working, Inactive is rejected, pending submits are not news', () => {
  assert.deepEqual(['PendingSubmit', 'ApiPending', 'PreSubmitted', 'Submitted', 'PendingCancel', 'Cancelled', 'ApiCancelled', 'Filled', 'Inactive', 'Weird'].map((s) => keelStatusOf(s)),
    [undefined, undefined, 'ACCEPTED', 'ACCEPTED', 'PENDING_CANCEL', 'CANCELED', 'CANCELED', 'FILLED', 'REJECTED', 'UNKNOWN']);
  assert.equal(keelStatusOf('Submitted', 3), 'PARTIALLY_FILLED');
});

test('a Keel order becomes IB\'s contract and order with exact decimals and the client order id as orderRef', () => {
  const limit = toIbOrder({ ...base, type: 'limit', limitPrice: 18726 } as never, aapl, 'DU1234567');
  assert.deepEqual(limit.contract, { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' });
  assert.deepEqual({ ...limit.order }, { action: 'BUY', totalQuantity: 10, orderType: 'LMT', tif: 'GTC', orderRef: 'sma-1', transmit: true, outsideRth: false, account: 'DU1234567', lmtPrice: 187.26 });
  const stopLimit = toIbOrder({ ...base, side: 'sell', type: 'stop_limit', stopPrice: 18001, limitPrice: 17999, timeInForce: 'DAY' } as never, aapl, undefined);
  assert.equal(stopLimit.order.orderType, 'STP LMT');
  assert.equal(stopLimit.order.action, 'SELL');
  assert.equal(stopLimit.order.auxPrice, 180.01);
  assert.equal(stopLimit.order.lmtPrice, 179.99);
  assert.equal(stopLimit.order.tif, 'DAY');
  assert.equal('account' in stopLimit.order, false);
  const fx = toIbOrder({ ...base, instrumentId: 'EUR.USD', quantity: 25, type: 'limit', limitPrice: 21703 } as never, eur, undefined);
  assert.equal(fx.order.totalQuantity, 25_000);
  assert.equal(fx.order.lmtPrice, 1.08515);
  assert.throws(() => toIbOrder({ ...base, type: 'market', notional: 1000n } as never, aapl, undefined), (e: unknown) => e instanceof KeelError && /cash-sized \(notional\) order is refused/.test(e.message));
});

test('doubles from TWS land exactly on the grid; anything off it is an error naming the field', () => {
  assert.equal(ticksOf(aapl.instrument, 187.26, 'execution.price'), 18726);
  assert.equal(ticksOf(aapl.instrument, 0.1 + 0.2, 'x'), 30); // 0.30000000000000004 is 0.30 on a 0.01 grid
  assert.equal(ticksOf(eur.instrument, 1.08515, 'p'), 21703);
  assert.equal(lotsOf(aapl.instrument, 300, 'shares'), 300);
  assert.equal(lotsOf(aapl.instrument, -12, 'position'), -12);
  assert.equal(lotsOf(eur.instrument, 25_000, 'position'), 25);
  assert.throws(() => ticksOf(aapl.instrument, 187.255, 'execution.price'), /execution\.price = 187\.255: is not on AAPL's tick grid of 0\.01/);
  assert.throws(() => lotsOf(aapl.instrument, 0.5, 'execution.shares'), /execution\.shares = 0\.5/);
  assert.throws(() => lotsOf(aapl.instrument, undefined, 'execution.shares'), /execution\.shares: is missing/);
});

test('execution times in each form TWS writes: with a zone, UTC with a hyphen, the login\'s zone', () => {
  assert.equal(parseExecutionTime('20240718 09:30:01 US/Eastern'), Date.parse('2024-07-18T13:30:01Z')); // EDT
  assert.equal(parseExecutionTime('20240118 09:30:01 America/New_York'), Date.parse('2024-01-18T14:30:01Z')); // EST
  assert.equal(parseExecutionTime('20240718-13:30:01'), Date.parse('2024-07-18T13:30:01Z'));
  assert.equal(parseExecutionTime('20240718  15:30:01', 'Europe/Zurich'), Date.parse('2024-07-18T13:30:01Z'));
  assert.equal(parseExecutionTime('20261207 05:43:35 UTC'), Date.parse('2026-12-07T05:43:35Z'));
  assert.throws(() => parseExecutionTime('2024-07-18T13:30:01Z'), /execution\.time = "2024-07-18T13:30:01Z": is not a TWS time/);
  assert.throws(() => parseExecutionTime('20240718 09:30:01 Mars/Olympus'), /unknown time zone/);
  assert.equal(executionFilterTime(Date.parse('2024-07-18T13:30:01.999Z')), '20240718-13:30:01');
});

test('config: defaults, and every bad value one line naming the field', () => {
  const c = parseIbConfig({ clientId: 0, symbols: ['AAPL'] });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 4002);
  assert.deepEqual(c.orderTypes, ['market', 'limit', 'stop', 'stop_limit']);
  assert.deepEqual(c.pacing, { messagesPerSecond: 50, burst: 10 });
  const bad = (input: unknown) => {
    try {
      parseIbConfig(input);
    } catch (e) {
      assert.ok(e instanceof KeelError);
      return e.message;
    }
    assert.fail('accepted');
  };
  assert.equal(bad({ symbols: ['AAPL'] }), 'ib.clientId: is required');
  assert.equal(bad({ clientId: 2 ** 31, symbols: ['AAPL'] }), 'ib.clientId = 2147483648: must be an integer from 0 to 2147483647');
  assert.equal(bad({ clientId: 1, host: 'http://gw', symbols: ['AAPL'] }), 'ib.host = "http://gw": must be a host name or IP address, without port or scheme (the port goes in port)');
  assert.equal(bad({ clientId: 1, port: 70000, symbols: ['AAPL'] }), 'ib.port = 70000: Too big: expected number to be <=65535');
  assert.equal(bad({ clientId: 1, symbols: ['AAPL'], orderTypes: ['market', 'trailing'] }), 'ib.orderTypes.1 = "trailing": must be market, limit, stop or stop_limit');
  assert.equal(bad({ clientId: 1, symbols: ['AAPL'], pacing: { messagesPerSecond: 80 } }), 'ib.pacing.messagesPerSecond = 80: Too big: expected number to be <=50');
  assert.equal(bad({ clientId: 1, symbols: [] }), 'ib.symbols = "[]": Too small: expected array to have >=1 items');
  assert.match(bad({ clientId: 1, symbols: ['AAPL'], hots: 'x' }), /^ib\.hots: is not a known key of an ib venue \(known: name, host, port, clientId/);
  assert.equal(bad({ clientId: 1, symbols: ['AAPL'], pacing: { perSecond: 5 } }), 'ib.pacing.perSecond: is not a known key of an ib venue');
  assert.throws(() => ibSymbols(parseIbConfig({ clientId: 1, symbols: [{ symbol: 'X', priceTick: '-1' }] })), /ib\.symbols\.0 = "-1": must be a positive decimal/);
});
