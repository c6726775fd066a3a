import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Page functions run in the browser; the test's own type library has no DOM.
declare const document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }>; getElementById(id: string): { textContent: string | null } | null };
import type { EngineHandle } from '../../src/runtime/index.ts';
import { startApiServer } from '../../src/server/index.ts';
import { dashboardPlugin } from '../../src/web/index.ts';
import { keel, ORCL } from '../helpers/cli.ts';
import { openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts';

const TOKEN = 'dashboard-token-6e1a4c';

test('the dashboard shows a running paper session moving, its kill switch asks first and then halts trading, and it opens a backtest result', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-dashboard-'));
  const venue = await startAlpacaVenue({ untilBar: 400 });
  const browser = await launchChromium();
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    let engine: EngineHandle | undefined;
    const session = await startPaperSession(venue, journal, {}, { onHandle: (h) => { engine = h; } });
    cleanup.push(() => journal.close(), () => session.stop());
    const api = await startApiServer({ engine: engine!, token: TOKEN, dashboard: dashboardPlugin });
    cleanup.push(() => api.close());
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith(api.url) && !r.url().startsWith(api.url.replace('http', 'ws'))) problems.push(`external request ${r.url()}`); });

    await page.goto(api.url + '/');
    await page.waitForSelector('#state.ACTIVE');
    // The session trades while the page watches: a position appears without reloading.
    const stepping = stepBars(venue, session.venue, 60, 30);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#positions td')).some((td) => td.textContent === 'ORCL'), undefined, { timeout: 30_000 });
    await stepping;
    await page.waitForFunction(() => document.querySelectorAll('#fills tr').length > 2);
    const canvas = await page.$eval('#chart canvas', (c) => (c as unknown as { width: number; height: number }).width * (c as unknown as { width: number; height: number }).height);
    assert.ok(canvas > 0, 'the equity chart is drawn');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live.png'), fullPage: true });

    // Kill switch: without the confirmation word nothing happens; with it, HALTED.
    await page.fill('#token', TOKEN);
    await page.dispatchEvent('#token', 'change');
    await page.click('#kill');
    await page.fill('#kill-reason', 'browser drill');
    await page.click('#kill-go');
    assert.equal(engine!.status().tradingState, 'ACTIVE', 'not pulled without typing KILL');
    assert.match(await page.textContent('#message') ?? '', /type KILL to confirm/);
    await page.fill('#kill-confirm', 'KILL');
    await page.check('#kill-flatten');
    await page.click('#kill-go');
    await page.waitForSelector('#state.HALTED');
    assert.equal(engine!.status().tradingState, 'HALTED');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-halted.png'), fullPage: true });
    const ordersBefore = (await journal.orders()).length;
    await stepBars(venue, session.venue, 20);
    const after = await journal.orders();
    assert.ok(after.slice(ordersBefore).every((o) => o.strategy !== 'sma-cross'), 'the strategy sent nothing after the kill switch');

    // A finished backtest, opened in the browser.
    const out = join(dir, 'result.json');
    const bt = keel(['backtest', '--strategy', 'sma-cross', '--data', ORCL, '--out', out]);
    assert.equal(bt.code, 0, bt.stderr);
    await page.goto(api.url + '/backtest');
    await page.setInputFiles('#file', out);
    await page.waitForFunction(() => /points/.test(document.getElementById('message')!.textContent ?? ''));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-backtest.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => {});
    await browser.close();
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
