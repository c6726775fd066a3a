import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IBApi, EventName } from '@stoqey/ib';
import { KeelError, parseMoney, type Bar, type VenueReport } from '../../../src/model/index.ts';
import { markApproved } from '../../../src/risk/approved-order.ts';
import type { ApprovedOrder } from '../../../src/risk/index.ts';
import { RateBudget } from '../../../src/venues/net/index.ts';
import { IbVenue } from '../../../src/venues/ib/index.ts';
import { startTwsServer, type TwsServer } from '../../../src/venues/ib-server/index.ts';
import { until } from '../../helpers/wait.ts';

// The IB adapter's own behaviours beyond the venue contract (test/venues/contract/ib.contract.test.ts),
// against the fake TWS over loopback.

let n = 0;
const order = (o: Record<string, unknown> = {}): ApprovedOrder => markApproved({
  clientOrderId: `ibv-${process.pid}-${++n}`, strategyId: 's', instrumentId: 'AAPL', side: 'buy', quantity: 10, timeInForce: 'GTC',
  reduceOnly: false, createdAt: Date.now(), tag: undefined, type: 'limit', limitPrice: 10_000, ...o,
} as never);

async function venueOn(tws: TwsServer, more: Record<string, unknown> = {}, logs: string[] = []) {
  const venue = await IbVenue.connect({
    port: tws.port, clientId: 11, symbols: ['AAPL'], timeouts: { connectMs: 2_000, requestMs: 2_000, commissionMs: 300 },
    reconnect: { baseMs: 30, maxMs: 100 }, ...more,
  }, { budget: new RateBudget(), log: (l) => logs.push(l), random: () => 0.5 });
  const reports: VenueReport[] = [];
  venue.onReport((r) => reports.push(r));
  return { venue, reports, logs };
}

const typesOf = (reports: readonly VenueReport[], id: string) => reports.filter((r) => r.clientOrderId === id).map((r) => r.type);

test('connect refusals are one line each: client id in use (326), an account the login does not manage', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }] });
  const first = await venueOn(tws);
  try {
    await assert.rejects(IbVenue.connect({ port: tws.port, clientId: 11, symbols: ['AAPL'], timeouts: { connectMs: 2_000 } }, { budget: new RateBudget() }),
      (e: unknown) => e instanceof KeelError && e.code === 'IB_CLIENT_ID_IN_USE' && e.message === 'ib.clientId = 11: is already connected to this TWS/IB Gateway (error 326) (each connection needs its own client id)');
    await assert.rejects(IbVenue.connect({ port: tws.port, clientId: 12, account: 'DU7654321', symbols: ['AAPL'] }, { budget: new RateBudget() }),
      (e: unknown) => e instanceof KeelError && e.message === 'ib.account = "DU7654321": is not an account of this login (it manages DU1234567)');
    assert.equal(tws.orderMessageTimes.length, 0, 'nothing was sent');
  } finally {
    await first.venue.close();
    await tws.close();
  }
});

test('IB pacing: 120 orders at once go out within 50 messages per second and TWS never answers error 100', { timeout: 30_000 }, async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }], maxMessagesPerSecond: 50 });
  const { venue, reports, logs } = await venueOn(tws);
  try {
    const orders = Array.from({ length: 120 }, () => order({ quantity: 1 }));
    for (const o of orders) venue.submit(o);
    await until('120 accepted', () => orders.every((o) => typesOf(reports, o.clientOrderId).includes('order.accepted')), 20_000);
    const t = tws.orderMessageTimes;
    assert.equal(t.length, 120);
    for (let i = 0; i < t.length; i++) assert.ok(t.filter((x) => x >= t[i] && x < t[i] + 1000).length <= 50, `at most 50 in the second from message ${i}`);
    // 10 at once, then 40 per second: the last of 120 at least 2.75 s after the first.
    assert.ok(t.at(-1)! - t[0] >= 2_700, `took ${t.at(-1)! - t[0]} ms`);
    assert.deepEqual(logs.filter((l) => /IB 100/.test(l)), []);
  } finally {
    await venue.close();
    await tws.close();
  }
});

