import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/server/index.ts';
import { dashboardPlugin } from '../../src/web/index.ts';
import { FakeEngine } from '../server/fake-engine.ts';
import { launchChromium } from '../helpers/browser.ts';


test('the dashboard and /api/status show the active node, its epoch and each standby\'s lag; a single engine shows no HA line', { timeout: 60_000 }, async () => {
  const engine = new FakeEngine();
  engine.statusView = {
    ...engine.statusView,
    ha: { node: 'keel-a', role: 'active', epoch: 7, leaseMs: 3000, renewedAgoMs: 120, lastSeq: 5120, standbys: [{ node: 'keel-b', seenSeq: 5117, lagEvents: 3, heartbeatAgoMs: 150, api: null }] },
  };
  const api = await startApiServer({ engine, token: undefined, dashboard: dashboardPlugin });
  const browser = await launchChromium();
  try {
    const status = await (await fetch(`${api.url}/api/status`)).json() as { ha: { epoch: number; standbys: Array<{ lagEvents: number }> } };
    assert.equal(status.ha.epoch, 7);
    assert.equal(status.ha.standbys[0].lagEvents, 3);
    const page = await browser.newPage();
    await page.goto(api.url + '/');
    await page.waitForSelector('#ha:not([hidden])');
    assert.equal(await page.textContent('#ha'), 'active: node keel-a · epoch 7 · lease renewed 120 ms ago · standby keel-b: 3 events behind, seen 0.2 s ago');
    const { ha: _ha, ...single } = engine.statusView;
    engine.statusView = single;
    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as { document: { getElementById(id: string): { hidden: boolean } } }).document.getElementById('ha').hidden);
  } finally {
    await browser.close();
    await api.close();
  }
});
