import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY, SECRET, openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';
import { until } from '../helpers/wait.ts';

/**
 * The active/standby lease guard (venueGuard) holds an order back while the lease may have run out. A renewal
 * that comes late under load is not a lost lease: the held-back order is rejected and journaled as such, trading
 * is not halted (a halt would be journaled and inherited by the next node), and the next order goes out.
 */
test('an order the lease guard holds back is rejected, journaled, never sent; trading goes on, not halted', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-lease-guard-'));
  const server = await startAlpacaVenue({ barIntervalMs: 'manual' });
  const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
  let doubt: string | undefined;
  const logs: string[] = [];
  try {
    const s = await startPaperSession(server, journal, {}, {
      venueGuard: () => doubt,
      log: { info: () => {}, warn: (m: string) => logs.push(m) },
    });
    const submitted = async () => (await journal.read({ types: ['order.submitted'] })).length;
    doubt = 'node a\'s lease (epoch 1) may have expired 73 ms ago (not renewed in time: paused or cut off)';
    for (let i = 0; i < 200 && (await submitted()) === 0; i++) await stepBars(server, s.venue, 1, 10);
    const first = (await journal.read({ types: ['order.submitted'] }))[0].payload as { order: { clientOrderId: string } };
    const id = first.order.clientOrderId;
    doubt = undefined;
    await until('the rejection journaled', async () => (await journal.read({ types: ['order.rejected'] })).some((e) => (e.payload as { clientOrderId: string }).clientOrderId === id));
    const rejected = (await journal.read({ types: ['order.rejected'] })).find((e) => (e.payload as { clientOrderId: string }).clientOrderId === id)!.payload as { reason: string };
    assert.match(rejected.reason, /^not sent: node a's lease \(epoch 1\) may have expired 73 ms ago/);
    assert.ok(logs.some((l) => l.startsWith(`order ${id} not sent: `)), logs.join('\n'));
    const res = await fetch(`${server.url}/v2/orders?status=all&limit=500`, { headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET } });
    const atVenue = ((await res.json()) as Array<{ client_order_id: string }>).map((o) => o.client_order_id);
    assert.ok(!atVenue.includes(id), 'the held-back order never reached the venue');
    // Not halted: the next order goes out and fills.
    for (let i = 0; i < 300 && (await submitted()) < 2; i++) await stepBars(server, s.venue, 1, 10);
    assert.ok((await submitted()) >= 2, 'the strategy ordered again');
    await stepBars(server, s.venue, 3, 15);
    const second = ((await journal.read({ types: ['order.submitted'] }))[1].payload as { order: { clientOrderId: string } }).order.clientOrderId;
    await until('the next order at the venue', async () => {
      const r = await fetch(`${server.url}/v2/orders?status=all&limit=500`, { headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET } });
      return ((await r.json()) as Array<{ client_order_id: string }>).some((o) => o.client_order_id === second);
    });
    assert.equal((await journal.read({ types: ['risk.state-changed'] })).length, 0, 'no trading-state change');
    const summary = await s.stop();
    assert.equal(summary.tradingState, 'ACTIVE');
  } finally {
    await journal.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
