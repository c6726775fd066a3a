import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, type Fill, type OrderEvent } from '../../src/model/index.ts';
import type { Durability, Journal, NewJournalEvent } from '../../src/store/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';

/** Opens a fresh, empty journal for one test; `reopen` opens the same storage again after close. */
export interface JournalFactory {
  fresh(opts: { durability: Durability }): Promise<{ journal: Journal; reopen: () => Promise<Journal>; cleanup: () => Promise<void> }>;
}

const inst = defineInstrument({ id: 'ACME', priceTick: '0.01' });
const ev = (type: string, payload: unknown, extra: Partial<NewJournalEvent> = {}): NewJournalEvent => ({ ts: 1000, stream: { account: 'A' }, type, payload, ...extra });

function orderEvent(e: OrderEvent, strategy = 's1'): NewJournalEvent {
  return { ts: e.ts, stream: { account: 'A', strategy, instrument: 'ACME' }, type: e.type, payload: e, version: 'sha256:abc {"x":1}' };
}

function fill(id: string, tradeId: string, qty: number, side: 'buy' | 'sell' = 'buy'): Fill {
  return {
    clientOrderId: id, venueOrderId: `v-${id}`, tradeId, strategyId: 's1', instrumentId: 'ACME', side, quantity: qty as Fill['quantity'],
    price: 1000 as Fill['price'], fee: 1_250_000_000n, liquidity: 'taker', ts: 5, decisionPrice: undefined,
  };
}

