import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { loadStrategy, resolveParams } from '../../src/strategy/index.ts';
import { rolloutSettingsSchema, strategyIdentity, type LoadedCandidate } from '../../src/lifecycle/index.ts';
import type { EngineHandle } from '../../src/runtime/index.ts';
import { startApiServer } from '../../src/server/index.ts';
import { dashboardPlugin } from '../../src/web/index.ts';
import { until } from '../helpers/wait.ts';
import { KEY, SECRET, openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';
import type { AlpacaVenueServer } from '../../src/venues/alpaca-server/index.ts';

declare const document: { getElementById(id: string): { textContent: string | null } | null };

const SYSTEM = { actor: 'system', origin: 'engine' } as const;
const TOKEN = 'rollout-dashboard-token-0b7e';

async function load(name: string, given: Record<string, unknown>): Promise<LoadedCandidate> {
  const loaded = await loadStrategy(name);
  const params = resolveParams(loaded.cls.params, Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)])), loaded.name);
  return { cls: loaded.cls, params, identity: strategyIdentity({ strategyId: 'sma-cross', loaded, params }) };
}

async function venueClientIds(server: AlpacaVenueServer): Promise<string[]> {
  const res = await fetch(`${server.url}/v2/orders?status=all&limit=500`, { headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET } });
  return ((await res.json()) as Array<{ client_order_id: string }>).map((o) => o.client_order_id);
}

