import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { harness, order, until, types } from './helpers/setup.ts';
import { SECRET } from './helpers/fake-alpaca.ts';

test('submit → accepted from the REST answer; stream fills (partial, then final) with exact lots, ticks and big ids', async () => {
  const h = await harness();
  try {
    const o = order({ quantity: 10, limitPrice: 17478 });
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'), 3000, 'accepted');
    const posted = h.server.orderByClientId(o.clientOrderId)!;
    assert.equal(posted.qty, '10');
    assert.equal(posted.limit_price, '174.78');
    h.server.fill(String(posted.id), '4', '174.78', { executionId: '7446469938634049684', rawId: true });
    h.server.fill(String(posted.id), '6', '174.77', { executionId: 'exec-2' });
    await until(() => types(h.reports, o.clientOrderId).filter((t) => t === 'order.filled').length === 2, 3000, 'fills');
    const fills = h.reports.filter((r) => r.type === 'order.filled');
    assert.deepEqual(fills.map((f) => f.type === 'order.filled' && [f.fill.tradeId, f.fill.quantity, f.fill.price, f.leavesQuantity]), [
      ['7446469938634049684', 4, 17478, 6], ['exec-2', 6, 17477, 0],
    ]);
    assert.deepEqual(h.venue.openOrders(), []);
  } finally {
    await h.close();
  }
});

test('an off-grid order is rejected locally naming the field and value; nothing is sent', async () => {
  const h = await harness();
  try {
    const o = order({ quantity: 1.5 });
    h.venue.submit(o);
    await until(() => h.reports.length > 0);
    assert.equal(h.reports[0].type, 'order.rejected');
    assert.match((h.reports[0] as { reason: string }).reason, /quantity = 1\.5/);
    assert.equal(h.server.count('POST', '/v2/orders'), 0);
  } finally {
    await h.close();
  }
});

test('429 with Retry-After: the submit waits at least that long, is retried, and makes one order', async () => {
  const h = await harness();
  try {
    h.server.fault('POST', /^\/v2\/orders$/, { kind: 'status', status: 429, headers: { 'retry-after': '0.3' }, body: { message: 'rate limit exceeded' } });
    const o = order();
    const t0 = Date.now();
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'), 3000, 'accepted');
    const posts = h.server.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 2);
    assert.ok(posts[1].at - posts[0].at >= 280, `retried after ${posts[1].at - posts[0].at} ms`);
    assert.ok(Date.now() - t0 >= 280);
    assert.equal(h.server.orders.size, 1);
  } finally {
    await h.close();
  }
});

test('a submit whose answer never comes → order.unknown → resolved by GET by client order id, no second order', async () => {
  const h = await harness();
  try {
    h.server.fault('POST', /^\/v2\/orders$/, { kind: 'hang', process: true });
    const o = order();
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'), 5000, 'resolved');
    assert.deepEqual(types(h.reports, o.clientOrderId), ['order.unknown', 'order.accepted']);
    assert.match((h.reports[0] as { reason: string }).reason, /timeout|no answer/);
    assert.equal(h.server.count('POST', '/v2/orders'), 1);
    assert.ok(h.server.count('GET', '/v2/orders:by_client_order_id') >= 1);
    assert.equal(h.server.orders.size, 1);
  } finally {
    await h.close();
  }
});

test('a lost submit that never arrived: look-ups say 404, then one resend with the same client order id', async () => {
  const h = await harness();
  try {
    h.server.fault('POST', /^\/v2\/orders$/, { kind: 'hang' });
    const o = order();
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'), 5000, 'accepted after resend');
    assert.deepEqual(types(h.reports, o.clientOrderId), ['order.unknown', 'order.accepted']);
    assert.equal(h.server.count('POST', '/v2/orders'), 2);
    assert.equal(h.server.orders.size, 1);
  } finally {
    await h.close();
  }
});

