import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineInstrument, KeelError, type Fill, type OrderEvent, type OrderRequest } from '../../src/model/index.ts';
import { encodePayload, type Durability, type Journal, type NewJournalEvent } from '../../src/store/index.ts';
import { journalFingerprint } from '../../src/store/backup/index.ts';
import { crashBetweenCommits, type CrashWindow } from '../helpers/read-model-crash.ts';
import { buildOrder } from '../../src/backtest/index.ts';

/**
 * The behaviour every Journal implementation must have. Each implementation's test file calls
 * `journalContract` once with a factory that makes a fresh, empty journal per test:
 *
 * @example
 * journalContract('sqlite', async ({ durability }) => {
 *   const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
 *   const path = join(dir, 'journal.sqlite');
 *   return { journal: await openSqliteJournal({ path, durability }), reopen: () => openSqliteJournal({ path, durability }), cleanup: async () => rmSync(dir, { recursive: true }) };
 * });
 */
export interface JournalUnderTest {
  readonly journal: Journal;
  /** Open the same storage again (called after `journal` was closed). */
  readonly reopen: () => Promise<Journal>;
  /** Open the same storage read-only, as `keel state` does (possibly while `journal` writes). */
  readonly readOnly: () => Promise<Journal>;
  /** How a writer process of this storage dies between an event commit and its read models' commit. */
  readonly crashWindow: CrashWindow;
  /** Remove the storage (temp directory, schema); runs after the test, pass or fail. */
  readonly cleanup?: () => Promise<void>;
}


export type FreshJournal = (opts: { durability: Durability }) => Promise<JournalUnderTest>;

/** The factory as an object (`{ fresh }`) or as the function itself. */
export type JournalFactory = { readonly fresh: FreshJournal } | FreshJournal;

const BOTH: readonly Durability[] = ['process', 'machine'];
const acme = defineInstrument({ id: 'ACME', priceTick: '0.01' });
const beta = defineInstrument({ id: 'BETA', priceTick: '0.01' });

const ev = (type: string, payload: unknown, extra: Partial<NewJournalEvent> = {}): NewJournalEvent => ({ ts: 1000, stream: { account: 'A' }, type, payload, ...extra });

/** An order event as the engine's JournalWriter journals it: the OrderEvent is the payload, its tag the type. */
function orderEvent(e: OrderEvent, account = 'A', instrument = 'ACME'): NewJournalEvent {
  return { ts: e.ts, stream: { account, strategy: 's1', instrument }, type: e.type, payload: e, version: 'sha256:abc {"fast":10}' };
}

function fill(id: string, tradeId: string, qty: number, o: { side?: 'buy' | 'sell'; instrument?: string; price?: number; fee?: bigint } = {}): Fill {
  return {
    clientOrderId: id, venueOrderId: `V-${id}`, tradeId, strategyId: 's1', instrumentId: o.instrument ?? 'ACME', side: o.side ?? 'buy',
    quantity: qty as Fill['quantity'], price: (o.price ?? 1000) as Fill['price'], fee: o.fee ?? 1_250_000_000n, liquidity: 'taker', ts: 5, decisionPrice: undefined,
  };
}

const lots = (n: number) => n as Fill['quantity'];
const isCode = (code: string) => (e: unknown) => e instanceof KeelError && e.code === code && !e.message.includes('\n');

/**
 * A realistic stretch of trading: every order event type, two instruments, two accounts, partial fills,
 * a modification answered after a partial fill, a cancel, a reject, a denial, an unknown outcome.
 */
