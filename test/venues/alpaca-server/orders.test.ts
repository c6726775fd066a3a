import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentFee } from '../../../src/venues/sim/index.ts';
import { api, startVenue, tradeStream, updatesFor, AUTH, KEY } from './helpers.ts';

const order = (o: Record<string, unknown>) => ({ symbol: 'ORCL', side: 'buy', type: 'market', time_in_force: 'gtc', ...o });

test('API keys: missing, unknown or wrong secret get 401 in Alpaca\'s shape', async () => {
  const v = await startVenue();
  try {
    const variants: Record<string, string>[] = [{}, { 'APCA-API-KEY-ID': KEY }, { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': 'wrong' }, { 'APCA-API-KEY-ID': 'NOPE', 'APCA-API-SECRET-KEY': 'x' }];
    for (const headers of variants) {
      const r = await api(v, 'GET', '/v2/account', undefined, headers);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { code: 40110000, message: 'request is not authorized' });
    }
    assert.equal((await api(v, 'POST', '/v2/orders', order({ qty: '1' }), {})).status, 401);
    assert.equal((await api(v, 'GET', '/v2/account')).status, 200);
    assert.equal(v.stats().orders, 0);
  } finally {
    await v.close();
  }
});

test('market order: POST → ws new → fill at the next bar\'s open, exact qty, price and position_qty', async () => {
  const v = await startVenue();
  const ws = await tradeStream(v);
  try {
    const r = await api(v, 'POST', '/v2/orders', order({ qty: '10', client_order_id: 'm-1' }));
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'new');
    assert.equal(r.body.client_order_id, 'm-1');
    assert.equal(r.body.qty, '10');
    await ws.next((m) => m.data?.event === 'new');
    v.step(1); // bar 0 opens at 2.179012
    const fill = (await ws.next((m) => m.data?.event === 'fill')).data;
    assert.equal(fill.order.id, r.body.id);
    assert.equal(fill.price, '2.179012');
    assert.equal(fill.qty, '10');
    assert.equal(fill.position_qty, '10');
    assert.equal(fill.order.status, 'filled');
    assert.equal(fill.order.filled_avg_price, '2.179012');
    assert.equal(fill.timestamp, '1995-01-03T00:00:00.000Z');
    assert.deepEqual(updatesFor(ws, r.body.id).map((u) => u.event), ['new', 'fill']);
    const got = await api(v, 'GET', `/v2/orders/${r.body.id}`);
    assert.equal(got.body.status, 'filled');
    assert.equal(got.body.filled_qty, '10');
  } finally {
    ws.close();
    await v.close();
  }
});

test('limit order rests until the replayed market trades through it, then fills at its limit; books reconcile exactly', async () => {
  const v = await startVenue({ fees: percentFee('0.1') });
  const ws = await tradeStream(v);
  try {
    v.step(1); // bar 0: lows 2.117284
    const buy = await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '1000', limit_price: '2.09' }));
    assert.equal(buy.status, 200);
    v.step(1); // bar 1: low 2.092592, above the limit
    assert.equal((await api(v, 'GET', `/v2/orders/${buy.body.id}`)).body.status, 'new');
    const open = await api(v, 'GET', '/v2/account');
    // 1000 × 2.09 + 0.1% fee = 2092.09 held for the working order.
    assert.equal(open.body.buying_power, '97907.91');
    v.step(1); // bar 2: low 2.086420, through the limit
    const fill = (await ws.next((m) => m.data?.event === 'fill')).data;
    assert.equal(fill.price, '2.09');
    assert.equal(fill.qty, '1000');
    const mkt = await api(v, 'POST', '/v2/orders', order({ qty: '500' }));
    v.step(1); // bar 3 opens at 2.092592
    await ws.next((m) => m.data?.event === 'fill' && m.data.order.id === mkt.body.id);
    // cash = 100000 − 2090 − 2.09 (fee) − 500 × 2.092592 (= 1046.296) − 1.05 (fee, 1.046296 rounded)
    const acct = (await api(v, 'GET', '/v2/account')).body;
    assert.equal(acct.cash, '96860.564');
    assert.equal(acct.buying_power, '96860.564');
    const pos = (await api(v, 'GET', '/v2/positions/ORCL')).body;
    assert.equal(pos.qty, '1500');
    assert.equal(pos.cost_basis, '3136.296');
    assert.equal(pos.avg_entry_price, '2.090864');
    const bar3Close = '2.117284';
    assert.equal(pos.current_price, bar3Close);
    assert.equal(pos.market_value, '3175.926');
    assert.equal(acct.equity, '100036.49');
    assert.equal(acct.long_market_value, '3175.926');
    const acts = (await api(v, 'GET', '/v2/account/activities/FILL?direction=asc')).body;
    assert.deepEqual(acts.map((a: any) => [a.qty, a.price, a.order_id]), [['1000', '2.09', buy.body.id], ['500', '2.092592', mkt.body.id]]);
    assert.match(acts[0].id, /^19950105000000000::[0-9a-f-]{36}$/);
  } finally {
    ws.close();
    await v.close();
  }
});

