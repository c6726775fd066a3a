import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { KeelError } from '../../src/model/index.ts';
import { openPostgresJournal, POSTGRES_SCHEMA_VERSION } from '../../src/store/postgres/index.ts';
import { backupPostgresJournal, backupSqliteJournal, journalFingerprint, restoreBackup } from '../../src/store/backup/index.ts';
import { BATCH_EVENTS, tradeBatch } from '../helpers/journal-events.ts';
import { fill, fillAudit, fingerprintOfSqlite, isCode, sqliteJournalAt, tempDir } from '../helpers/backup-fixtures.ts';

/**
 * Backup and restore of PostgreSQL journals, against the real server on this machine (127.0.0.1:5432, trust
 * auth, database `test`; KEEL_TEST_POSTGRES_URL overrides). Every test works in schemas of its own, dropped
 * afterwards.
 */
const PG_URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const connection = { url: PG_URL };

function schemaName(tag: string): string {
  return `keel_bk_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function withSchemas(n: number, fn: (schemas: string[], dir: string) => Promise<void>): Promise<void> {
  const schemas = Array.from({ length: n }, (_, i) => schemaName(String(i)));
  const dir = tempDir();
  try {
    await fn(schemas, dir);
  } finally {
    await admin(async (c) => { for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`); });
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fingerprintOfPg(schema: string): Promise<string> {
  const j = await openPostgresJournal({ connection, schema, readOnly: true });
  try {
    return await journalFingerprint(j);
  } finally {
    await j.close();
  }
}

test('postgres: dump and restore into a new schema rebuild an identical journal, and backups cross between SQLite and PostgreSQL', async () => {
  await withSchemas(3, async ([source, restored, fromSqlite], dir) => {
    const j = await openPostgresJournal({ connection, schema: source });
    await fill(j, 25);
    const chainId = await j.auditChainId();
    await fillAudit(PG_URL, source, 3);
    const lastHash = (await j.readAudit()).at(-1)!.hash;
    await j.close();
    const b = await backupPostgresJournal({ connection, schema: source, to: join(dir, 'backups'), now: () => new Date('2025-03-04T05:06:07.089Z') });
    assert.equal(b.dataPath, join(dir, 'backups', 'journal-20250304T050607.089Z-seq100.dump'));
    assert.deepEqual({ ...b.manifest, sha256: 'x', bytes: 0 }, {
      manifestVersion: 1, format: 'keel-dump', file: 'journal-20250304T050607.089Z-seq100.dump', source: `postgres://127.0.0.1:5432/test schema ${source}`,
      createdAt: '2025-03-04T05:06:07.089Z', lastSeq: 100, events: 100, snapshots: 1, sha256: 'x', bytes: 0, keelSchemaVersion: POSTGRES_SCHEMA_VERSION,
      audit: { chainId, records: 3, lastSeq: 3, lastHash },
    });
    const lines = readFileSync(b.dataPath, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 1 + 1 + 100 + 1 + 3 + 1);
    assert.match(lines[0], /^\{"format":"keel-dump","version":2,/);
    assert.equal(lines[1], `["audit-chain","${chainId}"]`);
    assert.match(lines.at(-2)!, new RegExp(`^\\["audit",3,.*"${lastHash}"\\]$`));
    assert.equal(lines.at(-1), '["end",100,1,100,3]');

    const r = await restoreBackup({ from: b.manifestPath, into: { kind: 'postgres', connection, schema: restored } });
    assert.equal(r.target, `postgres://127.0.0.1:5432/test schema ${restored}`);
    const original = await fingerprintOfPg(source);
    assert.equal(await fingerprintOfPg(restored), original);

    // The dump into SQLite, and that SQLite journal's backup back into PostgreSQL: the same state all along.
    const sqlitePath = join(dir, 'from-pg.sqlite');
    await restoreBackup({ from: b.manifestPath, into: { kind: 'sqlite', path: sqlitePath } });
    assert.equal(await fingerprintOfSqlite(sqlitePath), original);
    const sb = await backupSqliteJournal({ path: sqlitePath, to: join(dir, 'backups') });
    await restoreBackup({ from: sb.manifestPath, into: { kind: 'postgres', connection, schema: fromSqlite } });
    assert.equal(await fingerprintOfPg(fromSqlite), original);
  });
});

test('postgres: an online backup while the engine appends holds whole transactions and every event up to its lastSeq', { timeout: 60_000 }, async () => {
  await withSchemas(2, async ([source, restored], dir) => {
    const j = await openPostgresJournal({ connection, schema: source });
    let stop = false;
    let batches = 0;
    const writing = (async () => {
      while (!stop) await j.append(tradeBatch(batches++));
    })();
    try {
      while (batches < 50) await new Promise((r) => setTimeout(r, 5));
      const b = await backupPostgresJournal({ connection, schema: source, to: join(dir, 'backups') });
      const during = batches;
      await new Promise((r) => setTimeout(r, 50));
      stop = true;
      await writing;
      const m = b.manifest;
      assert.ok(m.lastSeq > 0 && m.lastSeq % BATCH_EVENTS === 0, `copy ends on a transaction boundary (lastSeq ${m.lastSeq})`);
      assert.ok(m.lastSeq < (await j.lastSeq()), `appends went on after the copy (${m.lastSeq} of ${await j.lastSeq()}, ${during} batches then)`);
      await restoreBackup({ from: b.manifestPath, into: { kind: 'postgres', connection, schema: restored } });
      const copy = await openPostgresJournal({ connection, schema: restored, readOnly: true });
      try {
        assert.deepEqual(await copy.read(), await j.read({ limit: m.lastSeq }));
      } finally {
        await copy.close();
      }
    } finally {
      stop = true;
      await writing;
      await j.close();
    }
  });
});

test('postgres: restore refuses a schema holding a journal or other tables, and a tampered dump, writing nothing', async () => {
  await withSchemas(4, async ([source, busy, foreign, fresh], dir) => {
    const j = await openPostgresJournal({ connection, schema: source });
    await fill(j, 4);
    await j.close();
    const b = await backupPostgresJournal({ connection, schema: source, to: dir });
    const other = await openPostgresJournal({ connection, schema: busy });
    await other.append(tradeBatch(7));
    await other.close();
    const busyBefore = await fingerprintOfPg(busy);
    await assert.rejects(restoreBackup({ from: b.manifestPath, into: { kind: 'postgres', connection, schema: busy } }), (e: KeelError) => {
      isCode('BACKUP_TARGET_EXISTS')(e);
      assert.match(e.message, new RegExp(`^--schema = "postgres://127\\.0\\.0\\.1:5432/test schema ${busy}": already holds a journal \\(events up to seq 4\\); restore never writes into a journal that has data, nothing was written`));
      return true;
    });
    assert.equal(await fingerprintOfPg(busy), busyBefore);

    await admin((c) => c.query(`CREATE SCHEMA ${foreign}; CREATE TABLE ${foreign}.customers (id int)`));
    await assert.rejects(restoreBackup({ from: b.manifestPath, into: { kind: 'postgres', connection, schema: foreign } }), isCode('JOURNAL_SCHEMA'));
    assert.deepEqual(await admin(async (c) => (await c.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [foreign])).rows), [{ tablename: 'customers' }]);

    const data = readFileSync(b.dataPath, 'utf8');
    writeFileSync(b.dataPath, data.replace('"ACME"', '"ACMF"'));
    await assert.rejects(restoreBackup({ from: b.manifestPath, into: { kind: 'postgres', connection, schema: fresh } }), isCode('BACKUP_CORRUPT'));
    assert.equal(await admin(async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [fresh])).rows[0].n), 0, 'no schema created');
  });
});