/** The behaviour every Journal implementation must have (run by each implementation's test file). */
export function journalContract(name: string, factory: JournalFactory): void {
  const withJournal = (title: string, fn: (j: Journal, reopen: () => Promise<Journal>) => Promise<void>, durability: Durability = 'process') =>
    test(`${name}: ${title}`, async () => {
      const { journal, reopen, cleanup } = await factory.fresh({ durability });
      try {
        await fn(journal, reopen);
      } finally {
        await journal.close();
        await cleanup();
      }
    });

  withJournal('sequences are 1..n without gaps, in append order', async (j) => {
    assert.equal(await j.lastSeq(), 0);
    assert.deepEqual(await j.append([ev('a', 1), ev('b', 2)]), [1, 2]);
    assert.deepEqual(await j.append([ev('c', 3)]), [3]);
    assert.deepEqual((await j.read()).map((r) => [r.seq, r.type, r.payload]), [[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]);
    assert.equal(await j.lastSeq(), 3);
  });

  withJournal('concurrent appends are group-committed and never reordered', async (j) => {
    const calls = Array.from({ length: 200 }, (_, i) => j.append([ev('n', i), ev('m', i)]));
    const seqs = await Promise.all(calls);
    seqs.forEach((s, i) => assert.deepEqual(s, [2 * i + 1, 2 * i + 2]));
    const all = await j.read();
    assert.equal(all.length, 400);
    all.forEach((r, k) => assert.equal(r.payload, Math.floor(k / 2)));
  });

  withJournal('reads filter by sequence, limit, stream and type; payload bigints and the version survive', async (j) => {
    await j.append([
      ev('x', { cash: 123_456_789_012_345_678_901n, nested: [{ fee: -5n }] }, { stream: { account: 'A', strategy: 's1', instrument: 'ACME' }, version: 'v1' }),
      ev('y', null, { stream: { account: 'B' } }),
      ev('x', 'plain', { stream: { account: 'A', strategy: 's2' } }),
    ]);
    const [first] = await j.read({ limit: 1 });
    assert.deepEqual(first.payload, { cash: 123_456_789_012_345_678_901n, nested: [{ fee: -5n }] });
    assert.equal(first.version, 'v1');
    assert.deepEqual(first.stream, { account: 'A', strategy: 's1', instrument: 'ACME' });
    assert.deepEqual((await j.read({ fromSeq: 2 })).map((r) => r.seq), [2, 3]);
    assert.deepEqual((await j.read({ stream: { account: 'A' } })).map((r) => r.seq), [1, 3]);
    assert.deepEqual((await j.read({ stream: { strategy: 's2' } })).map((r) => r.seq), [3]);
    assert.deepEqual((await j.read({ types: ['y'] })).map((r) => r.seq), [2]);
    assert.equal((await j.read({ fromSeq: 2 }))[0].version, undefined);
  });

  withJournal('snapshots: the latest wins; one past the last event is refused', async (j) => {
    assert.equal(await j.latestSnapshot(), undefined);
    await j.append([ev('a', 1), ev('b', 2)]);
    await j.saveSnapshot({ seq: 1, ts: 10, state: { cash: 5n } });
    await j.saveSnapshot({ seq: 2, ts: 20, state: { cash: 7n } });
    assert.deepEqual(await j.latestSnapshot(), { seq: 2, ts: 20, state: { cash: 7n } });
    await assert.rejects(j.saveSnapshot({ seq: 3, ts: 30, state: {} }), /beyond the last journaled event/);
  });

  withJournal('read models follow an order lifecycle', async (j) => {
    const o1 = buildOrder(inst, { side: 'buy', quantity: 10, limitPrice: 10 }, 's1-1', 's1', 0);
    const o2 = buildOrder(inst, { side: 'sell', quantity: 3 }, 's1-2', 's1', 0);
    const o3 = buildOrder(inst, { side: 'buy', quantity: 1 }, 's1-3', 's1', 0);
    const events: OrderEvent[] = [
      { type: 'order.submitted', ts: 1, order: o1 },
      { type: 'order.accepted', ts: 2, clientOrderId: 's1-1', venueOrderId: 'V1' },
      { type: 'order.filled', ts: 3, clientOrderId: 's1-1', fill: fill('s1-1', 't1', 4), leavesQuantity: 6 as Fill['quantity'] },
      { type: 'order.filled', ts: 4, clientOrderId: 's1-1', fill: fill('s1-1', 't2', 6), leavesQuantity: 0 as Fill['quantity'] },
      { type: 'order.submitted', ts: 5, order: o2 },
      { type: 'order.accepted', ts: 5, clientOrderId: 's1-2', venueOrderId: 'V2' },
      { type: 'order.canceled', ts: 6, clientOrderId: 's1-2', reason: 'by strategy' },
      { type: 'order.submitted', ts: 7, order: o3 },
      { type: 'order.rejected', ts: 8, clientOrderId: 's1-3', reason: 'no buying power' },
      { type: 'order.denied', ts: 9, clientOrderId: 's1-4', check: 'order-size', reason: 'too big' },
    ];
    await j.append(events.map((e) => orderEvent(e)));
    await j.append([ev('account.balance', { currency: 'USD', cash: 1_000_000n, equity: 1_100_000n, realizedPnl: -3n })]);
    const orders = await j.orders();
    assert.deepEqual(orders.map((o) => [o.clientOrderId, o.status, o.filledQuantity, o.venueOrderId, o.reason]), [
      ['s1-1', 'FILLED', 10, 'V1', null], ['s1-2', 'CANCELED', 0, 'V2', 'by strategy'], ['s1-3', 'REJECTED', 0, null, 'no buying power'],
    ]);
    assert.deepEqual((await j.orders({ openOnly: true })).length, 0);
    const fills = await j.fills();
    assert.deepEqual(fills.map((f) => [f.tradeId, f.quantity, f.price, f.fee]), [['t1', 4, 1000, '1250000000'], ['t2', 6, 1000, '1250000000']]);
    assert.deepEqual((await j.positions()).map((p) => [p.account, p.instrument, p.lots]), [['A', 'ACME', 10]]);
    assert.deepEqual((await j.balances()).map((b) => [b.account, b.cash, b.equity, b.realizedPnl]), [['A', '1000000', '1100000', '-3']]);
  });

  withJournal('close, reopen: everything is still there and appends continue the sequence', async (j, reopen) => {
    await j.append([ev('a', 1n)]);
    await j.saveSnapshot({ seq: 1, ts: 1, state: 'S' });
    await j.close();
    await j.close(); // idempotent
    const again = await reopen();
    try {
      assert.deepEqual((await again.read()).map((r) => r.payload), [1n]);
      assert.deepEqual(await again.append([ev('b', 2)]), [2]);
      assert.equal((await again.latestSnapshot())?.state, 'S');
    } finally {
      await again.close();
    }
  });

  withJournal('machine durability works the same', async (j) => {
    assert.equal(j.durability, 'machine');
    assert.deepEqual(await j.append([ev('a', 1)]), [1]);
  }, 'machine');
}
