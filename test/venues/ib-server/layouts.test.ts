import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as msg from '../../../src/venues/ib-server/messages.ts';
import type { Field } from '../../../src/venues/ib-server/wire.ts';

// Every message the fake TWS sends, fed to @stoqey/ib's own decoder (an independent implementation of IB's
// layouts) at server version 176: each must be consumed exactly (no field left over, none missing) and
// decode to the values meant. Uses the decoder's module directly: it is not part of the package's API.

const require = createRequire(import.meta.url);
const { Decoder } = require('@stoqey/ib/dist/core/io/decoder.js') as { Decoder: new (cb: unknown) => { enqueueMessage(t: string[]): void; process(): void; drainQueue(): void; dataQueue: unknown[] } };

function decode(fields: Field[]): { events: unknown[][]; leftOver: number } {
  const events: unknown[][] = [];
  const cb = {
    serverVersion: msg.SERVER_VERSION,
    emitEvent: (...a: unknown[]) => events.push(a), emitError: (...a: unknown[]) => events.push(['error', ...a]), emitInfo: (...a: unknown[]) => events.push(['info', ...a]),
  };
  const d = new Decoder(cb);
  let leftOver = -1;
  const drain = d.drainQueue.bind(d);
  d.drainQueue = () => {
    const end = d.dataQueue.indexOf(undefined);
    leftOver = end === -1 ? d.dataQueue.length : end;
    drain();
  };
  d.enqueueMessage(fields.map((f) => (f === undefined ? '' : f === true ? '1' : f === false ? '0' : String(f))));
  d.process();
  return { events, leftOver };
}

const contract = { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD', localSymbol: 'AAPL', tradingClass: 'NMS', multiplier: '' };
const order = {
  clientId: 7, orderId: 12, permId: 1880000003, contract, action: 'SELL' as const, totalQuantity: '300', orderType: 'STP LMT', lmtPrice: '186.5',
  auxPrice: '187', tif: 'DAY', account: 'DU1234567', orderRef: 'sma-cross-9', status: 'PreSubmitted', filled: '100', remaining: '200', avgFillPrice: '186.75', lastFillPrice: '186.75',
};
const execution = { execId: '0000e0d5.6571a001.01.01', time: '20261207 14:30:01 UTC', shares: '100', price: '186.75', cumQty: '100', avgPrice: '186.75', commission: '1', currency: 'USD' };

test('openOrder (128 fields at server version 176) decodes exactly, with the terms, orderRef, ids and status', () => {
  const fields = msg.openOrder(order);
  assert.equal(fields.length, 128);
  const { events, leftOver } = decode(fields);
  assert.equal(leftOver, 0);
  const [name, orderId, c, o, state] = events[0] as [string, number, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
  assert.equal(name, 'openOrder');
  assert.equal(orderId, 12);
  assert.deepEqual([c.conId, c.symbol, c.secType, c.exchange, c.currency], [265598, 'AAPL', 'STK', 'SMART', 'USD']);
  assert.deepEqual([o.action, o.totalQuantity, o.orderType, o.lmtPrice, o.auxPrice, o.tif, o.account, o.orderRef, o.clientId, o.permId],
    ['SELL', 300, 'STP LMT', 186.5, 187, 'DAY', 'DU1234567', 'sma-cross-9', 7, 1880000003]);
  assert.equal(state.status, 'PreSubmitted');
});

test('orderStatus, execDetails, commissionReport, position, account value, real-time bar and error decode exactly', () => {
  const cases: Array<[Field[], (e: unknown[]) => void]> = [
    [msg.orderStatus(order), (e) => assert.deepEqual(e, ['orderStatus', 12, 'PreSubmitted', 100, 200, 186.75, 1880000003, 0, 186.75, 7, '', 0])],
    [msg.executionDetails(-1, order, execution), (e) => {
      const x = e[3] as Record<string, unknown>;
      assert.equal(e[1], -1);
      assert.deepEqual([x.orderId, x.execId, x.time, x.acctNumber, x.side, x.shares, x.price, x.permId, x.clientId, x.cumQty, x.avgPrice, x.orderRef, x.lastLiquidity],
        [12, execution.execId, execution.time, 'DU1234567', 'SLD', 100, 186.75, 1880000003, 7, 100, 186.75, 'sma-cross-9', 1]);
    }],
    [msg.commissionReport(execution), (e) => assert.deepEqual([(e[1] as Record<string, unknown>).execId, (e[1] as Record<string, unknown>).commission], [execution.execId, 1])],
    [msg.position('DU1234567', contract, '-200', '186.75'), (e) => assert.deepEqual([e[0], e[1], (e[2] as Record<string, unknown>).symbol, e[3], e[4]], ['position', 'DU1234567', 'AAPL', -200, 186.75])],
    [msg.accountValue('TotalCashValue', '98126.5', 'USD', 'DU1234567'), (e) => assert.deepEqual(e, ['updateAccountValue', 'TotalCashValue', '98126.5', 'USD', 'DU1234567'])],
    [msg.realTimeBar(4, 1_765_000_000, 187.2, 187.5, 187.1, 187.25, 1200), (e) => assert.deepEqual(e.slice(0, 8), ['realtimeBar', 4, 1_765_000_000, 187.2, 187.5, 187.1, 187.25, 1200])],
    [msg.errorMessage(12, 201, 'Order rejected - reason:halted'), (e) => assert.deepEqual([e[0], (e[1] as Error).message ?? e[1], e[2], e[3]], ['error', 'Order rejected - reason:halted', 201, 12])],
    [msg.errorMessage(-1, 326, 'client id in use'), (e) => assert.deepEqual(e, ['info', 'client id in use', 326])],
    [msg.nextValidId(41), (e) => assert.deepEqual(e, ['nextValidId', 41])],
    [msg.managedAccounts(['DU1234567']), (e) => assert.deepEqual(e, ['managedAccounts', 'DU1234567'])],
  ];
  for (const [fields, check] of cases) {
    const { events, leftOver } = decode(fields);
    assert.equal(leftOver, 0, `message ${fields[0]}: every field consumed`);
    assert.equal(events.length >= 1, true, `message ${fields[0]} decoded`);
    check(events[0]);
  }
});