function lifecycle(): NewJournalEvent[] {
  const o1 = buildOrder(acme, { side: 'buy', quantity: 10, limitPrice: 10 }, 's1-1', 's1', 0);
  const o2 = buildOrder(acme, { side: 'sell', quantity: 3 }, 's1-2', 's1', 0);
  const o3 = buildOrder(acme, { side: 'buy', quantity: 1 }, 's1-3', 's1', 0);
  const o5 = buildOrder(beta, { side: 'buy', quantity: 5, limitPrice: 20 }, 's1-5', 's1', 0);
  const o5b: OrderRequest = { ...o5, quantity: lots(8) };
  const o6 = buildOrder(acme, { side: 'sell', quantity: 2, limitPrice: 11 }, 's1-6', 's1', 0);
  const o7 = buildOrder(acme, { side: 'buy', quantity: 1, limitPrice: 9 }, 's1-7', 's1', 0);
  const o8 = buildOrder(acme, { side: 'buy', quantity: 1, limitPrice: 9 }, 's1-8', 's1', 0);
  const b1 = buildOrder(acme, { side: 'sell', quantity: 4 }, 'b-1', 's1', 0);
  const a = (e: OrderEvent) => orderEvent(e);
  return [
    a({ type: 'order.submitted', ts: 1, order: o1 }),
    a({ type: 'order.accepted', ts: 2, clientOrderId: 's1-1', venueOrderId: 'V1' }),
    ev('risk.state-changed', { from: 'ACTIVE', to: 'REDUCING' }),
    a({ type: 'order.filled', ts: 3, clientOrderId: 's1-1', fill: fill('s1-1', 't1', 4), leavesQuantity: lots(6) }),
    a({ type: 'order.filled', ts: 4, clientOrderId: 's1-1', fill: fill('s1-1', 't2', 6, { price: 1001, fee: 7n }), leavesQuantity: lots(0) }),
    a({ type: 'order.submitted', ts: 5, order: o2 }),
    a({ type: 'order.accepted', ts: 5, clientOrderId: 's1-2', venueOrderId: 'V2' }),
    ev('order.cancel-requested', { type: 'order.cancel-requested', ts: 6, clientOrderId: 's1-2', reason: 'by strategy' }),
    a({ type: 'order.canceled', ts: 6, clientOrderId: 's1-2', reason: 'by strategy' }),
    a({ type: 'order.submitted', ts: 7, order: o3 }),
    a({ type: 'order.rejected', ts: 8, clientOrderId: 's1-3', reason: 'no buying power' }),
    a({ type: 'order.denied', ts: 9, clientOrderId: 's1-4', check: 'order-size', reason: 'too big' }),
    orderEvent({ type: 'order.submitted', ts: 10, order: o5 }, 'A', 'BETA'),
    orderEvent({ type: 'order.accepted', ts: 11, clientOrderId: 's1-5', venueOrderId: 'V5' }, 'A', 'BETA'),
    orderEvent({ type: 'order.filled', ts: 12, clientOrderId: 's1-5', fill: fill('s1-5', 't3', 2, { instrument: 'BETA', price: 2000 }), leavesQuantity: lots(3) }, 'A', 'BETA'),
    orderEvent({ type: 'order.pending-update', ts: 13, clientOrderId: 's1-5', order: o5b }, 'A', 'BETA'),
    orderEvent({ type: 'order.updated', ts: 14, clientOrderId: 's1-5', order: o5b }, 'A', 'BETA'),
    a({ type: 'order.submitted', ts: 15, order: o6 }),
    a({ type: 'order.accepted', ts: 16, clientOrderId: 's1-6', venueOrderId: 'V6' }),
    a({ type: 'order.filled', ts: 17, clientOrderId: 's1-6', fill: fill('s1-6', 't4', 1, { side: 'sell', price: 1100 }), leavesQuantity: lots(1) }),
    a({ type: 'order.unknown', ts: 18, clientOrderId: 's1-6', reason: 'cancel timed out' }),
    a({ type: 'order.submitted', ts: 19, order: o7 }),
    a({ type: 'order.accepted', ts: 20, clientOrderId: 's1-7', venueOrderId: 'V7' }),
    a({ type: 'order.expired', ts: 21, clientOrderId: 's1-7' }),
    a({ type: 'order.submitted', ts: 22, order: o8 }),
    a({ type: 'order.accepted', ts: 23, clientOrderId: 's1-8', venueOrderId: 'V8' }),
    a({ type: 'order.update-denied', ts: 24, clientOrderId: 's1-8', check: 'price-collar', reason: 'too far' }),
    a({ type: 'order.pending-update', ts: 25, clientOrderId: 's1-8', order: { ...o8, quantity: lots(2) } }),
    a({ type: 'order.update-rejected', ts: 26, clientOrderId: 's1-8', reason: 'too late' }),
    orderEvent({ type: 'order.submitted', ts: 27, order: b1 }, 'B'),
    orderEvent({ type: 'order.accepted', ts: 28, clientOrderId: 'b-1', venueOrderId: 'VB1' }, 'B'),
    orderEvent({ type: 'order.filled', ts: 29, clientOrderId: 'b-1', fill: fill('b-1', 't5', 4, { side: 'sell' }), leavesQuantity: lots(0) }, 'B'),
    ev('account.balance', { currency: 'USD', cash: 1_000_000n, equity: 1_100_000n, realizedPnl: -3n }),
    ev('account.balance', { currency: 'EUR', cash: 5n, equity: 5n, realizedPnl: 0n }),
    ev('account.balance', { currency: 'USD', cash: 123_456_789_012_345_678_901n, equity: 2n, realizedPnl: -4n }),
    ev('account.balance', { currency: 'USD', cash: 9n, equity: 9n, realizedPnl: 0n }, { stream: { account: 'B' } }),
  ];
}

