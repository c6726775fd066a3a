import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineHandle } from '../../src/runtime/index.ts';
import type { AuditEvent } from '../../src/security/index.ts';
import { startApiServer } from '../../src/server/index.ts';
import { dashboardPlugin } from '../../src/web/index.ts';
import { testUsers } from '../helpers/api-users.ts';
import { openSqliteJournal, startAlpacaVenue, startPaperSession } from '../helpers/alpaca-paper.ts';
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts';

// Page functions run in the browser; the test's own type library has no DOM.
declare const document: { getElementById(id: string): { textContent: string | null; hidden?: boolean } | null };


test('the dashboard with users: /login (password and TOTP code), a viewer cannot kill, the kill dialog needs the code, sign out', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-login-'));
  const users = await testUsers([['rita', ['risk']], ['vera', ['viewer']]]);
  const venue = await startAlpacaVenue({ untilBar: 400 });
  const browser = await launchChromium();
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    let engine: EngineHandle | undefined;
    const session = await startPaperSession(venue, journal, {}, { onHandle: (h) => { engine = h; } });
    cleanup.push(() => journal.close(), () => session.stop());
    const audit: AuditEvent[] = [];
    const api = await startApiServer({ engine: engine!, token: undefined, auth: { users: users.directory }, audit: { record: (e) => { audit.push(e); } }, dashboard: dashboardPlugin });
    cleanup.push(() => api.close());
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    const text = async (id: string) => (await page.textContent(`#${id}`)) ?? '';

    // Not signed in: the dashboard sends the browser to /login.
    await page.goto(api.url + '/');
    await page.waitForURL(`${api.url}/login`);
    await page.fill('#user', 'rita');
    await page.fill('#password', 'wrong password here');
    await page.fill('#totp', users.code('rita'));
    await page.click('#sign-in');
    await page.waitForFunction(() => (document.getElementById('message')?.textContent ?? '') !== '');
    assert.equal(await text('message'), 'sign-in: wrong user name, password or TOTP code');
    await page.screenshot({ path: join(ARTIFACTS, 'login-refused.png'), fullPage: true });

    await page.fill('#password', users.users.rita.password);
    await page.fill('#totp', users.code('rita'));
    await page.click('#sign-in');
    await page.waitForURL(`${api.url}/`);
    await page.waitForSelector('#state.ACTIVE');
    assert.equal(await text('who'), 'rita (risk)');
    const cookies = await context.cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite]), [['keel_session', true, 'Strict']]);
    assert.equal(await page.evaluate('document.cookie'), '', 'the session cookie is out of reach of scripts');

    // The kill dialog: KILL typed but no code: nothing is sent.
    await page.click('#kill');
    assert.equal(await page.isVisible('#kill-totp'), true);
    await page.fill('#kill-reason', 'browser drill');
    await page.fill('#kill-confirm', 'KILL');
    await page.click('#kill-go');
    assert.match(await text('message'), /type the 6-digit code from your authenticator app/);
    assert.equal(engine!.status().tradingState, 'ACTIVE');
    // A wrong code: the server refuses, says why, and the engine trades on.
    await page.fill('#kill-totp', '000000');
    await page.click('#kill-go');
    await page.waitForFunction(() => /Refused:/.test(document.getElementById('message')?.textContent ?? ''));
    assert.match(await text('message'), /^Refused: x-keel-totp: is not rita's current code, or was already used/);
    assert.equal(engine!.status().tradingState, 'ACTIVE');
    // The next code (the sign-in used this step's): HALTED.
    await page.click('#kill');
    await page.fill('#kill-confirm', 'KILL');
    await page.fill('#kill-totp', users.code('rita', 1));
    await page.click('#kill-go');
    await page.waitForSelector('#state.HALTED');
    assert.equal(engine!.status().tradingState, 'HALTED');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-users-halted.png'), fullPage: true });
    // The engine names who pulled it (its kill-switch alert carries the operator).
    assert.ok(engine!.alerts().some((a) => a.source === 'kill-switch' && a.title.includes('user:rita from ip:127.0.0.1')), JSON.stringify(engine!.alerts()));
    assert.ok(audit.some((e) => e.action === 'mfa.failed' && e.actor === 'user:rita' && e.result.status === 'denied'));
    assert.ok(audit.some((e) => e.action === 'login' && e.actor === 'user:rita'));

    // Sign out: back to /login, and the old cookie no longer reads anything.
    await page.click('#logout');
    await page.waitForURL(`${api.url}/login`);
    const r = await fetch(`${api.url}/api/status`, { headers: { cookie: `keel_session=${cookies[0].value}` } });
    assert.equal(r.status, 401);

    // A viewer signs in and sees the account, but the kill switch is refused by the server.
    await page.fill('#user', 'vera');
    await page.fill('#password', users.users.vera.password);
    await page.fill('#totp', users.code('vera'));
    await page.click('#sign-in');
    await page.waitForURL(`${api.url}/`);
    await page.waitForSelector('#state.HALTED');
    await page.click('#kill');
    await page.fill('#kill-confirm', 'KILL');
    await page.fill('#kill-totp', users.code('vera', 1));
    await page.click('#kill-go');
    await page.waitForFunction(() => /Refused:/.test(document.getElementById('message')?.textContent ?? ''));
    assert.match(await text('message'), /^Refused: user vera \(viewer\) may not POST \/api\/kill: it needs permission risk\.kill \(role risk\)$/);
    assert.deepEqual(problems, []);
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => {});
    await browser.close();
    await venue.close();
    users.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
