import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineHandle } from '../../src/runtime/index.ts';
import type { AuditEvent } from '../../src/security/index.ts';
import { riskConfigFromObject } from '../../src/risk/index.ts';
import { startApiServer } from '../../src/server/index.ts';
import { dashboardPlugin } from '../../src/web/index.ts';
import { testUsers } from '../helpers/api-users.ts';
import { openSqliteJournal, startAlpacaVenue, startPaperSession } from '../helpers/alpaca-paper.ts';
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts';

declare const document: { getElementById(id: string): { textContent: string | null } | null };


/**
 * The dashboard's "Change limits…" dialog in chromium, signed in as a risk user: the current limits are in the
 * editor, a bad key is refused with the engine's line and nothing changes, a good change needs the code and
 * puts the new limits in force on the running engine.
 */
test('the dashboard changes risk limits: the editor holds the limits in force, a bad key is refused, the new limits need a TOTP code', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-limits-ui-'));
  const users = await testUsers([['rita', ['risk']]]);
  const venue = await startAlpacaVenue({ untilBar: 400 });
  const browser = await launchChromium();
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    let engine: EngineHandle | undefined;
    const audit: AuditEvent[] = [];
    const session = await startPaperSession(venue, journal, {}, {
      onHandle: (h) => { engine = h; }, risk: riskConfigFromObject({ account: { maxOrderNotional: 50000 } }, 'risk'), riskText: 'account:\n  maxOrderNotional: 50000',
      audit: { record: (e) => { audit.push(e); } },
    });
    cleanup.push(() => journal.close(), () => session.stop());
    const api = await startApiServer({ engine: engine!, token: undefined, auth: { users: users.directory }, audit: { record: (e) => { audit.push(e); } }, dashboard: dashboardPlugin });
    cleanup.push(() => api.close());
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    const message = async () => (await page.textContent('#message')) ?? '';

    await page.goto(api.url + '/login');
    await page.fill('#user', 'rita');
    await page.fill('#password', users.users.rita.password);
    await page.fill('#totp', users.code('rita', -1)); // each code once and in order: -1 here, 0 and +1 below
    await page.click('#sign-in');
    await page.waitForURL(`${api.url}/`);
    await page.waitForSelector('#state.ACTIVE');
    assert.match((await page.textContent('#risk-limits')) ?? '', /maxOrderNotional: 50000/);

    await page.click('#limits');
    await page.waitForSelector('#limits-dialog[open]'); // opened once the limits in force are in the editor
    assert.equal(await page.inputValue('#limits-text'), 'account:\n  maxOrderNotional: 50000');
    await page.fill('#limits-text', 'account:\n  maxOrderNotionl: 20000\n');
    await page.fill('#limits-reason', 'tighter for the open');
    await page.click('#limits-go');
    assert.match(await message(), /type the 6-digit code/);
    await page.fill('#limits-totp', users.code('rita', 0));
    await page.click('#limits-go');
    await page.waitForFunction(() => /maxOrderNotionl/.test(document.getElementById('message')?.textContent ?? ''));
    assert.match(await message(), /account\.maxOrderNotionl = 20000: is not a known key \(did you mean maxOrderNotional\?\)/);
    assert.match(engine!.risk().limits ?? '', /maxOrderNotional: 50000/, 'nothing changed');

    await page.click('#limits');
    await page.waitForSelector('#limits-dialog[open]');
    await page.fill('#limits-text', 'account:\n  maxOrderNotional: 20000\n  maxOpenOrders: 3\n');
    await page.fill('#limits-totp', users.code('rita', 1));
    await page.click('#limits-go');
    await page.waitForFunction(() => /^limits changed/.test(document.getElementById('message')?.textContent ?? ''));
    assert.match(engine!.risk().limits ?? '', /maxOrderNotional: 20000\n\s+maxOpenOrders: 3/);
    await page.waitForFunction(() => /maxOpenOrders: 3/.test(document.getElementById('risk-limits')?.textContent ?? ''));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-limits-changed.png'), fullPage: true });
    const changes = audit.filter((e) => e.action === 'limits.change');
    assert.deepEqual(changes.map((e) => [e.actor, e.result.status]), [['user:rita', 'failed'], ['user:rita', 'ok']]);
    assert.deepEqual(problems, []);
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => {});
    await browser.close();
    await venue.close();
    users.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
