import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMoney, type VenueReport } from '../../src/model/index.ts';
import { SimClock } from '../../src/kernel/index.ts';
import { RiskEngine } from '../../src/risk/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import { BUILT_IN_STRATEGIES } from '../../src/strategy/index.ts';
import { openSqliteJournal } from '../../src/store/index.ts';
import { SocketVenue, percentFee } from '../../src/venues/index.ts';
import { runPaperEngine, type PaperRunSummary } from '../../src/runtime/index.ts';
import { startVenue } from '../helpers/crash-harness.ts';
import { until } from '../helpers/wait.ts';


/** Someone trades the account by hand: a market buy that fills, and a limit buy far below the market that rests. */
async function tradeByHand(port: number): Promise<void> {
  const reports: VenueReport[] = [];
  const venue = await SocketVenue.connect('127.0.0.1', port, 'paper', { sink: { onVenueReport: (r) => { reports.push(r); } } });
  try {
    const inst = venue.instrument;
    const gate = new RiskEngine({ instruments: [inst], clock: new SimClock(0) });
    const approve = (spec: Parameters<typeof buildOrder>[1], id: string) => {
      const d = gate.evaluate(buildOrder(inst, spec, id, 'by-hand', 0));
      if (!d.approved) throw new Error(d.reason);
      return d.order;
    };
    venue.start();
    venue.submit(approve({ side: 'buy', quantity: 300 }, 'manual-1'));
    venue.submit(approve({ side: 'buy', quantity: 50, limitPrice: 0.5 }, 'manual-2'));
    await until('the manual orders to be filled and working', () =>
      reports.some((r) => r.type === 'order.filled' && r.clientOrderId === 'manual-1' && r.leavesQuantity === 0)
      && reports.some((r) => r.type === 'order.accepted' && r.clientOrderId === 'manual-2'));
  } finally {
    await venue.close();
  }
}

async function reconcile(port: number, path: string, external: 'flag' | 'adopt'): Promise<PaperRunSummary> {
  const journal = await openSqliteJournal({ path });
  const venue = await SocketVenue.connect('127.0.0.1', port, 'paper');
  try {
    return await runPaperEngine({
      account: 'paper', strategyId: 'sma-cross', strategyClass: BUILT_IN_STRATEGIES['sma-cross'], params: { fast: 2, slow: 5 }, strategyVersion: 'test',
      instrument: venue.instrument, initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'units', units: 100 }, fees: percentFee('0.1'),
      journal, venue, reconcileOnly: true, external,
    });
  } finally {
    await venue.close();
    await journal.close();
  }
}

test('orders placed outside the engine are flagged by default and adopted under "external" when configured', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-external-'));
  const venue = await startVenue(400, 5);
  try {
    await tradeByHand(venue.port);

    const flagged = await reconcile(venue.port, join(dir, 'flag.sqlite'), 'flag');
    assert.equal(flagged.reconciliation.verdict, 'HALTED', flagged.reconciliation.lines.join('\n'));
    assert.deepEqual(flagged.reconciliation.plan.adopted, []);
    assert.ok(flagged.reconciliation.plan.externalFills.length > 0);
    assert.match(flagged.reconciliation.lines.join('\n'), /manual-2: an order at the venue the journal does not know[\s\S]*position ORCL: engine 0, venue 300 {2}MISMATCH/);

    const f = await openSqliteJournal({ path: join(dir, 'flag.sqlite'), readOnly: true });
    const alerts = await f.read({ types: ['alert.raised'] });
    await f.close();
    assert.equal(alerts.length, 1, 'the unexplained difference raised one alert');
    assert.deepEqual({ ...(alerts[0].payload as object), lines: undefined }, { severity: 'critical', source: 'reconciliation', title: 'reconciliation with socket:paper: HALTED', lines: undefined });

    const path = join(dir, 'adopt.sqlite');
    const adopted = await reconcile(venue.port, path, 'adopt');
    const text = adopted.reconciliation.lines.join('\n');
    assert.equal(adopted.reconciliation.verdict, 'ACTIVE', text);
    assert.deepEqual([...adopted.reconciliation.plan.adopted].sort(), ['manual-1', 'manual-2']);
    assert.match(text, /manual-1: an order at the venue the journal did not know; adopted under strategy "external"/);
    assert.match(text, /position ORCL: engine 300, venue 300\n/);
    assert.equal(adopted.reconciliation.mismatch, false);

    // The adoption is journaled: the read models have the orders under "external", and a restart knows them.
    const j = await openSqliteJournal({ path, readOnly: true });
    const orders = new Map((await j.orders()).map((o) => [o.clientOrderId, o]));
    await j.close();
    assert.equal(orders.get('manual-1')?.strategy, 'external');
    assert.equal(orders.get('manual-1')?.status, 'FILLED');
    assert.equal(orders.get('manual-2')?.status, 'ACCEPTED');
    const again = await reconcile(venue.port, path, 'adopt');
    assert.equal(again.reconciliation.verdict, 'ACTIVE', again.reconciliation.lines.join('\n'));
    assert.deepEqual(again.reconciliation.plan.adopted, []);
    assert.equal(again.reconciliation.plan.externalOrders.length, 0);
    const a = await openSqliteJournal({ path, readOnly: true });
    assert.equal((await a.read({ types: ['alert.raised'] })).length, 0, 'adopting raised no alert');
    await a.close();
  } finally {
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
