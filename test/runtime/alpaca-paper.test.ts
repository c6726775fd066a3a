import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMarketData } from '../../src/data/index.ts';
import { parseMoney, type Bar } from '../../src/model/index.ts';
import { BUILT_IN_STRATEGIES } from '../../src/strategy/index.ts';
import { runBacktest } from '../../src/backtest/index.ts';
import { parseAlpacaConfig, symbolMappings } from '../../src/venues/index.ts';
import { ORCL } from '../helpers/cli.ts';
import { alpacaConfig, openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';

const BARS = 120;

test('paper trading over Alpaca\'s API: strategy → risk gate → adapter → local venue → fills → portfolio, and the same trades as a backtest of the same bars', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-alpaca-paper-'));
  const server = await startAlpacaVenue({ untilBar: BARS });
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    const session = await startPaperSession(server, journal);
    await stepBars(server, session.venue, BARS);
    const summary = await session.stop();
    const fills = await journal.fills();
    const [balance] = await journal.balances();
    const orders = await journal.orders();
    await journal.close();

    assert.equal(summary.final.verdict, 'ACTIVE', [...summary.reconciliation.lines, ...summary.final.lines, ...session.logs].join('\n'));
    assert.equal(summary.final.mismatch, false);
    assert.ok(fills.length >= 4, `it traded: ${fills.length} fills`);
    assert.ok(orders.every((o) => o.status === 'FILLED'), 'every market order filled');

    // The venue's own books (over its REST API) agree with the journal to the cent.
    const headers = { 'APCA-API-KEY-ID': 'PKE2E', 'APCA-API-SECRET-KEY': 'e2e-secret-never-printed-91c2' };
    const account = await (await fetch(`${server.url}/v2/account`, { headers })).json() as { cash: string };
    assert.equal(BigInt(balance.cash), parseMoney(account.cash, 'cash'));

    // A backtest of the same bars (commission-free, as the venue) makes the same trades at the same prices.
    const data = loadMarketData(ORCL);
    if (data.kind !== 'bars') throw new Error('ORCL is bars');
    const instrument = symbolMappings(parseAlpacaConfig(alpacaConfig(server)))[0].instrument;
    const events: Bar[] = data.bars.slice(0, BARS).map((b) => ({ ...b, instrumentId: instrument.id }));
    const bt = runBacktest({
      strategyId: 'sma-cross', strategyClass: BUILT_IN_STRATEGIES['sma-cross'], params: { fast: 2, slow: 5 }, instrument, events,
      initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'units', units: 100 },
    });
    const trade = (f: { side: string; quantity: number; price: number; ts: number }) => `${f.ts} ${f.side} ${f.quantity}@${f.price}`;
    assert.deepEqual(fills.map(trade), bt.booker.fills.map(trade));
    assert.equal(BigInt(balance.cash), bt.portfolio.cash);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
