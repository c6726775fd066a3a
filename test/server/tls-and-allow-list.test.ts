import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import type { KeelError } from '../../src/model/index.ts';
import { parseAllowList, selfSignedCertificate, type AuditEvent } from '../../src/security/index.ts';
import { startApiServer } from '../../src/server/index.ts';
import { FakeEngine } from './fake-engine.ts';
import { TOKEN } from './api-harness.ts';
import { testUsers } from '../helpers/api-users.ts';

/** HTTPS, the allow-list and the bind rule of the API server, over real sockets on loopback. */

interface Answer { status: number; body: string }

/** One request over a real socket: https with `ca` (or none), from `localAddress` when given. */
function call(url: string, o: { method?: string; ca?: string; localAddress?: string; token?: string; family?: 4 | 6 } = {}): Promise<Answer> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({
      host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname, method: o.method ?? 'GET', ca: o.ca, localAddress: o.localAddress, agent: false,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => reject(Object.assign(new Error(e.message), { code: e.code })));
    req.end(o.method === 'POST' ? JSON.stringify({ flatten: false, reason: 'drill' }) : undefined);
  });
}

/** Open a WebSocket; resolves 'open' or the HTTP status the upgrade was refused with. */
function upgrade(url: string, o: { ca?: string; localAddress?: string }): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca: o.ca, localAddress: o.localAddress });
    ws.on('open', () => { ws.close(); resolve('open'); });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('error', reject);
  });
}

test('HTTPS with a configured certificate: https:// URL, trusted through its CA, refused by a client that does not trust it, no plain HTTP', async () => {
  const pair = await selfSignedCertificate();
  const api = await startApiServer({ engine: new FakeEngine(), token: TOKEN, tls: { cert: pair.certPem, key: pair.keyPem } });
  try {
    assert.match(api.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ok = await call(`${api.url}/api/status`, { ca: pair.certPem });
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).account, 'paper-1');
    await assert.rejects(call(`${api.url}/api/status`), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await assert.rejects(call(`${api.url.replace('https', 'http')}/api/status`), /socket hang up|ECONNRESET/);
    assert.equal(await upgrade(`${api.url.replace('https', 'wss')}/api/stream`, { ca: pair.certPem }), 'open');
    // A plain GET of the stream says how to connect, with the scheme this server speaks.
    const plainGet = await call(`${api.url}/api/stream`, { ca: pair.certPem });
    assert.equal(plainGet.status, 426);
    assert.deepEqual(JSON.parse(plainGet.body), { error: 'GET /api/stream is a WebSocket: connect with wss://<host>:<port>/api/stream' });
  } finally {
    await api.close();
  }
});

test('the allow-list: an address outside it gets 403 with a clear body before any route, WebSocket upgrades too; inside it works', async () => {
  const engine = new FakeEngine();
  const logs: string[] = [];
  const audited: AuditEvent[] = [];
  // 127.0.0.1 only; the test connects from 127.0.0.2 (all of 127/8 is this machine) to be outside it.
  const api = await startApiServer({ engine, token: TOKEN, allow: parseAllowList(['127.0.0.1/32', 'fd00::/8'], 'api.allow'), log: (l) => logs.push(l), audit: { record: (e) => audited.push(e) } });
  try {
    assert.equal((await call(`${api.url}/api/status`, { localAddress: '127.0.0.1' })).status, 200);
    for (const path of ['/api/status', '/api/positions', '/healthz', '/', '/no-such-route']) {
      const r = await call(`${api.url}${path}`, { localAddress: '127.0.0.2' });
      assert.equal(r.status, 403, path);
      assert.deepEqual(JSON.parse(r.body), { error: "127.0.0.2 is not in this API's allow-list (api.allow)" });
    }
    const kill = await call(`${api.url}/api/kill`, { method: 'POST', token: TOKEN, localAddress: '127.0.0.2' });
    assert.equal(kill.status, 403);
    assert.deepEqual(engine.calls.filter((c) => c.method === 'killSwitch'), [], 'no route ran');
    assert.equal(await upgrade(`${api.url.replace('http', 'ws')}/api/stream`, { localAddress: '127.0.0.2' }), 403);
    assert.equal(await upgrade(`${api.url.replace('http', 'ws')}/api/stream`, { localAddress: '127.0.0.1' }), 'open');
    assert.ok(logs.includes('refused GET /api/status from 127.0.0.2: not in the allow-list'), logs.join('\n'));
    assert.deepEqual(audited, [], 'an outsider reaches no action, so nothing is recorded as attempted');
  } finally {
    await api.close();
  }
});

