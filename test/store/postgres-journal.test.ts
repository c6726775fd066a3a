import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { backupPostgresJournal } from '../../src/store/backup/index.ts';
import { KeelError, defineInstrument, type Fill, type OrderEvent } from '../../src/model/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import { openPostgresJournal, POSTGRES_SCHEMA_VERSION, resolvePostgresConfig, type PostgresJournal, type PostgresJournalOptions } from '../../src/store/postgres/index.ts';
import { openSqliteJournal, type Journal, type NewJournalEvent } from '../../src/store/index.ts';
import { journalContract } from './journal-contract.ts';
import { holdReadModels } from '../helpers/read-model-crash.ts';

/**
 * Integration tests against the real PostgreSQL server on this machine (127.0.0.1:5432, trust auth, database
 * `test`; KEEL_TEST_POSTGRES_URL overrides). Every test works in a schema of its own, dropped afterwards.
 */
const URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const connection = { url: URL };

function schemaName(): string {
  return `keel_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A plain client for looking at and tampering with a journal's schema behind its back. */
async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const dropSchema = (schema: string) => admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));

/** Open journals on a fresh schema, run `fn`, then close whatever it left open (a failed assertion too) and drop. */
async function withSchema(fn: (schema: string, open: (o?: Partial<PostgresJournalOptions>) => Promise<PostgresJournal>) => Promise<void>): Promise<void> {
  const schema = schemaName();
  const opened: PostgresJournal[] = [];
  try {
    await fn(schema, async (o = {}) => {
      const j = await openPostgresJournal({ connection, schema, ...o });
      opened.push(j);
      return j;
    });
  } finally {
    for (const j of opened) await j.close();
    await dropSchema(schema);
  }
}

const ev = (type: string, payload: unknown): NewJournalEvent => ({ ts: 1, stream: { account: 'A' }, type, payload });

journalContract('postgres', {
  async fresh({ durability }) {
    const schema = schemaName();
    return {
      journal: await openPostgresJournal({ connection, schema, durability }),
      reopen: () => openPostgresJournal({ connection, schema, durability }),
      readOnly: () => openPostgresJournal({ connection, schema, readOnly: true }),
      crashWindow: { target: ['postgres', URL, schema], hold: () => holdReadModels(URL, schema) },
      cleanup: () => dropSchema(schema).then(() => {}),
    };
  },
});


test('postgres: a journal written by a newer Keel (higher schema version) is refused in one line and left untouched', async () => {
  await withSchema(async (schema, open) => {
    const j = await open();
    await j.append([ev('a', 1), ev('b', 2n)]);
    await j.close();
    await admin((c) => c.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES (99, 'from the future')`));
    const before = await admin(async (c) => ({
      migrations: (await c.query(`SELECT version, name, applied_at FROM ${schema}.schema_migrations ORDER BY version`)).rows,
      events: (await c.query(`SELECT * FROM ${schema}.events ORDER BY seq`)).rows,
    }));
    await assert.rejects(open(), (e: KeelError) => {
      assert.equal(e.code, 'JOURNAL_SCHEMA');
      assert.match(e.message, new RegExp(`^journal = "postgres://127\\.0\\.0\\.1:5432/test schema ${schema}": journal schema version 99 is newer than this Keel understands \\(${POSTGRES_SCHEMA_VERSION}\\); nothing was changed`));
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    const after = await admin(async (c) => ({
      migrations: (await c.query(`SELECT version, name, applied_at FROM ${schema}.schema_migrations ORDER BY version`)).rows,
      events: (await c.query(`SELECT * FROM ${schema}.events ORDER BY seq`)).rows,
    }));
    assert.deepEqual(after, before);
  });
});

test('postgres: a schema holding tables that are not a journal is refused and its tables are untouched', async () => {
  await withSchema(async (schema, open) => {
    await admin(async (c) => {
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.query(`CREATE TABLE ${schema}.events (id int)`);
      await c.query(`INSERT INTO ${schema}.events VALUES (42)`);
    });
    await assert.rejects(open(), (e: KeelError) => e.code === 'JOURNAL_SCHEMA' && /holds tables but no Keel journal/.test(e.message));
    const rows = await admin(async (c) => ({
      events: (await c.query(`SELECT * FROM ${schema}.events`)).rows,
      tables: (await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [schema])).rows,
    }));
    assert.deepEqual(rows, { events: [{ id: 42 }], tables: [{ tablename: 'events' }] });
  });
});