/** What the read models must say after `lifecycle()` (rows as compact tuples). */
async function assertLifecycleReadModels(j: Journal): Promise<void> {
  assert.deepEqual((await j.orders()).map((o) => [o.clientOrderId, o.account, o.instrument, o.side, o.type, o.quantity, o.filledQuantity, o.status, o.venueOrderId, o.reason, o.updatedSeq]), [
    ['s1-1', 'A', 'ACME', 'buy', 'limit', 10, 10, 'FILLED', 'V1', null, 5],
    ['s1-2', 'A', 'ACME', 'sell', 'market', 3, 0, 'CANCELED', 'V2', 'by strategy', 9],
    ['s1-3', 'A', 'ACME', 'buy', 'market', 1, 0, 'REJECTED', null, 'no buying power', 11],
    ['s1-5', 'A', 'BETA', 'buy', 'limit', 8, 2, 'PARTIALLY_FILLED', 'V5', null, 17],
    ['s1-6', 'A', 'ACME', 'sell', 'limit', 2, 1, 'UNKNOWN', 'V6', 'cancel timed out', 21],
    ['s1-7', 'A', 'ACME', 'buy', 'limit', 1, 0, 'EXPIRED', 'V7', null, 24],
    ['s1-8', 'A', 'ACME', 'buy', 'limit', 1, 0, 'ACCEPTED', 'V8', null, 29],
    ['b-1', 'B', 'ACME', 'sell', 'market', 4, 4, 'FILLED', 'VB1', null, 32],
  ]);
  assert.deepEqual((await j.orders({ openOnly: true })).map((o) => o.clientOrderId), ['s1-5', 's1-6', 's1-8']);
  assert.deepEqual((await j.orders({ account: 'B' })).map((o) => o.clientOrderId), ['b-1']);
  assert.deepEqual((await j.orders({ account: 'A', openOnly: true })).map((o) => o.clientOrderId), ['s1-5', 's1-6', 's1-8']);

  const fills = await j.fills();
  assert.deepEqual(fills.map((f) => [f.seq, f.tradeId, f.clientOrderId, f.account, f.strategy, f.instrument, f.side, f.quantity, f.price, f.fee, f.ts]), [
    [4, 't1', 's1-1', 'A', 's1', 'ACME', 'buy', 4, 1000, '1250000000', 5],
    [5, 't2', 's1-1', 'A', 's1', 'ACME', 'buy', 6, 1001, '7', 5],
    [15, 't3', 's1-5', 'A', 's1', 'BETA', 'buy', 2, 2000, '1250000000', 5],
    [20, 't4', 's1-6', 'A', 's1', 'ACME', 'sell', 1, 1100, '1250000000', 5],
    [32, 't5', 'b-1', 'B', 's1', 'ACME', 'sell', 4, 1000, '1250000000', 5],
  ]);
  assert.deepEqual((await j.fills({ fromSeq: 15 })).map((f) => f.tradeId), ['t3', 't4', 't5']);
  assert.deepEqual((await j.fills({ account: 'B' })).map((f) => f.tradeId), ['t5']);

  assert.deepEqual((await j.positions()).map((p) => [p.account, p.instrument, p.lots, p.updatedSeq]), [
    ['A', 'ACME', 9, 20], ['A', 'BETA', 2, 15], ['B', 'ACME', -4, 32],
  ]);
  assert.deepEqual((await j.positions({ account: 'B' })).map((p) => p.lots), [-4]);

  assert.deepEqual((await j.balances()).map((b) => [b.account, b.currency, b.cash, b.equity, b.realizedPnl, b.updatedSeq]), [
    ['A', 'EUR', '5', '5', '0', 34],
    ['A', 'USD', '123456789012345678901', '2', '-4', 35],
    ['B', 'USD', '9', '9', '0', 36],
  ]);
  assert.deepEqual((await j.balances({ account: 'B' })).map((b) => b.currency), ['USD']);
}