test('the fake TWS enforces pacing: a client without the budget gets error 100 (so the test above can fail)', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }], maxMessagesPerSecond: 50 });
  const api = new IBApi({ port: tws.port, clientId: 3, maxReqPerSec: 1000 });
  const codes: number[] = [];
  try {
    api.on(EventName.error, (_e: Error, code: number) => codes.push(code));
    api.on(EventName.info, (_m: string, code: number) => codes.push(code));
    const ready = new Promise<number>((r) => api.once(EventName.nextValidId, r));
    api.connect();
    await ready;
    for (let i = 0; i < 80; i++) api.reqCurrentTime();
    await until('error 100', () => codes.includes(100), 3_000);
  } finally {
    api.disconnect();
    await tws.close();
  }
});

test('fills carry IB\'s commission as the fee, to the cent; market data arrives as bars with the exact values', async () => {
  const bars: Bar[] = [
    { type: 'bar', instrumentId: 'AAPL', ts: Date.parse('2026-12-07T15:00:00Z'), open: 187.2, high: 187.5, low: 187.1, close: 187.25, volume: 1200 },
    { type: 'bar', instrumentId: 'AAPL', ts: Date.parse('2026-12-07T15:00:05Z'), open: 187.25, high: 187.3, low: 187, close: 187.01, volume: 800 },
  ];
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }], bars: { data: bars, intervalMs: 'manual' } });
  const { venue, reports } = await venueOn(tws);
  try {
    const seen: Bar[] = [];
    venue.onMarket((b) => seen.push(b));
    venue.start();
    await new Promise((r) => setTimeout(r, 200)); // the subscription reaches TWS
    tws.step(2);
    await until('two bars', () => seen.length === 2);
    assert.deepEqual(seen, bars);
    const big = order({ type: 'market', quantity: 300, notional: undefined });
    const small = order({ type: 'market', quantity: 10, notional: undefined });
    venue.submit(big);
    venue.submit(small);
    await until('accepted', () => typesOf(reports, small.clientOrderId).includes('order.accepted'));
    tws.fill(big.clientOrderId);
    tws.fill(small.clientOrderId);
    await until('fills', () => typesOf(reports, small.clientOrderId).includes('order.filled'));
    const fee = (id: string) => (reports.find((r) => r.clientOrderId === id && r.type === 'order.filled') as Extract<VenueReport, { type: 'order.filled' }>).fill;
    assert.equal(fee(big.clientOrderId).fee, parseMoney('1.5', 'fee')); // 300 × 0.005
    assert.equal(fee(small.clientOrderId).fee, parseMoney('1', 'fee')); // IB's minimum
    // The market price the fake filled at, on the cent grid (the last bar's close).
    assert.equal(fee(big.clientOrderId).price, 18725);
  } finally {
    await venue.close();
    await tws.close();
  }
});

test('an order canceled at IB while the connection was down is reported UNKNOWN after the reconnect, for reconciliation', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }] });
  const { venue, reports } = await venueOn(tws);
  const ups: boolean[] = [];
  venue.onConnection((up) => ups.push(up));
  try {
    const gone = order();
    const stays = order();
    venue.submit(gone);
    venue.submit(stays);
    await until('accepted', () => typesOf(reports, stays.clientOrderId).includes('order.accepted'));
    await tws.outage(300, () => tws.cancelAtVenue(gone.clientOrderId));
    await until('the catch-up', () => typesOf(reports, gone.clientOrderId).includes('order.unknown'), 5_000);
    assert.deepEqual(typesOf(reports, gone.clientOrderId), ['order.accepted', 'order.unknown']);
    assert.deepEqual(typesOf(reports, stays.clientOrderId), ['order.accepted']);
    assert.deepEqual(ups, [false, true]);
    const snap = await venue.query();
    assert.deepEqual(snap.orders.map((o) => [o.clientOrderId, o.status]), [[stays.clientOrderId, 'ACCEPTED']]);
  } finally {
    await venue.close();
    await tws.close();
  }
});

