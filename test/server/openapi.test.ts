import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './api-harness.ts';
import { OpenApiValidator } from './openapi-validator.ts';

/** The contract the dashboard is built against: every route, by method, and whether it needs the token. */
const ROUTES: ReadonlyArray<readonly [method: string, path: string, action: boolean]> = [
  ['get', '/api/status', false],
  ['get', '/api/positions', false],
  ['get', '/api/orders', false],
  ['get', '/api/fills', false],
  ['get', '/api/pnl', false],
  ['get', '/api/equity', false],
  ['get', '/api/risk', false],
  ['get', '/api/alerts', false],
  ['post', '/api/orders/{id}/cancel', true],
  ['post', '/api/orders/cancel-all', true],
  ['post', '/api/kill', true],
  ['post', '/api/rearm', true],
  ['post', '/api/risk/limits', true],
  ['post', '/api/strategies/{id}/pause', true],
  ['post', '/api/strategies/{id}/resume', true],
  ['get', '/api/rollout', false],
  ['post', '/api/rollout/shadow', true],
  ['post', '/api/rollout/promote', true],
  ['post', '/api/rollout/rollback', true],
  ['get', '/api/stream', false],
  ['get', '/healthz', false],
  ['get', '/readyz', false],
  ['get', '/metrics', false],
  ['post', '/api/login', false],
  ['get', '/api/session', false],
  ['post', '/api/logout', false],
];
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

describe('GET /openapi.json', () => {
  let h: Harness;
  let doc: any;
  before(async () => {
    h = await startHarness({
      dashboard: (app) => { app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send('<h1>dashboard</h1>')); },
    });
    const r = await h.get('/openapi.json');
    assert.equal(r.status, 200);
    doc = r.body;
  });
  after(() => h.close());

  test('is an OpenAPI 3.1 document with info, paths and the bearer security scheme', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof doc.info.title, 'string');
    assert.match(doc.info.version, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['bearer', 'session']);
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    assert.deepEqual({ ...doc.components.securitySchemes.session, description: undefined }, { type: 'apiKey', in: 'cookie', name: 'keel_session', description: undefined });
  });

  test('lists exactly the API routes (the dashboard and the document itself are hidden)', () => {
    const listed = Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
      Object.keys(item).filter((k) => METHODS.has(k)).map((m) => `${m} ${path}`));
    assert.deepEqual(listed.sort(), ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  test('every operation is well formed: responses described, path parameters declared, actions secured', () => {
    for (const [method, path, action] of ROUTES) {
      const op = doc.paths[path][method];
      const where = `${method.toUpperCase()} ${path}`;
      assert.equal(typeof op.summary, 'string', where);
      assert.ok(Object.keys(op.responses).length > 0, where);
      for (const [code, res] of Object.entries(op.responses) as Array<[string, any]>) {
        assert.match(code, /^[1-5]\d\d$/, where);
        assert.equal(typeof res.description, 'string', `${where} ${code}`);
      }
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        const p = (op.parameters ?? []).find((x: any) => x.name === name);
        assert.ok(p && p.in === 'path' && p.required === true && p.schema, `${where} declares {${name}}`);
      }
      for (const p of op.parameters ?? []) assert.ok(['query', 'path'].includes(p.in) && typeof p.name === 'string' && p.schema, where);
      if (action) {
        assert.deepEqual(op.security, [{ bearer: [] }, { session: [] }], where);
        const fourEyes = path === '/api/rearm' ? ['202'] : [];
        assert.deepEqual(Object.keys(op.responses).sort(), ['200', ...fourEyes, '400', '401', '403', '409', '429'], where);
      } else {
        assert.equal(op.security, undefined, where);
      }
    }
    assert.equal(doc.paths['/api/kill'].post.requestBody.required, true);
    assert.deepEqual(doc.paths['/api/kill'].post.requestBody.content['application/json'].schema.required, ['flatten', 'reason']);
    assert.deepEqual(Object.keys(doc.paths['/metrics'].get.responses['200'].content), ['text/plain']);
  });

  test('every $ref resolves, the views are named components, and every schema compiles (Ajv, strict)', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const m = /^#\/components\/schemas\/(\w+)$/.exec(ref);
      assert.ok(m && doc.components.schemas[m[1]], `unresolved ${ref}`);
    }
    for (const name of ['EngineStatus', 'StrategyView', 'PositionView', 'OrderView', 'FillView', 'PnlView', 'EquityPoint', 'RiskView', 'AlertView', 'ActionResult', 'ErrorReply', 'Readiness']) {
      assert.ok(doc.components.schemas[name], name);
    }
    const v = new OpenApiValidator(doc);
    for (const [method, path] of ROUTES) {
      const op = doc.paths[path][method];
      for (const [code, res] of Object.entries(op.responses) as Array<[string, any]>) {
        if (res.content?.['application/json']) v.response(method, path, Number(code));
      }
      for (const p of op.parameters ?? []) v.ajv.compile(p.schema);
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (body) v.ajv.compile(body);
    }
  });

  test('the dashboard registered through the option is served next to the API', async () => {
    const r = await h.get('/');
    assert.equal(r.status, 200);
    assert.equal(r.text, '<h1>dashboard</h1>');
  });
});