async function session(settings: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'keel-rollout-engine-'));
  const venue = await startAlpacaVenue();
  const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
  const live = await load('sma-cross', { fast: 2, slow: 5 });
  let engine: EngineHandle | undefined;
  const s = await startPaperSession(venue, journal, {}, {
    identity: live.identity, rollout: { settings: rolloutSettingsSchema.parse(settings), load }, onHandle: (h) => { engine = h; },
  });
  return {
    venue, journal, s, engine: engine!, live,
    async close() { await s.stop().catch(() => {}); await journal.close(); await venue.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

test('shadow: decides on the live data, its orders simulated and journaled as shadow.order, none reaching the venue; automatic promotion on the stated agreement criterion; the dashboard shows stage and comparison', { timeout: 120_000 }, async () => {
  const t = await session({ auto: { promoteAtAgreementPct: 0, minDecisions: 3 } });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const api = await startApiServer({ engine: t.engine, token: TOKEN, dashboard: dashboardPlugin });
    try {
      // A candidate that cannot be loaded is refused in one line; the stage stays idle.
      const missing = await t.engine.rollout!.deployShadow({ strategy: '/nonexistent/v2.ts', params: {}, by: SYSTEM });
      assert.equal(missing.ok, false);
      assert.match(missing.message, /^--strategy = "\/nonexistent\/v2\.ts": file not found$/);
      const badParam = await t.engine.rollout!.deployShadow({ strategy: 'sma-cross', params: { fats: 3 }, by: SYSTEM });
      assert.equal(badParam.ok, false);
      assert.match(badParam.message, /fats/);
      assert.equal(t.engine.rollout!.view().stage, 'idle');
      const r = await t.engine.rollout!.deployShadow({ strategy: 'sma-cross', params: { fast: 3, slow: 8 }, by: SYSTEM });
      assert.ok(r.ok, r.message);
      // The same version again is refused for the stage, one line, nothing changes.
      const again = await t.engine.rollout!.deployShadow({ strategy: 'sma-cross', params: { fast: 3, slow: 8 }, by: SYSTEM });
      assert.deepEqual([again.ok, /cannot shadow in stage shadow/.test(again.message)], [false, true]);
      const page = await browser.newPage();
      await page.goto(api.url + '/');
      await stepBars(t.venue, t.s.venue, 40, 15);
      const view = t.engine.rollout!.view();
      assert.equal(view.stage, 'canary', 'promoted by the criterion');
      assert.equal(view.shadow!.decisions, 3, 'promoted right when 3 decisions were compared');
      await page.waitForFunction(() => /stage: canary/.test(document.getElementById('rollout-stage')?.textContent ?? ''), undefined, { timeout: 15_000 });
      assert.match(await page.textContent('#rollout-shadow') ?? '', /shadow agreed on \d+ of 3 decisions/);
      assert.match(await page.textContent('#rollout-history') ?? '', /shadow → canary.*criteria: shadow agreement/);
    } finally {
      await api.close();
    }
    const ids = await venueClientIds(t.venue);
    assert.ok(ids.some((id) => /^sma-cross-\d+$/.test(id)), 'the live version traded');
    assert.equal(ids.filter((id) => id.includes('shadow')).length, 0, 'the venue saw no shadow order');
    const events = await t.journal.read();
    const shadow = events.filter((e) => e.type === 'shadow.order');
    assert.ok(shadow.some((e) => (e.payload as { type: string }).type === 'order.filled'), 'shadow orders were filled by the simulator');
    const decisions = events.filter((e) => e.type === 'shadow.decision').map((e) => e.payload as { live: unknown[]; shadow: unknown[]; agree: boolean });
    assert.equal(decisions.length, 3);
    assert.ok(decisions.every((d) => d.live.length + d.shadow.length > 0));
    const stage = events.filter((e) => e.type === 'rollout.stage-changed').map((e) => e.payload as { to: string; by: string });
    assert.deepEqual(stage.map((e) => [e.to, e.by]), [['shadow', 'system from engine'], ['canary', 'criteria: shadow agreement']]);
  } finally {
    await browser.close();
    await t.close();
  }
});

test('canary past its loss budget is rolled back by itself, its position handed over (onRollback: handover): no flattening order', { timeout: 120_000 }, async () => {
  const t = await session({ canary: { fraction: 0.5, maxLoss: 0.01 }, onRollback: 'handover' });
  try {
    assert.ok((await t.engine.rollout!.deployShadow({ strategy: 'sma-cross', params: { fast: 3, slow: 6 }, by: SYSTEM })).ok);
    const p = t.engine.rollout!.promote({ by: SYSTEM });
    assert.ok(p.ok, p.message);
    for (let i = 0; i < 200 && t.engine.rollout!.view().stage === 'canary'; i += 10) await stepBars(t.venue, t.s.venue, 10, 15);
    const view = t.engine.rollout!.view();
    assert.equal(view.stage, 'rolled-back');
    const last = view.history[view.history.length - 1];
    assert.equal(last.by, 'criteria: canary loss budget');
    assert.equal(last.positions?.action, 'handover');
    const ids = await venueClientIds(t.venue);
    const canary = ids.filter((id) => id.startsWith('sma-cross-canary-'));
    assert.ok(canary.length >= 1, 'the canary traded for real');
    const events = await t.journal.read();
    assert.ok(!events.some((e) => e.type === 'order.submitted' && (e.payload as { order: { tag?: string } }).order.tag === 'rollback'), 'handover sends no order');
    const submitted = events.filter((e) => e.type === 'order.submitted' && e.stream.strategy === 'sma-cross-canary');
    assert.ok(submitted.every((e) => (e.payload as { order: { quantity: number } }).order.quantity === 50 * 1), 'half of the live 100 units');
    // Refused steps once rolled back.
    const again = t.engine.rollout!.rollback({ by: SYSTEM });
    assert.equal(again.ok, false);
    assert.match(again.message, /cannot rollback in stage rolled-back/);
  } finally {
    await t.close();
  }
});

test('full: the candidate trades at the whole size on the account\'s books, the previous version sends nothing more; a rollback is then refused', { timeout: 120_000 }, async () => {
  const t = await session({ canary: { fraction: 0.25 } });
  try {
    assert.ok((await t.engine.rollout!.deployShadow({ strategy: 'sma-cross', params: { fast: 3, slow: 6 }, by: SYSTEM })).ok);
    assert.ok(t.engine.rollout!.promote({ by: SYSTEM }).ok);
    await stepBars(t.venue, t.s.venue, 30, 15);
    const full = t.engine.rollout!.promote({ by: SYSTEM });
    assert.match(full.message, /^canary -> full/);
    let fullAt = 0;
    await until('the full step journaled', async () => {
      const steps = await t.journal.read({ types: ['rollout.stage-changed'] });
      fullAt = steps.length === 3 ? steps[2].seq : 0;
      return fullAt > 0;
    });
    await stepBars(t.venue, t.s.venue, 60, 15);
    const after = (await t.journal.read({ fromSeq: fullAt + 1, types: ['order.submitted'] })).map((e) => (e.payload as { order: { strategyId: string; quantity: number; tag?: string } }).order);
    assert.ok(!after.some((o) => o.strategyId === 'sma-cross'), `the previous version sent nothing after full: ${JSON.stringify(after)}`);
    const v2 = after.filter((o) => o.strategyId === 'sma-cross-canary');
    assert.ok(v2.length >= 1, 'the new version traded after full');
    assert.ok(v2.every((o) => o.quantity === 100), JSON.stringify(v2));
    const view = t.engine.rollout!.view();
    assert.equal(view.stage, 'full');
    assert.equal(view.live.strategyId, 'sma-cross-canary');
    assert.match(t.engine.rollout!.rollback({ by: SYSTEM }).message, /fully rolled out; deploy [0-9a-f]{12} again as a new shadow/);
    const roles = (await t.journal.read({ types: ['strategy.identity'] })).map((e) => (e.payload as { role: string }).role);
    assert.deepEqual(roles, ['live', 'shadow', 'canary', 'live']);
  } finally {
    await t.close();
  }
});

test('rollback with onRollback: flatten sends one reduce-only order for the canary\'s position, at its size, and the venue fills it', { timeout: 120_000 }, async () => {
  const t = await session({ canary: { fraction: 0.5 }, onRollback: 'flatten' });
  try {
    assert.ok((await t.engine.rollout!.deployShadow({ strategy: 'sma-cross', params: { fast: 3, slow: 6 }, by: SYSTEM })).ok);
    assert.ok(t.engine.rollout!.promote({ by: SYSTEM }).ok);
    // Bars are stepped by hand: the rollback lands while the canary holds a position, not after its own exit.
    for (let i = 0; i < 200 && (t.engine.rollout!.view().canary?.lots ?? 0) === 0; i++) await stepBars(t.venue, t.s.venue, 1, 15);
    const held = t.engine.rollout!.view().canary?.lots ?? 0;
    assert.ok(held > 0, 'the canary bought');
    const r = t.engine.rollout!.rollback({ by: SYSTEM });
    const m = /^canary -> rolled-back: .*canary position (\d+) lots flattened by (sma-cross-canary-\d+)$/.exec(r.message);
    assert.ok(m, r.message);
    assert.equal(Number(m[1]), held);
    await stepBars(t.venue, t.s.venue, 3, 15);
    await until('the flatten order filled at the venue', async () => {
      const res = await fetch(`${t.venue.url}/v2/orders?status=all&limit=500`, { headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET } });
      const orders = (await res.json()) as Array<{ client_order_id: string; side: string; qty: string; status: string }>;
      return orders.some((o) => o.client_order_id === m[2] && o.side === 'sell' && Number(o.qty) === held && o.status === 'filled');
    }, 20_000);
    const flatten = (await t.journal.read({ types: ['order.submitted'] })).map((e) => (e.payload as { order: { clientOrderId?: string; id?: string; tag?: string; reduceOnly?: boolean } }).order)
      .filter((o) => o.tag === 'rollback');
    assert.equal(flatten.length, 1, JSON.stringify(flatten));
    assert.equal(flatten[0].reduceOnly, true, 'a flatten never opens a position');
    assert.equal(t.engine.rollout!.view().stage, 'rolled-back');
  } finally {
    await t.close();
  }
});

