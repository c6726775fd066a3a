import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startVenue, tradeStream, updatesFor, WsClient, KEY, SECRET, sleep } from './helpers.ts';

const order = (o: Record<string, unknown>) => ({ symbol: 'ORCL', side: 'buy', type: 'market', time_in_force: 'gtc', ...o });

test('latency and jitter hold REST responses back; switched off again at run time', async () => {
  const v = await startVenue({ faults: { latencyMs: 120, jitterMs: 30 } });
  try {
    let t0 = performance.now();
    assert.equal((await api(v, 'GET', '/v2/account')).status, 200);
    assert.ok(performance.now() - t0 >= 115, 'delayed');
    v.faults.set({ latencyMs: 0, jitterMs: 0 });
    t0 = performance.now();
    await api(v, 'GET', '/v2/account');
    assert.ok(performance.now() - t0 < 100, 'no longer delayed');
    assert.equal(v.stats().faults.delayed, 1);
  } finally {
    await v.close();
  }
});

test('past the rate limit: 429 with Retry-After and X-RateLimit headers; also armed for one request via /admin', async () => {
  const v = await startVenue({ faults: { rateLimit: { requests: 2, windowMs: 1500 } } });
  try {
    assert.equal((await api(v, 'GET', '/v2/clock')).status, 200);
    const second = await api(v, 'GET', '/v2/clock');
    assert.equal(second.headers.get('x-ratelimit-remaining'), '0');
    const third = await api(v, 'GET', '/v2/clock');
    assert.equal(third.status, 429);
    assert.deepEqual(third.body, { code: 42910000, message: 'rate limit exceeded' });
    assert.equal(third.headers.get('retry-after'), '2');
    v.faults.set({ rateLimit: null as never });
    assert.equal((await api(v, 'GET', '/v2/clock')).status, 200);
    assert.equal((await fetch(`${v.url}/admin/faults/arm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'rateLimit' }) })).status, 200);
    assert.equal((await api(v, 'GET', '/v2/clock')).status, 429);
    assert.equal((await api(v, 'GET', '/v2/clock')).status, 200);
  } finally {
    await v.close();
  }
});

test('random reject: the order is booked rejected and the stream says so; the next one trades', async () => {
  const v = await startVenue();
  const ws = await tradeStream(v);
  try {
    v.faults.arm('reject');
    const r = await api(v, 'POST', '/v2/orders', order({ qty: '3', client_order_id: 'rj-1' }));
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'rejected');
    assert.notEqual(r.body.failed_at, null);
    await ws.next((m) => m.data?.event === 'rejected' && m.data.order.id === r.body.id);
    assert.equal((await api(v, 'POST', '/v2/orders', order({ qty: '3', client_order_id: 'rj-1' }))).status, 422, 'the id stays used');
    const ok = await api(v, 'POST', '/v2/orders', order({ qty: '3' }));
    assert.equal(ok.body.status, 'new');
    v.step(1);
    assert.equal((await api(v, 'GET', '/v2/positions/ORCL')).body.qty, '3');
  } finally {
    ws.close();
    await v.close();
  }
});

test('split fills: one match streamed as partial_fills then a fill that add up exactly', async () => {
  const v = await startVenue();
  const ws = await tradeStream(v);
  try {
    v.faults.arm('partialFill');
    const r = await api(v, 'POST', '/v2/orders', order({ qty: '100' }));
    v.step(1);
    await ws.next((m) => m.data?.event === 'fill');
    const fills = updatesFor(ws, r.body.id).filter((u) => u.event !== 'new');
    assert.ok(fills.length >= 2, `split into ${fills.length}`);
    assert.deepEqual(fills.map((u) => u.event), [...fills.slice(1).map(() => 'partial_fill'), 'fill']);
    assert.equal(fills.reduce((s, u) => s + Number(u.qty), 0), 100);
    let position = 0;
    for (const u of fills) {
      position += Number(u.qty);
      assert.equal(u.position_qty, String(position));
      assert.equal(u.price, '2.179012');
    }
    assert.equal(new Set(fills.map((u) => u.execution_id)).size, fills.length);
    assert.equal((await api(v, 'GET', '/v2/account/activities/FILL')).body.length, fills.length);
    assert.equal((await api(v, 'GET', '/v2/account')).body.cash, '99782.0988');
  } finally {
    ws.close();
    await v.close();
  }
});

test('dropped stream: cut after N messages, the lost update is recovered from REST, a reconnect works', async () => {
  const v = await startVenue({ faults: { wsDropAfterMessages: 3 } });
  const ws = await tradeStream(v); // authorization, listening
  try {
    const r = await api(v, 'POST', '/v2/orders', order({ qty: '1' }));
    await ws.next((m) => m.data?.event === 'new'); // third message
    v.step(1);
    await ws.whenClosed();
    assert.equal(updatesFor(ws, r.body.id).some((u) => u.event === 'fill'), false, 'the fill was lost with the connection');
    assert.equal((await api(v, 'GET', `/v2/orders/${r.body.id}`)).body.status, 'filled');
    v.faults.set({ wsDropAfterMessages: null as never });
    const again = await tradeStream(v);
    again.close();
    v.faults.set({ wsDropProbability: 1 });
    const dead = new WsClient(`${v.url.replace('http', 'ws')}/stream`);
    await dead.opened();
    dead.send({ action: 'auth', key: KEY, secret: SECRET });
    await dead.whenClosed();
    assert.equal(v.stats().faults.wsDrops, 2);
  } finally {
    ws.close();
    await v.close();
  }
});

test('lost ack: the POST gets no response, yet the order works at the venue', async () => {
  const v = await startVenue();
  try {
    v.step(1);
    v.faults.arm('lostAck');
    await assert.rejects(fetch(`${v.url}/v2/orders`, {
      method: 'POST', headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' },
      body: JSON.stringify(order({ type: 'limit', qty: '7', limit_price: '1', client_order_id: 'lost-1' })),
    }));
    const found = await api(v, 'GET', '/v2/orders:by_client_order_id?client_order_id=lost-1');
    assert.equal(found.status, 200);
    assert.equal(found.body.status, 'new');
    assert.equal((await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '7', limit_price: '1', client_order_id: 'lost-1' }))).status, 422, 'a resend is refused');
    assert.equal(v.stats().faults.lostAcks, 1);
  } finally {
    await v.close();
  }
});

test('restart on the same port keeps the books in memory; a state file carries them to a new server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alpaca-venue-'));
  const stateFile = join(dir, 'state.json');
  const v = await startVenue({ stateFile });
  try {
    await api(v, 'POST', '/v2/orders', order({ qty: '10' }));
    v.step(1);
    const resting = await api(v, 'POST', '/v2/orders', order({ type: 'limit', qty: '5', limit_price: '2.09', client_order_id: 'keep-1' }));
    const before = (await api(v, 'GET', '/v2/account')).body;
    const port = v.port;
    await v.restart({ downMs: 30 });
    await sleep(30); // let fetch's connection pool see its connections closed by the restart
    assert.equal(v.port, port);
    assert.deepEqual((await api(v, 'GET', '/v2/account')).body, before);
    assert.equal((await api(v, 'GET', '/v2/orders:by_client_order_id?client_order_id=keep-1')).body.status, 'new');
    await v.restart({ reload: true });
    await sleep(30);
    assert.deepEqual((await api(v, 'GET', '/v2/account')).body, before);
    assert.equal(v.stats().restarts, 2);
    await v.close();
    assert.doesNotMatch(readFileSync(stateFile, 'utf8'), new RegExp(SECRET));

    const w = await startVenue({ stateFile });
    try {
      assert.deepEqual((await api(w, 'GET', '/v2/account')).body, before);
      assert.equal((await api(w, 'GET', '/v2/positions/ORCL')).body.qty, '10');
      w.step(2); // bar 2 trades through 2.09: the restored order still works
      const o = (await api(w, 'GET', `/v2/orders/${resting.body.id}`)).body;
      assert.equal(o.status, 'filled');
      assert.equal((await api(w, 'GET', '/v2/positions/ORCL')).body.qty, '15');
      const fresh = await api(w, 'POST', '/v2/orders', order({ qty: '1' }));
      assert.ok(!(await api(w, 'GET', '/v2/orders?status=all')).body.slice(1).some((x: any) => x.id === fresh.body.id), 'ids are not reused');
    } finally {
      await w.close();
    }
  } finally {
    await v.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A fixed script of orders under random faults; what happened, in Alpaca's words. */
async function scripted(seed: number): Promise<string[]> {
  const v = await startVenue({ seed, faults: { rejectProbability: 0.4, partialFillProbability: 0.6 } });
  try {
    for (let i = 0; i < 8; i++) {
      await api(v, 'POST', '/v2/orders', order({ qty: String(10 + i) }));
      v.step(1);
    }
    const orders = (await api(v, 'GET', '/v2/orders?status=all&direction=asc')).body;
    const acts = (await api(v, 'GET', '/v2/account/activities/FILL?direction=asc')).body;
    return [...orders.map((o: any) => `${o.id} ${o.status}`), ...acts.map((a: any) => `${a.id} ${a.qty}`)];
  } finally {
    await v.close();
  }
}

test('determinism: the same seed gives the same faults, another seed others', async () => {
  const a = await scripted(11);
  const b = await scripted(11);
  const c = await scripted(12);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((x) => x.split(' ')[1]), c.map((x) => x.split(' ')[1]));
  assert.ok(a.some((x) => x.endsWith('rejected')), 'some rejects');
});

test('admin endpoint: faults read, changed and reset at run time; bad values are 422; token enforced', async () => {
  const v = await startVenue({ adminToken: 'adm' });
  const admin = (method: string, path: string, body?: unknown, token = 'adm') =>
    fetch(`${v.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  try {
    assert.equal((await admin('GET', '/admin/faults', undefined, 'bad')).status, 401);
    const put = await admin('PUT', '/admin/faults', { rejectProbability: 1 });
    assert.equal(put.status, 200);
    assert.equal(v.faults.settings.rejectProbability, 1);
    assert.equal((await api(v, 'POST', '/v2/orders', order({ qty: '1' }))).body.status, 'rejected');
    assert.equal((await admin('PUT', '/admin/faults', { rejectProbability: 2 })).status, 422);
    await admin('DELETE', '/admin/faults');
    assert.equal((await api(v, 'POST', '/v2/orders', order({ qty: '1' }))).body.status, 'new');
    const step = await (await admin('POST', '/admin/market/step', { bars: 2 })).json();
    assert.deepEqual(step, { replayed: 2, nextBar: 2 });
    const stats = await (await admin('GET', '/admin/stats')).json() as { orders: number };
    assert.equal(stats.orders, 2);
    await admin('POST', '/admin/restart', { downMs: 20 });
    await sleep(150);
    assert.equal(v.stats().restarts, 1);
    assert.equal((await api(v, 'GET', '/v2/positions/ORCL')).body.qty, '1');
  } finally {
    await v.close();
  }
});