/**
 * Register the contract's tests with node:test, named `${name}: …`. Read-model rows come back in a fixed
 * order: orders by last change (updatedSeq, then client order id), fills by seq, positions by account and
 * instrument, balances by account and currency.
 */
export function journalContract(name: string, factory: JournalFactory): void {
  const fresh: FreshJournal = typeof factory === 'function' ? factory : (opts) => factory.fresh(opts);
  const it = (title: string, fn: (j: Journal, reopen: () => Promise<Journal>, t: JournalUnderTest) => Promise<void>, durabilities: readonly Durability[] = ['process']) => {
    for (const durability of durabilities) {
      test(`${name}${durabilities.length > 1 ? ` (${durability})` : ''}: ${title}`, async () => {
        const t = await fresh({ durability });
        try {
          assert.equal(t.journal.durability, durability);
          await fn(t.journal, t.reopen, t);
        } finally {
          await t.journal.close();
          await t.cleanup?.();
        }
      });
    }
  };

  it('sequences are 1..n without gaps, in append order', async (j) => {
    assert.equal(await j.lastSeq(), 0);
    assert.deepEqual(await j.read(), []);
    assert.deepEqual(await j.append([ev('a', 1), ev('b', 2)]), [1, 2]);
    assert.deepEqual(await j.append([]), []);
    assert.deepEqual(await j.append([ev('c', 3)]), [3]);
    assert.deepEqual((await j.read()).map((r) => [r.seq, r.type, r.payload]), [[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]);
    assert.equal(await j.lastSeq(), 3);
  }, BOTH);

  it('concurrent appends are group-committed and never reordered', async (j) => {
    // Calls of 1 to 3 events, some made from promise callbacks while earlier batches are committing.
    const calls: Array<Promise<readonly number[]>> = [];
    const sizes: number[] = [];
    let next = 0;
    const call = () => {
      const size = 1 + (calls.length % 3);
      const events = Array.from({ length: size }, () => ev('n', next++));
      sizes.push(size);
      calls.push(j.append(events));
    };
    for (let i = 0; i < 300; i++) call();
    await Promise.all(calls.slice(0, 10).map((p) => p.then(() => { call(); call(); })));
    for (let i = 0; i < 100; i++) call();
    const seqs = await Promise.all(calls);
    let expected = 1;
    seqs.forEach((s, i) => {
      assert.deepEqual(s, Array.from({ length: sizes[i] }, (_, k) => expected + k), `call ${i}`);
      expected += sizes[i];
    });
    const all = await j.read();
    assert.equal(all.length, next);
    all.forEach((r, k) => assert.deepEqual([r.seq, r.payload], [k + 1, k]));
    assert.equal(await j.lastSeq(), next);
  }, BOTH);

  it('a bad event fails its own append call only, with a one-line error; the sequence has no gap', async (j) => {
    const circular: { self?: unknown } = {};
    circular.self = circular;
    const a = j.append([ev('a', 1)]);
    const bad = [
      j.append([ev('ok', 0), ev('b', undefined)]),
      j.append([ev('b', 1, { ts: Number.NaN })]),
      j.append([ev('', 1)]),
      j.append([{ ts: 1, stream: { account: '' }, type: 'b', payload: 1 }]),
      // Order events the read models could not read (a fill without its fill, a balance in floats).
      j.append([ev('order.filled', { type: 'order.filled', ts: 1, clientOrderId: 'c-1', leavesQuantity: 0 })]),
      j.append([ev('account.balance', { currency: 'USD', cash: 1.5, equity: 1.5, realizedPnl: 0 })]),
      j.append([ev('b', circular)]),
    ];
    const c = j.append([ev('c', 2)]);
    for (const p of bad.slice(0, 6)) await assert.rejects(p, isCode('BAD_JOURNAL_EVENT'));
    await assert.rejects(bad[6]);
    assert.deepEqual([await a, await c], [[1], [2]]);
    assert.deepEqual((await j.read()).map((r) => r.type), ['a', 'c']);
  });

  it('reads filter by sequence, limit, stream and type', async (j) => {
    await j.append([
      ev('x', 1, { stream: { account: 'A', strategy: 's1', instrument: 'ACME' } }),
      ev('y', 2, { stream: { account: 'B' } }),
      ev('x', 3, { stream: { account: 'A', strategy: 's2' } }),
      ev('z', 4, { stream: { account: 'A', strategy: 's1', instrument: 'BETA' } }),
      ev('x', 5, { stream: { account: 'A', strategy: 's1', instrument: 'ACME' } }),
    ]);
    const seqs = async (o: Parameters<Journal['read']>[0]) => (await j.read(o)).map((r) => r.seq);
    assert.deepEqual(await seqs({ fromSeq: 2 }), [2, 3, 4, 5]);
    assert.deepEqual(await seqs({ fromSeq: 6 }), []);
    assert.deepEqual(await seqs({ limit: 2 }), [1, 2]);
    assert.deepEqual(await seqs({ limit: 0 }), []);
    assert.deepEqual(await seqs({ fromSeq: 3, limit: 2 }), [3, 4]);
    assert.deepEqual(await seqs({ stream: { account: 'A' } }), [1, 3, 4, 5]);
    assert.deepEqual(await seqs({ stream: { strategy: 's2' } }), [3]);
    assert.deepEqual(await seqs({ stream: { account: 'A', strategy: 's1', instrument: 'ACME' } }), [1, 5]);
    assert.deepEqual(await seqs({ stream: { instrument: 'BETA' } }), [4]);
    assert.deepEqual(await seqs({ types: ['y'] }), [2]);
    assert.deepEqual(await seqs({ types: ['x', 'z'] }), [1, 3, 4, 5]);
    assert.deepEqual(await seqs({ types: [] }), []);
    assert.deepEqual(await seqs({ types: ['x'], stream: { strategy: 's1' }, fromSeq: 2, limit: 5 }), [5]);
  });

  it('payloads round-trip exactly: bigints (Money), nesting, key order; stream and version as given', async (j) => {
    const payload = {
      cash: 123_456_789_012_345_678_901n, zero: 0n, negative: -5n, nested: [{ fee: -1_250_000_000n, tags: ['a', null] }], text: 'ünïcode "quoted"', n: 1.5, ok: true,
    };
    await j.append([
      ev('x', payload, { stream: { account: 'A', strategy: 's1', instrument: 'ACME' }, version: 'sha256:abc {"fast":10}' }),
      ev('y', null, { stream: { account: 'B' } }),
      ev('z', 7n, { stream: { account: 'A', instrument: 'ACME' } }),
    ]);
    const [x, y, z] = await j.read();
    assert.deepEqual(x, { seq: 1, ts: 1000, stream: { account: 'A', strategy: 's1', instrument: 'ACME' }, type: 'x', payload, version: 'sha256:abc {"fast":10}' });
    assert.deepEqual(Object.keys(x.payload as object), Object.keys(payload));
    assert.deepEqual(y, { seq: 2, ts: 1000, stream: { account: 'B' }, type: 'y', payload: null });
    assert.equal('version' in y, false);
    assert.deepEqual(z.stream, { account: 'A', instrument: 'ACME' });
    assert.equal(z.payload, 7n);
  });

  it('snapshots: the latest wins; one past the last event is refused', async (j) => {
    assert.equal(await j.latestSnapshot(), undefined);
    await assert.rejects(j.saveSnapshot({ seq: 1, ts: 10, state: {} }), isCode('BAD_SNAPSHOT'));
    await j.append([ev('a', 1), ev('b', 2), ev('c', 3)]);
    await j.saveSnapshot({ seq: 1, ts: 10, state: { cash: 5n } });
    await j.saveSnapshot({ seq: 3, ts: 30, state: { cash: 7n, orders: [{ id: 'x' }] } });
    await j.saveSnapshot({ seq: 2, ts: 20, state: { cash: 6n } });
    assert.deepEqual(await j.latestSnapshot(), { seq: 3, ts: 30, state: { cash: 7n, orders: [{ id: 'x' }] } });
    await j.saveSnapshot({ seq: 3, ts: 31, state: 'again' });
    assert.deepEqual(await j.latestSnapshot(), { seq: 3, ts: 31, state: 'again' });
    await assert.rejects(j.saveSnapshot({ seq: 4, ts: 40, state: {} }), isCode('BAD_SNAPSHOT'));
    await assert.rejects(j.saveSnapshot({ seq: 4, ts: 40, state: {} }), /beyond the last journaled event/);
    // A snapshot taken right after an append (not yet awaited) may name the appended events.
    const pending = j.append([ev('d', 4)]);
    await j.saveSnapshot({ seq: 4, ts: 40, state: 'tail' });
    assert.deepEqual(await pending, [4]);
    assert.equal((await j.latestSnapshot())?.seq, 4);
  });

  it('read models follow a realistic order lifecycle', async (j) => {
    await j.append(lifecycle());
    await assertLifecycleReadModels(j);
  }, BOTH);

  it('read models are the same whatever the batching', async (j) => {
    // One committed call per event: every event is a batch of its own, and the projector sees each order's
    // earlier events only through what the read models stored.
    const seqs: number[] = [];
    for (const e of lifecycle()) seqs.push(...await j.append([e]));
    assert.deepEqual(seqs, lifecycle().map((_, i) => i + 1));
    await assertLifecycleReadModels(j);
  });

  it('a client order id names one order: a repeated intent does not reset it', async (j) => {
    const o = buildOrder(acme, { side: 'buy', quantity: 2 }, 'dup-1', 's1', 0);
    await j.append([
      orderEvent({ type: 'order.submitted', ts: 1, order: o }),
      orderEvent({ type: 'order.filled', ts: 2, clientOrderId: 'dup-1', fill: fill('dup-1', 't1', 2), leavesQuantity: lots(0) }),
    ]);
    await j.append([orderEvent({ type: 'order.submitted', ts: 3, order: { ...o, quantity: lots(5) } })]);
    assert.deepEqual((await j.orders()).map((r) => [r.clientOrderId, r.quantity, r.filledQuantity, r.status]), [['dup-1', 2, 2, 'FILLED']]);
    assert.equal((await j.read()).length, 3, 'the journal still records what happened');
  });

  it('close, reopen: everything is still there and appends continue the sequence', async (j, reopen) => {
    await j.append(lifecycle());
    await j.saveSnapshot({ seq: 3, ts: 1, state: { cash: 1n } });
    const before = await j.read();
    const queued = j.append([ev('last', 'queued before close')]);
    await j.close();
    await j.close(); // idempotent
    assert.deepEqual(await queued, [before.length + 1], 'an append made before close is committed, not dropped');
    await assert.rejects(j.append([ev('late', 1)]), isCode('JOURNAL_CLOSED'));
    const again = await reopen();
    try {
      const after = await again.read();
      assert.deepEqual(after.slice(0, before.length), before);
      assert.equal(after.at(-1)?.payload, 'queued before close');
      assert.equal(await again.lastSeq(), before.length + 1);
      assert.deepEqual(await again.latestSnapshot(), { seq: 3, ts: 1, state: { cash: 1n } });
      await assertLifecycleReadModels(again);
      assert.deepEqual(await again.append([ev('b', 2)]), [before.length + 2]);
      await again.close();
      await again.close();
    } finally {
      await again.close();
    }
  }, BOTH);

  it('read models commit after the events, yet every reader answers as of the last committed event', async (j, _reopen, t) => {
    const reader = await t.readOnly();
    try {
      for (const e of lifecycle()) {
        const [seq] = await j.append([e]);
        // The reader asks first, while the writer's read-model commit may still be pending.
        await reader.settleReadModels();
        const seen = await readModels(reader);
        assert.deepEqual(seen, await readModels(j), `after event ${seq}, the reader and the writer agree`);
        assert.equal(await j.settleReadModels(), seq, 'the writer caught its read models up before answering');
      }
      await assertLifecycleReadModels(reader);
      // Whether the reader ever found the rows behind here is a race (on PostgreSQL the writer's read-model
      // commit often wins on a busy machine), so it is not asserted: the crash-window test below leaves the rows
      // behind for certain and checks the readers' overlay there.
    } finally {
      await reader.close();
    }
  }, BOTH);

  it('a crash between an event commit and its read models\' commit: readers lay the events over the rows, the next open folds them', async (j, reopen, t) => {
    await j.close(); // the child is the writer
    const dir = mkdtempSync(join(tmpdir(), 'keel-crash-window-'));
    try {
      const events = lifecycle();
      const file = join(dir, 'events.json');
      writeFileSync(file, encodePayload(events));
      const settled = 15; // orders, a position and a fill in the stored read models; updates of them, and new rows, after
      const held = await crashBetweenCommits(file, settled, t.crashWindow);
      assert.equal(held.durable, events.length, 'the child\'s last append was acknowledged before it died');

      const reader = await t.readOnly();
      try {
        assert.equal(await reader.lastSeq(), events.length);
        assert.equal(await reader.settleReadModels(), settled, 'the crash left the stored read models at the settled events');
        await assertLifecycleReadModels(reader);
      } finally {
        await reader.close();
      }

      const again = await reopen();
      try {
        const look = await t.readOnly();
        try {
          assert.equal(await look.settleReadModels(), events.length, 'opening for writing folded the events the crash left behind');
        } finally {
          await look.close();
        }
        await assertLifecycleReadModels(again);
        // Everything the journal answers is what a journal that never crashed answers.
        const clean = await fresh({ durability: 'process' });
        try {
          await clean.journal.append(events);
          assert.equal(await journalFingerprint(again, { audit: false }), await journalFingerprint(clean.journal, { audit: false }));
        } finally {
          await clean.journal.close();
          await clean.cleanup?.();
        }
        assert.deepEqual(await again.append([ev('after', 1)]), [events.length + 1]);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function readModels(j: Journal) {
  return { orders: await j.orders(), open: await j.orders({ openOnly: true }), a: await j.orders({ account: 'A' }), fills: await j.fills(), late: await j.fills({ fromSeq: 15 }), positions: await j.positions(), balances: await j.balances(), b: await j.balances({ account: 'B' }) };
}