test('postgres: an unreachable server fails fast with one line naming host:port and database, never the password', async () => {
  const password = 'hunter2-very-secret';
  for (const conn of [
    { host: '127.0.0.1', port: 1, database: 'test', user: 'postgres', password },
    { url: `postgres://postgres:${password}@127.0.0.1:1/test` },
  ]) {
    const t0 = performance.now();
    await assert.rejects(openPostgresJournal({ connection: conn, schema: 'keel' }), (e: KeelError) => {
      assert.ok(e instanceof KeelError);
      assert.equal(e.code, 'JOURNAL_UNREACHABLE');
      assert.equal(e.message, 'journal = "postgres://127.0.0.1:1/test": cannot reach PostgreSQL at 127.0.0.1:1 (database "test"): connection refused '
        + '(is the server running and listening there? check host, port, KEEL_POSTGRES_URL and PG* variables)');
      assert.ok(!e.message.includes(password) && !String(e.value).includes(password) && !(e.stack ?? '').includes(password));
      return true;
    });
    assert.ok(performance.now() - t0 < 3000, 'fails within the connect timeout');
  }
});

test('postgres: a server that never answers times out within connectTimeoutMs', async () => {
  // A listening socket that accepts and then says nothing, like a firewalled or hung server.
  const net = await import('node:net');
  const sockets: import('node:net').Socket[] = [];
  const server = net.createServer((s) => { sockets.push(s); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  try {
    const t0 = performance.now();
    await assert.rejects(openPostgresJournal({ connection: { host: '127.0.0.1', port, database: 'test', connectTimeoutMs: 300 }, schema: 'keel' }),
      (e: KeelError) => e.code === 'JOURNAL_UNREACHABLE' && e.message.includes(`127.0.0.1:${port} (database "test"): connect timeout`));
    assert.ok(performance.now() - t0 < 2000);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test('postgres: the location never shows the password; bad settings are one-line errors without it', async () => {
  await withSchema(async (schema) => {
    const j = await openPostgresJournal({ connection: { url: URL.replace('postgres@', 'postgres:pw-secret-1@') }, schema });
    assert.equal(j.location, `postgres://127.0.0.1:5432/test schema ${schema}`);
    await j.close();
  });
  assert.throws(() => resolvePostgresConfig({ url: 'postgres://u:pw-secret-2@host:99999/db' }), (e: KeelError) => e.code === 'BAD_JOURNAL_CONFIG' && !e.message.includes('pw-secret-2'));
  assert.throws(() => resolvePostgresConfig({ url: 'http://u:pw-secret-3@host/db' }), (e: KeelError) => /must start with postgres:\/\//.test(e.message) && !e.message.includes('pw-secret-3'));
  await assert.rejects(openPostgresJournal({ connection, schema: 'Robert"); DROP TABLE x; --' }), (e: KeelError) => e.code === 'BAD_JOURNAL_CONFIG');
  const env = resolvePostgresConfig({}, { PGHOST: 'db.internal', PGPORT: '6543', PGUSER: 'keel', PGPASSWORD: 'x', PGDATABASE: 'prod' });
  assert.deepEqual(env, { host: 'db.internal', port: 6543, database: 'prod', user: 'keel', password: 'x', connectTimeoutMs: 3000 });
});

test('postgres: durability sets synchronous_commit for the session: off for process, on for machine', async () => {
  await withSchema(async (_schema, open) => {
    for (const [durability, expected] of [['process', 'off'], ['machine', 'on']] as const) {
      const j = await open({ durability });
      assert.equal(j.durability, durability);
      assert.equal(await j.setting('synchronous_commit'), expected);
      await j.close();
    }
  });
});

test('postgres: a second writer on the same schema is refused while the first holds it; readers may look', async () => {
  await withSchema(async (schema, open) => {
    const first = await open();
    await first.append([ev('a', 1)]);
    await assert.rejects(open(), (e: KeelError) => {
      assert.equal(e.code, 'JOURNAL_LOCKED');
      assert.match(e.message, new RegExp(`^journal = "postgres://127\\.0\\.0\\.1:5432/test schema ${schema}": is already open for writing by backend pid \\d+ \\(keel journal`));
      return true;
    });
    const reader = await open({ readOnly: true });
    await first.append([ev('b', 2)]);
    assert.deepEqual((await reader.read()).map((r) => r.seq), [1, 2]);
    assert.equal(await reader.lastSeq(), 2);
    await assert.rejects(reader.append([ev('c', 3)]), (e: KeelError) => e.code === 'JOURNAL_READ_ONLY');
    await reader.close();
    await first.close();
    // The lock goes with the connection: the next engine takes over and continues the sequence.
    const second = await open();
    assert.deepEqual(await second.append([ev('c', 3)]), [3]);
    await second.close();
  });
});

test('postgres: two engines starting at once on a new schema: one migrates and writes, the other is refused cleanly', async () => {
  await withSchema(async (_schema, open) => {
    const results = await Promise.allSettled([open(), open(), open()]);
    const opened = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(opened.length, 1);
    for (const r of refused) assert.equal((r.reason as KeelError).code, 'JOURNAL_LOCKED');
    const j = opened[0].value;
    assert.deepEqual(await j.append([ev('a', 1), ev('b', 2)]), [1, 2]);
    await j.close();
  });
});

test('postgres: a lost connection fails the append in one line and refuses everything after (no reordering past a lost batch)', async () => {
  await withSchema(async (schema, open) => {
    const j = await open();
    await j.append([ev('a', 1)]);
    // The writer's backend is the one holding the schema's advisory lock.
    const pid = await admin(async (c) => (await c.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext($1)::oid`, [schema])).rows[0].pid as number);
    await admin((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
    await assert.rejects(j.append([ev('b', 2)]), (e: KeelError) => e.code === 'JOURNAL_UNREACHABLE' && !/\n/.test(e.message));
    await assert.rejects(j.append([ev('c', 3)]), (e: KeelError) => e.code === 'JOURNAL_UNREACHABLE');
    await j.close();
    const again = await open();
    assert.deepEqual((await again.read()).map((r) => r.type), ['a']);
    await again.close();
  });
});

test('postgres: an event that cannot be journaled fails only its own append', async () => {
  await withSchema(async (_schema, open) => {
    const j = await open();
    const [good, bad, undef, after] = await Promise.allSettled([
      j.append([ev('a', 1)]),
      j.append([{ ts: 1.5, stream: { account: 'A' }, type: 'x', payload: 1 }]),
      j.append([ev('u', undefined)]),
      j.append([ev('b', 2)]),
    ]);
    // Control characters in a payload (the append statement joins payloads with \x1e) come back as they were.
    const tricky = { text: 'a\x1eb\nc\u0000d', list: ['\x1e', '\x1e\x1e'] };
    assert.deepEqual(await j.append([ev('t', tricky), ev('t2', '\x1e')]), [3, 4]);
    assert.deepEqual((await j.read({ fromSeq: 3 })).map((r) => r.payload), [tricky, '\x1e']);
    assert.deepEqual(good, { status: 'fulfilled', value: [1] });
    assert.equal(bad.status === 'rejected' && (bad.reason as KeelError).field, 'events[0].ts');
    assert.equal(undef.status === 'rejected' && (undef.reason as KeelError).field, 'events[0].payload');
    assert.deepEqual(after, { status: 'fulfilled', value: [2] });
    await j.close();
  });
});

test('postgres: read models are the same however the events are batched (against SQLite, one event per append)', async () => {
  const events = randomOrderFlow(7, 40);
  const dir = mkdtempSync(join(tmpdir(), 'keel-pg-vs-sqlite-'));
  try {
    const lite = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    for (const e of events) await lite.append([e]);
    const expected = await readModels(lite);
    await lite.close();
    await withSchema(async (_schema, open) => {
      // Random groups, all in flight at once (group commit packs them), with a reopen halfway so that
      // statuses come from the database instead of the writer's memory.
      const rnd = mulberry32(11);
      // The last three events (a repeated intent, a report for it, a stray report) go in one call after a
      // reopen: the writer does not remember the order, assumes the intent is new and must recover.
      const half = Math.floor(events.length / 2);
      let j = await open();
      for (const part of [events.slice(0, half), events.slice(half, -3), events.slice(-3)]) {
        const calls: Array<Promise<readonly number[]>> = [];
        for (let i = 0; i < part.length;) {
          const n = 1 + Math.floor(rnd() * 6);
          calls.push(j.append(part.slice(i, i + n)));
          i += n;
        }
        await Promise.all(calls);
        await j.close();
        j = await open();
      }
      assert.deepEqual(await readModels(j), expected);
      assert.equal(await j.lastSeq(), events.length);
      await j.close();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function readModels(j: Journal) {
  return { orders: await j.orders(), open: await j.orders({ openOnly: true }), fills: await j.fills(), positions: await j.positions(), balances: await j.balances() };
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Interleaved lifecycles of `orders` orders: partial fills, a re-sent fill, replaces, cancels, late reports, balances. */
function randomOrderFlow(seed: number, orders: number): NewJournalEvent[] {
  const rnd = mulberry32(seed);
  const inst = [defineInstrument({ id: 'ACME', priceTick: '0.01' }), defineInstrument({ id: 'BETA', priceTick: '0.01' })];
  const lives: OrderEvent[][] = [];
  for (let k = 0; k < orders; k++) {
    const id = `s1-${k}`;
    const i = inst[k % 2];
    const side = rnd() < 0.5 ? 'buy' : 'sell';
    const qty = 1 + Math.floor(rnd() * 20);
    const order = buildOrder(i, { side, quantity: qty, limitPrice: 10 }, id, 's1', 0);
    const life: OrderEvent[] = [{ type: 'order.submitted', ts: 0, order }];
    const fate = rnd();
    if (fate < 0.1) life.push({ type: 'order.rejected', ts: 0, clientOrderId: id, reason: 'no buying power' });
    else {
      life.push({ type: 'order.accepted', ts: 0, clientOrderId: id, venueOrderId: `V${k}` });
      let left = qty;
      let t = 0;
      if (rnd() < 0.3) {
        const bigger = { ...order, quantity: (qty + 5) as typeof order.quantity };
        life.push({ type: 'order.pending-update', ts: 0, clientOrderId: id, order: bigger }, { type: 'order.updated', ts: 0, clientOrderId: id, order: bigger });
        left += 5;
      }
      while (left > 0 && rnd() < 0.7) {
        const q = Math.min(left, 1 + Math.floor(rnd() * 8));
        left -= q;
        const f: Fill = {
          clientOrderId: id, venueOrderId: `V${k}`, tradeId: `T${k}-${t++}`, strategyId: 's1', instrumentId: i.id, side, quantity: q as Fill['quantity'],
          price: 1000 as Fill['price'], fee: BigInt(q) * 1_000_000n, liquidity: 'taker', ts: 5, decisionPrice: undefined,
        };
        life.push({ type: 'order.filled', ts: 0, clientOrderId: id, fill: f, leavesQuantity: left as Fill['quantity'] });
        if (rnd() < 0.1) life.push({ type: 'order.filled', ts: 0, clientOrderId: id, fill: f, leavesQuantity: left as Fill['quantity'] }); // venue re-sent it
      }
      if (left > 0 && rnd() < 0.5) life.push({ type: 'order.canceled', ts: 0, clientOrderId: id, reason: 'by strategy' });
    }
    lives.push(life);
  }
  const out: NewJournalEvent[] = [];
  let cash = 1_000_000_000n;
  while (lives.some((l) => l.length > 0)) {
    const open = lives.filter((l) => l.length > 0);
    const e = open[Math.floor(rnd() * open.length)].shift()!;
    out.push({ ts: out.length, stream: { account: 'A', strategy: 's1', instrument: 'ACME' }, type: e.type, payload: e });
    if (rnd() < 0.1) {
      cash -= 12_345n;
      out.push({ ts: out.length, stream: { account: rnd() < 0.5 ? 'A' : 'B' }, type: 'account.balance', payload: { currency: 'USD', cash, equity: cash + 7n, realizedPnl: -cash } });
    }
  }
  // A repeated intent for an order committed long before, followed by a report for it.
  const first = out.find((e) => e.type === 'order.submitted')!.payload as Extract<OrderEvent, { type: 'order.submitted' }>;
  const again: OrderEvent[] = [
    { type: 'order.submitted', ts: 0, order: { ...first.order, quantity: 99 as Fill['quantity'] } },
    { type: 'order.canceled', ts: 0, clientOrderId: first.order.clientOrderId, reason: 'late cancel' },
  ];
  out.push(...again.map((e) => ({ ts: out.length, stream: { account: 'A', strategy: 's1', instrument: 'ACME' }, type: e.type, payload: e })));
  out.push({ ts: out.length, stream: { account: 'A' }, type: 'order.late-report', payload: { type: 'order.accepted', ts: 0, clientOrderId: 'never-submitted', venueOrderId: 'X' } });
  return out;
}

test('postgres: group commit: calls made while a commit is in flight share the next transaction', async () => {
  await withSchema(async (_schema, open) => {
    const j = await open();
    const seqs = await Promise.all(Array.from({ length: 500 }, (_, i) => j.append([ev('n', i)])));
    assert.deepEqual(seqs.flat(), Array.from({ length: 500 }, (_, i) => i + 1));
    const { commits, events } = j.stats();
    assert.equal(events, 500);
    assert.ok(commits <= 3, `500 concurrent calls took ${commits} transactions`);
  });
});

test('postgres: a read-only open of a schema without a journal is refused without creating anything', async () => {
  await withSchema(async (schema, open) => {
    await assert.rejects(open({ readOnly: true }), (e: KeelError) => e.code === 'JOURNAL_SCHEMA' && e.message.includes(`there is no journal in schema "${schema}"`));
    const exists = await admin(async (c) => (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount);
    assert.equal(exists, 0);
  });
});

test('postgres: the read models fold on a connection of their own, behind the events; a schema-1 journal opens with its watermark at its last event', async () => {
  await withSchema(async (schema, open) => {
    const j = await open();
    const events = randomOrderFlow(3, 30);
    await Promise.all(events.map((e) => j.append([e])));
    assert.equal(await j.settleReadModels(), events.length);
    const { commits, readModelCommits } = j.stats();
    assert.ok(readModelCommits <= commits, `${readModelCommits} read-model statements for ${commits} event commits`);
    const lockHolder = await admin(async (c) => (await c.query<{ application_name: string }>(
      `SELECT a.application_name FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid WHERE l.locktype = 'advisory' AND l.objid = hashtext($1)::oid`, [schema],
    )).rows.map((r) => r.application_name));
    assert.deepEqual(lockHolder, ['keel journal'], 'the writer lock stays on the events\' connection');
    const folders = await admin(async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'keel journal read models'`)).rows[0].n);
    assert.ok(folders >= 1, 'the read models\' connection is named in pg_stat_activity');
    const before = await readModels(j);
    await j.close();
    // What schema 1 looked like: no watermark, read models as of every event.
    await admin((c) => c.query(`DROP TABLE ${schema}.read_model_state, ${schema}.audit, ${schema}.audit_chain; DROP FUNCTION ${schema}.audit_append_only; DROP TABLE ${schema}.lease, ${schema}.ha_nodes; ALTER TABLE ${schema}.events DROP COLUMN epoch; DELETE FROM ${schema}.schema_migrations WHERE version >= 2`));
    // Readers that never migrate (keel state, keel serve, keel backup) read it as it is.
    const reader = await open({ readOnly: true });
    assert.deepEqual(await readModels(reader), before);
    await reader.close();
    const dir = mkdtempSync(join(tmpdir(), 'keel-pg-schema1-'));
    try {
      // A backup carries the audit trail (schema 3): it asks for the migration instead of copying an old schema.
      await assert.rejects(backupPostgresJournal({ connection, schema, to: dir }), (e: KeelError) => e.code === 'JOURNAL_SCHEMA'
        && e.message.includes('journal schema version 1 is older than this Keel') && e.message.includes('a backup (it carries the audit trail) needs the current schema'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const again = await open();
    assert.equal(again.stats().readModelSeq, events.length);
    assert.equal(again.stats().readModelCommits, 0, 'nothing folded twice');
    assert.deepEqual(await readModels(again), before);
    await again.close();
  });
});
