import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { KeelError } from '../../src/model/index.ts';
import { LeaderLease, openPostgresJournal, type PostgresJournal } from '../../src/store/postgres/index.ts';
import type { NewJournalEvent } from '../../src/store/index.ts';

/**
 * The leader lease and the fencing epoch on the real PostgreSQL server (127.0.0.1:5432, database test;
 * KEEL_TEST_POSTGRES_URL overrides). Each test has a schema of its own, dropped afterwards.
 */
const URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const connection = { url: URL };

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function withSchema(fn: (schema: string, closeLater: (x: { close(): Promise<void> }) => void) => Promise<void>): Promise<void> {
  const schema = `keel_lease_${process.pid}_${randomBytes(4).toString('hex')}`;
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    await fn(schema, (x) => opened.push(x));
  } finally {
    for (const x of opened.reverse()) await x.close().catch(() => {});
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  }
}

const ev = (type: string, payload: unknown = {}): NewJournalEvent => ({ ts: 1, stream: { account: 'A' }, type, payload });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a live lease cannot be taken; an expired one is, with the next epoch, and the old holder cannot renew it', async () => {
  await withSchema(async (schema, later) => {
    const a = await LeaderLease.open({ connection, schema, node: 'node-a' });
    later(a);
    const b = await LeaderLease.open({ connection, schema, node: 'node-b' });
    later(b);
    const first = await a.acquire(400, 'http://127.0.0.1:1');
    assert.equal(first?.epoch, 1);
    assert.equal(first?.previous.holder, null);
    assert.equal(await b.acquire(400), undefined, 'a live lease is not taken over');
    assert.equal(await a.renew(1, 400), true);
    const state = await b.state();
    assert.equal(state.holder, 'node-a');
    assert.equal(state.holderApi, 'http://127.0.0.1:1');
    assert.ok(state.expiresInMs! > 0 && state.expiresInMs! <= 400, `expires in ${state.expiresInMs} ms`);
    await sleep(500);
    const second = await b.acquire(400);
    assert.equal(second?.epoch, 2);
    assert.equal(second?.previous.holder, 'node-a');
    assert.ok(second!.previous.expiresInMs! < 0, 'the previous lease had expired');
    assert.equal(await a.renew(1, 400), false, 'the old epoch cannot renew');
    await b.release(2);
    assert.equal((await a.state()).holder, null);
    assert.equal((await a.acquire(400))?.epoch, 3, 'a released lease is free at once');
  });
});

test('a fenced journal writes its epoch on every event and writes nothing once another node took the lease over', async () => {
  await withSchema(async (schema, later) => {
    const a = await LeaderLease.open({ connection, schema, node: 'node-a' });
    later(a);
    const b = await LeaderLease.open({ connection, schema, node: 'node-b' });
    later(b);
    const won = await a.acquire(300);
    const journal: PostgresJournal = await openPostgresJournal({ connection, schema, fencing: { epoch: won!.epoch } });
    later(journal);
    assert.deepEqual(await journal.append([ev('engine.started'), ev('note')]), [1, 2]);
    await journal.saveSnapshot({ seq: 2, ts: 1, state: { n: 1 } });
    const epochs = await admin((c) => c.query(`SELECT seq, epoch FROM ${schema}.events ORDER BY seq`));
    assert.deepEqual(epochs.rows.map((r) => [Number(r.seq), Number(r.epoch)]), [[1, 1], [2, 1]]);

    // A second fenced writer beside it is possible only once the lease moved: the takeover.
    await sleep(400);
    const took = await b.acquire(300);
    assert.equal(took?.epoch, 2);
    await assert.rejects(journal.append([ev('order.submitted-by-the-old-active')]), (e: unknown) => e instanceof KeelError && e.code === 'FENCED'
      && /refused 1 event\(s\) of fencing epoch 1: another node holds the lease with a newer epoch; nothing was written/.test(e.message));
    // Everything after is refused too: a later event past a refused one would reorder history.
    await assert.rejects(journal.append([ev('note')]), (e: unknown) => e instanceof KeelError && e.code === 'FENCED');
    const count = await admin((c) => c.query(`SELECT count(*)::int AS n FROM ${schema}.events`));
    assert.equal(count.rows[0].n, 2, 'nothing of the old epoch was written');

    const next = await openPostgresJournal({ connection, schema, fencing: { epoch: 2 } });
    later(next);
    assert.deepEqual(await next.append([ev('engine.reconciled')]), [3]);
    await assert.rejects(journal.saveSnapshot({ seq: 2, ts: 2, state: { n: 2 } }), (e: unknown) => e instanceof KeelError && e.code === 'FENCED');
    const snap = await next.latestSnapshot();
    assert.deepEqual(snap?.state, { n: 1 }, 'the old epoch did not overwrite the snapshot');
  });
});

test('an engine without a lease is refused while a pair holds it, naming the holder; a fenced one beside a plain engine is refused too', async () => {
  await withSchema(async (schema, later) => {
    const a = await LeaderLease.open({ connection, schema, node: 'node-a' });
    later(a);
    await a.acquire(5000);
    await assert.rejects(openPostgresJournal({ connection, schema }), (e: unknown) => e instanceof KeelError && e.code === 'JOURNAL_LOCKED'
      && /node node-a holds the leader lease \(epoch 1\)/.test(e.message) && /--role standby/.test(e.hint ?? ''));
    await a.release(1);
    const plain = await openPostgresJournal({ connection, schema });
    later(plain);
    await assert.rejects(openPostgresJournal({ connection, schema, fencing: { epoch: 1 } }), (e: unknown) => e instanceof KeelError && e.code === 'JOURNAL_LOCKED');
  });
});

test('a takeover waits for a fenced append in flight, so the new active sees every event the old one wrote', async () => {
  await withSchema(async (schema, later) => {
    const a = await LeaderLease.open({ connection, schema, node: 'node-a' });
    later(a);
    const b = await LeaderLease.open({ connection, schema, node: 'node-b' });
    later(b);
    await a.acquire(200);
    const journal = await openPostgresJournal({ connection, schema, fencing: { epoch: 1 } });
    later(journal);
    await sleep(250);
    // Hold the lease row as an INSERT in flight would (FOR SHARE), then try the takeover beside it.
    const holder = new pg.Client({ connectionString: URL });
    await holder.connect();
    later({ close: () => holder.end() });
    await holder.query('BEGIN');
    await holder.query(`SELECT epoch FROM ${schema}.lease WHERE id = 1 FOR SHARE`);
    let tookAt = 0;
    const takeover = b.acquire(5000).then((r) => { tookAt = Date.now(); return r; });
    await sleep(300);
    assert.equal(tookAt, 0, 'the takeover waited for the statement holding the lease row');
    const releasedAt = Date.now();
    await holder.query('COMMIT');
    assert.equal((await takeover)?.epoch, 2);
    assert.ok(tookAt >= releasedAt);
  });
});