test('the allow-list on a dual-stack listener: an IPv4 client (::ffff:127.0.0.1) is matched as IPv4, ::1 is outside', async () => {
  const pair = await selfSignedCertificate();
  // Listening on :: is beyond loopback: TLS and users are required, and given.
  const users = await testUsers([['vera', ['viewer']]]);
  const api = await startApiServer({ engine: new FakeEngine(), token: undefined, auth: { users: users.directory }, host: '::', tls: { cert: pair.certPem, key: pair.keyPem }, allow: parseAllowList(['127.0.0.0/8'], 'api.allow') });
  try {
    const port = new URL(api.url).port;
    assert.equal((await call(`https://127.0.0.1:${port}/api/status`, { ca: pair.certPem, token: users.users.vera.token })).status, 200);
    const v6 = await call(`https://[::1]:${port}/api/status`, { ca: pair.certPem });
    assert.equal(v6.status, 403);
    assert.deepEqual(JSON.parse(v6.body), { error: "::1 is not in this API's allow-list (api.allow)" });
    assert.equal(await upgrade(`wss://[::1]:${port}/api/stream`, { ca: pair.certPem }), 403);
  } finally {
    await api.close();
    users.close();
  }
});

test('a bind beyond loopback without TLS, or without users (the shared token is not enough), is refused in one line before anything listens', async () => {
  const pair = await selfSignedCertificate();
  const users = await testUsers([['vera', ['viewer']]]);
  const tls = { cert: pair.certPem, key: pair.keyPem };
  try {
    const cases: Array<[Parameters<typeof startApiServer>[0], RegExp]> = [
      [{ engine: new FakeEngine(), token: undefined, auth: { users: users.directory }, host: '0.0.0.0' }, /^api\.host = "0\.0\.0\.0": is reachable from other machines, so it needs TLS \(api\.tls: cert and key; keel tls self-signed makes them\); nothing is listening \(or bind 127\.0\.0\.1/],
      [{ engine: new FakeEngine(), token: TOKEN, host: '::', tls }, /so it needs users \(keel users add\); nothing is listening/],
      [{ engine: new FakeEngine(), token: undefined, host: '::', tls }, /so it needs users \(keel users add\); nothing is listening/],
    ];
    for (const [o, message] of cases) {
      await assert.rejects(startApiServer({ ...o, port: 0 }), (e: KeelError) => e.code === 'API_BIND_REFUSED' && message.test(e.message) && !e.message.includes('\n'));
    }
    const allowed = await startApiServer({ engine: new FakeEngine(), token: undefined, auth: { users: users.directory }, host: '0.0.0.0', tls });
    await allowed.close();
    assert.match(allowed.url, /^https:\/\/0\.0\.0\.0:\d+$/);
  } finally {
    users.close();
  }
});

test('parseAllowList: CIDRs and single addresses of both families; a bad entry is one line naming it', () => {
  const list = parseAllowList(['10.0.0.0/8', '192.168.1.20', '2001:db8::/32', '::1'], 'keel.yaml: api.allow');
  for (const ok of ['10.1.2.3', '10.255.255.255', '192.168.1.20', '::ffff:10.9.9.9', '2001:db8:1::5', '::1']) assert.equal(list.allows(ok), true, ok);
  for (const no of ['11.0.0.1', '192.168.1.21', '2001:db9::1', '::2', 'localhost', '']) assert.equal(list.allows(no), false, no);
  const bad: Array<[string, RegExp]> = [
    ['10.0.0.0/33', /^keel\.yaml: api\.allow\[0\] = "10\.0\.0\.0\/33": has a prefix longer than an IPV4 address \(\/33\)/],
    ['fd00::/129', /has a prefix longer than an IPV6 address/],
    ['example.com', /= "example\.com": is not an IP address or CIDR network \(e\.g\. 10\.0\.0\.0\/8/],
    ['10.0.0/8', /is not an IP address or CIDR network/],
  ];
  for (const [entry, message] of bad) assert.throws(() => parseAllowList([entry], 'keel.yaml: api.allow'), (e: KeelError) => e.code === 'BAD_RUN_CONFIG' && message.test(e.message));
});
