import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './api-harness.ts';
import { OpenApiValidator } from './openapi-validator.ts';

describe('GET views', () => {
  let h: Harness;
  let schemas: OpenApiValidator;
  before(async () => {
    h = await startHarness();
    schemas = new OpenApiValidator((await h.get('/openapi.json')).body);
  });
  after(() => h.close());

  const views: Array<[string, string, () => unknown]> = [
    ['/api/status', '/api/status', () => h.engine.statusView],
    ['/api/positions', '/api/positions', () => h.engine.positionsView],
    ['/api/orders', '/api/orders', () => h.engine.ordersView],
    ['/api/fills', '/api/fills', () => h.engine.fillsView],
    ['/api/pnl', '/api/pnl', () => h.engine.pnlView],
    ['/api/equity', '/api/equity', () => h.engine.equityView],
    ['/api/risk', '/api/risk', () => h.engine.riskView],
    ['/api/alerts', '/api/alerts', () => h.engine.alertsView],
  ];
  for (const [url, route, view] of views) {
    test(`${url} returns the engine's view, whole, matching the documented schema`, async () => {
      const r = await h.get(url);
      assert.equal(r.status, 200);
      assert.match(r.contentType ?? '', /^application\/json/);
      // Deep equality proves the response schema drops nothing (fastify serializes only what a schema lists).
      assert.deepEqual(r.body, view());
      assert.equal(schemas.check('GET', route, 200, r.body), '');
    });
  }

  test('a view missing a required field or with a wrong type fails the documented schema (the check has teeth)', () => {
    const { lastPrice: _omit, ...noLast } = h.engine.positionsView[0];
    assert.match(schemas.check('GET', '/api/positions', 200, [noLast]), /lastPrice/);
    assert.match(schemas.check('GET', '/api/pnl', 200, { ...h.engine.pnlView, cash: 84812.4 }), /cash/);
    assert.match(schemas.check('GET', '/api/status', 200, { ...h.engine.statusView, tradingState: 'PANIC' }), /tradingState/);
  });

  test('status without lastMarketEventAt (no market data yet) and risk without limits are served as such', async () => {
    const engine = h.engine;
    const saved = [engine.statusView, engine.riskView] as const;
    try {
      engine.statusView = { ...saved[0], lastMarketEventAt: undefined };
      engine.riskView = { ...saved[1], limits: undefined };
      const { lastMarketEventAt: _a, ...fresh } = saved[0];
      const { limits: _b, ...noLimits } = saved[1];
      assert.deepEqual((await h.get('/api/status')).body, fresh);
      assert.deepEqual((await h.get('/api/risk')).body, noLimits);
      assert.equal(schemas.check('GET', '/api/status', 200, fresh), '');
    } finally {
      [engine.statusView, engine.riskView] = saved;
    }
  });

  test('query parameters reach the engine as typed values', async () => {
    h.engine.calls.length = 0;
    await h.get('/api/orders?open=true&limit=5');
    await h.get('/api/orders');
    await h.get('/api/fills?limit=20');
    await h.get('/api/equity?points=300');
    await h.get('/api/alerts?limit=1');
    assert.deepEqual(h.engine.callsOf('orders').map((c) => c.args[0]), [{ openOnly: true, limit: 5 }, { openOnly: undefined, limit: undefined }]);
    assert.deepEqual(h.engine.callsOf('fills').map((c) => c.args[0]), [20]);
    assert.deepEqual(h.engine.callsOf('equityHistory').map((c) => c.args[0]), [300]);
    assert.deepEqual(h.engine.callsOf('alerts').map((c) => c.args[0]), [1]);
  });

  test('bad query parameters are a 400 with one line naming the field and the value', async () => {
    const cases: Array<[string, string]> = [
      ['/api/fills?limit=abc', 'limit = "abc": must be an integer from 1 to 10000'],
      ['/api/fills?limit=0', 'limit = 0: must be an integer from 1 to 10000'],
      ['/api/alerts?limit=2.5', 'limit = "2.5": must be an integer from 1 to 10000'],
      ['/api/orders?open=maybe', 'open = "maybe": must be true or false'],
      ['/api/equity?points=1', 'points = 1: must be an integer from 2 to 100000'],
      ['/api/fills?limt=5', 'limt: is not a known query parameter (known: limit)'],
    ];
    h.engine.calls.length = 0;
    for (const [url, error] of cases) {
      const r = await h.get(url);
      assert.equal(r.status, 400, url);
      assert.deepEqual(r.body, { error }, url);
      assert.equal(schemas.check('GET', url.split('?')[0], 400, r.body), '');
    }
    assert.deepEqual(h.engine.calls, [], 'the engine is not asked with bad input');
  });

  test('unknown routes are a 404 in JSON; a plain GET of the stream says to use a WebSocket', async () => {
    const r = await h.get('/api/nope?x=1');
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { error: 'no route GET /api/nope (see /openapi.json)' });
    assert.equal((await h.post('/api/status', {})).status, 404);
    const s = await h.get('/api/stream');
    assert.equal(s.status, 426);
    assert.match(s.body.error, /WebSocket/);
  });

  test('an engine that throws is a 500 saying only "internal error"; the detail goes to the log', async () => {
    const engine = h.engine;
    const original = engine.pnl;
    engine.pnl = () => { throw new Error('portfolio exploded\n    at Portfolio.equity (portfolio.ts:1:1)'); };
    try {
      const r = await h.get('/api/pnl');
      assert.equal(r.status, 500);
      assert.deepEqual(r.body, { error: 'internal error' });
      assert.ok(h.logs.some((l) => l === 'error GET /api/pnl: portfolio exploded'), h.logs.join('\n'));
    } finally {
      engine.pnl = original;
    }
  });
});
