import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Strategy } from '../../src/strategy/index.ts';
import type { Bar } from '../../src/model/index.ts';
import { until } from '../helpers/wait.ts';
import { KEY, SECRET, openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';

/** Rests a buy limit far below the market on its first bar: an order that stays working until canceled. */
class RestingBid extends Strategy<{}> {
  static override params = {};
  private placed = false;

  override onBar(bar: Bar): void {
    if (this.placed) return;
    this.placed = true;
    this.buy(10, { limitPrice: Math.round(bar.close * 50) / 100 });
  }
}

const headers = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET };

async function workingAtVenue(url: string): Promise<string[]> {
  const open = await (await fetch(`${url}/v2/orders?status=open`, { headers })).json() as Array<{ client_order_id: string }>;
  return open.map((o) => o.client_order_id);
}

for (const cancel of [true, false]) {
  test(`a stop with shutdown.cancelWorkingOrders ${cancel ? 'on cancels the resting order at the venue, journaled' : 'off leaves it working'}`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-shutdown-'));
    const server = await startAlpacaVenue({ untilBar: 50 });
    try {
      const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
      const session = await startPaperSession(server, journal, {}, {
        strategyId: 'resting-bid', strategyClass: RestingBid as never, params: {},
        shutdown: { cancelWorkingOrders: cancel, timeoutMs: 5_000 },
      });
      await stepBars(server, session.venue, 3);
      // Under load the request may still be on its way after three bars.
      await until('the bid resting at the venue', async () => (await workingAtVenue(server.url)).includes('resting-bid-1'));
      assert.deepEqual(await workingAtVenue(server.url), ['resting-bid-1'], 'the bid rests at the venue');
      const summary = await session.stop();
      const orders = await journal.orders();
      const actions = (await journal.read({ types: ['operator.action'] })).map((r) => r.payload as { action: string; actor: string });
      await journal.close();
      if (cancel) {
        assert.deepEqual(summary.stopCancels, { sent: ['resting-bid-1'], stillWorking: [] });
        assert.deepEqual(await workingAtVenue(server.url), [], 'nothing left working at the venue');
        assert.equal(orders.find((o) => o.clientOrderId === 'resting-bid-1')?.status, 'CANCELED');
        assert.deepEqual(actions.map((a) => `${a.action} by ${a.actor}`), ['cancel-all by shutdown']);
        assert.equal(summary.final.verdict, 'ACTIVE', summary.final.lines.join('\n'));
      } else {
        assert.equal(summary.stopCancels, undefined);
        assert.deepEqual(await workingAtVenue(server.url), ['resting-bid-1'], 'still working: the operator chose to leave it');
        assert.equal(orders.find((o) => o.clientOrderId === 'resting-bid-1')?.status, 'ACCEPTED');
        assert.deepEqual(actions, []);
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
