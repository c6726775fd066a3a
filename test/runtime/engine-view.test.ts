import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineHandle, StreamEvent } from '../../src/runtime/index.ts';
import { EngineMetrics, parseExposition, sampleValue } from '../../src/ops/index.ts';
import type { AuditEvent } from '../../src/security/index.ts';
import { startAlerting } from '../../src/runtime/index.ts';
import { createServer } from 'node:http';
import { openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';

const OPERATOR = { actor: 'token', origin: 'ip:127.0.0.1' } as const;

test('the engine handle shows the books as the journal has them, and its actions go through the engine', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-view-'));
  const server = await startAlpacaVenue({ untilBar: 100 });
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    let handle: EngineHandle | undefined;
    const metrics = new EngineMetrics({ defaultMetrics: false });
    const audited: AuditEvent[] = [];
    const session = await startPaperSession(server, journal, {}, { onHandle: (h) => { handle = h; }, riskText: 'account:\n  maxOrderNotional: 50000', metrics, audit: { record: (e) => audited.push(e) } });
    const h = handle!;
    // A webhook on loopback hears the engine's alerts.
    const hooks: any[] = [];
    const hook = createServer((req, res) => { let b = ''; req.on('data', (d) => { b += d; }); req.on('end', () => { hooks.push(JSON.parse(b)); res.end(); }); });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const alerting = startAlerting(h, {
      channels: [{ type: 'webhook', name: 'hook', url: `http://127.0.0.1:${(hook.address() as { port: number }).port}/`, minSeverity: 'warning' }],
      rules: { forMs: 0, windowMs: 300_000, minOrders: 5 }, repeatIntervalMs: 3_600_000, perMinute: 20,
    } as never, () => {});
    const events: StreamEvent[] = [];
    h.subscribe((e) => events.push(e));
    await stepBars(server, session.venue, 40);

    const fills = await journal.fills();
    assert.ok(fills.length >= 2);
    assert.deepEqual(h.fills(1000).map((f) => f.tradeId).sort(), fills.map((f) => f.tradeId).sort());
    const [row] = await journal.positions();
    const pos = h.positions().find((p) => p.instrument === 'ORCL');
    assert.equal(Number(pos?.quantity ?? 0), row.lots);
    const [balance] = await journal.balances();
    assert.equal(h.pnl().cash.replace(/\D/g, '').length > 0, true);
    assert.equal(Number(h.pnl().cash), Number(BigInt(balance.cash)) / 1e12);
    assert.ok(h.equityHistory(10).length <= 11, 'thinned');
    assert.ok(h.equityHistory().length >= 30, `one sample per bar: ${h.equityHistory().length}`);
    assert.ok(events.some((e) => e.kind === 'order' && e.type === 'order.filled'), 'fills were streamed');
    assert.equal(h.status().tradingState, 'ACTIVE');
    assert.equal(h.risk().limits, 'account:\n  maxOrderNotional: 50000');

    // The engine keeps its Prometheus metrics current.
    const samples = parseExposition(await metrics.metrics());
    assert.equal(sampleValue(samples, 'keel_fills_total'), fills.length);
    assert.ok((sampleValue(samples, 'keel_market_to_order_latency_seconds_count') ?? 0) >= 1, 'market-to-order latency observed');
    assert.ok((sampleValue(samples, 'keel_order_ack_latency_seconds_count') ?? 0) >= 1, 'acknowledgement latency observed');
    assert.equal(sampleValue(samples, 'keel_venue_connected', { venue: 'alpaca' }), 1);

    // Pausing stops the strategy hearing the market: no new orders while paused.
    assert.equal(h.pauseStrategy('sma-cross', OPERATOR).ok, true);
    const before = (await journal.orders()).length;
    await stepBars(server, session.venue, 15);
    assert.equal((await journal.orders()).length, before, 'no order while paused');
    assert.equal(h.resumeStrategy('sma-cross', OPERATOR).ok, true);
    assert.equal(h.cancelOrder('nope-1', OPERATOR).ok, false);

    // The kill switch halts; a refused action says why; re-arming brings it back.
    assert.equal(h.killSwitch({ flatten: true, reason: 'drill', by: OPERATOR }).ok, true);
    assert.equal(h.status().tradingState, 'HALTED');
    await stepBars(server, session.venue, 5);
    assert.equal(h.positions().find((p) => p.instrument === 'ORCL')?.quantity ?? '0', '0', 'flattened');
    assert.ok(h.alerts().some((a) => a.source === 'kill-switch'));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(hooks.some((x) => x.severity === 'critical' && /kill switch by api:127\.0\.0\.1/.test(x.title)), JSON.stringify(hooks));
    await alerting.stop();
    hook.close();
    assert.equal(h.rearm({ reason: '', by: OPERATOR }).ok, false);
    assert.equal(h.rearm({ reason: 'drill over', by: OPERATOR }).ok, true);
    await session.stop();
    const actions = (await journal.read({ types: ['operator.action'] })).map((r) => (r.payload as { action: string; actor: string }).action);
    assert.deepEqual(actions, ['pause-strategy', 'resume-strategy', 'kill-switch', 'rearm']);
    // Every action, done or refused, reached the audit trail once, with who, from where and the outcome.
    assert.deepEqual(audited.map((e) => [e.action, e.actor, e.origin, e.target ?? null, e.result]), [
      ['pause', 'token', 'ip:127.0.0.1', 'sma-cross', { status: 'ok' }],
      ['resume', 'token', 'ip:127.0.0.1', 'sma-cross', { status: 'ok' }],
      ['cancel', 'token', 'ip:127.0.0.1', 'nope-1', { status: 'failed', reason: 'order nope-1 is not known to this engine' }],
      ['kill', 'token', 'ip:127.0.0.1', null, { status: 'ok' }],
      ['rearm', 'token', 'ip:127.0.0.1', null, { status: 'failed', reason: 'a reason is required to re-arm' }],
      ['rearm', 'token', 'ip:127.0.0.1', null, { status: 'ok' }],
    ]);
    const { canceled, flattenOrders, ...asked } = audited[3].details as { canceled: number; flattenOrders: number };
    assert.deepEqual(asked, { flatten: true, reason: 'drill' });
    assert.ok(Number.isSafeInteger(canceled) && Number.isSafeInteger(flattenOrders), 'what the kill switch did is recorded as counts');
    await journal.close();
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
