import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rolesGrant, requiresMfa } from '../../src/security/index.ts';
import { startApiServer } from '../../src/server/index.ts';
import { ROUTE_ACCESS } from '../../src/server/auth/route-access.ts';
import { ROLE_USERS } from '../helpers/api-users.ts';
import { startAuthHarness } from './auth-harness.ts';
import { FakeEngine } from './fake-engine.ts';

/**
 * Every route of the API and the dashboard × every role (and no credentials), over a real socket: who gets
 * the engine's answer, who a 403 naming the permission, who a 401. The table under test is the server's own
 * (ROUTE_ACCESS), and the test refuses to pass if a route in it has no request here.
 */
const CALLS: Readonly<Record<string, { method: string; path: string; body?: unknown }>> = {
  'GET /healthz': { method: 'GET', path: '/healthz' },
  'GET /readyz': { method: 'GET', path: '/readyz' },
  'GET /openapi.json': { method: 'GET', path: '/openapi.json' },
  'GET /': { method: 'GET', path: '/' },
  'GET /login': { method: 'GET', path: '/login' },
  'GET /backtest': { method: 'GET', path: '/backtest' },
  'GET /assets/:name': { method: 'GET', path: '/assets/dashboard.js' },
  'POST /api/login': { method: 'POST', path: '/api/login', body: { user: 'vera' } },
  'POST /api/logout': { method: 'POST', path: '/api/logout' },
  'GET /api/session': { method: 'GET', path: '/api/session' },
  'GET /api/status': { method: 'GET', path: '/api/status' },
  'GET /api/positions': { method: 'GET', path: '/api/positions' },
  'GET /api/orders': { method: 'GET', path: '/api/orders?open=true' },
  'GET /api/fills': { method: 'GET', path: '/api/fills?limit=5' },
  'GET /api/pnl': { method: 'GET', path: '/api/pnl' },
  'GET /api/equity': { method: 'GET', path: '/api/equity' },
  'GET /api/risk': { method: 'GET', path: '/api/risk' },
  'GET /api/alerts': { method: 'GET', path: '/api/alerts' },
  'GET /api/stream': { method: 'WS', path: '/api/stream' },
  'GET /metrics': { method: 'GET', path: '/metrics' },
  'POST /api/orders/:id/cancel': { method: 'POST', path: '/api/orders/O-1/cancel' },
  'POST /api/orders/cancel-all': { method: 'POST', path: '/api/orders/cancel-all' },
  'POST /api/strategies/:id/pause': { method: 'POST', path: '/api/strategies/sma-cross/pause' },
  'POST /api/strategies/:id/resume': { method: 'POST', path: '/api/strategies/sma-cross/resume' },
  'POST /api/kill': { method: 'POST', path: '/api/kill', body: { flatten: false, reason: 'matrix' } },
  'POST /api/rearm': { method: 'POST', path: '/api/rearm', body: { reason: 'matrix' } },
  'POST /api/risk/limits': { method: 'POST', path: '/api/risk/limits', body: { risk: { account: { maxOpenOrders: 5 } }, reason: 'matrix' } },
  'GET /api/rollout': { method: 'GET', path: '/api/rollout' },
  'POST /api/rollout/shadow': { method: 'POST', path: '/api/rollout/shadow', body: { strategy: 'sma-cross' } },
  'POST /api/rollout/promote': { method: 'POST', path: '/api/rollout/promote', body: {} },
  'POST /api/rollout/rollback': { method: 'POST', path: '/api/rollout/rollback', body: { reason: 'matrix' } },
};

test('the route table is covered: every route the server registers has a rule, and every rule a request in this test', () => {
  assert.deepEqual(Object.keys(CALLS).sort(), Object.keys(ROUTE_ACCESS).sort());
});

