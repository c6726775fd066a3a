import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { HttpClient, HttpError, ReconnectingSocket, TokenBucket } from '../../../src/venues/net/index.ts';

async function server(handler: Parameters<typeof createServer>[1]) {
  const s = createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => { s.closeAllConnections(); return new Promise<void>((r) => s.close(() => r())); } };
}

test('http client: timeout is an unknown outcome; 418 pauses the shared bucket; ids stay exact; errors name method, path, status', async () => {
  let n = 0;
  const s = await server((req, res) => {
    n++;
    if (req.url === '/slow') return; // never answers
    if (req.url === '/ban') { res.writeHead(418, { 'retry-after': '1' }); return res.end('{"msg":"banned"}'); }
    res.writeHead(200, { 'content-type': 'application/json', date: new Date().toUTCString() });
    res.end('{"id":7446469938634049684}');
  });
  try {
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 5 });
    const http = new HttpClient({ venue: 'v', baseUrl: s.url, timeoutMs: 100, buckets: [bucket], retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    const ok = await http.request<{ id: string }>({ method: 'GET', path: '/ok' });
    assert.equal(ok.body.id, '7446469938634049684');
    await assert.rejects(http.request({ method: 'POST', path: '/slow', body: {} }), (e: unknown) => e instanceof HttpError && e.kind === 'timeout' && e.outcomeUnknown && /^v POST \/slow → timeout/.test(e.message));
    await assert.rejects(http.request({ method: 'GET', path: '/ban' }), (e: unknown) => e instanceof HttpError && e.status === 418 && e.rateLimited && e.message === 'v GET /ban → 418: banned');
    assert.ok(bucket.pausedUntil > Date.now() + 500);
    const closed = await server(() => {});
    await closed.close(); // a port nobody listens on now
    const down = new HttpClient({ venue: 'v', baseUrl: closed.url, timeoutMs: 500, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    await assert.rejects(down.request({ method: 'POST', path: '/x' }), (e: unknown) => e instanceof HttpError && e.kind === 'not-sent' && !e.outcomeUnknown);
  } finally {
    await s.close();
  }
});

test('reconnecting socket: silence past the heartbeat reconnects, the handshake runs again, onGap reports the blind span', async () => {
  const s = await server(() => {});
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  let connections = 0;
  wss.on('connection', (ws) => {
    const mine = ++connections;
    ws.on('message', (m) => {
      if (String(m) === 'hello') ws.send('welcome');
      // The first connection goes silent after the handshake (a half-open connection); later ones answer probes.
      if (String(m) === 'probe' && mine > 1) ws.send('pong');
    });
  });
  const gaps: Array<[number, number]> = [];
  const states: string[] = [];
  const sock = new ReconnectingSocket({
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, name: 'test',
    handshake: async (l) => { l.send('hello'); await l.waitFor((t) => t === 'welcome', 1000, 'welcome'); },
    onMessage: () => {}, onGap: (a, b) => gaps.push([a, b]), onState: (up, why) => states.push(`${up} ${why}`),
    heartbeat: { silenceMs: 60, timeoutMs: 60, probe: () => 'probe' }, backoff: { baseMs: 10, maxMs: 20 },
  });
  try {
    sock.start();
    const end = Date.now() + 3000;
    while (gaps.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert.equal(gaps.length, 1);
    assert.ok(gaps[0][0] <= gaps[0][1]);
    assert.match(states[1], /^false test: silent for 120 ms \(heartbeat\)/);
    assert.equal(states[2], 'true test connected');
    await new Promise((r) => setTimeout(r, 250)); // the second connection answers probes: it stays up
    assert.equal(sock.connectionCount, 2);
    assert.equal(sock.connected, true);
  } finally {
    await sock.close();
    wss.close();
    await s.close();
  }
});
