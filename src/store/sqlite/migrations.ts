import type { DatabaseSync } from 'node:sqlite';
import { KeelError } from '../../model/index.ts';

/**
 * Versioned schema of the SQLite journal. A migration is appended, never edited: a journal written by
 * version N must open under every later version of the code. `schema_migrations` records what was applied.
 */
interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** "KEEL" in the database header (PRAGMA application_id), so `file journal.sqlite` and Keel recognise it. */
export const KEEL_APPLICATION_ID = 0x4b45454c;

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, snapshots and read models',
    sql: `
      -- The audit version of each strategy, once (events refer to it by id; see versions.ts).
      CREATE TABLE versions (
        id      INTEGER PRIMARY KEY,
        version TEXT    NOT NULL UNIQUE
      );

      -- seq is the rowid: appended in order by the one writer, 1, 2, 3, ... without gaps. No secondary index:
      -- each would cost every append, and reads that filter by stream or type scan in seq order anyway.
      CREATE TABLE events (
        seq        INTEGER PRIMARY KEY,
        ts         INTEGER NOT NULL,
        account    TEXT    NOT NULL,
        strategy   TEXT,
        instrument TEXT,
        type       TEXT    NOT NULL,
        -- The codec's text, kept exactly (key order, bigint tags): a restored journal is byte-identical.
        payload    TEXT    NOT NULL,
        version_id INTEGER REFERENCES versions (id)
      );

      CREATE TABLE snapshots (
        seq      INTEGER PRIMARY KEY,
        ts       INTEGER NOT NULL,
        state    TEXT    NOT NULL,
        saved_at TEXT    NOT NULL
      );

      CREATE TABLE orders (
        client_order_id TEXT    PRIMARY KEY,
        account         TEXT    NOT NULL,
        strategy        TEXT    NOT NULL,
        instrument      TEXT    NOT NULL,
        side            TEXT    NOT NULL,
        type            TEXT    NOT NULL,
        quantity        INTEGER NOT NULL,
        filled_quantity INTEGER NOT NULL,
        status          TEXT    NOT NULL,
        venue_order_id  TEXT,
        reason          TEXT,
        is_open         INTEGER NOT NULL,
        updated_seq     INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Only open orders are indexed: the index stays as small as the working book.
      CREATE INDEX orders_open ON orders (account) WHERE is_open = 1;

      -- One row per journaled fill event. Money is TEXT: 10^-12 units overflow SQLite's 64-bit integers past
      -- about 9 million currency units.
      CREATE TABLE fills (
        seq             INTEGER PRIMARY KEY,
        trade_id        TEXT    NOT NULL,
        client_order_id TEXT    NOT NULL,
        account         TEXT    NOT NULL,
        strategy        TEXT    NOT NULL,
        instrument      TEXT    NOT NULL,
        side            TEXT    NOT NULL,
        quantity        INTEGER NOT NULL,
        price           INTEGER NOT NULL,
        fee             TEXT    NOT NULL,
        ts              INTEGER NOT NULL
      );

      CREATE TABLE positions (
        account     TEXT    NOT NULL,
        instrument  TEXT    NOT NULL,
        lots        INTEGER NOT NULL,
        updated_seq INTEGER NOT NULL,
        PRIMARY KEY (account, instrument)
      ) WITHOUT ROWID;

      CREATE TABLE balances (
        account      TEXT    NOT NULL,
        currency     TEXT    NOT NULL,
        cash         TEXT    NOT NULL,
        equity       TEXT    NOT NULL,
        realized_pnl TEXT    NOT NULL,
        updated_seq  INTEGER NOT NULL,
        PRIMARY KEY (account, currency)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'read models committed after their events (watermark)',
    sql: `
      -- The last event the read models include. They are committed after the events, in a transaction of
      -- their own (an order intent's write-ahead commit is then only its event); a journal opened for writing
      -- folds the events after this first, and readers lay those events over the stored rows.
      CREATE TABLE read_model_state (
        id  INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL
      );
      -- Until now the read models were committed with the events: they include every event there is.
      INSERT INTO read_model_state (id, seq) SELECT 1, coalesce(max(seq), 0) FROM events;
    `,
  },
  {
    version: 3,
    name: 'audit trail',
    sql: `
      -- The random id the audit chain's first record links to (security/audit/chain.ts): a chain copied in
      -- from another journal does not verify here. One row, set once; restores carry it over.
      CREATE TABLE audit_chain (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        chain_id   TEXT    NOT NULL,
        created_at TEXT    NOT NULL
      );
      INSERT INTO audit_chain (id, chain_id, created_at) VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

      -- Append-only, hash-chained operator and security events (store/audit-table.ts). seq is the rowid,
      -- assigned as last + 1 under the write lock, so the chain never forks.
      CREATE TABLE audit (
        seq       INTEGER PRIMARY KEY,
        ts        INTEGER NOT NULL,
        actor     TEXT    NOT NULL,
        origin    TEXT    NOT NULL,
        action    TEXT    NOT NULL,
        target    TEXT,
        result    TEXT    NOT NULL CHECK (result IN ('ok', 'denied', 'failed')),
        reason    TEXT,
        details   TEXT    NOT NULL,
        prev_hash TEXT    NOT NULL,
        hash      TEXT    NOT NULL
      );
      -- Exports ask for a time range.
      CREATE INDEX audit_ts ON audit (ts);
      -- An edit or a deletion through SQL fails loudly; one made behind SQLite's back is caught by the chain.
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;
    `,
  },
  {
    version: 4,
    name: 'fencing epoch on events',
    sql: `
      -- The leader lease's fencing epoch an event was written under (PostgreSQL active/standby pairs,
      -- docs/high-availability.md). A SQLite journal is single-node, so it stays NULL here; the column exists
      -- so that both journals have the same shape and a backup restores into either.
      ALTER TABLE events ADD COLUMN epoch INTEGER;
    `,
  },
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * The journal's schema version (0 for an empty database). Refuses a database that holds something other
 * than a Keel journal, and one written by a newer Keel, before anything is written.
 */
export function schemaVersionOf(db: DatabaseSync, path: string): number {
  const appId = (db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
  const isJournal = tables.some((t) => t.name === 'schema_migrations');
  if ((appId !== 0 && appId !== KEEL_APPLICATION_ID) || (!isJournal && tables.length > 0)) {
    throw new KeelError('JOURNAL_SCHEMA', 'is a SQLite database but not a Keel journal; it was left untouched', {
      field: 'journal', value: path, hint: 'give the journal a file of its own, e.g. run/journal.sqlite',
    });
  }
  if (!isJournal) return 0;
  const found = (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  if (found > SQLITE_SCHEMA_VERSION) {
    throw new KeelError('JOURNAL_SCHEMA', `has schema version ${found}, newer than this Keel understands (${SQLITE_SCHEMA_VERSION}); it was left untouched`, {
      field: 'journal', value: path, hint: 'run the Keel version that wrote this journal, or a newer one',
    });
  }
  return found;
}

/**
 * Bring the journal to SQLITE_SCHEMA_VERSION in one transaction: a crash half-way leaves the old version,
 * never a half-built schema. The version is read again under the write lock, in case another process
 * migrated the file in between. Returns the version found before migrating.
 */
export function migrate(db: DatabaseSync, path: string): number {
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = schemaVersionOf(db, path);
    if (current === 0) {
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      db.exec(`PRAGMA application_id = ${KEEL_APPLICATION_ID}`);
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }
    db.exec('COMMIT');
    return current;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/**
 * The oldest schema a reader can read without migrating: version 1 has no read-model watermark, but it
 * committed the read models with their events, so its watermark is simply its last event (`watermarkOf`).
 */
const OLDEST_READABLE_VERSION = 1;

/**
 * For read-only opens: the journal must exist at a version this code reads (a reader never migrates, so that
 * `keel state` or `keel backup` run against a live engine cannot change what the engine writes to).
 */
export function checkReadableVersion(db: DatabaseSync, path: string, needsCurrent?: string): void {
  const found = schemaVersionOf(db, path);
  if (found === 0) {
    throw new KeelError('JOURNAL_SCHEMA', 'holds no journal yet', { field: 'journal', value: path, hint: 'an engine creates it on its first start' });
  }
  // The audit trail (version 3) and backups, which carry it, need the current schema.
  if (needsCurrent !== undefined && found < SQLITE_SCHEMA_VERSION) {
    throw new KeelError('JOURNAL_SCHEMA', `has schema version ${found}, older than this Keel's ${SQLITE_SCHEMA_VERSION}: ${needsCurrent} needs the current schema`, {
      field: 'journal', value: path, hint: 'start the engine on it once, which migrates it, or use the Keel that wrote it',
    });
  }
  if (found < OLDEST_READABLE_VERSION) {
    throw new KeelError('JOURNAL_SCHEMA', `has schema version ${found}, older than this Keel's ${SQLITE_SCHEMA_VERSION}`, {
      field: 'journal', value: path, hint: 'open it once for writing (start the engine) to migrate it',
    });
  }
}