test('every route × every role, and no credentials: the engine answers, 403 naming the permission, or 401', { timeout: 60_000 }, async () => {
  const h = await startAuthHarness();
  try {
    const who: Array<readonly [string | undefined, readonly string[]]> = [[undefined, []], ...ROLE_USERS.map(([n, r]) => [n, r] as const)];
    let checked = 0;
    for (const [name, roles] of who) {
      // Each code works once and must come after the last one used: the three steps the window accepts, in order.
      let step = 0;
      for (const [route, call] of Object.entries(CALLS)) {
        const rule = ROUTE_ACCESS[route];
        const token = name === undefined ? undefined : h.users.users[name].token;
        const where = `${route} as ${name ?? 'nobody'}`;
        if (call.method === 'WS') {
          const r = await h.stream({ token });
          const allowed = name !== undefined && rolesGrant(roles as never, 'read');
          if (r.result === 'open') r.ws.close();
          assert.equal(r.result, allowed ? 'open' : 401, where);
          checked++;
          continue;
        }
        const mfa = rule.kind === 'permission' && requiresMfa(rule.permission);
        const r = await h.request(call.method, call.path, { token, body: call.body, totp: mfa && name !== undefined ? h.users.code(name, step++ - 1) : undefined });
        if (rule.kind === 'open') {
          // Open routes answer on their own terms (the sign-in route says what its body lacks).
          assert.ok(r.status < 400 || (route === 'POST /api/login' && r.status === 400) || (route === 'GET /readyz' && r.status === 503), `${where}: ${r.status} ${r.text.slice(0, 200)}`);
        } else if (name === undefined) {
          assert.equal(r.status, 401, where);
          assert.equal(r.body.missing, 'authentication', where);
          assert.match(r.body.error, /^authentication required: send Authorization: Bearer keel_… \(keel users token NAME\) or sign in at \/login$/, where);
          assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="keel"', where);
        } else if (rule.kind === 'signed-in' || rolesGrant(roles as never, rule.permission)) {
          // The harness engine takes no rollout: its 409 "no rollout" shows the request got past authorisation.
          const engineAnswered = r.status === 200 || (route.startsWith('POST /api/rollout/') && r.status === 409 && /takes no rollout/.test(r.text));
          assert.ok(engineAnswered, `${where}: ${r.status} ${r.text}`);
        } else {
          assert.equal(r.status, 403, where);
          assert.equal(r.body.missing, rule.permission, where);
          assert.match(r.body.error, new RegExp(`^user ${name} \\(${roles.join(', ')}\\) may not ${call.method} ${call.path.split('?')[0].replace(/[/.]/g, '\\$&')}: it needs permission ${rule.permission.replace('.', '\\.')} \\(role `), where);
        }
        checked++;
      }
    }
    assert.equal(checked, (ROLE_USERS.length + 1) * Object.keys(CALLS).length);
    // Who acted is the user, in the journal's operator and the audit trail.
    const kills = h.engine.callsOf('killSwitch').map((c) => (c.args[0] as { by: { actor: string } }).by.actor);
    assert.deepEqual(kills, ['user:rita', 'user:rob', 'user:max']);
    const denied = h.audit.filter((e) => e.action === 'access.denied');
    assert.ok(denied.some((e) => e.actor === 'user:vera' && e.target === 'POST /api/kill' && e.result.status === 'denied' && e.result.reason === 'needs permission risk.kill'));
    assert.ok(h.audit.some((e) => e.action === 'login.failed' && e.actor === 'anonymous' && e.target === 'GET /api/status' && e.origin === 'ip:127.0.0.1'));
    for (const u of Object.values(h.users.users)) {
      for (const text of [...h.logs, JSON.stringify(h.audit)]) assert.ok(!text.includes(u.token) && !text.includes(u.password), 'no token or password in a log line or an audit record');
    }
  } finally {
    await h.close();
  }
});

test('a route with no access rule stops the server from starting (fail closed, not open)', async () => {
  await assert.rejects(
    startApiServer({ engine: new FakeEngine(), token: undefined, dashboard: (app) => { app.get('/api/secret-report', async () => ({})); } }),
    /route GET \/api\/secret-report has no access rule in server\/auth\/route-access\.ts/,
  );
});