test('postgres: an unreachable server or a missing schema is one clear line naming host:port/database, never the password, and nothing is written', async () => {
  const dir = tempDir();
  try {
    const to = join(dir, 'backups');
    await assert.rejects(backupPostgresJournal({ connection: { url: 'postgres://keel:s3cret@127.0.0.1:1/prod', connectTimeoutMs: 2000 }, schema: 'keel', to }), (e: KeelError) => {
      isCode('JOURNAL_UNREACHABLE')(e);
      assert.match(e.message, /^journal = "postgres:\/\/127\.0\.0\.1:1\/prod": cannot reach PostgreSQL at 127\.0\.0\.1:1 \(database "prod"\)/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
    await assert.rejects(backupPostgresJournal({ connection, schema: schemaName('none'), to }), (e: KeelError) => isCode('JOURNAL_SCHEMA')(e) && /there is no journal in schema/.test(e.message));
    assert.equal(existsSync(to), false);

    const sqlite = join(dir, 'journal.sqlite');
    await sqliteJournalAt(sqlite, 1);
    const b = await backupSqliteJournal({ path: sqlite, to });
    await assert.rejects(restoreBackup({ from: b.manifestPath, into: { kind: 'postgres', connection: { url: 'postgres://keel:s3cret@127.0.0.1:1/prod' }, schema: 'keel' } }), (e: KeelError) => {
      isCode('JOURNAL_UNREACHABLE')(e);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
    assert.deepEqual(readdirSync(to).sort(), [b.dataPath, b.manifestPath].map((p) => p.slice(to.length + 1)).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
