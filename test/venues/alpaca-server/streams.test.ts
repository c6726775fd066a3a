import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startVenue, WsClient, KEY, SECRET, sleep } from './helpers.ts';

test('market data stream: connected → auth → subscribe → bars as they are replayed', async () => {
  const v = await startVenue();
  const ws = new WsClient(`${v.url.replace('http', 'ws')}/v2/iex`);
  try {
    await ws.opened();
    assert.deepEqual(await ws.next(() => true), [{ T: 'success', msg: 'connected' }]);
    ws.send({ action: 'subscribe', bars: ['ORCL'] });
    assert.deepEqual(await ws.next((m) => m[0]?.T === 'error'), [{ T: 'error', code: 401, msg: 'not authenticated' }]);
    ws.send({ action: 'auth', key: KEY, secret: SECRET });
    await ws.next((m) => m[0]?.msg === 'authenticated');
    ws.send({ action: 'subscribe', bars: ['ORCL'], quotes: ['ORCL'] });
    const sub = await ws.next((m) => m[0]?.T === 'subscription');
    assert.deepEqual(sub[0].bars, ['ORCL']);
    assert.deepEqual(sub[0].quotes, ['ORCL']);
    v.step(2);
    const bars = (await ws.next((m) => m[0]?.T === 'b' && m[0].t.startsWith('1995-01-04'))) && ws.messages.filter((m) => m[0]?.T === 'b').map((m) => m[0]);
    assert.equal(bars.length, 2);
    assert.deepEqual({ ...bars[0], vw: undefined }, { T: 'b', S: 'ORCL', t: '1995-01-03T00:00:00.000Z', o: 2.179012, h: 2.191358, l: 2.117284, c: 2.117284, v: 36301200, n: 0, vw: undefined });
    ws.send({ action: 'unsubscribe', bars: ['ORCL'] });
    await ws.next((m) => m[0]?.T === 'subscription' && m[0].bars.length === 0);
    v.step(1);
    await sleep(30);
    assert.equal(ws.messages.filter((m) => m[0]?.T === 'b').length, 2);
    // REST serves the replayed bars only, with paging.
    const page1 = (await api(v, 'GET', '/v2/stocks/ORCL/bars?timeframe=1Day&limit=2')).body;
    assert.equal(page1.bars.length, 2);
    assert.notEqual(page1.next_page_token, null);
    const page2 = (await api(v, 'GET', `/v2/stocks/ORCL/bars?timeframe=1Day&limit=2&page_token=${page1.next_page_token}`)).body;
    assert.deepEqual(page2.bars.map((b: any) => b.t), ['1995-01-05T00:00:00.000Z']);
    assert.equal(page2.next_page_token, null);
    assert.equal((await api(v, 'GET', '/v2/stocks/ORCL/bars?timeframe=1Min')).status, 422);
  } finally {
    ws.close();
    await v.close();
  }
});

test('market data stream: a wrong key gets error 402 and the connection closes; unknown paths are refused', async () => {
  const v = await startVenue();
  try {
    const ws = new WsClient(`${v.url.replace('http', 'ws')}/v2/sip`);
    await ws.opened();
    ws.send({ action: 'auth', key: KEY, secret: 'nope' });
    assert.deepEqual(await ws.next((m) => m[0]?.T === 'error'), [{ T: 'error', code: 402, msg: 'auth failed' }]);
    await ws.whenClosed();
    const trade = new WsClient(`${v.url.replace('http', 'ws')}/stream`);
    await trade.opened();
    trade.send({ action: 'listen', data: { streams: ['trade_updates'] } });
    assert.equal((await trade.next(() => true)).data.status, 'unauthorized');
    trade.send({ action: 'auth', key: KEY, secret: 'nope' });
    await trade.whenClosed();
    const nowhere = new WsClient(`${v.url.replace('http', 'ws')}/v2/nowhere`);
    await assert.rejects(nowhere.opened());
  } finally {
    await v.close();
  }
});

test('a paced market replays by itself; max speed runs through the file', async () => {
  const v = await startVenue({ barIntervalMs: 0, untilBar: 300 });
  try {
    for (let i = 0; i < 100 && !v.stats().ended; i++) await sleep(20);
    assert.equal(v.stats().barsReplayed, 300);
    assert.equal((await api(v, 'GET', '/v2/clock')).body.is_open, false);
  } finally {
    await v.close();
  }
});
