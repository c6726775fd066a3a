import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, TOKEN, type Harness } from './api-harness.ts';
import { OpenApiValidator } from './openapi-validator.ts';

/** Every action: its URL, a valid body, the engine method it reaches and the arguments it must arrive with. */
const ACTIONS: Array<{ url: string; route: string; body?: unknown; method: string; args: (by: unknown) => unknown[] }> = [
  { url: '/api/orders/sma-cross-7/cancel', route: '/api/orders/{id}/cancel', method: 'cancelOrder', args: (a) => ['sma-cross-7', a] },
  { url: '/api/orders/cancel-all', route: '/api/orders/cancel-all', method: 'cancelAll', args: (a) => [a] },
  { url: '/api/kill', route: '/api/kill', body: { flatten: true, reason: 'fat finger' }, method: 'killSwitch', args: (a) => [{ flatten: true, reason: 'fat finger', by: a }] },
  { url: '/api/rearm', route: '/api/rearm', body: { reason: 'checked the books' }, method: 'rearm', args: (a) => [{ reason: 'checked the books', by: a }] },
  { url: '/api/strategies/sma-cross/pause', route: '/api/strategies/{id}/pause', method: 'pauseStrategy', args: (a) => ['sma-cross', a] },
  { url: '/api/strategies/sma-cross/resume', route: '/api/strategies/{id}/resume', method: 'resumeStrategy', args: (a) => ['sma-cross', a] },
];
const ACTOR = 'api:127.0.0.1';
/** Who the engine is told asked: the API token's holder, from the test's loopback address. */
const OPERATOR = { actor: 'token', origin: 'ip:127.0.0.1' };

