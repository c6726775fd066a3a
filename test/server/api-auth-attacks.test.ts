import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { connect } from 'node:net';
import { selfSignedCertificate } from '../../src/security/index.ts';
import { until } from '../helpers/wait.ts';
import { startAuthHarness } from './auth-harness.ts';

/** Brute force, replay, traversal, oversized bodies, sessions, CSRF and the stream, over real sockets on loopback. */

const KILL = { flatten: false, reason: 'attack test' };

test('password guessing: the user name is locked out after 5 failures, even for the right password; audited and alerted', async () => {
  const h = await startAuthHarness({ auth: { lockout: { attempts: 5, addressAttempts: 100, lockMs: 60_000 } } });
  try {
    for (let i = 0; i < 5; i++) {
      const r = await h.request('POST', '/api/login', { body: { user: 'rita', password: `guess-${i}-aaaaaaaa`, totp: '000000' } });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { error: 'sign-in: wrong user name, password or TOTP code', missing: 'authentication' });
    }
    const right = await h.login('rita');
    assert.equal(right.answer.status, 429);
    assert.match(right.answer.body.error, /^user rita: is locked out after 5 failed attempts; try again in 1 min$/);
    assert.ok(Number(right.answer.headers.get('retry-after')) > 0);
    assert.equal(right.cookie, '', 'no session while locked out');
    assert.equal(h.audit.filter((e) => e.action === 'login.failed' && e.target === 'rita').length, 6);
    const lock = h.audit.find((e) => e.action === 'lockout');
    assert.deepEqual([lock?.target, lock?.details?.scope], ['rita', 'user']);
    assert.equal(h.alerts.length, 1);
    assert.match(h.alerts[0][0], /^user rita locked out$/);
    // Another user is not locked by rita's guesser.
    assert.equal((await h.login('rob')).answer.status, 200);
  } finally {
    await h.close();
  }
});

test('guessing across user names locks out the address', async () => {
  const h = await startAuthHarness({ auth: { lockout: { attempts: 100, addressAttempts: 4, lockMs: 60_000 } } });
  try {
    for (const user of ['a1', 'a2', 'a3', 'a4']) assert.equal((await h.request('POST', '/api/login', { body: { user, password: 'nope-nope-nope', totp: '123456' } })).status, 401);
    const r = await h.login('vera');
    assert.equal(r.answer.status, 429);
    assert.match(r.answer.body.error, /^address 127\.0\.0\.1: is locked out after 4 failed attempts/);
    assert.equal(h.audit.find((e) => e.action === 'lockout')?.target, 'ip:127.0.0.1');
  } finally {
    await h.close();
  }
});