test('5xx: retried for idempotent requests (GET), not for a replace (PATCH), whose outcome is then looked up', async () => {
  const h = await harness();
  try {
    h.server.fault('GET', /^\/v2\/account$/, { kind: 'status', status: 503 });
    const snap = await h.venue.query();
    assert.equal(snap.cash, 100000250000000000n);
    // The 503 and its retry, then the second read that checks the account did not move while it was read.
    assert.equal(h.server.count('GET', '/v2/account'), 3);

    const o = order({ quantity: 10, limitPrice: 17478 });
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'));
    h.server.fault('PATCH', /^\/v2\/orders\//, { kind: 'status', status: 500 });
    h.venue.replace({ ...o, limitPrice: 17480 } as typeof o);
    await h.venue.idle();
    assert.equal(h.server.count('PATCH', /^\/v2\/orders\//), 1);
    assert.deepEqual(types(h.reports, o.clientOrderId), ['order.accepted', 'order.unknown', 'order.accepted']);
  } finally {
    await h.close();
  }
});

test('replace: PATCH makes a new Alpaca order; Keel sees one order.updated with the new terms', async () => {
  const h = await harness();
  try {
    const o = order({ quantity: 10, limitPrice: 17478 });
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'));
    h.venue.replace({ ...o, limitPrice: 17490, quantity: 12 } as typeof o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.updated'), 3000, 'updated');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(types(h.reports, o.clientOrderId), ['order.accepted', 'order.updated']);
    const patch = [...h.server.orders.values()].find((x) => x.client_order_id === `${o.clientOrderId}~r1`)!;
    assert.equal(patch.limit_price, '174.9');
    assert.equal(patch.qty, '12');
    // Fills on the replacement belong to the Keel order.
    h.server.fill(String(patch.id), '12', '174.9', { executionId: 'x-1' });
    await until(() => types(h.reports, o.clientOrderId).includes('order.filled'));
    const f = h.reports.find((r) => r.type === 'order.filled');
    assert.ok(f?.type === 'order.filled' && f.leavesQuantity === 0 && f.fill.clientOrderId === o.clientOrderId);
  } finally {
    await h.close();
  }
});

test('a dropped stream reconnects, re-authenticates and catches up by REST without duplicates', async () => {
  const h = await harness();
  try {
    const ups: boolean[] = [];
    h.venue.onConnection((up) => ups.push(up));
    const o = order({ quantity: 10 });
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'));
    const id = String(h.server.orderByClientId(o.clientOrderId)!.id);
    h.server.dropStreams();
    h.server.fill(id, '3', '174.78', { executionId: 'gap-1', silent: true });
    h.server.fill(id, '7', '174.79', { executionId: 'gap-2', silent: true });
    await until(() => h.server.authorizedStreams >= 2 && h.server.streamClients === 1, 3000, 'reconnect');
    await until(() => types(h.reports, o.clientOrderId).filter((t) => t === 'order.filled').length === 2, 3000, 'catch-up fills');
    // The venue now repeats the last fill on the new connection: already booked, not reported twice.
    h.server.fill(id, '0', '174.79', { executionId: 'gap-2' });
    await new Promise((r) => setTimeout(r, 100));
    await h.venue.idle();
    const fills = h.reports.filter((r) => r.type === 'order.filled');
    assert.deepEqual(fills.map((f) => f.type === 'order.filled' && [f.fill.tradeId, f.leavesQuantity]), [['gap-1', 7], ['gap-2', 0]]);
    assert.deepEqual(ups, [false, true]);
  } finally {
    await h.close();
  }
});

test('query(): orders by Keel id (replace chain folded), fills, positions in lots, cash exact', async () => {
  const h = await harness();
  try {
    const o = order({ quantity: 10 });
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'));
    h.venue.replace({ ...o, limitPrice: 17490 } as typeof o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.updated'));
    const cur = h.server.orderByClientId(`${o.clientOrderId}~r1`)!;
    h.server.fill(String(cur.id), '10', '174.9', { executionId: 'q-1' });
    h.server.positions = [{ symbol: 'AAPL', qty: '10', side: 'long' }, { symbol: 'BTCUSD', qty: '-0.5', side: 'short' }];
    h.server.cash = '98251.000000000001';
    const snap = await h.venue.query();
    assert.deepEqual(snap.orders, [{ clientOrderId: o.clientOrderId, status: 'FILLED', venueOrderId: cur.id }]);
    assert.deepEqual(snap.fills.map((f) => [f.clientOrderId, f.tradeId, f.quantity, f.price]), [[o.clientOrderId, 'q-1', 10, 17490]]);
    assert.deepEqual(snap.positions, { AAPL: 10, BTCUSD: -500000000 });
    assert.equal(snap.cash, 98251000000000001000n / 1000n);
  } finally {
    await h.close();
  }
});

test('query(): a fill landing while the account is read gives one consistent snapshot (position, cash and the fill from the same moment)', async () => {
  const h = await harness();
  try {
    const o = order({ quantity: 10 });
    h.venue.submit(o);
    await until(() => types(h.reports, o.clientOrderId).includes('order.accepted'));
    // Right after the venue told the positions (none), the order fills: a read in one pass would pair the old
    // position with the new cash, or miss the fill that explains the new position.
    h.server.afterAnswer('GET', /^\/v2\/positions$/, () => {
      h.server.fill(String(h.server.orderByClientId(o.clientOrderId)!.id), '10', '174.8', { executionId: 'mid-1' });
      h.server.positions = [{ symbol: 'AAPL', qty: '10', side: 'long' }];
      h.server.cash = '98252.25';
    });
    const snap = await h.venue.query();
    assert.deepEqual(snap.positions, { AAPL: 10 });
    assert.equal(snap.cash, 98252250000000000n);
    assert.deepEqual(snap.fills.map((f) => f.tradeId), ['mid-1']);
    assert.ok(h.server.count('GET', '/v2/positions') >= 3, 'read again after the account moved');
  } finally {
    await h.close();
  }
});

test('the secret never appears in logs, errors, reports or the printed venue', async () => {
  const h = await harness();
  try {
    h.server.fault('POST', /^\/v2\/orders$/, { kind: 'status', status: 403, body: { message: `insufficient buying power for key ${SECRET}` } });
    const o = order();
    h.venue.submit(o);
    await until(() => h.reports.length > 0);
    assert.equal(h.reports[0].type, 'order.rejected');
    assert.match((h.reports[0] as { reason: string }).reason, /alpaca POST \/v2\/orders → 403: insufficient buying power for key \[redacted\]/);
    let thrown = '';
    try {
      await h.venue.rest.trading.request({ method: 'GET', path: '/nowhere' });
    } catch (e) {
      thrown = `${(e as Error).message} ${(e as Error).stack} ${inspect(e)}`;
    }
    const everything = [...h.logs, thrown, JSON.stringify(h.reports), inspect(h.venue, { depth: 6 }), JSON.stringify(h.venue.capabilities)].join('\n');
    assert.ok(h.logs.length > 0);
    assert.ok(!everything.includes(SECRET), 'the secret leaked');
  } finally {
    await h.close();
  }
});
