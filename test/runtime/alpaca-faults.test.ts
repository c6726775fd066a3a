import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/store/index.ts';
import type { AlpacaVenueServer } from '../../src/venues/alpaca-server/index.ts';
import { KEY, SECRET, openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars, type PaperSession } from '../helpers/alpaca-paper.ts';
import { until } from '../helpers/wait.ts';

const HEADERS = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET };

async function venueGet<T>(server: AlpacaVenueServer, path: string): Promise<T> {
  return await (await fetch(`${server.url}${path}`, { headers: HEADERS })).json() as T;
}

/**
 * Run sma-cross over `bars` bars with a fault switched on by `during` (called with the session once it is
 * trading), then check that the engine ends in agreement with the venue: the same orders, each once, every
 * venue fill in the journal exactly once, the same position and cash.
 */
async function withFault(bars: number, during: (server: AlpacaVenueServer, session: PaperSession, journal: Journal) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'keel-alpaca-fault-'));
  const server = await startAlpacaVenue({ untilBar: bars + 10 });
  try {
    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    const session = await startPaperSession(server, journal);
    await during(server, session, journal);
    server.faults.reset();
    await stepBars(server, session.venue, 3);
    const summary = await session.stop();
    const text = [...summary.reconciliation.lines, ...summary.final.lines].join('\n');
    const orders = await journal.orders();
    const fills = await journal.fills();
    const [balance] = await journal.balances();
    const unknown = await journal.read({ types: ['order.unknown'] });
    await journal.close();

    const venueOrders = await venueGet<Array<{ client_order_id: string; status: string }>>(server, '/v2/orders?status=all&limit=500&direction=asc');
    const ids = venueOrders.map((o) => o.client_order_id);
    assert.equal(new Set(ids).size, ids.length, 'no client order id reached the venue twice');
    assert.deepEqual([...ids].sort(), orders.map((o) => o.clientOrderId).filter((id) => ids.includes(id)).sort(), 'the journal knows every venue order');
    const activities = await venueGet<Array<{ id: string; qty: string }>>(server, '/v2/account/activities/FILL?page_size=100&direction=asc');
    assert.equal(fills.length >= activities.length, true, 'every venue fill is in the journal');
    assert.equal(summary.final.mismatch, false, text);
    assert.equal(summary.final.verdict, 'ACTIVE', `${text}\n${session.logs.join('\n')}`);
    return { summary, orders, fills, balance, unknown, stats: server.stats(), logs: session.logs, venueOrders };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}


test('a lost acknowledgement (order accepted, response never sent) never becomes a second order', { timeout: 60_000 }, async () => {
  const r = await withFault(60, async (server, s) => {
    server.faults.arm('lostAck', 2);
    await stepBars(server, s.venue, 60);
  });
  assert.equal(r.stats.faults.lostAcks, 2, 'both armed acks were lost');
  // Each lost answer was settled from the venue (the stream had already reported the order, or a lookup by
  // client order id found it), never by sending the order again.
  assert.equal(r.logs.filter((l) => /answer lost/.test(l)).length, 2, r.logs.join('\n'));
  assert.ok(r.orders.every((o) => o.status === 'FILLED'), 'and each order was settled and filled');
});

test('a dropped trade stream reconnects and catches up by REST: no fill lost, none booked twice', { timeout: 60_000 }, async () => {
  const r = await withFault(60, async (server, s) => {
    server.faults.set({ wsDropAfterMessages: 6 }); // every stream connection is cut at its 7th message
    await stepBars(server, s.venue, 60, 30);
  });
  assert.ok(r.stats.faults.wsDrops >= 2, `streams were cut: ${r.stats.faults.wsDrops}`);
  assert.ok(r.logs.filter((l) => /trade stream connected/.test(l)).length >= 2, `the trade stream reconnected:\n${r.logs.filter((l) => /stream/.test(l)).join('\n')}`);
  assert.ok(r.fills.length >= 4);
});

test('429 past the venue\'s rate: the adapter backs off per Retry-After and every order goes through once', { timeout: 60_000 }, async () => {
  const r = await withFault(40, async (server, s) => {
    server.faults.set({ rateLimit: { requests: 2, windowMs: 1_500 } });
    await stepBars(server, s.venue, 40, 30);
  });
  assert.ok(r.stats.faults.rateLimited > 0, 'the venue answered 429');
  assert.ok(r.orders.every((o) => o.status === 'FILLED'), r.orders.map((o) => `${o.clientOrderId} ${o.status}`).join(', '));
});

test('a request timeout marks the order UNKNOWN, then a lookup by client order id resolves it', { timeout: 60_000 }, async () => {
  const r = await withFault(60, async (server, s, journal) => {
    await stepBars(server, s.venue, 10);
    // Answers slower than the adapter's 2 s timeout, and a silent trade stream: nothing tells the adapter
    // whether its order arrived, so it must say UNKNOWN rather than guess.
    server.faults.set({ latencyMs: 2_500, lostUpdateProbability: 1 });
    const unknown = async () => (await journal.read({ types: ['order.unknown'] })).length > 0;
    for (let i = 0; i < 40 && !(await unknown()); i++) {
      server.step(1);
      await new Promise((res) => setTimeout(res, 100));
    }
    await until('an UNKNOWN order', unknown);
    server.faults.set({ latencyMs: 0, lostUpdateProbability: 0 });
    await until('it to be resolved', async () => (await journal.orders()).every((o) => o.status !== 'UNKNOWN'));
    await stepBars(server, s.venue, 10);
  });
  assert.ok(r.unknown.length >= 1);
  assert.match(JSON.stringify(r.unknown[0].payload), /timeout/i);
});

test('random rejects and split fills: rejected orders are booked as such, partial fills add up exactly', { timeout: 60_000 }, async () => {
  const r = await withFault(60, async (server, s) => {
    server.faults.set({ rejectProbability: 0.25, partialFillProbability: 0.5 });
    await stepBars(server, s.venue, 60);
  });
  assert.ok(r.stats.faults.rejected > 0 && r.orders.some((o) => o.status === 'REJECTED'), 'some orders were rejected');
  assert.ok(r.stats.faults.splitFills > 0 && r.fills.length > r.orders.filter((o) => o.status === 'FILLED').length, 'some fills came in parts');
});

test('a venue restart: the adapter reconnects and the engine carries on in agreement', { timeout: 60_000 }, async () => {
  const r = await withFault(50, async (server, s) => {
    await stepBars(server, s.venue, 20);
    await server.restart({ downMs: 300 });
    await new Promise((res) => setTimeout(res, 500));
    await stepBars(server, s.venue, 30, 30);
  });
  assert.equal(r.stats.restarts, 1);
  assert.ok(r.logs.filter((l) => /trade stream connected/.test(l)).length >= 2, 'the trade stream reconnected');
});