test('TOTP on the kill switch: required, single use, and guessing it locks the user out', async () => {
  const h = await startAuthHarness({ auth: { lockout: { attempts: 3, addressAttempts: 100, lockMs: 60_000 } } });
  try {
    const token = h.users.users.rita.token;
    const none = await h.request('POST', '/api/kill', { token, body: KILL });
    assert.equal(none.status, 401);
    assert.equal(none.body.missing, 'totp');
    assert.match(none.body.error, /^POST \/api\/kill needs a TOTP code: send x-keel-totp: <6 digits> from rita's authenticator app$/);
    const code = h.users.code('rita');
    assert.equal((await h.request('POST', '/api/kill', { token, body: KILL, totp: code })).status, 200);
    const replay = await h.request('POST', '/api/kill', { token, body: KILL, totp: code });
    assert.equal(replay.status, 401, 'a code works once');
    assert.match(replay.body.error, /already used/);
    // A bad body does not burn a code: validation comes before the step-up.
    const next = h.users.code('rita', 1);
    assert.equal((await h.request('POST', '/api/kill', { token, body: { flatten: 'yes', reason: 'x' }, totp: next })).status, 400);
    assert.equal((await h.request('POST', '/api/kill', { token, body: KILL, totp: next })).status, 200);
    // Guessing: the replay above was failure 1, two more wrong codes lock rita out, then even a valid code is refused.
    for (const guess of ['000001', '999998']) assert.equal((await h.request('POST', '/api/kill', { token, body: KILL, totp: guess })).status, 401);
    const locked = await h.request('POST', '/api/kill', { token, body: KILL, totp: h.users.code('rita', -1) });
    assert.equal(locked.status, 429);
    assert.match(locked.body.error, /^user rita: is locked out after 3 failed attempts/);
    assert.equal(h.engine.callsOf('killSwitch').length, 2);
    assert.equal(h.audit.filter((e) => e.action === 'mfa.failed').length, 5);
    assert.ok(h.audit.some((e) => e.action === 'lockout' && e.target === 'rita'));
  } finally {
    await h.close();
  }
});

test('a revoked token replayed is a 401 (and an open stream on it is closed)', async () => {
  const h = await startAuthHarness();
  try {
    const { token, tokenId } = h.users.users.vera;
    assert.equal((await h.request('GET', '/api/status', { token })).status, 200);
    const s = await h.stream({ token });
    assert.equal(s.result, 'open');
    const closed = s.result === 'open' ? new Promise<number>((res) => s.ws.on('close', (c) => res(c))) : Promise.resolve(0);
    await h.users.revoke('vera');
    const r = await h.request('GET', '/api/status', { token });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { error: `API token ${tokenId}: is unknown or revoked (keel users list shows tokens)`, missing: 'authentication' });
    assert.equal(await closed, 1008);
    assert.equal((await h.stream({ token })).result, 401);
    assert.ok(h.audit.some((e) => e.action === 'login.failed' && e.result.status === 'denied' && e.result.reason === `unknown or revoked API token ${tokenId}`));
    // The shared legacy token, or anything else, is not a user token.
    const legacy = await h.request('GET', '/api/status', { token: 'kt_5d1f0c9a77e24b3c8e6a' });
    assert.equal(legacy.status, 401);
    assert.match(legacy.body.error, /KEEL_API_TOKEN is not accepted once users are configured/);
  } finally {
    await h.close();
  }
});

/** A raw HTTP request, so the path reaches the server exactly as written (fetch would normalise `..`). */
function raw(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), text: data }));
    s.on('error', reject);
  });
}