test('a restart during a canary ends the rollout in the open: rolled back by the system, its position handed over, a warning; the next restart adds nothing', { timeout: 120_000 }, async () => {
  const t = await session({ canary: { fraction: 0.5 }, onRollback: 'flatten' });
  const running: Array<{ stop(): Promise<unknown> }> = [];
  try {
    assert.ok((await t.engine.rollout!.deployShadow({ strategy: 'sma-cross', params: { fast: 3, slow: 6 }, by: SYSTEM })).ok);
    assert.ok(t.engine.rollout!.promote({ by: SYSTEM }).ok);
    for (let i = 0; i < 200 && (t.engine.rollout!.view().canary?.lots ?? 0) === 0; i++) await stepBars(t.venue, t.s.venue, 1, 15);
    const held = t.engine.rollout!.view().canary?.lots ?? 0;
    assert.ok(held > 0, 'the canary bought');
    const candidate = t.engine.rollout!.view().candidate!.versionId;
    await t.s.stop();

    const restart = async () => {
      let engine: EngineHandle | undefined;
      const s = await startPaperSession(t.venue, t.journal, {}, {
        identity: t.live.identity, rollout: { settings: rolloutSettingsSchema.parse({ canary: { fraction: 0.5 } }), load }, onHandle: (h) => { engine = h; },
      });
      return { s, engine: engine! };
    };
    const second = await restart();
    running.push(second.s);
    const steps = async () => (await t.journal.read({ types: ['rollout.stage-changed'] })).map((e) => e.payload as { from: string; to: string; by: string; reason: string; candidateVersion: string; positions?: { action: string; lots: number } });
    await until('the rollback journaled', async () => (await steps()).at(-1)?.to === 'rolled-back', 10_000);
    const after = await steps();
    const last = after.at(-1)!;
    assert.deepEqual([last.from, last.to, last.by, last.candidateVersion], ['canary', 'rolled-back', 'system', candidate]);
    assert.match(last.reason, /^the engine restarted during the canary: a rollout does not survive a restart/);
    assert.deepEqual(last.positions && [last.positions.action, last.positions.lots], ['handover', held]);
    assert.ok(second.engine.alerts().some((a) => a.source === 'rollout' && a.severity === 'warning' && /rolled back at restart/.test(a.title)), JSON.stringify(second.engine.alerts()));
    assert.equal(second.engine.rollout!.view().stage, 'idle');
    // The account keeps the canary's shares: the live version holds them now.
    const position = second.engine.positions().find((p) => p.instrument === 'ORCL');
    assert.ok(Number(position?.quantity ?? 0) >= held, JSON.stringify(position));
    await second.s.stop();

    const third = await restart();
    running.push(third.s);
    assert.ok(!third.engine.alerts().some((a) => a.source === 'rollout'));
    await third.s.stop();
    assert.equal((await steps()).length, after.length, 'a rollout already ended is not ended again');
    running.length = 0;
  } finally {
    for (const s of running) await s.stop().catch(() => {});
    await t.close();
  }
});