describe('operator actions', () => {
  let h: Harness;
  let schemas: OpenApiValidator;
  before(async () => {
    h = await startHarness();
    schemas = new OpenApiValidator((await h.get('/openapi.json')).body);
  });
  after(() => h.close());

  for (const a of ACTIONS) {
    test(`${a.url}: 401 without or with a wrong token, 200 with it, reaching the engine as ${ACTOR}`, async () => {
      h.engine.calls.length = 0;
      for (const auth of [{ token: null }, { token: 'kt_wrong' }, { token: TOKEN.slice(0, -1) }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
        const r = await h.post(a.url, a.body, auth);
        assert.equal(r.status, 401, `${a.url} ${JSON.stringify(auth)}`);
        assert.match(r.body.error, /bearer token/);
        assert.equal(schemas.check('POST', a.route, 401, r.body), '');
      }
      assert.deepEqual(h.engine.calls, [], 'nothing reaches the engine without the token');

      const ok = await h.post(a.url, a.body);
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body, { ok: true, message: `${a.method} done` });
      assert.equal(schemas.check('POST', a.route, 200, ok.body), '');
      assert.deepEqual(h.engine.calls, [{ method: a.method, args: a.args(OPERATOR) }]);
      assert.ok(h.logs.includes(`POST ${a.url} by ${ACTOR}: done: ${a.method} done`), h.logs.join('\n'));
    });

    test(`${a.url}: 409 with the engine's reason when it refuses`, async () => {
      h.engine.refuse.set(a.method, `cannot ${a.method} now`);
      try {
        const r = await h.post(a.url, a.body);
        assert.equal(r.status, 409);
        assert.deepEqual(r.body, { ok: false, message: `cannot ${a.method} now` });
        assert.equal(schemas.check('POST', a.route, 409, r.body), '');
      } finally {
        h.engine.refuse.delete(a.method);
      }
    });
  }

  test('the bearer scheme is case-insensitive (RFC 9110)', async () => {
    assert.equal((await h.post('/api/orders/cancel-all', undefined, { authorization: `bearer ${TOKEN}` })).status, 200);
  });

  test('an action without a body is fine with or without a JSON content-type', async () => {
    const r = await h.post('/api/orders/cancel-all', '');
    assert.equal(r.status, 200, r.text);
  });

  test('bad bodies and path parameters are a 400 naming the field, after the token check', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/api/kill', { reason: 'drill' }, 'flatten: is required (true or false)'],
      ['/api/kill', { flatten: 'yes', reason: 'drill' }, 'flatten = "yes": must be true or false'],
      ['/api/kill', { flatten: true, reason: '   ' }, 'reason = "   ": must be a non-blank string of at most 500 characters'],
      ['/api/kill', { flatten: true, reason: 'drill', flaten: false }, 'flaten: is not a known field (known: flatten, reason)'],
      ['/api/kill', undefined, 'body: must be a JSON object with flatten, reason'],
      ['/api/kill', '[1,2]', 'body: must be a JSON object with flatten, reason'],
      ['/api/kill', '{"flatten": true,', 'body: is not valid JSON'],
      ['/api/rearm', {}, 'reason: is required (a non-blank string of at most 500 characters)'],
      ['/api/rearm', { reason: 'x'.repeat(501) }, `reason = "${'x'.repeat(77)}...": must be a non-blank string of at most 500 characters`],
      ['/api/strategies/' + 's'.repeat(201) + '/pause', undefined, `id = "${'s'.repeat(77)}...": must be a non-blank string of at most 200 characters`],
    ];
    h.engine.calls.length = 0;
    for (const [url, body, error] of cases) {
      const r = await h.post(url, body);
      assert.equal(r.status, 400, `${url} ${JSON.stringify(body)}: ${r.text}`);
      assert.deepEqual(r.body, { error }, `${url} ${JSON.stringify(body)}`);
      assert.ok(!r.text.includes('\\n') && !/\bat .+:\d+:\d+/.test(r.text), 'one line, no stack');
      // Without the token the same request is a 401: input is not even looked at.
      assert.equal((await h.post(url, body, { token: null })).status, 401);
    }
    assert.deepEqual(h.engine.calls, []);
  });

  test('the token never appears in a response or a log line', async () => {
    const seen = h.responses.length;
    await h.post('/api/kill', { flatten: false, reason: 'leak check' }, { token: `${TOKEN}x` });
    await h.post('/api/kill', { flatten: false, reason: 'leak check' });
    await h.post('/api/kill', { flatten: 'no', reason: 'leak check' });
    // The token pasted into a URL by mistake: a 404 must not echo the query string.
    assert.ok(!(await h.get(`/api/nope?token=${TOKEN}`)).text.includes(TOKEN));
    assert.ok(h.responses.length > seen);
    const leaked = h.responses.filter((t) => t.includes(TOKEN) || t.includes(TOKEN.slice(3, 15)));
    assert.deepEqual(leaked, [], 'no response or response header carries the token');
    assert.ok(!h.logs.join('\n').includes(TOKEN.slice(3, 15)), 'the token is never logged');
    assert.ok(h.logs.some((l) => l === `refused POST /api/kill from ${ACTOR}: wrong bearer token`), h.logs.join('\n'));
  });

  test('a path parameter past the router limit is a one-line 414', async () => {
    const r = await h.post(`/api/orders/${'x'.repeat(1001)}/cancel`);
    assert.equal(r.status, 414);
    assert.deepEqual(r.body, { error: 'path parameter: is longer than 1000 characters' });
  });
});

describe('operator actions with no token configured', () => {
  let h: Harness;
  before(async () => { h = await startHarness({ token: undefined }); });
  after(() => h.close());

  test('every action is refused with 403 saying to configure a token; reads still work', async () => {
    for (const token of [null, '', 'anything', TOKEN]) {
      for (const a of ACTIONS) {
        const r = await h.post(a.url, a.body, { token });
        assert.equal(r.status, 403, `${a.url} ${token}`);
        assert.match(r.body.error, /configure an API token \(set KEEL_API_TOKEN\)/);
      }
    }
    assert.deepEqual(h.engine.calls, []);
    assert.equal((await h.get('/api/status')).status, 200);
  });

  test('an empty token counts as none', async () => {
    const empty = await startHarness({ token: '' });
    try {
      assert.equal((await empty.post('/api/orders/cancel-all', undefined, { authorization: 'Bearer ' })).status, 403);
    } finally {
      await empty.close();
    }
  });
});