test('a restart under another client id finds its order by orderRef and never places it again; orders while down are refused', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }] });
  const a = await venueOn(tws);
  const o = order();
  a.venue.submit(o);
  await until('accepted', () => typesOf(a.reports, o.clientOrderId).includes('order.accepted'));
  tws.fill(o.clientOrderId, 2);
  await until('filled', () => typesOf(a.reports, o.clientOrderId).filter((t) => t === 'order.filled').length === 2);
  await a.venue.close();
  const b = await venueOn(tws, { clientId: 12 });
  try {
    b.venue.submit(o);
    await until('the adoption', () => typesOf(b.reports, o.clientOrderId).filter((t) => t === 'order.filled').length === 2);
    assert.equal(tws.ordersByRef(o.clientOrderId).length, 1);
    const tradeIds = (reports: VenueReport[]) => reports.flatMap((r) => (r.type === 'order.filled' ? [r.fill.tradeId] : []));
    assert.deepEqual(tradeIds(b.reports), tradeIds(a.reports));
    await tws.close();
    await until('down', () => !b.venue.connected);
    const late = order();
    b.venue.submit(late);
    await until('refused', () => typesOf(b.reports, late.clientOrderId).includes('order.rejected'));
    assert.match((b.reports.find((r) => r.clientOrderId === late.clientOrderId) as { reason: string }).reason, /not connected to TWS\/IB Gateway: the order was not sent/);
  } finally {
    await b.venue.close();
  }
});

test('reconnect gives up after reconnect.maxAttempts and says so once', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }] });
  const { venue } = await venueOn(tws, { reconnect: { baseMs: 10, maxMs: 20, maxAttempts: 2 } });
  const gaveUp: string[] = [];
  venue.onDisconnect((why) => gaveUp.push(why));
  try {
    await tws.close();
    await until('gave up', () => gaveUp.length > 0, 5_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(gaveUp.length, 1);
    assert.match(gaveUp[0], /lost the connection to TWS 127\.0\.0\.1:\d+; gave up after 2 attempts/);
  } finally {
    await venue.close();
  }
});

test('orderTypes in the config: a type left out is refused before anything is sent; account values as TWS reports them', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }], cash: '100000' });
  const { venue, reports } = await venueOn(tws, { orderTypes: ['market', 'limit'] });
  try {
    assert.deepEqual(venue.capabilities.orderTypes, ['market', 'limit']);
    const stop = order({ type: 'stop', stopPrice: 25_000 });
    venue.submit(stop);
    await until('refused', () => typesOf(reports, stop.clientOrderId).includes('order.rejected'));
    assert.match((reports[0] as { reason: string }).reason, /^the IB venue ib takes market, limit orders: a stop order is refused, nothing was sent$/);
    assert.equal(tws.orderMessageTimes.length, 0);
    const buy = order({ type: 'market', quantity: 10, notional: undefined });
    venue.submit(buy);
    await until('accepted', () => typesOf(reports, buy.clientOrderId).includes('order.accepted'));
    tws.fill(buy.clientOrderId);
    await until('filled', () => typesOf(reports, buy.clientOrderId).includes('order.filled'));
    const values = await venue.accountValues();
    // 100000 − 10 × 187.25 − 1.00 commission
    assert.deepEqual(values.find((v) => v.key === 'TotalCashValue'), { key: 'TotalCashValue', value: '98126.5', currency: 'USD', account: 'DU1234567' });
    assert.ok(values.some((v) => v.key === 'NetLiquidation'));
    assert.equal((await venue.query()).cash, parseMoney('98126.5', 'cash'));
  } finally {
    await venue.close();
    await tws.close();
  }
});

test('Inactive after the order was working is UNKNOWN (once), not a rejection: IB may hold or suspend it', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }] });
  const { venue, reports } = await venueOn(tws);
  try {
    const o = order();
    venue.submit(o);
    await until('accepted', () => typesOf(reports, o.clientOrderId).includes('order.accepted'));
    tws.inactivate(o.clientOrderId, 201, 'Order rejected - reason:Trading halted');
    await until('unknown', () => typesOf(reports, o.clientOrderId).includes('order.unknown'));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(typesOf(reports, o.clientOrderId), ['order.accepted', 'order.unknown']);
    assert.match((reports.at(-1) as { reason: string }).reason, /IB set the working order Inactive \(IB 201: Order rejected - reason:Trading halted\)/);
  } finally {
    await venue.close();
    await tws.close();
  }
});
