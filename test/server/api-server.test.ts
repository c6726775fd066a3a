import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineHandle } from '../../src/runtime/index.ts';
import { EngineMetrics } from '../../src/ops/index.ts';
import { startApiServer } from '../../src/server/index.ts';
import { OpenApiValidator } from './openapi-validator.ts';
import { openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';

const TOKEN = 'api-token-0f3c9d2b7a';

test('the API over a real paper engine (local Alpaca venue, SQLite journal): views, actions, stream, health, metrics', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-api-'));
  const venue = await startAlpacaVenue({ untilBar: 100 });
  const logs: string[] = [];
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    const metrics = new EngineMetrics({ defaultMetrics: false });
    let engine: EngineHandle | undefined;
    const session = await startPaperSession(venue, journal, {}, { onHandle: (h) => { engine = h; }, metrics });
    const api = await startApiServer({
      engine: engine!, token: TOKEN, log: (l) => logs.push(l),
      metrics: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }),
    });
    const get = async (path: string) => { const r = await fetch(api.url + path); return { status: r.status, body: await r.json() as any }; };
    const post = async (path: string, body: unknown, token: string | undefined = TOKEN) => {
      const r = await fetch(api.url + path, {
        method: 'POST', body: body === undefined ? undefined : JSON.stringify(body),
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
      return { status: r.status, body: await r.json() as any };
    };

    // The stream sees fills as they happen.
    const ws = new WebSocket(api.url.replace('http', 'ws') + '/api/stream');
    const streamed: any[] = [];
    ws.addEventListener('message', (m) => streamed.push(JSON.parse(String(m.data))));
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    await stepBars(venue, session.venue, 40);
    await new Promise((r) => setTimeout(r, 600));

    const status = await get('/api/status');
    assert.equal(status.status, 200);
    assert.equal(status.body.tradingState, 'ACTIVE');
    assert.equal(status.body.strategies[0].id, 'sma-cross');
    const fills = await get('/api/fills?limit=500');
    assert.deepEqual(fills.body.map((f: any) => f.tradeId).sort(), (await journal.fills()).map((f) => f.tradeId).sort());
    assert.ok((await get('/api/equity?points=10')).body.length <= 11);
    assert.equal((await get('/api/pnl')).body.currency, 'USD');
    assert.ok(Array.isArray((await get('/api/positions')).body));
    assert.ok(Array.isArray((await get('/api/orders?open=true')).body));
    assert.ok(Array.isArray((await get('/api/risk')).body.breakers));
    // The real engine's views pass whole through the response schemas and match the documented ones.
    const schemas = new OpenApiValidator((await get('/openapi.json')).body);
    const h = engine!;
    const views: Array<[string, () => unknown]> = [
      ['/api/status', () => h.status()], ['/api/positions', () => h.positions()], ['/api/orders', () => h.orders()],
      ['/api/fills', () => h.fills()], ['/api/pnl', () => h.pnl()], ['/api/equity', () => h.equityHistory()],
      ['/api/risk', () => h.risk()], ['/api/alerts', () => h.alerts()],
    ];
    for (const [path, view] of views) {
      const r = await get(path);
      assert.deepEqual(r.body, JSON.parse(JSON.stringify(view())), path);
      assert.equal(schemas.check('GET', path, 200, r.body), '', path);
    }
    const bad = await get('/api/fills?limit=abc');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /limit/);
    assert.equal((await get('/api/nope')).status, 404);
    assert.ok(streamed.some((e) => e.kind === 'order' && e.type === 'order.filled'), 'fills were streamed');
    assert.ok(streamed.some((e) => e.kind === 'summary'), 'summaries were streamed');

    assert.equal((await get('/healthz')).body.status, 'ok');
    assert.equal((await get('/readyz')).status, 200);
    const m = await fetch(api.url + '/metrics');
    assert.match(await m.text(), /keel_fills_total/);
    const doc = (await get('/openapi.json')).body;
    assert.match(doc.openapi, /^3\./);
    for (const path of ['/api/status', '/api/kill', '/api/orders/{id}/cancel', '/readyz', '/metrics']) assert.ok(doc.paths[path], `OpenAPI lists ${path}`);

    // Actions need the token; with it the kill switch halts the engine and the stream says so.
    assert.equal((await post('/api/kill', { reason: 'drill' }, '')).status, 401);
    assert.equal((await post('/api/kill', { reason: 'drill' }, 'wrong-token-0000000000')).status, 401);
    assert.equal((await post('/api/kill', {})).status, 400);
    const kill = await post('/api/kill', { reason: 'drill', flatten: true });
    assert.equal(kill.status, 200, JSON.stringify(kill.body));
    assert.equal((await get('/api/status')).body.tradingState, 'HALTED');
    assert.equal((await post('/api/orders/nope-1/cancel', undefined)).status, 409);
    assert.equal((await post('/api/rearm', { reason: 'drill over' })).status, 200);
    assert.equal((await post('/api/rearm', { reason: 'again' })).status, 409);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(streamed.some((e) => e.kind === 'risk' && e.type === 'risk.kill-switch'));
    assert.ok(!JSON.stringify(logs).includes(TOKEN), 'the token is never logged');

    ws.close();
    await api.close();
    await session.stop();
    await journal.close();
  } finally {
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