test('cancel: 204, then a canceled update; a second cancel is 422; DELETE /v2/orders cancels all (207)', async () => {
  const v = await startVenue();
  const ws = await tradeStream(v);
  try {
    v.step(1);
    const a = await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '5', limit_price: '1.5' }));
    const del = await api(v, 'DELETE', `/v2/orders/${a.body.id}`);
    assert.equal(del.status, 204);
    await ws.next((m) => m.data?.event === 'canceled' && m.data.order.id === a.body.id);
    assert.equal((await api(v, 'GET', `/v2/orders/${a.body.id}`)).body.status, 'canceled');
    const again = await api(v, 'DELETE', `/v2/orders/${a.body.id}`);
    assert.equal(again.status, 422);
    assert.equal(again.body.code, 42210000);
    assert.equal((await api(v, 'DELETE', '/v2/orders/00000000-0000-4000-8000-000000000000')).status, 404);
    const b = await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '5', limit_price: '1.5' }));
    const c = await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '6', limit_price: '1.6' }));
    const all = await api(v, 'DELETE', '/v2/orders');
    assert.equal(all.status, 207);
    assert.deepEqual(all.body.map((x: any) => x.id).sort(), [b.body.id, c.body.id].sort());
    assert.deepEqual((await api(v, 'GET', '/v2/orders')).body, []);
  } finally {
    ws.close();
    await v.close();
  }
});

test('replace: a new order with a new id takes over; the old one becomes replaced', async () => {
  const v = await startVenue();
  const ws = await tradeStream(v);
  try {
    v.step(1);
    const a = await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '10', limit_price: '1.5', client_order_id: 'r-1' }));
    const p = await api(v, 'PATCH', `/v2/orders/${a.body.id}`, { limit_price: '2.2', client_order_id: 'r-1b' });
    assert.equal(p.status, 200);
    assert.notEqual(p.body.id, a.body.id);
    assert.equal(p.body.replaces, a.body.id);
    assert.equal(p.body.client_order_id, 'r-1b');
    assert.equal(p.body.limit_price, '2.2');
    assert.equal(p.body.qty, '10');
    const old = (await api(v, 'GET', `/v2/orders/${a.body.id}`)).body;
    assert.equal(old.status, 'replaced');
    assert.equal(old.replaced_by, p.body.id);
    assert.deepEqual(updatesFor(ws, a.body.id).map((u) => u.event), ['new', 'replaced']);
    v.step(1); // bar 1 opens at 2.123457 ≤ 2.2: the replacement fills at the open
    const fill = (await ws.next((m) => m.data?.event === 'fill')).data;
    assert.equal(fill.order.id, p.body.id);
    assert.equal(fill.price, '2.123457');
    const dup = await api(v, 'PATCH', `/v2/orders/${p.body.id}`, { limit_price: '2.3' });
    assert.equal(dup.status, 422, 'a filled order cannot be replaced');
    const stop = await api(v, 'PATCH', `/v2/orders/${a.body.id}`, { stop_price: '2' });
    assert.equal(stop.status, 422);
  } finally {
    ws.close();
    await v.close();
  }
});