test('path traversal on the dashboard\'s files: every attempt is a 404 and nothing outside the asset list is served', async () => {
  const h = await startAuthHarness();
  try {
    const attempts = [
      '/assets/../../package.json', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/..%5c..%5cpackage.json',
      '/assets/%252e%252e%252fpackage.json', '/assets/__proto__', '/assets/constructor', '/assets/hasOwnProperty', '/assets/dashboard.html',
      '/assets/..', '/../package.json', '/%2e%2e/package.json', '/assets/dashboard.js%00.png', '/assets//etc/passwd', '/login/../../package.json',
    ];
    for (const path of attempts) {
      const r = await raw(h.api.port, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.ok(!r.text.includes('"devDependencies"') && !r.text.includes('root:x:0'), `${path} served a file it must not`);
    }
    assert.equal((await raw(h.api.port, '/assets/dashboard.js')).status, 200);
  } finally {
    await h.close();
  }
});

test('an oversized body is a 413 with a one-line body; without credentials it is a 401 before the body is read', async () => {
  const h = await startAuthHarness();
  try {
    const big = JSON.stringify({ flatten: false, reason: 'x'.repeat(100_000) });
    const r = await h.request('POST', '/api/kill', { token: h.users.users.rita.token, totp: h.users.code('rita'), body: big });
    assert.equal(r.status, 413);
    assert.deepEqual(r.body, { error: 'body: is larger than 65536 bytes (an action\'s body is a few fields)' });
    const login = await h.request('POST', '/api/login', { body: JSON.stringify({ user: 'rita', password: 'p'.repeat(70_000), totp: '1' }) });
    assert.equal(login.status, 413);
    const anon = await h.request('POST', '/api/kill', { body: big });
    assert.equal(anon.status, 401);
    assert.equal(h.engine.callsOf('killSwitch').length, 0);
  } finally {
    await h.close();
  }
});

test('dashboard sessions: HttpOnly SameSite=Strict cookie, CSRF header and Origin checked on POSTs, logout, idle and absolute expiry', async () => {
  const h = await startAuthHarness({ auth: { sessions: { idleMs: 400, maxMs: 60_000 } } });
  try {
    // The sign-in page asking whether it is signed in is a 401 but not an audit record (it attempts nothing).
    const asked = await h.request('GET', '/api/session');
    assert.deepEqual([asked.status, asked.body.missing, h.audit.length], [401, 'authentication', 0]);
    const wrong = await h.request('POST', '/api/login', { body: { user: 'tom', password: 'tom-password-0123', totp: '000000' } });
    assert.equal(wrong.status, 401);
    const { cookie, csrf, answer } = await h.login('tom');
    assert.equal(answer.status, 200, answer.text);
    const set = answer.headers.get('set-cookie')!;
    assert.match(set, /^keel_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=60$/);
    assert.deepEqual([answer.body.user, answer.body.roles, answer.body.via, answer.body.permissions], ['tom', ['trader'], 'session', ['read', 'trade.pause', 'trade.cancel']]);
    assert.ok(h.audit.some((e) => e.action === 'login' && e.actor === 'user:tom' && e.result.status === 'ok'));
    assert.equal((await h.request('GET', '/api/orders', { cookie })).status, 200);
    // POST with the cookie but no CSRF token, a wrong one, or from another origin: refused.
    const noCsrf = await h.request('POST', '/api/orders/cancel-all', { cookie });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.missing, 'csrf');
    assert.equal((await h.request('POST', '/api/orders/cancel-all', { cookie, csrf: 'x'.repeat(csrf.length) })).status, 403);
    const cross = await h.request('POST', '/api/orders/cancel-all', { cookie, csrf, origin: 'https://evil.example' });
    assert.equal(cross.status, 403);
    assert.match(cross.body.error, /^csrf: Origin https:\/\/evil\.example is not this server/);
    assert.equal(h.engine.callsOf('cancelAll').length, 0);
    assert.equal((await h.request('POST', '/api/orders/cancel-all', { cookie, csrf, origin: h.api.url })).status, 200);
    assert.equal(h.engine.callsOf('cancelAll').length, 1);
    // The role still applies to a session.
    assert.equal((await h.request('POST', '/api/kill', { cookie, csrf, body: KILL, totp: h.users.code('tom', 1) })).status, 403);
    // Idle expiry: no request for 400 ms ends it.
    await new Promise((r) => setTimeout(r, 500));
    const idle = await h.request('GET', '/api/status', { cookie });
    assert.equal(idle.status, 401);
    assert.match(idle.body.error, /^session: has ended \(idle for \d+ min\): sign in again at \/login$/);
    // Logout ends a session at once.
    const again = await h.login('tom', 1);
    assert.equal((await h.request('GET', '/api/status', { cookie: again.cookie })).status, 200);
    assert.equal((await h.request('POST', '/api/logout', { cookie: again.cookie, csrf: again.csrf })).status, 200);
    assert.equal((await h.request('GET', '/api/status', { cookie: again.cookie })).status, 401);
    assert.ok(h.audit.some((e) => e.action === 'logout' && e.actor === 'user:tom'));
  } finally {
    await h.close();
  }
  const abs = await startAuthHarness({ auth: { sessions: { idleMs: 60_000, maxMs: 600 } } });
  try {
    const { cookie } = await abs.login('vera');
    // Busy all along, yet the session ends at its absolute limit.
    await until('the absolute expiry', async () => (await abs.request('GET', '/api/status', { cookie })).status === 401, 3000);
    const r = await abs.request('GET', '/api/status', { cookie });
    assert.match(r.body.error, /^session: has (ended \(older than \d+ min\)|ended \(unknown)/);
  } finally {
    await abs.close();
  }
});

test('the WebSocket stream: refused without credentials (401), with a session from another origin (403); a session or token opens it', async () => {
  const h = await startAuthHarness();
  try {
    assert.equal((await h.stream()).result, 401);
    const { cookie } = await h.login('vera');
    assert.equal((await h.stream({ cookie, origin: 'https://evil.example' })).result, 403);
    const own = await h.stream({ cookie, origin: h.api.url });
    assert.equal(own.result, 'open');
    if (own.result === 'open') own.ws.close();
    const tok = await h.stream({ token: h.users.users.vera.token });
    assert.equal(tok.result, 'open');
    if (tok.result === 'open') tok.ws.close();
  } finally {
    await h.close();
  }
});

test('four-eyes re-arm: a risk user requests, the same user again is refused, a different risk user confirms', async () => {
  const h = await startAuthHarness({ auth: { fourEyesRearmMs: 60_000 } });
  try {
    h.engine.statusView = { ...h.engine.statusView, tradingState: 'HALTED', stateReason: 'kill switch' };
    const ask = (name: string, step: number, reason: string) => h.request('POST', '/api/rearm', { token: h.users.users[name].token, totp: h.users.code(name, step), body: { reason } });
    const first = await ask('rita', 0, 'books checked');
    assert.equal(first.status, 202);
    assert.match(first.body.message, /^re-arm requested by rita: a different risk user must confirm with POST \/api\/rearm by \d\d:\d\d:\d\d UTC \(four-eyes\)$/);
    assert.equal(h.engine.callsOf('rearm').length, 0);
    const same = await ask('rita', 1, 'really');
    assert.equal(same.status, 409);
    assert.match(same.body.message, /^four-eyes: rita asked to re-arm at .* a different risk user must confirm/);
    const other = await ask('rob', 0, 'agreed');
    assert.equal(other.status, 200);
    const call = h.engine.callsOf('rearm')[0].args[0] as { reason: string; by: { actor: string } };
    assert.equal(call.by.actor, 'user:rob');
    assert.equal(call.reason, 'agreed (four-eyes: requested by rita: books checked; confirmed by rob)');
    assert.ok(h.audit.some((e) => e.action === 'rearm.request' && e.actor === 'user:rita'));
    assert.ok(h.audit.some((e) => e.action === 'rearm' && e.actor === 'user:rita' && e.result.status === 'denied'));
  } finally {
    await h.close();
  }
});

test('over HTTPS the session cookie is __Host-keel_session and Secure; HEAD of a view needs credentials like its GET', async () => {
  const pair = await selfSignedCertificate();
  const h = await startAuthHarness({ tls: { cert: pair.certPem, key: pair.keyPem } });
  try {
    const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) => new Promise<{ status: number; headers: Record<string, unknown> }>((res, rej) => {
      const req = request(`${h.api.url}${path}`, { method, ca: pair.certPem, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } }, (r) => {
        r.resume();
        r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers }));
      });
      req.on('error', rej);
      req.end(body);
    });
    const u = h.users.users.vera;
    const login = await call('POST', '/api/login', JSON.stringify({ user: 'vera', password: u.password, totp: h.users.code('vera') }));
    assert.equal(login.status, 200);
    const cookie = (login.headers['set-cookie'] as string[])[0];
    assert.match(cookie, /^__Host-keel_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    assert.equal((await call('GET', '/api/status', undefined, { cookie: cookie.split(';')[0] })).status, 200);
    // The plain-HTTP cookie name is not accepted over HTTPS.
    assert.equal((await call('GET', '/api/status', undefined, { cookie: cookie.split(';')[0].replace('__Host-', '') })).status, 401);
    assert.equal((await call('HEAD', '/api/status')).status, 401);
    assert.equal((await call('HEAD', '/api/status', undefined, { authorization: `Bearer ${u.token}` })).status, 200);
  } finally {
    await h.close();
  }
});
