import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/server/index.ts';
import { readiness } from '../../src/server/readiness.ts';
import { checkBindRule } from '../../src/security/index.ts';
import type { KeelError } from '../../src/model/index.ts';
import { startHarness } from './api-harness.ts';
import { FakeEngine } from './fake-engine.ts';
import { OpenApiValidator } from './openapi-validator.ts';

test('/healthz answers while the process runs', async () => {
  const h = await startHarness();
  try {
    const r = await h.get('/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ok' });
  } finally {
    await h.close();
  }
});

test('/readyz is 200 when journal, venue and data are fine, else 503 with every reason', async () => {
  const h = await startHarness({ readiness: { maxDataAgeMs: 5000 } });
  try {
    const schemas = new OpenApiValidator((await h.get('/openapi.json')).body);
    const ready = await h.get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true, reasons: [] });
    assert.equal(schemas.check('GET', '/readyz', 200, ready.body), '');

    const s = h.engine.statusView;
    h.engine.statusView = { ...s, venueConnected: false, lastMarketEventAt: Date.now() - 12_000, journal: { ...s.journal, healthy: false } };
    const down = await h.get('/readyz');
    assert.equal(down.status, 503);
    assert.equal(down.body.ready, false);
    assert.equal(down.body.reasons.length, 3);
    assert.equal(down.body.reasons[0], 'journal (sqlite /run/journal.sqlite) is not healthy');
    assert.equal(down.body.reasons[1], 'venue alpaca is disconnected');
    assert.match(down.body.reasons[2], /^market data is stale: last event 1\d(\.\d)? s ago \(limit 5 s\)$/);
    assert.equal(schemas.check('GET', '/readyz', 503, down.body), '');

    h.engine.statusView = { ...s, lastMarketEventAt: undefined };
    assert.deepEqual((await h.get('/readyz')).body, { ready: false, reasons: ['no market data yet'] });
  } finally {
    await h.close();
  }
});

test('readiness: data age against the limit (default 60 s)', () => {
  const status = new FakeEngine().statusView;
  const now = 1_800_000_000_000;
  assert.deepEqual(readiness({ ...status, lastMarketEventAt: now - 59_000 }, now), { ready: true, reasons: [] });
  assert.deepEqual(readiness({ ...status, lastMarketEventAt: now - 61_000 }, now).reasons, ['market data is stale: last event 61 s ago (limit 60 s)']);
  assert.deepEqual(readiness({ ...status, lastMarketEventAt: now - 500 }, now, 400).reasons, ['market data is stale: last event 500 ms ago (limit 400 ms)']);
});

test('/metrics serves the configured Prometheus text with its content type, and is 404 without it', async () => {
  const body = '# HELP keel_fills_total Fills.\n# TYPE keel_fills_total counter\nkeel_fills_total 3\n';
  const contentType = 'text/plain; version=0.0.4; charset=utf-8';
  const h = await startHarness({ metrics: async () => ({ contentType, body }) });
  const bare = await startHarness();
  try {
    const r = await h.get('/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.contentType, contentType);
    assert.equal(r.text, body);
    const none = await bare.get('/metrics');
    assert.equal(none.status, 404);
    assert.deepEqual(none.body, { error: 'metrics are not configured for this engine' });
  } finally {
    await h.close();
    await bare.close();
  }
});

test('binding beyond loopback needs TLS and a token (users, once configured); loopback needs neither', () => {
  const refused = (f: Parameters<typeof checkBindRule>[0], missing: RegExp) => assert.throws(() => checkBindRule(f), (e: KeelError) =>
    e.code === 'API_BIND_REFUSED' && missing.test(e.message) && !e.message.includes('\n'));
  refused({ host: '0.0.0.0', tls: false, token: false }, /^api\.host = "0\.0\.0\.0": is reachable from other machines, so it needs TLS \(api\.tls: cert and key; keel tls self-signed makes them\) and an API token \(KEEL_API_TOKEN\); nothing is listening/);
  refused({ host: '192.168.1.20', tls: true, token: false }, /needs an API token \(KEEL_API_TOKEN\); nothing/);
  refused({ host: '::', tls: false, token: true }, /needs TLS \(api\.tls/);
  refused({ host: '10.0.0.5', tls: true, token: true, usersConfigured: false }, /needs users \(keel users add\)/);
  checkBindRule({ host: '0.0.0.0', tls: true, token: true });
  checkBindRule({ host: '0.0.0.0', tls: true, token: false, usersConfigured: true });
  for (const host of ['127.0.0.1', '127.0.1.1', 'localhost', '::1']) checkBindRule({ host, tls: false, token: false });
});

test('the server binds 127.0.0.1 on a free port by default and logs nothing for it', async () => {
  const logs: string[] = [];
  const api = await startApiServer({ engine: new FakeEngine(), token: undefined, log: (l) => logs.push(l) });
  try {
    assert.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(api.port > 0);
    assert.deepEqual(logs, []);
  } finally {
    await api.close();
  }
});

test('bad options are a one-line KeelError naming the option', async () => {
  await assert.rejects(startApiServer({ engine: new FakeEngine(), token: undefined, port: 70_000 }), /^KeelError: api\.port = 70000: must be an integer from 0 to 65535/);
  await assert.rejects(startApiServer({ engine: new FakeEngine(), token: undefined, readiness: { maxDataAgeMs: 0 } }), /readiness\.maxDataAgeMs = 0: must be a number of milliseconds > 0/);
});

test('a port already taken is refused and leaves nothing listening', async () => {
  const first = await startHarness();
  try {
    await assert.rejects(startApiServer({ engine: new FakeEngine(), token: undefined, port: first.api.port }), /EADDRINUSE/);
  } finally {
    await first.close();
  }
});