test('duplicate client_order_id is 422; insufficient buying power and qty are 403; bad input is 422', async () => {
  const v = await startVenue({ keys: [{ keyId: KEY, secret: AUTH['APCA-API-SECRET-KEY'], initialCash: 1000_000000000000n }] });
  try {
    v.step(1);
    assert.equal((await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '100', limit_price: '2', client_order_id: 'd-1' }))).status, 200);
    const dup = await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '1', limit_price: '2', client_order_id: 'd-1' }));
    assert.equal(dup.status, 422);
    assert.deepEqual(dup.body, { code: 40010001, message: 'client_order_id must be unique' });
    // 100 × 2 = 200 held; 401 × 2 = 802 > 800 left.
    const poor = await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '401', limit_price: '2' }));
    assert.equal(poor.status, 403);
    assert.deepEqual(poor.body, { code: 40310000, message: 'insufficient buying power' });
    assert.equal((await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '400', limit_price: '2' }))).status, 200);
    assert.equal((await api(v, 'POST', '/v2/orders', order({ notional: '0.01' }))).status, 403);
    const sell = await api(v, 'POST', '/v2/orders', order({ side: 'sell', qty: '1' }));
    assert.equal(sell.status, 403);
    assert.match(sell.body.message, /insufficient qty available for order \(requested: 1, available: 0\)/);
    for (const bad of [
      order({ qty: '1.5' }), order({ type: 'limit', qty: '1', limit_price: '2.0000001' }), order({ symbol: 'AAPL', qty: '1' }),
      order({ qty: '1', notional: '10' }), order({ type: 'limit', qty: '1' }), order({ qty: '1', time_in_force: 'opg' }), order({ type: 'trailing_stop', qty: '1' }),
    ]) {
      const r = await api(v, 'POST', '/v2/orders', bad);
      assert.equal(r.status, 422, JSON.stringify(bad));
      assert.equal(r.body.code, 40010001);
    }
    const notJson = await fetch(`${v.url}/v2/orders`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as { code: number }).code, 40010000);
  } finally {
    await v.close();
  }
});

test('GET /v2/orders: status, limit, direction, after/until and symbols filters; by_client_order_id', async () => {
  const v = await startVenue();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '1', limit_price: '1', client_order_id: `f-${i}` }))).body.id);
      v.step(1); // each order submitted at a later bar time
    }
    await api(v, 'DELETE', `/v2/orders/${ids[0]}`);
    const open = (await api(v, 'GET', '/v2/orders')).body;
    assert.deepEqual(open.map((o: any) => o.id), [ids[3], ids[2], ids[1]]);
    assert.deepEqual((await api(v, 'GET', '/v2/orders?status=closed')).body.map((o: any) => o.id), [ids[0]]);
    assert.deepEqual((await api(v, 'GET', '/v2/orders?status=all&direction=asc&limit=2')).body.map((o: any) => o.id), [ids[0], ids[1]]);
    // Submission times (simulated): 01-03, 01-03 (after bar 0 at 01-03), 01-04, 01-05.
    assert.deepEqual((await api(v, 'GET', '/v2/orders?status=all&after=1995-01-03T12:00:00Z&until=1995-01-05')).body.map((o: any) => o.id), [ids[2]]);
    assert.equal((await api(v, 'GET', '/v2/orders?status=all&symbols=AAPL,MSFT')).body.length, 0);
    assert.equal((await api(v, 'GET', '/v2/orders?status=all&symbols=AAPL,ORCL')).body.length, 4);
    assert.equal((await api(v, 'GET', '/v2/orders?status=bogus')).status, 422);
    const byClient = await api(v, 'GET', '/v2/orders:by_client_order_id?client_order_id=f-2');
    assert.equal(byClient.status, 200);
    assert.equal(byClient.body.id, ids[2]);
    assert.equal((await api(v, 'GET', '/v2/orders:by_client_order_id?client_order_id=zzz')).status, 404);
  } finally {
    await v.close();
  }
});

test('FILL activities page with page_token in both directions', async () => {
  const v = await startVenue();
  try {
    for (let i = 0; i < 5; i++) {
      await api(v, 'POST', '/v2/orders', order({ qty: String(i + 1) }));
      v.step(1);
    }
    const all = (await api(v, 'GET', '/v2/account/activities/FILL?direction=asc')).body;
    assert.deepEqual(all.map((a: any) => a.qty), ['1', '2', '3', '4', '5']);
    const p1 = (await api(v, 'GET', '/v2/account/activities/FILL?page_size=2')).body;
    assert.deepEqual(p1.map((a: any) => a.qty), ['5', '4']);
    const p2 = (await api(v, 'GET', `/v2/account/activities/FILL?page_size=2&page_token=${encodeURIComponent(p1[1].id)}`)).body;
    assert.deepEqual(p2.map((a: any) => a.qty), ['3', '2']);
    const p3 = (await api(v, 'GET', `/v2/account/activities/FILL?page_size=2&page_token=${encodeURIComponent(p2[1].id)}`)).body;
    assert.deepEqual(p3.map((a: any) => a.qty), ['1']);
    const asc = (await api(v, 'GET', `/v2/account/activities/FILL?direction=asc&page_size=3&page_token=${encodeURIComponent(all[1].id)}`)).body;
    assert.deepEqual(asc.map((a: any) => a.qty), ['3', '4', '5']);
    const after = (await api(v, 'GET', '/v2/account/activities/FILL?direction=asc&after=1995-01-04T00:00:00Z')).body;
    assert.deepEqual(after.map((a: any) => a.qty), ['3', '4', '5']);
    assert.equal((await api(v, 'GET', '/v2/account/activities/FILL?page_token=nope')).status, 400);
    assert.deepEqual((await api(v, 'GET', '/v2/account/activities/DIV')).body, []);
    const pos = (await api(v, 'GET', '/v2/positions')).body;
    assert.equal(pos[0].qty, '15');
  } finally {
    await v.close();
  }
});

test('notional buy spends at most the amount; crypto trades fractional quantities', async () => {
  const v = await startVenue({ dataPath: '../shared/data/daily/BTCUSD-monthly-2012-2024.csv', symbol: 'BTC/USD' });
  try {
    const asset = (await api(v, 'GET', '/v2/assets/BTC%2FUSD')).body;
    assert.equal(asset.class, 'crypto');
    assert.equal(asset.fractionable, true);
    const r = await api(v, 'POST', '/v2/orders', { symbol: 'BTC/USD', side: 'buy', type: 'market', time_in_force: 'gtc', notional: '100' });
    assert.equal(r.status, 200);
    assert.equal(r.body.notional, '100');
    assert.equal(r.body.qty, null);
    v.step(1); // opens at 4.58
    const o = (await api(v, 'GET', `/v2/orders/${r.body.id}`)).body;
    assert.equal(o.status, 'filled');
    // 100 / 4.58 = 21.834061135… → 21.834061135 (whole lots of 1e-9)
    assert.equal(o.filled_qty, '21.834061135');
    const acct = (await api(v, 'GET', '/v2/account')).body;
    assert.equal(acct.cash, '99900.0000000017', 'cash = 100000 − 21.834061135 × 4.58 (= 99.9999999983), exactly');
    const bars = (await api(v, 'GET', '/v1beta3/crypto/us/bars?symbols=BTC/USD&timeframe=1Month')).body;
    assert.equal(bars.bars['BTC/USD'].length, 1, 'only replayed bars are served');
  } finally {
    await v.close();
  }
});
